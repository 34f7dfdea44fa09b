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
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from articles.sanitize import uncarriable

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
