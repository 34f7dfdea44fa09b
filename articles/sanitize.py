"""The one definition of the HTML a story body may hold."""

import re

import nh3

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


# XML 1.0 allows tab, newline and carriage return, and no other C0 control character.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text):
    """Text without the control characters XML cannot carry (feeds and sitemaps would break)."""
    return _NOT_XML.sub("", text or "")
