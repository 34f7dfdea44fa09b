"""The one definition of the HTML a story body may hold."""

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django_prose_editor.config import allowlist_from_extensions

from .richtext import EXTENSIONS

# What the body's editor can make (articles/richtext.py), as django-prose-editor reads it.
_EDITOR = allowlist_from_extensions(EXTENSIONS)
ALLOWED_TAGS = frozenset(_EDITOR["tags"])
ALLOWED_ATTRIBUTES = {
    # Every kept link gets the same rel (link_rel below), whatever was pasted.
    tag: attributes - {"rel"}
    for tag, attributes in _EDITOR["attributes"].items()
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href"}
# Tags the editor reads as its own (a pasted <b> becomes bold), so their words keep their
# emphasis on every path, not only through the editor.
SAME_AS = {"b": "strong", "i": "em"}
# Blocks a body is made of: text between them is a paragraph of its own.
BLOCK_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "blockquote", "figure"}


def clean_body(html):
    """Keep what the body's editor makes; drop scripts, event handlers, styles and unsafe URLs.

    Text that stands outside any block (a body that arrived as plain text from a fixture, an
    import or QuerySet.update()) becomes paragraphs, split at blank lines: readers never see
    one run-on block. Cleaning the result again changes nothing, so a story saved unchanged
    is stored unchanged.
    """
    cleaned = _clean_once(html)
    # Dropping a tag can leave markup that parses differently the next time ("<li><li>"
    # nests, then does not): clean until nothing moves. It settles in a pass or two.
    for _ in range(5):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def _clean_once(html):
    cleaned = _renamed(_nh3_clean(html, tags=ALLOWED_TAGS | SAME_AS.keys()))
    cleaned = _pictures_as_references(cleaned)
    cleaned = _LONE_PARAGRAPH_ITEM.sub(r"<li>\1</li>", cleaned)
    loose = _loose_runs(cleaned)
    if not loose:
        return cleaned
    pieces, position = [], 0
    for start, end in loose:
        pieces.append(cleaned[position:start])
        pieces.extend(
            f"<p>{part.strip()}</p>"
            for part in _BLANK_LINE.split(cleaned[start:end])
            if part.strip()
        )
        position = end
    pieces.append(cleaned[position:])
    # An inline tag open across a blank line is now split in two: nh3 balances it again.
    return _nh3_clean("".join(pieces), tags=ALLOWED_TAGS)


def _nh3_clean(html, *, tags):
    return nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


# A tag as nh3 writes it: attribute values always in double quotes (which may hold "<" or ">"),
# and no "<" left in text (it becomes &lt;), so this finds every tag and nothing else.
_TAG = re.compile(r'<(/?)([a-z0-9]+)((?:[^">]|"[^"]*")*)>')
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
# The editor writes each list item as a paragraph (<li><p>Parks</p></li>); stored, an item of
# one paragraph is its words alone, as lists always were here and as readers' pages style them.
_LONE_PARAGRAPH_ITEM = re.compile(r"<li><p>((?:(?!</?(?:p|li)>).)*)</p></li>", re.DOTALL)


# A picture in the body (articles/richtext.py, StoryPicture): a reference to a library picture
# by its natural key, the file's name under MEDIA_ROOT, with an optional caption for this story.
# The story page expands it (articles/templatetags/article_tags.py); nothing else may be in it.
PICTURE_KEY = re.compile(r"\w[-\w. ]*(?:/\w[-\w. ]*)*")
PICTURE_KEY_LENGTH = 255  # photos.Image.file's max_length
_ATTRIBUTE = re.compile(r'\s([a-z0-9-]+)="([^"]*)"')
# Where the editor can put a picture: between blocks, in a quote, in a list item. Never inside
# a paragraph, heading, link or emphasis, where a browser would render a figure oddly.
_PICTURE_PARENTS = {None, "blockquote", "li"}
_PICTURE_ANCESTORS = {"blockquote", "li", "ul", "ol"}


def _pictures_as_references(html):
    """Each <figure> reduced to what the editor writes: the bare reference or nothing.

    A figure naming a picture becomes `<figure data-image="…" data-caption="…"></figure>`, its
    content dropped (a pasted <img> or <figcaption> inside is not ours); one in the wrong place
    goes whole. A figure naming none loses its markup and keeps its words, like any other tag.
    """
    if "<figure" not in html:
        return html
    pieces, position, open_tags, inside = [], 0, [], 0
    for tag in _TAG.finditer(html):
        closing, name = bool(tag[1]), tag[2]
        if inside:  # in a kept or dropped picture: skip to its end, counting nested figures
            if name == "figure":
                inside += -1 if closing else 1
                if not inside:
                    position = tag.end()
            continue
        if name != "figure":
            if closing:
                open_tags.pop()
            elif name != "br":
                open_tags.append(name)
            continue
        pieces.append(html[position : tag.start()])
        position = tag.end()
        attributes = dict(_ATTRIBUTE.findall(tag[3]))
        key = _picture_key(attributes.get("data-image"))
        if closing or key is None:
            continue  # a figure without a picture: its words stay where they are
        parent = open_tags[-1] if open_tags else None
        if parent in _PICTURE_PARENTS and _PICTURE_ANCESTORS.issuperset(open_tags):
            pieces.append(picture_reference(key, _caption(attributes.get("data-caption"))))
        inside = 1
    pieces.append(html[position:])
    return "".join(pieces)


def _picture_key(value):
    if value is None:
        return None
    key = html.unescape(value)
    if len(key) > PICTURE_KEY_LENGTH or not PICTURE_KEY.fullmatch(key):
        return None  # javascript:, ../, /etc/passwd, quotes or markup: no picture's name
    return key


def _caption(value):
    return " ".join(xml_safe(html.unescape(value or "")).split())


def picture_reference(key, caption=""):
    """The stored form of a picture in the body, as the editor writes it."""
    caption_attribute = f' data-caption="{html.escape(caption)}"' if caption else ""
    return f'<figure data-image="{html.escape(key)}"{caption_attribute}></figure>'


# A reference as picture_reference() writes it and nh3 serialises it again.
_REFERENCE = re.compile(r'<figure data-image="([^"]*)"(?: data-caption="([^"]*)")?></figure>')


def picture_references(cleaned_html):
    """(natural key, caption for this story) of each picture a cleaned body shows, in order."""
    return [
        (html.unescape(key), html.unescape(caption))
        for key, caption in _REFERENCE.findall(cleaned_html or "")
    ]


def replace_picture_references(cleaned_html, render):
    """The cleaned body with each reference replaced by render(key, caption)."""
    return _REFERENCE.sub(
        lambda match: render(html.unescape(match[1]), html.unescape(match[2] or "")),
        cleaned_html,
    )


def _renamed(html):
    def rename(tag):
        name = SAME_AS.get(tag[2])
        return f"<{tag[1]}{name}{tag[3]}>" if name else tag[0]

    return _TAG.sub(rename, html)


def _loose_runs(html):
    """(start, end) of each stretch outside every block that holds some text."""
    runs, depth, start = [], 0, 0
    for tag in _TAG.finditer(html):
        if tag[2] not in BLOCK_TAGS:
            continue
        if depth == 0 and _has_text(html[start : tag.start()]):
            runs.append((start, tag.start()))
        depth += -1 if tag[1] else 1
        if depth == 0:
            start = tag.end()
    if depth == 0 and _has_text(html[start:]):
        runs.append((start, len(html)))
    return runs


def _has_text(fragment):
    # Words, not the &nbsp; that older editors leave between blocks.
    return bool(html.unescape(_TAG.sub("", fragment)).replace("\xa0", " ").strip())


def _filter_attribute(tag, attribute, value):
    # nh3 holds href to url_schemes already; checked again here, the way a browser reads it.
    if attribute in URL_ATTRIBUTES and _url_scheme(value) not in {None, *ALLOWED_URL_SCHEMES}:
        return None
    # The link dialog leaves title="" when no title is typed.
    if attribute == "title" and not value.strip():
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
    cleaned = clean_body(html_text)
    if plain_text(cleaned).strip():
        return
    if picture_references(cleaned):
        raise ValidationError(
            "The body has only pictures: write the story's words around them.",
            code="body_empty_after_cleaning",
        )
    named = {name.lower() for name in _TAG_NAME.findall(html_text)}
    removed = sorted(named - ALLOWED_TAGS - SAME_AS.keys())
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
