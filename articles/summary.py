"""A story in a sentence or two, for the places that must never be empty.

The meta description, Open Graph and Twitter cards, the JSON-LD `description` and each feed
item's description all read `summary()`: the standfirst when there is one, else the body's
first paragraph, as text, cut at a word near SUMMARY_LENGTH characters.
"""

import re
from functools import lru_cache

from .sanitize import BLOCK_TAGS, clean_body, markup_free_text

# Bodies are cleaned again wherever they are shown, since loaddata and QuerySet.update() skip
# save(); a feed shows thirty, at several milliseconds each. Each process keeps the last few
# hundred cleaned bodies, keyed by the body itself: a changed body is cleaned afresh, and a
# restart (a new sanitizer) starts empty. An edit then costs a feed one cleaning, not thirty.
cleaned_body = lru_cache(maxsize=256)(clean_body)

# What search engines show of a description before cutting it themselves.
SUMMARY_LENGTH = 160
ELLIPSIS = "…"
# A paragraph as the sanitizer writes it (articles/sanitize.py): paragraphs never nest.
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
# Where words of different blocks or lines meet: stripping the tags alone would glue them.
_WORD_BREAK = re.compile(rf"<(?:/?(?:{'|'.join(sorted(BLOCK_TAGS))})|br)\b[^>]*>")
# Left bare at a cut, these read as a sentence broken off mid-thought before the ellipsis.
_TRAILING = " ,;:-–—"


def summary(article):
    """The standfirst as text, else the first paragraph of the body with words, shortened.

    A standfirst of markup alone (an image, a script) counts as none.
    """
    standfirst = _words(markup_free_text(article.standfirst))
    if standfirst:
        return standfirst
    return shorten(first_paragraph(article.body))


def first_paragraph(body):
    """The words of the body's first paragraph that has any; the whole body's if none has.

    A body that opens with a picture or an empty paragraph starts at its first words.
    """
    cleaned = cleaned_body(body or "")
    for paragraph in _PARAGRAPH.findall(cleaned):
        words = _text(paragraph)
        if words:
            return words
    return _text(cleaned)


def shorten(text, limit=SUMMARY_LENGTH):
    """`text` in at most `limit` characters, cut after a whole word and ended with "…".

    A single word longer than half the limit (a URL, a language written without spaces) is
    cut inside, rather than leaving a stub of a summary.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[:room]
    if not text[room].isspace():
        head, space, _ = cut.rpartition(" ")
        if space and len(head) >= room // 2:
            cut = head
    return cut.rstrip(_TRAILING) + ELLIPSIS


def _text(html):
    return _words(markup_free_text(_WORD_BREAK.sub(" ", html)))


def _words(text):
    # Line breaks and runs of spaces mean nothing in a description.
    return " ".join(text.split())
