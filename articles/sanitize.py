"""The one definition of the HTML a story body may hold."""

import html
import re

import nh3
from django.core.exceptions import ValidationError

ALLOWED_TAGS = {
    "p", "br", "a", "em", "strong", "i", "b", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "q", "cite", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "blockquote": {"cite"}, "q": {"cite"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_body(html):
    """Keep simple story markup; drop scripts, event handlers, styles and unsafe URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


_TAG_NAME = re.compile(r"<\s*([a-zA-Z][\w:-]*)")


def validate_body_has_text(html_text):
    """Refuse a body with no words left once cleaned (only an <img>, only a <script>...).

    Saved, it would be a blank body that backups cannot load again ("field body: This
    field cannot be blank"); the message says what cleaning removed.
    """
    if plain_text(clean_body(html_text)).strip():
        return
    removed = sorted({name.lower() for name in _TAG_NAME.findall(html_text)} - ALLOWED_TAGS)
    if removed:
        listed = ", ".join(f"<{name}>" for name in removed)
        raise ValidationError(
            f"The body has no text once unsupported markup is removed ({listed} removed). "
            "Write the story's words; pictures, embeds and scripts are not kept.",
            code="body_empty_after_cleaning",
        )
    raise ValidationError("The body has no text.", code="body_empty_after_cleaning")


def plain_text(html_text):
    """The words of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(nh3.clean(html_text or "", tags=set()))


# XML 1.0 allows tab, newline and carriage return, and no other C0 control character.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text):
    """Text without the control characters XML cannot carry (feeds and sitemaps would break)."""
    return _NOT_XML.sub("", text or "")
