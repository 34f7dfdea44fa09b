import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from .models import Article, Author, OldSlug, Section
from .search import MAX_QUERY_LENGTH, search_articles
from .structured_data import news_article


def last_modified_header(response, when):
    if when:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


@require_safe
def article_detail(request, slug):
    try:
        article = (
            Article.objects.live().for_listing().prefetch_related("corrections").get(slug=slug)
        )
    except Article.DoesNotExist:
        return article_not_live(request, slug)
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "json_ld": news_article(article, request)},
    )
    changes = [article.last_modified, article.last_public_change]
    return last_modified_header(response, max(filter(None, changes)))


def article_not_live(request, slug):
    if Article.objects.withdrawn().filter(slug=slug).exists():
        return render(request, "410.html", status=410)
    old = OldSlug.objects.filter(slug=slug).select_related("article").first()
    if old:
        if Article.objects.live().filter(pk=old.article_id).exists():
            return redirect(old.article, permanent=True)
        if old.article.status == Article.Status.WITHDRAWN:
            return render(request, "410.html", status=410)
    raise Http404("No live article at this address.")


class ArticleListView(ListView):
    """Live articles, newest first by the date readers see, 20 a page."""

    paginate_by = 20
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    heading = ""
    feed_url_name = None

    def get_queryset(self):
        return Article.objects.live().newest_first().for_listing()

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as error:
            # A mistyped or huge page number is a missing page, not a server error.
            raise Http404(str(error)) from None

    def get_feed_urls(self):
        if not self.feed_url_name:
            return None
        kwargs = {"slug": self.kwargs["slug"]}
        return {
            "rss": reverse(f"articles:{self.feed_url_name}_rss", kwargs=kwargs),
            "atom": reverse(f"articles:{self.feed_url_name}_atom", kwargs=kwargs),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.heading, feed_urls=self.get_feed_urls(), **kwargs
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return last_modified_header(response, Article.objects.last_change())


class FrontPageView(ArticleListView):
    template_name = "articles/front.html"


class SectionView(ArticleListView):
    feed_url_name = "section_feed"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.heading = self.section.name
        return super().get_queryset().filter(section=self.section)


class TagView(ArticleListView):
    feed_url_name = "tag_feed"

    def get_queryset(self):
        self.tag = get_object_or_404(Article.objects.live().tags(), slug=self.kwargs["slug"])
        self.heading = self.tag.name
        return super().get_queryset().filter(tags=self.tag)


class AuthorView(ArticleListView):
    allow_empty = False

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.heading = self.author.name
        return super().get_queryset().filter(authors=self.author)


class DateArchiveView(ArticleListView):
    """Stories by the date readers see, in the newsroom's time zone."""

    allow_empty = False

    def get_queryset(self):
        year, month, day = (self.kwargs.get(k) for k in ("year", "month", "day"))
        try:
            start = datetime.date(year, month or 1, day or 1)
        except (ValueError, OverflowError):
            raise Http404("No such date.") from None
        if day:
            end = start + datetime.timedelta(days=1)
            self.heading = f"{start.day} {start:%B %Y}"
        elif month:
            end = (start + datetime.timedelta(days=32)).replace(day=1)
            self.heading = start.strftime("%B %Y")
        else:
            end = start.replace(year=year + 1) if year < 9999 else datetime.date.max
            self.heading = str(year)
        zone = ZoneInfo(settings.TIME_ZONE)
        as_datetime = lambda d: datetime.datetime.combine(d, datetime.time(), zone)  # noqa: E731
        return (
            super()
            .get_queryset()
            .filter(reader_date__gte=as_datetime(start), reader_date__lt=as_datetime(end))
        )


class SearchView(ArticleListView):
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        self.heading = f"Search: {self.query}" if self.query else "Search"
        return search_articles(self.query).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
