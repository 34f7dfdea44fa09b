from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    """The one place that decides what the public may see, and the shapes lists share."""

    def live_q(self, now=None):
        now = now or timezone.now()
        return models.Q(status="published", published_at__lte=now) & (
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def live(self):
        return self.filter(self.live_q())

    def not_live(self):
        return self.exclude(self.live_q())

    def withdrawn(self):
        return self.filter(status="withdrawn")

    def newest_first(self):
        # The date readers see: the display date, else the original publication date.
        return self.alias(reader_date=Coalesce("display_date", "original_published_at")).order_by(
            "-reader_date", "-pk"
        )

    def tags(self):
        """The tags on these articles: on live() ones, the tags the public may know of."""
        from taggit.models import Tag

        return Tag.objects.filter(articles_taggedarticle_items__content_object__in=self).distinct()

    def for_listing(self):
        return self.select_related("section").prefetch_related("tags", "authors")

    def last_change(self):
        """When the public site last changed: an edit, or a story going live or expiring."""
        now = timezone.now()

        def newest(field, **filters):
            # ORDER BY ... DESC LIMIT 1 reads one entry of the field's index; MAX() with a
            # FILTER reads every row (0.5 s at 100,000 articles on SQLite, on every list page).
            rows = self.filter(**{f"{field}__isnull": False}, **filters).order_by(f"-{field}")
            return models.Subquery(rows.values(field)[:1])

        # Still one query: three scalar subqueries on a single row.
        changes = next(
            iter(
                self.order_by()
                .annotate(
                    edited=newest("updated_at"),
                    went_live=newest("published_at", published_at__lte=now),
                    expired=newest("expires_at", expires_at__lte=now),
                )
                .values("edited", "went_live", "expired")[:1]
            ),
            {},
        )
        return max(filter(None, changes.values()), default=None)
