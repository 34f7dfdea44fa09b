"""{% picture %} and {% story_figure %}: a library picture as responsive, stable markup.

Every address comes from the picture's row (photos/renditions.py): showing a picture costs
no query beyond the one that loaded the story with its `lead_image`.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from photos.renditions import JPEG, SHAPES, WEBP

register = template.Library()


@register.simple_tag
def picture(image, shape="full", sizes="100vw", lead=False, css_class=""):
    """A <picture> with WebP and JPEG srcsets; width and height reserve its space.

    The lead picture is fetched first (`fetchpriority`); every other one waits until the
    reader scrolls near it.
    """
    renditions = image.renditions
    formats = SHAPES[shape][2]
    jpegs = renditions.of(shape, JPEG)
    fallback = renditions.near(shape, 640, JPEG)
    widest = jpegs[-1]
    sources = ""
    if WEBP in formats:
        sources = format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">',
            _srcset(renditions.of(shape, WEBP)),
            sizes,
        )
    loading = {"fetchpriority": "high"} if lead else {"loading": "lazy"}
    extra = format_html_join("", ' {}="{}"', loading.items())
    return format_html(
        '<picture{}>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        ' decoding="async"{}></picture>',
        format_html(' class="{}"', css_class) if css_class else "",
        sources,
        fallback.url,
        _srcset(jpegs),
        sizes,
        widest.width,
        widest.height,
        "" if image.decorative else image.alt_text,
        extra,
    )


@register.simple_tag
def story_figure(image, caption="", sizes="(min-width: 42rem) 40rem, 100vw", lead=False):
    """A story's picture with its caption and credit, as the lead or inside the body."""
    return render_to_string(
        "photos/_figure.html",
        {
            "image": image,
            "caption": caption or image.caption,
            "sizes": sizes,
            "lead": lead,
        },
    )


def _srcset(renditions):
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)
