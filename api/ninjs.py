"""A story as IPTC ninjs 2.2 (News in JSON), the format wire services and partners exchange.

The mapping, and why each of our fields lands where it does, is in the README ("ninjs").
ninjs 2.2 allows no property outside its own list (the schema ends in
`unevaluatedProperties: false`), so what it has no field for is put where its own fields
allow (the section as a subject, corrections as a second body, the display date as
`firstcreated`) or left out (our numeric id), never invented; the JSON API
(`articles/<slug>/`) carries every field.

Everything here reads the story as the detail endpoint loads it: the lead picture joined
(`for_listing()`), tags, authors and corrections packed in the row (`with_names()`,
`with_corrections()`, articles/packed.py). The only query of its own is the body's pictures,
one for all of them, and none for a body without any (articles/feeds.py's FullText).
"""

import re
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html_join

from articles.feeds import FullText
from articles.models import Article
from articles.sanitize import BLOCK_TAGS, markup_free_text, picture_references
from articles.wire import SECTION_REL

SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"

# ninjs's pubstatus for each of our states: a withdrawn story is canceled (take it down); an
# expired one too, since it is no longer ours to show; drafts and scheduled stories, which
# only staff see, are withheld (not yet usable).
PUBSTATUS = {
    Article.State.LIVE: "usable",
    Article.State.WITHDRAWN: "canceled",
    Article.State.EXPIRED: "canceled",
    Article.State.DRAFT: "withheld",
    Article.State.REVIEW: "withheld",
    Article.State.SCHEDULED: "withheld",
}
# The association names of a story's pictures: Superdesk's name for the lead picture, and
# a numbered one per picture in the body, in the body's order.
LEAD_PICTURE = "featuremedia"
BODY_PICTURE = "picture-{}"

# Where words of different blocks meet: stripping the tags alone would glue them.
_WORD_BREAK = re.compile(rf"<(?:/?(?:{'|'.join(sorted(BLOCK_TAGS))})|br)\b[^>]*>")


def to_ninjs(article, *, request):
    """The story as a ninjs 2.2 item (a dict ready for JSON), links absolute for `request`."""
    full_text = FullText([article], request)
    cleaned = full_text.bodies[article.pk]
    state = article.publication_state()
    page = request.build_absolute_uri(article.get_absolute_url())
    item = {
        "uri": f"urn:uuid:{article.guid}",
        "standard": {"name": "ninjs", "version": "2.2", "schema": SCHEMA_URI},
        "type": "text",
        "representationtype": "full",
        "firstcreated": _iso(article.date_shown),
        "versioncreated": _iso(article.page_changed_at),
        "contentcreated": _iso(article.original_published_at),
        "embargoed": _iso(article.published_at) if state == Article.State.SCHEDULED else None,
        "expires": _iso(article.expires_at),
        "pubstatus": PUBSTATUS[state],
        "copyrightholder": article.source_name or settings.NEWSROOM_NAME,
        "language": _language(article),
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": article.headline}],
        "descriptions": _descriptions(article),
        "bodies": [_body(full_text.html(article), cleaned), *_corrections(article)],
        "subjects": [
            # ninjs has no sections: ours is a subject that says so, as import_story reads it.
            {
                "name": article.section.name,
                "rel": SECTION_REL,
                "uri": _absolute(request, "articles:section", article.section.slug),
            },
            *(
                {"name": tag.name, "uri": _absolute(request, "articles:tag", tag.slug)}
                for tag in article.tags.all()
            ),
        ],
        "people": [
            {
                "name": author.name,
                "rel": "author",
                "uri": _absolute(request, "articles:author", author.slug),
            }
            for author in article.authors.all()
        ],
        "by": article.byline,
        "infosources": _infosources(article, page),
        "altids": [
            {"role": "guid", "value": str(article.guid)},
            {"role": "slug", "value": article.slug},
        ],
        "renditions": [{"name": "web", "href": page, "contenttype": "text/html"}],
        "associations": _associations(article, cleaned, full_text.pictures, request),
    }
    # ninjs leaves out what is unknown rather than sending it empty.
    return {key: value for key, value in item.items() if value not in (None, "", [])}


def _language(article):
    # Article.language arrives with the languages work; until then every story is in the
    # site's language, its primary subtag ("en" for "en-gb") as stories will store it.
    return getattr(article, "language", "") or settings.LANGUAGE_CODE.split("-")[0]


def _iso(when):
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def _absolute(request, name, slug):
    return request.build_absolute_uri(reverse(name, kwargs={"slug": slug}))


def _descriptions(article):
    if not article.standfirst:
        return []
    return [{"role": "summary", "contenttype": "text/plain", "value": article.standfirst}]


def _body(value, cleaned):
    # Counted in the stored body, where a picture is a reference without words: ninjs counts
    # exclude figure captions.
    words = markup_free_text(_WORD_BREAK.sub(" ", cleaned)).split()
    return {
        "role": "main",
        "contenttype": "text/html",
        "value": value,
        "charcount": len(" ".join(words)),
        "wordcount": len(words),
    }


def _corrections(article):
    """The notes readers see at the story's foot, as a second body (ninjs has no field for
    them): one paragraph each, oldest first, with its kind and date."""
    notes = article.public_corrections
    if not notes:
        return []
    paragraphs = format_html_join(
        "\n",
        '<p><strong>{}</strong> (<time datetime="{}">{}</time>): {}</p>',
        (
            (
                note.get_kind_display(),
                _iso(note.published_at),
                dateformat.format(timezone.localtime(note.published_at), "j F Y"),
                note.text,
            )
            for note in notes
        ),
    )
    return [{"role": "corrections", "contenttype": "text/html", "value": str(paragraphs)}]


def _infosources(article, page):
    """Who the copy comes from: the source it first ran at for syndicated copy, else us."""
    if article.is_syndicated:
        source = {
            "name": article.source_name,
            "role": "originator",
            "uri": _as_uri(article.source_link),
        }
    else:
        source = {"name": settings.NEWSROOM_NAME, "role": "originator", "uri": page}
    return [{key: value for key, value in source.items() if value}]


# What RFC 3986 allows in a URI, a percent sign only before two hex digits.
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)


def _as_uri(url):
    """A source's address as a URI (ninjs's `uri` format), or "" when it cannot be one.

    Editors paste addresses as browsers show them: IRIs with Arabic or Kurdish letters, or
    spaces, which are not URIs. Those are percent-encoded; what is still not a URI after that
    (a broken address, a stray percent sign) is left out rather than sent invalid.
    """
    if not url:
        return ""
    try:
        urlsplit(url)  # refuses a broken IPv6 host, say
    except ValueError:
        return ""
    uri = iri_to_uri(url.replace(" ", "%20"))
    return uri if _URI.fullmatch(uri) else ""


def _associations(article, cleaned, pictures, request):
    found = []
    if article.lead_image is not None:
        caption = article.lead_image_caption
        found.append(_picture(LEAD_PICTURE, article.lead_image, caption, request))
    shown = [(pictures.get(key), caption) for key, caption in picture_references(cleaned)]
    # A picture no longer in the library leaves no trace, as on the story page.
    shown = [(image, caption) for image, caption in shown if image is not None]
    for number, (image, caption) in enumerate(shown, 1):
        found.append(_picture(BODY_PICTURE.format(number), image, caption, request))
    return found


def _picture(name, image, caption, request):
    caption = caption or image.caption
    descriptions = [{"role": "caption", "contenttype": "text/plain", "value": caption}]
    if not image.decorative and image.alt_text:
        descriptions.append({"role": "alt", "contenttype": "text/plain", "value": image.alt_text})
    picture = {
        "name": name,
        "uri": _picture_uri(image, request),
        "type": "picture",
        "descriptions": [d for d in descriptions if d["value"]],
        "by": image.credit,
        "copyrightnotice": image.copyright_notice,
        "renditions": [
            {
                "name": f"{r.shape.replace(':', 'x')}-{r.width}w-{r.format}",
                "href": request.build_absolute_uri(r.url),
                "contenttype": r.content_type,
                "width": r.width,
                "height": r.height,
            }
            for r in image.renditions.all
        ],
    }
    return {key: value for key, value in picture.items() if value not in ("", [])}


def _picture_uri(image, request):
    """A tag: URI (RFC 4151) for a library picture, which has no guid of its own: the site's
    host, the day it was uploaded, and its rendition key, which its public renditions'
    addresses carry already (the file's own name is never shown to readers)."""
    host = urlsplit(f"//{request.get_host()}").hostname  # without its port
    day = image.uploaded_at.astimezone(UTC).date().isoformat()
    return f"tag:{host},{day}:picture:{image.rendition_key}"
