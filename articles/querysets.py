from django.db import connections, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from .states import Status

# The date readers see: the display date, else the original publication date (as
# Article.date_shown says in Python).
DATE_SHOWN = Coalesce("display_date", "original_published_at")


class ArticleQuerySet(models.QuerySet):
    """The one place that decides what the public may see, and the shapes lists share."""

    def live_q(self, now=None):
        now = now or timezone.now()
        return models.Q(status=Status.PUBLISHED, published_at__lte=now) & (
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def live(self):
        return self.filter(self.live_q())

    def not_live(self):
        return self.exclude(self.live_q())

    def scheduled(self):
        """Published, waiting for its time: readers will see it by itself then."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def expired(self):
        """Published, but past its expiry time: hidden from readers again."""
        return self.filter(status=Status.PUBLISHED, expires_at__lte=timezone.now())

    def withdrawn(self):
        """Stories taken down after they ran: their address answers 410 Gone."""
        # A story withdrawn before its time never ran; a 410 would announce it.
        return self.filter(self._withdrawn_q(timezone.now()))

    def _withdrawn_q(self, now):
        return models.Q(status=Status.WITHDRAWN, published_at__lte=now)

    def with_public_address(self):
        """Stories whose address answers readers: live() ones (200) and withdrawn() ones (410)."""
        now = timezone.now()
        return self.filter(self.live_q(now) | self._withdrawn_q(now))

    def newest_first(self):
        """Newest first by the date readers see (the index article_reader_date_idx)."""
        return self.alias(date_shown=DATE_SHOWN).order_by("-date_shown", "-pk")

    def shown_between(self, start, end):
        """Stories whose date readers see falls in [start, end)."""
        return self.alias(date_shown=DATE_SHOWN).filter(date_shown__gte=start, date_shown__lt=end)

    def tags(self):
        """The tags on these articles: on live() ones, the tags the public may know of."""
        from taggit.models import Tag

        # EXISTS, not IN (subquery): the database probes one tag's links instead of first
        # listing every live article (README, Benchmarks: Scale).
        return Tag.objects.filter(Exists(self.filter(taggedarticle__tag=OuterRef("pk"))))

    def sections(self):
        """The sections of these articles: on live() ones, the sections the public may know of."""
        from .models import Section

        # EXISTS, as in tags(): a dozen index probes instead of every live article's section.
        return Section.objects.filter(Exists(self.filter(section=OuterRef("pk"))))

    def authors(self):
        """The authors of these articles: on live() ones, the authors the public may know of."""
        from .models import Author

        return Author.objects.filter(Exists(self.filter(authors=OuterRef("pk"))))

    def for_listing(self):
        """Stories as a card shows them, in one query: the lead picture by a join (a card's
        renditions are named from its row) and the section. Cards print no tags or authors."""
        return self.select_related("section", "lead_image")

    def with_names(self):
        """Their tags and authors too, for what prints them (a story page, a feed): packed as
        JSON in each story's row (articles/packed.py), where a prefetch costs two queries."""
        from .packed import PackedIterable, packed_relations

        stories = self.annotate(**packed_relations(connections[self.db].vendor))
        stories._iterable_class = PackedIterable
        return stories

    def with_corrections(self):
        """Their corrections too, packed like tags and authors (a story page shows them)."""
        from .packed import PackedIterable, packed_corrections

        stories = self.annotate(**packed_corrections(connections[self.db].vendor))
        stories._iterable_class = PackedIterable
        return stories

    def newest_page_change(self):
        """The newest Article.page_changed_at among these stories, in one aggregate.

        The sitemap index dates each sitemap by it: Django's default calls lastmod() on every
        item: every article, for the index alone.
        """
        # ORDER BY ... LIMIT 1 reads the newest entries of each field's index; MAX() with the
        # live() filter read every live story (README, Benchmarks: Scale).
        newest = {
            f"newest_{field}": models.Subquery(self.order_by(f"-{field}").values(field)[:1])
            for field in ("updated_at", "published_at")
        }
        row = self.model.objects.order_by().annotate(**newest).values(*newest)[:1]
        return max(filter(None, next(iter(row), {}).values()), default=None)

    def last_clock_change(self):
        """The latest moment, up to now, that a published story went live or expired, or a
        pin of one ended.

        No save announces these: Last-Modified of every list page adds this to the stamp.
        """
        return self._clock_change(upcoming=False)

    def next_clock_change(self):
        """The next moment a story goes live or expires, a correction comes due or a pin of a
        published story ends; or None.

        The page cache keeps no page past it.
        """
        return self._clock_change(upcoming=True)

    def _clock_change(self, *, upcoming):
        from .models import Correction

        now = timezone.now()
        published = self.filter(status=Status.PUBLISHED)
        lookup, order = ("gt", "") if upcoming else ("lte", "-")

        def nearest(rows, field):
            # ORDER BY ... LIMIT 1 reads one entry of the field's index; MIN()/MAX() with a
            # FILTER reads every row, on every list page (README, Benchmarks: Scale).
            rows = rows.filter(**{f"{field}__{lookup}": now}).order_by(f"{order}{field}")
            return models.Subquery(rows.values(field)[:1])

        # A pin's end puts the newest stories back in its slot (curation/front.py).
        pins = self.model._meta.get_field("pins").related_model.objects
        times = {
            "went_live": nearest(published, "published_at"),
            "expired": nearest(published, "expires_at"),
            "pin_ended": nearest(pins.filter(article__status=Status.PUBLISHED), "pinned_until"),
        }
        if upcoming:
            shown = Correction.objects.filter(article__status=Status.PUBLISHED)
            times["correction_due"] = nearest(shown, "published_at")
        # One query: the scalar subqueries on a single row.
        row = self.model.objects.order_by().annotate(**times).values(*times)[:1]
        found = [time for time in next(iter(row), {}).values() if time]
        return (min if upcoming else max)(found, default=None)
