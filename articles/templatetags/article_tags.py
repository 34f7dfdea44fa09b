import json

from django import template
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
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


# The characters that could end a <script> element or open a comment inside one, as in
# django.utils.html.json_script, so the JSON stays valid and inert whatever a headline holds.
_SCRIPT_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A <script type="application/ld+json"> block (json_script cannot set the type)."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


# Dates as readers see them, in the newsroom's time zone (TIME_ZONE).
DAY = "j F Y"
DAY_AND_TIME = "j F Y, H:i T"


@register.filter
def list_date(value):
    """A list's date: with its time when it is today, as a desk updates through the day.

    "Today" is the newsroom's, not the server's or the reader's: timezone.localdate().
    """
    if not value:
        return ""
    local = timezone.localtime(value)
    today = local.date() == timezone.localdate()
    return dateformat.format(local, DAY_AND_TIME if today else DAY)
