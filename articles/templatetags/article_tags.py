import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.sanitize import clean_body, xml_safe

register = template.Library()


@register.filter
def clean_html(html):
    """Sanitize at render time too: loaddata and QuerySet.update() never call save()."""
    return mark_safe(clean_body(html))


register.filter("xml_safe", xml_safe)


@register.inclusion_tag("articles/_section_nav.html")
def section_nav():
    from articles.models import Article

    # Only sections with a live story: a new desk's name is news until its first story runs.
    return {"sections": Article.objects.live().sections().order_by("name")}


# The characters that could end a <script> element or open a comment inside one, as in
# django.utils.html.json_script, so the JSON stays valid and inert whatever a headline holds.
_SCRIPT_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A <script type="application/ld+json"> block (json_script cannot set the type)."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
