import json

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.body_pictures import pictures_by_key
from articles.sanitize import (
    clean_body,
    picture_references,
    replace_picture_references,
    xml_safe,
)
from photos.templatetags.pictures import story_figure

register = template.Library()


@register.filter
def clean_html(html):
    """The body as readers get it, its picture references expanded into figures.

    Sanitized at render time too: loaddata and QuerySet.update() never call save(). All the
    body's pictures come in one query, and a body without any asks nothing. A picture no
    longer in the library leaves no trace, never a broken image.
    """
    cleaned = clean_body(html)
    references = picture_references(cleaned)
    if not references:
        return mark_safe(cleaned)
    pictures = pictures_by_key(key for key, _ in references)

    def figure(key, caption):
        image = pictures.get(key)
        return story_figure(image, caption=caption) if image else ""

    return mark_safe(replace_picture_references(cleaned, figure))


register.filter("xml_safe", xml_safe)


@register.simple_tag
def section_nav():
    """The menu of sections, on every page: rendered once per change ("nav" is purged when
    it may differ, "clock" when a story is scheduled), not once per request."""
    from articles.models import Article
    from articles.public_changes import clock_times, kept

    def render(now):
        # Only sections with a live story: a new desk's name is news until its first story
        # runs, which may be the clock's next change.
        sections = Article.objects.live().sections().order_by("name")
        html = render_to_string("articles/_section_nav.html", {"sections": sections})
        return html, clock_times()[1]

    # "clock" too: a desk's first story going live by the clock is no save.
    return mark_safe(kept("section-nav", ["nav", "clock"], render))


@register.simple_tag(takes_context=True)
def language_bar(context):
    """Links to the front pages of the other languages that have live stories, each named
    in its own language (issue 17). Which languages have live stories is kept until a story
    goes live or leaves ("front") or the clock moves one ("clock"), as the navigation is."""
    from django.db.models import Exists

    from articles import languages
    from articles.models import Article
    from articles.public_changes import clock_times, kept

    def present(now):
        live = Article.objects.live()
        asked = {
            f"has_{n}": Exists(live.filter(language=code))
            for n, code in enumerate(languages.codes())
        }
        # One query: an index probe per language, on a single row.
        row = next(iter(Article.objects.order_by().annotate(**asked).values(*asked)[:1]), {})
        found = [code for n, code in enumerate(languages.codes()) if row.get(f"has_{n}")]
        return found, clock_times()[1]

    shown = kept("language-fronts", ["front", "clock"], present)
    here = context.get("page_language")
    default = languages.default_language()
    links = [
        {
            "code": code,
            "name": languages.name_of(code),
            "dir": languages.direction(code),
            "path": reverse("articles:front")
            if code == default
            else reverse("articles:language_front", args=[code]),
        }
        for code in languages.codes()
        if code in shown and code != here
    ]
    if not links:
        return ""
    return render_to_string("articles/_language_bar.html", {"links": links})


# The characters that could end a <script> element or open a comment inside one, as in
# django.utils.html.json_script, so the JSON stays valid and inert whatever a headline holds.
_SCRIPT_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A <script type="application/ld+json"> block (json_script cannot set the type)."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def label(context, text):
    """One of our own words inside a story ("Published"): marked as the site's language when
    the story is in another (structured_data.story_page_context sets labels_lang)."""
    language = context.get("labels_lang")
    if not language:
        return text
    # Isolated (dir), so "Published" and the date after it keep their order right to left.
    return format_html('<span lang="{}" dir="ltr">{}</span>', language, text)


# Dates as readers see them, in the newsroom's time zone (TIME_ZONE).
DAY = "j F Y"
DAY_AND_TIME = "j F Y, H:i T"


@register.filter
def list_date(value, language=None):
    """A list's date: with its time when it is today, as a desk updates through the day.

    "Today" is the newsroom's, not the server's or the reader's: timezone.localdate().
    Month names in the story's language where Django has them (digits stay 0-9).
    """
    if not value:
        return ""
    local = timezone.localtime(value)
    today = local.date() == timezone.localdate()
    with translation.override(language or translation.get_language()):
        return dateformat.format(local, DAY_AND_TIME if today else DAY)
