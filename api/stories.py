"""Stories, sections, tags, authors and search: the read API.

Every story comes from `stories_for(request)` (api/access.py): anonymous clients read exactly
what `Article.objects.live()` allows.
"""

import datetime
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from ninja import Path, Query, Router

from articles import languages
from articles.body_pictures import pictures_by_key
from articles.models import Article, OldSlug
from articles.public_changes import site_changed_at
from articles.sanitize import BLOCK_TAGS, markup_free_text, replace_picture_references
from articles.sanitize import picture_references as references_in
from articles.search import MAX_QUERY_LENGTH, matching, search_terms
from articles.summary import cleaned_body
from articles.surrogate_keys import story_keys, story_page_keys
from articles.translations import _unpacked, in_language_order, live_versions, with_versions

from . import http
from .access import stories_for
from .auth import token_user
from .problems import Problem, bad_parameter
from .schemas import (
    PROBLEM_RESPONSES,
    ListOfNames,
    ProblemOut,
    StoryListOut,
    StoryOut,
)

router = Router(tags=["stories"])

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
NINJS = "application/ninjs+json"

LIMIT = Query(
    PAGE_SIZE,
    ge=1,
    le=MAX_PAGE_SIZE,
    description=f"Stories per page: {PAGE_SIZE} unless said, at most {MAX_PAGE_SIZE} "
    "(a larger number is refused with 400, not cut down).",
)
CURSOR = Query(
    None,
    description="Where the page starts: copy it from the previous page's `next` link. "
    "Pages stay in order while stories are published.",
    max_length=200,
)
UPDATED_SINCE = Query(
    None,
    description="Only stories changed (edited, or gone live) at or after this time, "
    "ISO 8601; a time without an offset is UTC.",
)
PUBLISHED_AFTER = Query(
    None,
    description="Only stories whose date shown (`date_shown`, not `published_at`) is "
    "after this time, ISO 8601; a time without an offset is UTC.",
)
PUBLISHED_BEFORE = Query(
    None,
    description="Only stories whose date shown (`date_shown`, not `published_at`) is "
    "before this time, ISO 8601.",
)


# Articles --------------------------------------------------------------------------------


@router.get(
    "/articles/",
    response={200: StoryListOut, **PROBLEM_RESPONSES},
    summary="Live stories, newest first",
    description="Stories newest first by the date readers see (`date_shown`), a page at a "
    "time. Follow `next` until it is null. Filters combine (AND).",
)
def list_articles(
    request,
    section: str | None = Query(None, description="A section's slug.", max_length=100),
    tag: str | None = Query(None, description="A tag's slug.", max_length=100),
    author: str | None = Query(None, description="An author's slug.", max_length=200),
    language: str | None = Query(
        None,
        description="Only stories in this language: one of the site's codes "
        "(NEWSROOM_LANGUAGES, such as `en` or `ckb`); any other is refused with 400.",
        max_length=35,
    ),
    updated_since: datetime.datetime | None = UPDATED_SINCE,
    published_after: datetime.datetime | None = PUBLISHED_AFTER,
    published_before: datetime.datetime | None = PUBLISHED_BEFORE,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    stories = _newest_first(request, stories_for(request)).for_listing()
    if language is not None:
        stories = stories.filter(language=_configured(language))
    keys = set()
    filters = {"section": section, "tag": tag, "author": author}
    for name, slug in filters.items():
        if slug is not None:
            found = _named(request, name, slug)
            stories = stories.filter(**{NAMED[name][1]: found})
            keys.add(f"{name}-{found.pk}")
    if updated_since is not None:
        since = _utc(updated_since, "updated_since")
        stories = stories.filter(Q(updated_at__gte=since) | Q(published_at__gte=since))
    if published_after is not None:
        stories = stories.filter(date_shown__gt=_utc(published_after, "published_after"))
    if published_before is not None:
        stories = stories.filter(date_shown__lt=_utc(published_before, "published_before"))
    page, next_url = _page(request, stories, cursor, limit)
    # Any story change purges "feeds" (surrogate_keys.STORY_LISTS): a list is never stale,
    # whatever its filters (updated_since included) would now let in.
    http.shows(request, {"feeds", *keys, *story_keys(page)}, last_modified=site_changed_at())
    return {"items": [_summary(request, story) for story in page], "next": next_url}


@router.get(
    "/articles/{slug}/",
    response={200: StoryOut, 301: None, 410: ProblemOut, **PROBLEM_RESPONSES},
    summary="One story",
    description="A live story with both its dates and their meaning, its corrections and "
    "pictures. `Accept: application/ninjs+json` answers IPTC ninjs 2.2 instead (as the "
    "`.ninjs` address does). An old address answers 301 to the new one; a story withdrawn "
    "after it ran answers 410 with its guid only.",
)
def get_article(
    request,
    slug: str = Path(..., description="The story's slug, as in its page's address."),
    body: str = Query(
        "html",
        pattern="^(html|text)$",
        description="`html` (default): the cleaned HTML; `text`: plain text, paragraphs "
        "separated by blank lines.",
    ),
):
    article = _story(request, slug)
    if _wants_ninjs(request):
        response = _ninjs_response(request, article)
        response["Vary"] = "Accept"
        return response
    request.api_vary_accept = True
    return _detail(request, article, body_format=body)


@router.get(
    "/articles/{slug}.ninjs",
    response={200: dict, 301: None, 410: ProblemOut, **PROBLEM_RESPONSES},
    summary="One story as IPTC ninjs 2.2",
    description="The story as an IPTC ninjs 2.2 item (application/ninjs+json).",
)
def get_article_ninjs(request, slug: str = Path(..., description="The story's slug.")):
    return _ninjs_response(request, _story(request, slug, suffix=".ninjs"))


def _configured(language):
    """The `language` filter if it is one of the site's codes; else a 400 naming them.

    Exact codes, as stories store them and the API writes them: "en", not "en-GB" or "EN".
    """
    if language not in languages.codes():
        known = ", ".join(languages.codes())
        raise bad_parameter(
            "language", f"{language!r} is not one of this site's languages ({known})."
        )
    return language


def _wants_ninjs(request):
    accepted = [
        part.split(";")[0].strip().lower() for part in request.headers.get("Accept", "").split(",")
    ]
    return NINJS in accepted


def _ninjs_response(request, article):
    from .ninjs import to_ninjs

    item = to_ninjs(article, request=request)
    # A body picture's change purges the keys of the stories showing it (touched_by()).
    http.shows(request, story_page_keys(article), last_modified=_changed_at(article))
    return HttpResponse(
        json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type=f"{NINJS}; charset=utf-8",
    )


def _story(request, slug, *, suffix="/"):
    """The story at `slug` with everything the detail shows, in one query; else the answer
    its page gives readers: 301 from an old slug, 410 once withdrawn, else 404."""
    if "\x00" in slug:
        raise Problem(404, "Not found", "No story at this address.")
    stories = stories_for(request).for_listing().with_names().with_corrections()
    # Its versions in other languages are packed in the same row (articles/translations.py).
    article = with_versions(stories).filter(slug=slug).first()
    if article is not None:
        return article
    # As the story page does (articles/views.article_not_live): one query for an old slug or a
    # withdrawn story, the same for every missing address.
    old = OldSlug.objects.filter(slug=slug).values("article_id")
    known = (
        Article.objects.with_public_address()
        .filter(Q(slug=slug) | Q(pk__in=old))
        .only("slug", "status", "published_at", "expires_at", "guid")
        .first()
    )
    if known is None:
        raise Problem(404, "Not found", f"No live story at {slug!r}.")
    http.shows(request, story_keys([known]))
    if known.publication_state() == Article.State.LIVE:
        raise Moved(
            _api_url(request, known) if suffix == "/" else _api_url(request, known)[:-1] + suffix
        )
    raise Problem(
        410,
        "Withdrawn",
        "This story was withdrawn: take it down wherever you republished it.",
        guid=str(known.guid),
    )


class Moved(Exception):
    """An old address: main.py answers 301 to `location`."""

    def __init__(self, location):
        super().__init__(location)
        self.location = location

    def response(self):
        return HttpResponsePermanentRedirect(self.location)


def _detail(request, article, *, body_format):
    html, pictures = _body_and_pictures(article)
    versions = _versions(request, article)
    # As the story page: "versions-<original>" is purged when any version goes live or
    # leaves, and each version's own key when it is renamed (its link changes).
    http.shows(
        request,
        story_page_keys(article, versions=versions) | {f"picture-{p.pk}" for p, _ in pictures},
        last_modified=_changed_at(article),
    )
    data = _summary(request, article)
    original = next((v for v in versions if v.pk == article.translation_of_id), None)
    data.update(
        status=article.publication_state().value,
        translations=[_version(request, v) for v in versions if v.pk != article.pk],
        translation_of=_version(request, original) if original else None,
        body=_plain_text(html) if body_format == "text" else html,
        body_format=body_format,
        byline=article.byline,
        authors=[_name(request, "author", a) for a in article.authors.all()],
        tags=[_name(request, "tag", t) for t in article.tags.all()],
        source=(
            {"name": article.source_name, "url": article.source_link or None}
            if article.is_syndicated
            else None
        ),
        last_public_change=article.announced_update_at,
        corrections=[
            {"kind": c.kind, "text": c.text, "published_at": c.published_at}
            for c in article.public_corrections
        ],
        lead_picture=(
            _picture(request, article.lead_image, article.lead_image_caption)
            if article.lead_image
            else None
        ),
        pictures=[_picture(request, image, caption) for image, caption in pictures],
    )
    return data


def _versions(request, article):
    """The story's versions this request may read, itself included, in the order of
    NEWSROOM_LANGUAGES: the live ones for anonymous clients, every one for a staff token (as
    stories_for() reads). From the story's row (with_versions()): no query of their own."""
    if token_user(request) is None:
        return live_versions(article)
    return in_language_order(_unpacked(article))


def _version(request, version):
    return {
        "language": version.language,
        "language_name": languages.name_of(version.language),
        "slug": version.slug,
        "status": version.publication_state().value,
        "url": request.build_absolute_uri(version.get_absolute_url()),
        "api_url": _api_url(request, version),
    }


def _changed_at(article):
    # As the story page: the stamp covers edits to it and to the names around it.
    return max(filter(None, [site_changed_at(), article.published_at, article.announced_update_at]))


def _body_and_pictures(article):
    """The cleaned body with each picture reference as `<figure data-picture="N">`, and the
    pictures [(image, caption)]: one query, none for a body without pictures. A picture gone
    from the library leaves no trace, as on the page."""
    cleaned = cleaned_body(article.body)
    references = references_in(cleaned)
    if not references:
        return cleaned, []
    found = pictures_by_key(key for key, _ in references)
    pictures = []

    def figure(key, caption):
        image = found.get(key)
        if image is None:
            return ""
        pictures.append((image, caption))
        return f'<figure data-picture="{len(pictures) - 1}"></figure>'

    return replace_picture_references(cleaned, figure), pictures


_BLOCK_END = re.compile(rf"</(?:{'|'.join(sorted(BLOCK_TAGS))})>|<br\s*/?>")


def _plain_text(html):
    text = markup_free_text(_BLOCK_END.sub("\n\n", html))
    paragraphs = (" ".join(line.split()) for line in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _picture(request, image, caption):
    renditions = image.renditions
    return {
        "alt_text": "" if image.decorative else image.alt_text,
        "caption": caption or image.caption,
        "credit": image.credit,
        "copyright_notice": image.copyright_notice,
        "width": image.width,
        "height": image.height,
        "renditions": [
            {
                "url": request.build_absolute_uri(r.url),
                "shape": r.shape,
                "width": r.width,
                "height": r.height,
                "content_type": r.content_type,
            }
            for r in renditions.all
        ],
    }


def _summary(request, article):
    return {
        "guid": article.guid,
        "headline": article.headline,
        "slug": article.slug,
        "language": article.language,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "api_url": _api_url(request, article),
        "standfirst": markup_free_text(article.standfirst),
        "section": _name(request, "section", article.section),
        "original_published_at": article.original_published_at,
        "display_date": article.display_date,
        "date_shown": article.date_shown,
        "published_at": article.published_at,
    }


def _api_url(request, article):
    return request.build_absolute_uri(reverse("api-v1:get_article", args=[article.slug]))


# Sections, tags, authors ----------------------------------------------------------------

# kind -> (page URL name, the story filter, the queryset method listing those with live stories)
NAMED = {
    "section": ("articles:section", "section", "sections"),
    "tag": ("articles:tag", "taggedarticle__tag", "tags"),
    "author": (None, "authors", "authors"),
}


def _named(request, kind, slug):
    """The section, tag or author a list filter names, if it has stories this request may
    read; else a 404 naming the parameter."""
    found = getattr(stories_for(request), NAMED[kind][2])().filter(slug=slug).first()
    if found is None:
        raise Problem(
            404,
            "Not found",
            f"{kind}: no {kind} {slug!r} with live stories.",
            errors=[{"name": kind, "in": "query", "message": f"No {kind} {slug!r}."}],
        )
    return found


def _name(request, kind, obj):
    page = reverse(NAMED[kind][0] or "articles:author", args=[obj.slug])
    articles = reverse("api-v1:list_articles")
    return {
        "name": obj.name,
        "slug": obj.slug,
        "url": request.build_absolute_uri(page),
        "articles_url": http.absolute_url(request, articles, **{kind: obj.slug}),
    }


NAMES_PAGE_SIZE = 100
MAX_NAMES_PAGE_SIZE = 500


def _names_view(kind, plural):
    def view(
        request,
        cursor: str | None = CURSOR,
        limit: int = Query(
            NAMES_PAGE_SIZE,
            ge=1,
            le=MAX_NAMES_PAGE_SIZE,
            description=f"Names per page: {NAMES_PAGE_SIZE} unless said, at most "
            f"{MAX_NAMES_PAGE_SIZE} (a larger number is refused with 400).",
        ),
    ):
        found = getattr(stories_for(request), plural)().order_by("name", "pk")
        if cursor is not None:
            name, pk = http.read_cursor(cursor, parameter="cursor", types=("str", "int"))
            found = found.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
        page = list(found[: limit + 1])
        next_url = None
        if len(page) > limit:
            page = page[:limit]
            after = http.make_cursor(page[-1].name, page[-1].pk)
            next_url = http.absolute_url(request, request.path, limit=limit, cursor=after)
        # A name changing or a story joining or leaving one purges "feeds"
        # (surrogate_keys.touched_by); a section's rename purges "nav", on every answer.
        http.shows(request, {"feeds"}, last_modified=site_changed_at())
        return {"items": [_name(request, kind, obj) for obj in page], "next": next_url}

    view.__name__ = f"list_{plural}"
    return view


for _kind, _plural in (("section", "sections"), ("tag", "tags"), ("author", "authors")):
    router.get(
        f"/{_plural}/",
        response={200: ListOfNames, **PROBLEM_RESPONSES},
        summary=f"{_plural.capitalize()} with live stories",
        description=f"Every {_kind} that has at least one live story, by name, with its "
        "page and the API list of its stories, a page at a time: follow `next` until it is "
        "null.",
    )(_names_view(_kind, _plural))


# Search ---------------------------------------------------------------------------------


@router.get(
    "/search/",
    response={200: StoryListOut, **PROBLEM_RESPONSES},
    summary="Search live stories",
    description="Stories matching every word of `q` (headline, standfirst, body, tags), "
    "newest first by the date shown, a page at a time like the list. Unlike the site's "
    "search page, results are not ranked by relevance: a stable order is what lets a "
    "cursor page through them.",
)
def search(
    request,
    q: str = Query(
        ..., min_length=1, max_length=MAX_QUERY_LENGTH, description="The words to find."
    ),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    if not search_terms(q):
        raise bad_parameter("q", "Give at least one word to search for.")
    stories = _newest_first(request, matching(stories_for(request), q)).for_listing()
    page, next_url = _page(request, stories, cursor, limit)
    # Each query its own answer, as the site's search page: never stored (page_cache.py).
    http.uncached(request)
    return {"items": [_summary(request, story) for story in page], "next": next_url}


def _newest_first(request, stories):
    """`stories` newest first by the date readers see. A staff token also reads drafts with
    no date yet: they come last, newest (by id) first. Readers' lists keep the plain order
    the index article_reader_date_idx serves; a live story always has a date."""
    stories = stories.newest_first()
    if token_user(request) is None:
        return stories.filter(date_shown__isnull=False)
    return stories.order_by(F("date_shown").desc(nulls_last=True), "-pk")


def _page(request, stories, cursor, limit):
    """A page of `stories` (ordered by _newest_first()) after `cursor`, and the next page's
    URL or None. Keyset, not offset: (date_shown, pk) below the last one seen, so stories
    published meanwhile shift nothing, and one row more than a page says whether there is
    another without counting. Undated stories (staff only) follow every dated one."""
    if cursor is not None:
        shown, pk = http.read_cursor(cursor, parameter="cursor", types=("datetime?", "int"))
        if shown is None:
            stories = stories.filter(date_shown__isnull=True, pk__lt=pk)
        else:
            # The bound on date_shown alone comes first: it is what lets the database start
            # its walk of article_reader_date_idx at the cursor. An OR of the two cases alone
            # made SQLite read the index from the top (18 times slower at 100,000 stories).
            after = Q(date_shown__lte=shown) & (Q(date_shown__lt=shown) | Q(pk__lt=pk))
            if token_user(request) is not None:
                after |= Q(date_shown__isnull=True)
            stories = stories.filter(after)
    page = list(stories[: limit + 1])
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    params = {k: v for k, v in request.GET.items() if k != "cursor"}
    cursor = http.make_cursor(last.date_shown, last.pk)
    return page, http.absolute_url(request, request.path, **params, cursor=cursor)


def _utc(moment, parameter):
    """The time in UTC, as the database holds it; a time without an offset is UTC. One that
    UTC cannot hold (year 1 east of Greenwich, year 9999 west) is refused, naming it."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise bad_parameter(parameter, "Out of the range of dates.") from None
