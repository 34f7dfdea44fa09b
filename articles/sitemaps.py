from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Section
from .sanitize import markup_free_text

NEWS_WINDOW = timedelta(days=2)


def latest_live_change():
    """The newest lastmod any sitemap here can hold, in one aggregate.

    Django's default get_latest_lastmod() calls lastmod() on every item: 100,000 articles
    for the sitemap index alone.
    """
    latest = Article.objects.live().aggregate(Max("updated_at"), Max("published_at"))
    return max(filter(None, latest.values()), default=None)


class ArticleSitemap(Sitemap):
    limit = 5000  # the sitemap index pages beyond this

    def items(self):
        return (
            Article.objects.live()
            .order_by("-published_at", "-pk")
            .only("slug", "updated_at", "published_at")
        )

    def lastmod(self, article):
        return article.last_modified

    def get_latest_lastmod(self):
        return latest_live_change()


class LiveGroupSitemap(Sitemap):
    """Sections or tags that have at least one live story, dated by their latest one."""

    link_name = None
    article_path = None

    def items(self):
        live = Article.objects.live().values("pk")
        return (
            self.model.objects.filter(**{f"{self.article_path}__in": live})
            .annotate(lastmod=Max(f"{self.article_path}__updated_at"))
            .order_by("pk")
        )

    def location(self, obj):
        return reverse(self.link_name, args=[obj.slug])

    def lastmod(self, obj):
        return obj.lastmod

    def get_latest_lastmod(self):
        # Every live story has a section; a tag's newest story is at most the newest of all.
        return latest_live_change()


class SectionSitemap(LiveGroupSitemap):
    model = Section
    article_path = "articles"
    link_name = "articles:section"


class TagSitemap(LiveGroupSitemap):
    model = Tag
    article_path = "articles_taggedarticle_items__content_object"
    link_name = "articles:tag"


class NewsSitemap(Sitemap):
    """Google News: live stories that went live here in the last two days."""

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return Article.objects.live().filter(published_at__gte=since).order_by("-published_at")

    def lastmod(self, article):
        return article.last_modified

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            # Google reads news:title as text; other readers of this file may render HTML.
            url["title"] = markup_free_text(url["item"].headline)
        return urls


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap, "tags": TagSitemap}
