import math
from datetime import timedelta
from urllib.parse import urljoin

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Article
from .sanitize import markup_free_text
from .translations import alternates, live_versions, with_versions

NEWS_WINDOW = timedelta(days=2)


class IdRangePaginator:
    """A sitemap's pages by id: each page holds the items of one range of n ids.

    Django's Paginator counts every item for the sitemap index (for tags, a grouping of every
    tag link) and reads past all earlier items for a late page. Here the index asks for the
    smallest and the largest id, two index probes, and a page reads one id range, so neither
    grows with the archive, and a page keeps its stories as new ones arrive (only the last
    page changes). Page 1 is the range of the smallest id (PostgreSQL's ids need not start
    near 1); a later range whose stories are all gone still has its page, an empty sitemap.
    """

    def __init__(self, items, per_page):
        self.items = items
        self.per_page = per_page

    @cached_property
    def _first_and_last(self):
        # The range on the id makes SQLite walk the primary key from an end; without it, it
        # sorted every live story's id (26 ms at 100,000 stories). One query for both.
        ids = self.items.filter(pk__gt=0).values("pk")
        ends = {
            "first": Subquery(ids.order_by("pk")[:1]),
            "last": Subquery(ids.order_by("-pk")[:1]),
        }
        row = self.items.model.objects.order_by().annotate(**ends).values("first", "last")[:1]
        found = next(iter(row), None)
        return (found["first"], found["last"]) if found and found["first"] else (None, None)

    @property
    def _skipped(self):
        """How many ranges of n ids lie wholly below the smallest id."""
        first, _ = self._first_and_last
        return (first - 1) // self.per_page if first else 0

    @cached_property
    def num_pages(self):
        _, last = self._first_and_last
        return math.ceil(last / self.per_page) - self._skipped if last else 1

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer.") from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("That page contains no results.")
        start = (number - 1 + self._skipped) * self.per_page
        rows = self.items.filter(pk__gt=start, pk__lte=start + self.per_page).order_by("pk")
        return Page(list(rows), number, self)


class IdRangeSitemap(Sitemap):
    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)


class ArticleSitemap(IdRangeSitemap):
    # About as many stories as a sitemap of a 1,000-story site holds: a page costs the same
    # at any size (README, Benchmarks: Scale); the index lists one page per 1,000 ids.
    limit = 1000

    def items(self):
        # Each story's versions packed in its row (translations.with_versions): a page of
        # 1,000 stories with their alternates is still one query for the stories.
        return with_versions(
            Article.objects.live().only(
                "slug", "updated_at", "published_at", "language", "translation_of_id"
            )
        )

    def lastmod(self, article):
        return article.page_changed_at

    def get_latest_lastmod(self):
        return Article.objects.live().newest_page_change()

    def get_urls(self, page=1, site=None, protocol=None):
        """Each story with the same hreflang alternates as its page: its live versions and
        x-default, as xhtml:link (Django's sitemap.xml prints `alternates`). Django's own
        i18n alternates are one URL in several prefixed languages; ours are other stories."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            versions = live_versions(url["item"])
            url["alternates"] = [
                {"lang_code": code, "location": location}
                for code, location in alternates(versions, lambda path: origin + path)
            ]
        return urls


class LiveGroupSitemap(IdRangeSitemap):
    """Sections or tags that have at least one live story, dated by their latest one."""

    link_name = None  # the group's page, e.g. "articles:section"
    lookup = None  # how an article names its group, e.g. "section"

    def groups(self):
        raise NotImplementedError

    def newest(self):
        """The newest change to a live story of the group OuterRef("pk") (a subquery)."""
        # A section's newest entry of article_section_updated_idx.
        return (
            Article.objects.live()
            .filter(**{self.lookup: OuterRef("pk")})
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )

    def items(self):
        return self.groups().annotate(lastmod=Subquery(self.newest()))

    def location(self, obj):
        return reverse(self.link_name, args=[obj.slug])

    def lastmod(self, obj):
        return obj.lastmod

    def get_latest_lastmod(self):
        # Every live story has a section; a tag's newest story is at most the newest of all.
        return Article.objects.live().newest_page_change()


class SectionSitemap(LiveGroupSitemap):
    link_name, lookup = "articles:section", "section"

    def groups(self):
        return Article.objects.live().sections()


class TagSitemap(LiveGroupSitemap):
    link_name, lookup = "articles:tag", "tags"
    # A tag's date reads each of its story links: 50 tags a page is about what a 1,000-story
    # site's whole tag sitemap costs (README, Benchmarks: Scale).
    limit = 50

    def groups(self):
        return Article.objects.live().tags()

    def newest(self):
        # MAX over the tag's own links (about 100): with ORDER BY updated_at LIMIT 1,
        # PostgreSQL walked every story newest first, testing each for the tag (1 s a page).
        return (
            Article.objects.live()
            .filter(tags=OuterRef("pk"))
            .order_by()
            .values("tags")
            .annotate(newest=Max("updated_at"))
            .values("newest")
        )


class NewsSitemap(Sitemap):
    """Google News: live stories that went live here in the last two days."""

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.live()
            .filter(published_at__gte=since)
            .select_related("lead_image")
            .order_by("-published_at")
        )

    def lastmod(self, article):
        return article.page_changed_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            # Google reads news:title as text; other readers of this file may render HTML.
            url["title"] = markup_free_text(url["item"].headline)
            image = url["item"].lead_image
            if image is not None:
                # An object store's address is already absolute; urljoin leaves it so.
                url["picture"] = urljoin(origin, image.renditions.widest("16:9").url)
        return urls


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap, "tags": TagSitemap}
