"""Plain-text wire copy, as syndication partners send it, read into a story.

The shape (fixtures/raw/gulan-media-putin-assad.txt)::

    • Tuesday, 23 July 2024                          <- display date (optional)

    Putin meets al-Assad in Moscow, ...              <- headline

    Gulan Media September 14, 2021 News              <- credit, original date, section
    Putin meets al-Assad in Moscow, ...              <- the headline again (optional)

    Syrian President Bashar al-Assad made ...        <- paragraphs, between blank lines

Real copy arrives with a byte order mark, Windows line endings, extra blank lines, credits and
sections of several words and any script; all of that is accepted. Anything else that does not
fit is refused with the number of the line at fault, and so is a control character (NUL, ESC...)
that the database or the feeds cannot carry.
"""

import calendar
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles import languages
from articles.sanitize import markup_free_text, uncarriable

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
WEEKDAYS = list(calendar.day_name)
_MONTH = "|".join(MONTHS)

# "• Tuesday, 23 July 2024": a bullet and the weekday are optional.
DISPLAY_DATE = re.compile(
    rf"^(?:[•·*]\s*)?(?:(?P<weekday>{'|'.join(WEEKDAYS)}),?\s+)?"
    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})$",
    re.IGNORECASE,
)
# Something that means to be a display-date line, to tell a bad date from a headline.
LOOKS_LIKE_DATE = re.compile(rf"^(?:[•·*]|(?:{'|'.join(WEEKDAYS)}),?\s+\d)", re.IGNORECASE)
# "Gulan Media September 14, 2021 News": the date sits between the credit and the section,
# and either may have several words (or a month's name: "May Media June 3, 2021 Arts").
META = re.compile(
    rf"^(?P<credit>\S.*?)\s+(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})"
    rf"\s+(?P<section>\S.*)$",
    re.IGNORECASE,
)

# The copy gives days, not times: noon keeps the day the same in every zone from UTC-11 to
# UTC+11, as the seed fixture does (README, "The seed story").
TIME_OF_DAY = time(12, 0)


class WireFormatError(ValueError):
    def __init__(self, line, message):
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclass
class WireStory:
    headline: str
    credit: str
    section: str
    original_date: date
    display_date: date | None
    paragraphs: list[str]
    headline_line: int = 0  # where they were, for messages about them
    credit_line: int = 0
    body_line: int = 0

    # What create_article() reads of any story, wire text or ninjs: text copy has one
    # credit, printed as the byline and recorded as the source.
    standfirst = ""
    source_url = ""
    tags = ()
    language = None  # text copy does not say: import_story's --language

    @property
    def byline(self):
        return self.credit

    @property
    def source_name(self):
        return self.credit

    @property
    def body(self):
        # Plain text: escape what HTML would read as markup; quotation marks stay as written.
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)

    @property
    def body_as_markup(self):
        """The copy read as HTML, as a partner who pasted an <img> or a <script> meant it."""
        return "\n".join(f"<p>{p}</p>" for p in self.paragraphs)

    @property
    def original_published_at(self):
        return at_noon(self.original_date)

    @property
    def display_at(self):
        return self.display_date and at_noon(self.display_date)


def at_noon(day: date) -> datetime:
    """Noon of that day in the newsroom's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, TIME_OF_DAY))


def decode(data: bytes) -> str:
    """Text of a file's bytes: UTF-8, with or without a byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WireFormatError(line, f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def parse_story(text: str) -> WireStory:
    """The story in a wire text, or WireFormatError naming the first line that does not fit."""
    text = text.removeprefix("\ufeff")
    # splitlines() takes \r\n, \r and \n alike; the numbers are the editor's line numbers.
    for number, line in enumerate(text.splitlines(), 1):
        problem = uncarriable(line)
        if problem:
            raise WireFormatError(number, problem)
    lines = [(number, squash(line)) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise WireFormatError(1, "the file is empty")

    number, line = lines.pop(0)
    display_date = None
    if LOOKS_LIKE_DATE.match(line) or DISPLAY_DATE.match(line):
        display_date = parse_display_date(number, line)
        if not lines:
            raise WireFormatError(number, "a display date and nothing else: no headline")
        number, line = lines.pop(0)
    headline, headline_number = line, number
    if not lines:
        raise WireFormatError(number, "the headline is the last line: no credit line, no story")
    number, line = lines.pop(0)
    meta = META.match(line)
    if not meta and META.match(headline):
        raise WireFormatError(
            headline_number, f"expected the headline, found a credit line {headline!r}"
        )
    if not meta:
        raise WireFormatError(
            number,
            f"expected the credit line '<credit> <Month D, YYYY> <section>' "
            f"(as 'Gulan Media September 14, 2021 News'), found {line!r}",
        )
    original_date = make_date(number, meta["year"], meta["month"], meta["day"])

    if lines and lines[0][1].casefold() == headline.casefold():
        lines.pop(0)
    body_line = lines[0][0] if lines else None
    paragraphs = paragraphs_of(text, after=body_line)
    if not paragraphs:
        raise WireFormatError(number, "the story has no paragraphs after the credit line")
    return WireStory(
        headline=headline,
        credit=meta["credit"],
        section=meta["section"],
        original_date=original_date,
        display_date=display_date,
        paragraphs=paragraphs,
        headline_line=headline_number,
        credit_line=number,
        body_line=body_line,
    )


def parse_display_date(number: int, line: str) -> date:
    match = DISPLAY_DATE.match(line)
    if not match:
        raise WireFormatError(
            number, f"expected a display date such as '• Tuesday, 23 July 2024', found {line!r}"
        )
    day = make_date(number, match["year"], match["month"], match["day"])
    weekday = match["weekday"]
    if weekday and weekday.lower() != WEEKDAYS[day.weekday()].lower():
        # A date and a weekday that disagree: one of them is wrong, and we cannot tell which.
        raise WireFormatError(
            number, f"{day:%d %B %Y} was a {WEEKDAYS[day.weekday()]}, not a {weekday}"
        )
    return day


def make_date(number: int, year: str, month: str, day: str) -> date:
    try:
        return date(int(year), MONTHS[month.capitalize()], int(day))
    except ValueError as exc:
        raise WireFormatError(number, f"{month} {day}, {year} is not a date ({exc})") from exc


def squash(line: str) -> str:
    """A line without its surrounding white space, runs of spaces and tabs made one space.

    Non-breaking spaces inside the text are the writer's and stay ("10\u00a0km").
    """
    return re.sub(r"[ \t]+", " ", line).strip() if line.strip() else ""


def paragraphs_of(text: str, after: int | None) -> list[str]:
    """Paragraphs from line `after` on: runs of lines between blank lines, joined by spaces."""
    if after is None:
        return []
    paragraphs, current = [], []
    for line in text.splitlines()[after - 1 :]:
        line = squash(line)
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


# ninjs ----------------------------------------------------------------------------------
# Partner copy as IPTC ninjs 2.x (JSON), read into the same shape of story. The mapping is
# the one api/ninjs.py writes, read backwards, so a story we export imports back equal
# (README, "ninjs"); it is also tolerant of what other providers send (ninjs 1.x's
# `headline`, `body_html`, `body_text` and `description_text`).

# The section a partner's item lands in when it names none (ninjs has no sections; we send
# ours as a subject with rel "section").
DEFAULT_SECTION = "News"
SECTION_REL = "section"
# A picture in partner copy is the partner's: we do not have it, and the cleaner would keep
# its caption as a stray paragraph. It goes whole, before the body is cleaned.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINE_SPACE = re.compile(r"[ \t\r\n\u2028\u2029]+")
_FIGURE = re.compile(r"<figure\b.*?</figure\s*>", re.IGNORECASE | re.DOTALL)


class NinjsFormatError(ValueError):
    """A ninjs file or item we cannot take; the message names the item and the field."""


@dataclass
class NinjsStory:
    headline: str
    body: str
    byline: str
    standfirst: str
    section: str
    tags: list[str]
    source_name: str
    source_url: str
    source_url_field: str  # where it was found, for messages about it
    original_published_at: datetime
    display_at: datetime | None
    uri: str
    number: int  # the item's place in its file, from 1, for messages about it
    language: str | None = None  # one of the site's codes; None: the item does not say

    @property
    def where(self):
        return f"item {self.number} ({self.headline[:60]!r})"


def parse_ninjs_file(text: str) -> list[dict]:
    """The items of a ninjs file: one JSON object, or a list of them."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise NinjsFormatError(
            f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise NinjsFormatError("not ninjs: JSON nested too deeply to read") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise NinjsFormatError("the file holds an empty list: no story")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise NinjsFormatError(f"item {number} is not a JSON object (a ninjs item)")
    return items


def parse_ninjs_item(item: dict, number: int) -> NinjsStory:
    """One ninjs item as a story, or NinjsFormatError naming the item and the field."""

    def refuse(field, message):
        raise NinjsFormatError(f"item {number}, {field}: {message}")

    def text(field, value):
        if value is None:  # null: as good as absent
            return ""
        if not isinstance(value, str):
            refuse(field, f"expected text, found {type(value).__name__}")
        problem = uncarriable(value)
        if problem:
            refuse(field, problem)
        return value

    headline = _ninjs_headline(item, text, refuse)
    if not headline:
        refuse("headlines", "no headline (a headline with role 'main', or any with a value)")
    body = _ninjs_body(item, text, refuse)
    if body is None:
        refuse("bodies", "no body (text/html or text/plain)")
    subjects = _objects(item, "subjects", refuse)
    sections = [s for s in subjects if s.get("rel") == SECTION_REL and s.get("name")]
    tags = [
        one_line(text("subjects", s["name"]))
        for s in subjects
        if s.get("rel") != SECTION_REL and s.get("name") is not None
    ]
    section = one_line(text("subjects", sections[0]["name"])) if sections else DEFAULT_SECTION
    if not section:
        refuse("subjects", "the section (the subject with rel 'section') has no name")
    source_name, (source_url_field, source_url) = _ninjs_source(item, text, refuse)
    original = _ninjs_date(item, "contentcreated", refuse)
    first = _ninjs_date(item, "firstcreated", refuse)
    if original is None and first is None:
        refuse("contentcreated", "no original date: give contentcreated or firstcreated")
    return NinjsStory(
        headline=headline,
        body=body,
        byline=one_line(text("by", item.get("by", ""))),
        standfirst=_ninjs_standfirst(item, text, refuse),
        section=section,
        tags=_once_each(tags),
        source_name=source_name,
        source_url=source_url,
        source_url_field=source_url_field,
        # contentcreated wins: it is when the content first ran; firstcreated is the date
        # the sender shows (api/ninjs.py), kept as the display date when it differs.
        original_published_at=original or first,
        display_at=first if original and first and first != original else None,
        uri=item.get("uri") if isinstance(item.get("uri"), str) else "",
        number=number,
        language=_ninjs_language(item, text, refuse),
    )


def _once_each(names):
    """The names without blanks and repeats, whatever their case; the first spelling wins."""
    kept = {}
    for name in names:
        if name:
            kept.setdefault(name.casefold(), name)
    return list(kept.values())


def _objects(item, field, refuse):
    value = item.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        refuse(field, "expected a list of objects")
    return value


def _pick(objects, **wanted):
    """The first object matching every `wanted` field (None: field absent), else None."""
    for obj in objects:
        if all(obj.get(key) == value for key, value in wanted.items()):
            return obj
    return None


def _ninjs_headline(item, text, refuse):
    headlines = [h for h in _objects(item, "headlines", refuse) if h.get("value")]
    chosen = _pick(headlines, role="main") or next(iter(headlines), None)
    value = chosen["value"] if chosen else item.get("headline", "")
    field = "headlines" if chosen else "headline"
    return one_line(text(field, value))


def _ninjs_body(item, text, refuse):
    """The body as HTML: a text/html body as sent, a plain text one as paragraphs."""
    bodies = [b for b in _objects(item, "bodies", refuse) if b.get("role") in (None, "main")]
    html_body = _pick(bodies, contenttype="text/html")
    plain = _pick(bodies, contenttype="text/plain") or _pick(bodies, contenttype=None)
    if html_body is not None:
        return _FIGURE.sub("", text("bodies", html_body.get("value", "")))
    if plain is not None:
        return _paragraphs_html(text("bodies", plain.get("value", "")))
    if "body_html" in item:
        return _FIGURE.sub("", text("body_html", item["body_html"]))
    if "body_text" in item:
        return _paragraphs_html(text("body_text", item["body_text"]))
    return None


def _paragraphs_html(value):
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs_of(value, after=1))


def _ninjs_standfirst(item, text, refuse):
    descriptions = [d for d in _objects(item, "descriptions", refuse) if d.get("value")]
    chosen = _pick(descriptions, role="summary")
    if chosen is None:
        return " ".join(text("description_text", item.get("description_text", "")).split())
    value = text("descriptions", chosen["value"])
    if chosen.get("contenttype") == "text/html":
        value = markup_free_text(value)
    return value.strip()


def _ninjs_source(item, text, refuse):
    """Who the copy comes from: the first info source, else the copyright holder; and the
    address of the original: the info source's, else the item's uri, if either is a web page."""
    sources = [s for s in _objects(item, "infosources", refuse) if s.get("name")]
    source = _pick(sources, role="originator") or next(iter(sources), {})
    name = source.get("name") or item.get("copyrightholder", "")
    name = one_line(text("infosources" if source else "copyrightholder", name))
    for field, value in (("infosources", source.get("uri")), ("uri", item.get("uri"))):
        if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
            return name, (field, text(field, value).strip())
    return name, ("uri", "")


def _ninjs_language(item, text, refuse):
    """The site's code for the item's `language` (a BCP 47 tag), or None when it gives none."""
    tag = text("language", item.get("language")).strip()
    if not tag:
        return None
    code = configured_language(tag)
    if code is None:
        refuse(
            "language",
            f"{_shown(tag)} is not one of this site's languages ({', '.join(languages.codes())})",
        )
    return code


def configured_language(tag: str) -> str | None:
    """The site's code (NEWSROOM_LANGUAGES) a BCP 47 tag falls under, else None.

    Matched without regard to case, dropping subtags from the end until one matches (RFC 4647
    lookup): "en-GB" is "en", "ckb-IQ" is "ckb", "EN" is "en".
    """
    configured = {code.lower(): code for code in languages.codes()}
    subtags = tag.strip().lower().split("-")
    while subtags:
        code = configured.get("-".join(subtags))
        if code is not None:
            return code
        subtags.pop()
    return None


def _ninjs_date(item, field, refuse):
    """An aware datetime from an ISO 8601 date-time; a bare day is noon in the newsroom's
    zone, as the text copy's days are."""
    value = item.get(field)
    if value is None:
        return None
    example = "as 2021-09-14T11:00:00Z"
    if not isinstance(value, str):
        refuse(field, f"expected an ISO 8601 date and time ({example}), found {_shown(value)}")
    value = value.strip()
    try:
        # A bare day first: fromisoformat() would read "2021-09-14" as a naive midnight.
        day = parse_date(value) if _DAY.fullmatch(value) else None
        moment = None if day else parse_datetime(value)
    except ValueError:  # well formed, but no such day or time ("2021-02-30")
        moment = day = None
    if day is not None:
        return at_noon(day)
    if moment is None:
        refuse(field, f"{_shown(value)} is not a date and time ({example})")
    if timezone.is_naive(moment):
        refuse(field, f"{_shown(value)} has no time zone offset ({example})")
    try:
        # Stored in UTC and shown in our zone: year 1 at +05:00 is year 0 in UTC.
        timezone.localtime(moment.astimezone(UTC))
    except OverflowError:
        refuse(field, f"{_shown(value)} is out of the range of dates we can store")
    return moment


def _shown(value):
    """The value as a message quotes it: a 10,000-item list or a megabyte of text is cut."""
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:80]}…"


def one_line(value: str) -> str:
    """A headline, byline or name on one line: runs of white space, line breaks included,
    made one space. A non-breaking space is the writer's and stays, as in squash()."""
    return _LINE_SPACE.sub(" ", value).strip()
