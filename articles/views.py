import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from curation.front import arrange_front_page, arrange_section, load_stories

from . import languages
from .models import Article, OldSlug
from .pagination import CountFreePaginator
from .public_changes import site_changed_at
from .search import MAX_QUERY_LENGTH, search_articles
from .structured_data import story_page_context
from .surrogate_keys import attach, showing, story_keys, story_page_keys
from .translations import with_versions


def last_modified_header(response, when):
    if when:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


@require_safe
def article_detail(request, slug):
    try:
        stories = Article.objects.live().for_listing().with_names().with_corrections()
        article = with_versions(stories).get(slug=slug)
    except Article.DoesNotExist:
        return article_not_live(request, slug)
    context = story_page_context(article, request)
    response = render(request, "articles/article_detail.html", context)
    attach(response, story_page_keys(article, context["related"], context["versions"]))
    # The stamp covers edits to this story and the names around it (section, tags).
    changes = [site_changed_at(), article.published_at, article.announced_update_at]
    return last_modified_header(response, max(filter(None, changes)))


def article_not_live(request, slug):
    # One query, whatever the slug: an address that never existed and one of a story readers
    # may not see take the same path, so a 404's timing tells nothing.
    # Both halves are unique-index lookups (an OR across a join would scan every story).
    old = OldSlug.objects.filter(slug=slug).values("article_id")
    known = (
        Article.objects.with_public_address()
        .filter(Q(slug=slug) | Q(pk__in=old))
        .only("slug", "status", "published_at", "expires_at")
        .first()
    )
    if known is None:
        raise Http404("No live article at this address.")
    if known.publication_state() == Article.State.LIVE:  # by an old slug
        response = redirect(known, permanent=True)
    else:
        response = render(request, "410.html", status=410)
    return attach(response, story_keys([known]))


class ArticleListView(ListView):
    """Live articles, newest first by the date readers see, 20 a page."""

    paginate_by = 20
    # Newer/older links from one row more than a page: never a COUNT of every live story.
    paginator_class = CountFreePaginator
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    heading = ""
    feed_url_name = None

    def get_queryset(self):
        return Article.objects.live().newest_first().for_listing()

    def paginate_queryset(self, queryset, page_size):
        # Only ?page=N is read (the page cache keys on it); "last" is not a page without a count.
        paginator = self.get_paginator(queryset, page_size)
        try:
            page = paginator.page(self.request.GET.get(self.page_kwarg) or 1)
        except InvalidPage as error:
            # A mistyped or huge page number is a missing page, not a server error.
            raise Http404(str(error)) from None
        return paginator, page, page.object_list, page.has_other_pages()

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

    def list_keys(self):
        """The keys of the list itself, whichever stories it shows now."""
        return set()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        shown = [*context["page_obj"].object_list, *context.get("slotted", ())]
        attach(response, self.list_keys() | story_keys(shown))
        return last_modified_header(response, site_changed_at())


class CuratedListView(ArticleListView):
    """A list whose first slots editors arrange (curation/front.py); the river is the rest.

    Every page of the river leaves the slots' stories out, so none is skipped or repeated;
    only the first page shows the slots themselves.
    """

    def arrange(self):
        """The page's Arrangement: its slots' story ids (curation/front.py)."""
        raise NotImplementedError

    def slot_context(self, arrangement):
        """The template's names for the slots' stories (page 1 only)."""
        raise NotImplementedError

    def get_queryset(self):
        self.arrangement = self.arrange()
        return super().get_queryset().exclude(pk__in=self.arrangement.shown)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Asked of the paginator, which also reads "?page=last" and " 1": page 1 however
        # it was written shows the slots.
        if context["page_obj"].number == 1:
            loaded = load_stories(self.arrangement)
            context.update(self.slot_context(loaded))
            blocks = [story for _, stories in loaded.section_blocks for story in stories]
            context["slotted"] = [*loaded.stories, *blocks]
        return context


class FrontPageView(CuratedListView):
    template_name = "articles/front.html"

    def list_keys(self):
        return {"front"}

    def get_queryset(self):
        # The front is the default language's: each other language has its own (/ckb/).
        # Editors' slots may still show a story in any language, marked as such.
        return super().get_queryset().filter(language=languages.default_language())

    def arrange(self):
        return arrange_front_page()

    def slot_context(self, arrangement):
        return {
            "lead": arrangement.lead,
            "top_stories": arrangement.stories[1:],
            "section_blocks": arrangement.section_blocks,
        }


class LanguageFrontView(ArticleListView):
    """One language's live stories, newest first: its readers see them first (/ckb/)."""

    template_name = "articles/language_front.html"

    def get_queryset(self):
        self.language = self.kwargs["language"]
        self.heading = languages.name_of(self.language)
        return super().get_queryset().filter(language=self.language)

    def get_feed_urls(self):
        kwargs = {"language": self.language}
        return {
            "rss": reverse("articles:language_feed_rss", kwargs=kwargs),
            "atom": reverse("articles:language_feed_atom", kwargs=kwargs),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_language=self.language,
            page_direction=languages.direction(self.language),
            **kwargs,
        )

    def list_keys(self):
        # Every story going live or leaving purges "front" (STORY_LISTS): these are fronts.
        return {"front"}


class SectionView(CuratedListView):
    feed_url_name = "section_feed"

    def get_queryset(self):
        # A section holding only unpublished stories must not show that it exists.
        self.section = get_object_or_404(
            Article.objects.live().sections(), slug=self.kwargs["slug"]
        )
        self.heading = self.section.name
        return super().get_queryset().filter(section=self.section)

    def list_keys(self):
        return {f"section-{self.section.pk}"}

    def arrange(self):
        return arrange_section(self.section)

    def slot_context(self, arrangement):
        return {"top_stories": arrangement.stories}


class TagView(ArticleListView):
    feed_url_name = "tag_feed"

    def get_queryset(self):
        self.tag = get_object_or_404(Article.objects.live().tags(), slug=self.kwargs["slug"])
        self.heading = self.tag.name
        return super().get_queryset().filter(tags=self.tag)

    def list_keys(self):
        return {f"tag-{self.tag.pk}", f"tag-name-{self.tag.pk}"}


class AuthorView(ArticleListView):
    allow_empty = False

    def get_queryset(self):
        # Only authors of live stories: one query, like a name that never existed.
        self.author = get_object_or_404(Article.objects.live().authors(), slug=self.kwargs["slug"])
        self.heading = self.author.name
        return super().get_queryset().filter(authors=self.author)

    def list_keys(self):
        return {f"author-{self.author.pk}", f"author-name-{self.author.pk}"}


class DateArchiveView(ArticleListView):
    """Stories by the date readers see, in the newsroom's time zone."""

    allow_empty = False

    def get_queryset(self):
        year, month, day = (self.kwargs.get(k) for k in ("year", "month", "day"))
        try:
            start, end = self.period(year, month, day)
        except (ValueError, OverflowError):
            raise Http404("No such date.") from None
        zone = ZoneInfo(settings.TIME_ZONE)
        start, end = (datetime.datetime.combine(d, datetime.time(), zone) for d in (start, end))
        return super().get_queryset().shown_between(start, end)

    def list_keys(self):
        return {"archive"}

    def period(self, year, month, day):
        """The first day of the period and the day after it; ValueError for no such date."""
        if day is not None:
            start = datetime.date(year, month, day)
            self.heading = f"{start.day} {start:%B %Y}"
            return start, start + datetime.timedelta(days=1)
        if month is not None:
            start = datetime.date(year, month, 1)
            self.heading = f"{start:%B %Y}"
            return start, (start + datetime.timedelta(days=32)).replace(day=1)
        start = datetime.date(year, 1, 1)
        self.heading = str(year)
        return start, start.replace(year=year + 1)


class SearchView(ArticleListView):
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        self.heading = f"Search: {self.query}" if self.query else "Search"
        return search_articles(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


@require_safe
@showing("sitemaps")  # it names them
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
