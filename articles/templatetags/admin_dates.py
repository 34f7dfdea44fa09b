"""The admin's date drill-down, offering only periods with stories, without a DISTINCT over
every story.

Django lists the years (then months, days) that have stories with SELECT DISTINCT on a
truncated, time-zone-converted date: a scan of the whole table on every changelist view, two
seconds at 100,000 stories on SQLite. Here the candidate periods come from MIN and MAX, and one
query asks EXISTS of each period, which the database answers from the date's index: one probe
per period, however many stories there are.
"""

import copy
from datetime import date, datetime, time, timedelta

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import Exists, Max, Min
from django.utils import timezone

register = template.Library()


class _RangeDates:
    """Stands in for the changelist's queryset where the date hierarchy asks for dates."""

    # A typo'd year 2999 makes a thousand candidate years; databases cap a row's columns.
    CHECKS_PER_QUERY = 400

    def __init__(self, queryset):
        self._queryset = queryset

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def datetimes(self, field_name, kind, **kwargs):
        span = self._queryset.aggregate(first=Min(field_name), last=Max(field_name))
        if span["first"] is None:
            return []
        first = timezone.localtime(span["first"]).date()
        last = timezone.localtime(span["last"]).date()
        starts = _period_starts(first, last, kind)
        ends = [*starts[1:], _next_period(starts[-1], kind)]
        found = self._with_stories(field_name, list(zip(starts, ends, strict=True)))
        # Noon: a time that exists in every zone, whatever its clock changes.
        return [timezone.make_aware(datetime.combine(day, time(12))) for day in found]

    def _with_stories(self, field_name, periods):
        """The starts of the periods (start, end) in which the queryset has a row."""
        found = []
        for n in range(0, len(periods), self.CHECKS_PER_QUERY):
            chunk = periods[n : n + self.CHECKS_PER_QUERY]
            checks = {
                f"p{i}": Exists(self._queryset.filter(**_within(field_name, start, end)))
                for i, (start, end) in enumerate(chunk)
            }
            # The checks as columns of one row (of any story: the span says there is one).
            row = self._queryset.model._default_manager.order_by().annotate(**checks)
            answers = row.values(*checks)[:1].get()
            found += [start for i, (start, _end) in enumerate(chunk) if answers[f"p{i}"]]
        return found


def _period_starts(first, last, kind):
    if kind == "day":
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
    step = 12 if kind == "year" else 1
    start = first.year * 12 + (first.month - 1 if kind == "month" else 0)
    end = last.year * 12 + (last.month - 1 if kind == "month" else 0)
    return [date(n // 12, n % 12 + 1, 1) for n in range(start, end + 1, step)]


def _next_period(start, kind):
    try:
        if kind == "day":
            return start + timedelta(days=1)
        if kind == "year":
            return date(start.year + 1, 1, 1)
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    except (ValueError, OverflowError):
        return None  # the calendar ends (a typo'd year 9999)


def _within(field_name, start, end):
    # Periods start at midnight in the newsroom's zone, as Django's __year, __month and __day
    # lookups (the links) count them.
    bounds = {f"{field_name}__gte": _midnight(start)}
    if end is not None:
        bounds[f"{field_name}__lt"] = _midnight(end)
    return bounds


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def range_date_hierarchy(cl):
    cheap = copy.copy(cl)
    cheap.queryset = _RangeDates(cl.queryset)
    return date_hierarchy(cheap)


@register.tag(name="range_date_hierarchy")
def range_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=range_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
