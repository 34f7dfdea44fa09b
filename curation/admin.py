from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.html import format_html

from articles.forms import LocalDateTimeField
from articles.models import Article, Section
from articles.public_changes import mark_public_change

from .models import Pin

FRONT_PAGE = "front"


def page_by_key(key):
    """The page a filter value names: None for the front page, else its Section; or
    Section.DoesNotExist."""
    if not key or key == FRONT_PAGE:
        return None
    return Section.objects.get(slug=key)


class PageFilter(admin.SimpleListFilter):
    """One page's pins at a time, the front page's unless asked: rows are dragged into the
    order of a single page, never of several mixed."""

    title = "page"
    parameter_name = "page"

    def lookups(self, request, model_admin):
        sections = Section.objects.order_by("name")
        return [(FRONT_PAGE, "Front page"), *((s.slug, s.name) for s in sections)]

    def value(self):
        return super().value() or FRONT_PAGE

    def choices(self, changelist):
        # No "All": a list of several pages' pins could not be ordered by dragging.
        for key, title in self.lookup_choices:
            yield {
                "selected": self.value() == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": title,
            }

    def queryset(self, request, queryset):
        try:
            return queryset.on(page_by_key(self.value()))
        except Section.DoesNotExist:
            return queryset.none()


class PinForm(forms.ModelForm):
    class Meta:
        model = Pin
        fields = ("page", "article", "pinned_until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].empty_label = "Front page"

    def clean_pinned_until(self):
        until = self.cleaned_data["pinned_until"]
        if until and "pinned_until" in self.changed_data and until <= timezone.now():
            shown = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
            raise forms.ValidationError(
                f"{shown} has passed: give a time ahead, or leave it empty to pin with no end."
            )
        return until


@admin.register(Pin)
class PinAdmin(SortableAdminMixin, admin.ModelAdmin):
    form = PinForm
    list_display = ("slot", "article", "readers_see_it", "pinned_until", "pinned_by", "pinned_at")
    list_display_links = ("article",)
    list_filter = (PageFilter,)
    list_per_page = 100  # a page holds at most five pins: never split across list pages
    autocomplete_fields = ("article",)
    readonly_fields = ("pinned_by", "pinned_at")
    formfield_overrides = {
        models.DateTimeField: {"form_class": LocalDateTimeField, "widget": AdminSplitDateTime},
    }

    class Media:
        css = {"all": ["curation/pins.css"]}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # Who pinned it, and when, is known once it is pinned.
        return fields if obj else [f for f in fields if f not in self.readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "page", "pinned_by")

    @admin.display(description="slot")
    def slot(self, pin):
        # Named by the stylesheet from the row's place in the table, so the names follow the
        # rows as they are dragged (curation/static/curation/pins.css).
        page = FRONT_PAGE if pin.page_id is None else "section"
        return format_html('<span class="pin-slot" data-page="{}"></span>', page)

    @admin.display(description="readers see it")
    def readers_see_it(self, pin):
        if not pin.holds():
            return "No: the pin has ended, the slot shows the newest story"
        state = pin.article.publication_state()
        if state != Article.State.LIVE:
            return f"No: the story is {state.label.lower()}, the slot shows the newest story"
        if pin.page_id is not None and pin.article.section_id != pin.page_id:
            return "No: the story has moved to another section, the slot shows the newest story"
        return "Yes"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # "Add" from one page's list pins to that page.
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        try:
            page = page_by_key(filters.get(PageFilter.parameter_name))
        except Section.DoesNotExist:
            page = None
        if page is not None:
            initial.setdefault("page", page.pk)
        return initial

    def save_model(self, request, obj, form, change):
        if not change or {"page", "article"} & set(form.changed_data):
            obj.pinned_by, obj.pinned_at = request.user, timezone.now()
        if change and "page" in form.changed_data:
            # Moved to another page: it takes that page's last slot, not its old position,
            # which would push in ahead of the pins already there.
            obj.position = self.get_max_order(request, obj) + 1
        super().save_model(request, obj, form, change)

    def get_max_order(self, request, obj=None):
        # A new pin takes the last slot of its own page.
        last = Pin.objects.on(obj.page if obj else None).aggregate(models.Max("position"))
        return last["position__max"] or 0

    # Dragging: django-admin-sortable2 posts the new order of the rows shown to this URL.

    def get_update_url(self, request):
        # The page travels with the drag, so only that page's pins can be reordered by it.
        page = request.GET.get(PageFilter.parameter_name, FRONT_PAGE)
        query = QueryDict(mutable=True)
        query[PageFilter.parameter_name] = page
        return f"{super().get_update_url(request)}?{query.urlencode()}"

    def get_extra_model_filters(self, request):
        page = page_by_key(request.GET.get(PageFilter.parameter_name))
        return {"page__isnull": True} if page is None else {"page": page}

    def update_order(self, request):
        response = super().update_order(request)
        if response.status_code == 200:
            # The order is written with bulk_update, which sends no signal to the page cache.
            pins = Pin.objects.filter(**self.get_extra_model_filters(request))
            if Article.objects.live().filter(pins__in=pins).exists():
                page = page_by_key(request.GET.get(PageFilter.parameter_name))
                mark_public_change({"front" if page is None else f"section-{page.pk}"})
        return response
