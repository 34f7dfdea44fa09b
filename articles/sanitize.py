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
URL_ATTRIBUTES = {"href", "cite"}


def clean_body(html):
    """Keep simple story markup; drop scripts, event handlers, styles and unsafe URLs."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_drop_unsafe_url,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _drop_unsafe_url(tag, attribute, value):
    # nh3 holds href to url_schemes but keeps a cite as written, javascript: and all.
    if attribute in URL_ATTRIBUTES and _url_scheme(value) not in {None, *ALLOWED_URL_SCHEMES}:
        return None
    return value


# A browser reading a URL (WHATWG URL standard) ignores spaces and control characters at
# either end and tabs and newlines anywhere, so " JaVa\tScript:" is still javascript:.
_URL_EDGES = "".join(map(chr, range(0x21)))
_URL_IGNORED = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _url_scheme(url):
    """The scheme a browser would follow, lower-cased; None for a relative address."""
    match = _SCHEME.match(_URL_IGNORED.sub("", url.strip(_URL_EDGES)))
    return match[1].lower() if match else None


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


# Half of a UTF-16 pair, alone: JSON's "\ud800" escape reads as one, and no database encodes it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def uncarriable(text):
    """Why the database, feeds or sitemaps cannot carry this text, or None.

    PostgreSQL refuses NUL, XML refuses every control character but tab and line breaks
    (xml_safe above), and a lone surrogate cannot be written as UTF-8 at all.
    """
    if xml_safe(text) == text and not _SURROGATE.search(text):
        return None
    position, char = next(
        (n, char)
        for n, char in enumerate(text, 1)
        if xml_safe(char) != char or _SURROGATE.match(char)
    )
    return (
        f"contains U+{ord(char):04X} at character {position}, which the database, feeds or "
        f"sitemaps cannot carry; remove it"
    )


def markup_free_text(text):
    """A story's words for software that may render them as HTML: feeds, meta tags, sitemaps.

    Tags are stripped and entities decoded until nothing changes, so the result reads the
    same as text and as HTML (stripping once would decode `&lt;img onerror=…&gt;` into a
    live tag). Each pass only shortens the text or turns CR into LF, so the loop ends.
    """
    text = xml_safe(text)
    while (stripped := xml_safe(plain_text(text))) != text:
        text = stripped
    return text
