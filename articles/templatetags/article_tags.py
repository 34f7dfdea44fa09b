from django import template
from django.utils.safestring import mark_safe

from articles.sanitize import clean_body

register = template.Library()


@register.filter
def clean_html(html):
    """Sanitize at render time too: loaddata and QuerySet.update() never call save()."""
    return mark_safe(clean_body(html))


@register.inclusion_tag("articles/_section_nav.html")
def section_nav():
    from articles.models import Section

    return {"sections": Section.objects.all()}
