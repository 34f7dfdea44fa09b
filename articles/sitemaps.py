from datetime import timedelta
from urllib.parse import urljoin

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from .models import Article
from .sanitize import markup_free_text

NEWS_WINDOW = timedelta(days=2)


class ArticleSitemap(Sitemap):
    limit = 5000  # the sitemap index pages beyond this

    def items(self):
        return (
            Article.objects.live()
            .order_by("-published_at", "-pk")
            .only("slug", "updated_at", "published_at")
        )

    def lastmod(self, article):
        return article.page_changed_at

    def get_latest_lastmod(self):
        return Article.objects.live().newest_page_change()


class LiveGroupSitemap(Sitemap):
    """Sections or tags that have at least one live story, dated by their latest one."""

    link_name = None  # the group's page, e.g. "articles:section"
    lookup = None  # how an article names its group, e.g. "section"

    def groups(self):
        raise NotImplementedError

    def items(self):
        newest = (
            Article.objects.live()
            .filter(**{self.lookup: OuterRef("pk")})
            .order_by("-updated_at")
            .values("updated_at")[:1]
        )
        return self.groups().annotate(lastmod=Subquery(newest)).order_by("pk")

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

    def groups(self):
        return Article.objects.live().tags()


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
