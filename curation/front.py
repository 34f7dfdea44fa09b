"""What the front page and section pages show first: the editors' pins, then the newest stories.

Every story comes from `Article.objects.live()`, so a pinned story readers may not see is
never shown: its slot shows the newest live story not already on the page. The river below
(articles/views.py) is every other live story, newest first, on every page of it, so no story
is skipped or repeated when the slots change.

The front page is the default language's (each other language has its own, /ckb/): what
fills its slots and section blocks unpinned is in that language. A pin is an editor's
choice and shows whatever its language. A section page lists every language.
"""

from dataclasses import dataclass, field, replace

from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles import languages
from articles.models import Article, Section

from .models import Pin, slots_on

# The newest stories of each section shown under the river on the front page.
SECTION_BLOCK_SIZE = 4
# How many of the newest live stories the slots without a pin and the section blocks are
# chosen from: one read of the newest-first index (article_reader_date_idx) instead of a query
# per section, each sorting that section's whole archive. A section with no story among them
# has no block: nothing it published is recent enough for the front page. Not below ten, or
# SQLite, without statistics, sorts every live story rather than read that index.
RECENT = 200


@dataclass(frozen=True)
class Arrangement:
    """The stories in a page's slots, in slot order; on the front page the first is the lead."""

    page: Section | None  # None: the front page
    shown: list[int]  # their ids, which the river leaves out
    recent: list[tuple[int, int]] = field(default_factory=list, repr=False)
    stories: list[Article] = field(default_factory=list)  # loaded for listing when asked
    section_blocks: list[tuple[Section, list[Article]]] = field(default_factory=list)

    @property
    def lead(self):
        return self.stories[0] if self.stories else None


def arrange_front_page():
    """The front page's slots, as story ids. Queries: 2 (the pins, the newest stories' ids)."""
    return _arrange(None)


def arrange_section(section):
    """A section page's slots, as story ids. Queries: as for the front page."""
    return _arrange(section)


def pinned_slots(page):
    """For each slot of `page` (None: the front page), the id of the story pinned there that
    readers may see now, or None where the slot falls back to the newest stories. One query.
    """
    now = timezone.now()
    visible = _live_on(page).filter(pk=OuterRef("article_id"))
    pins = (
        Pin.objects.on(page)
        .annotate(live=Exists(visible))
        .values_list("article_id", "pinned_until", "live")[: slots_on(page)]
    )
    slots = [
        article_id if live and (until is None or until > now) else None
        for article_id, until, live in pins
    ]
    return slots + [None] * (slots_on(page) - len(slots))


def _arrange(page):
    slots = pinned_slots(page)
    pinned = [article_id for article_id in slots if article_id]
    recent = list(
        _unpinned_fill(page)
        .exclude(pk__in=pinned)
        .newest_first()
        .values_list("pk", "section_id")[:RECENT]
    )
    shown = _fill(slots, {pk: pk for pk in pinned}, (pk for pk, _ in recent))
    return Arrangement(page=page, shown=shown, recent=recent)


def load_stories(arrangement):
    """The arrangement with its stories, and on the front page its section blocks, loaded.

    The blocks leave out the slots' stories but not the river's: "Latest" is the running
    list, as a newspaper's is, and a section's block its own front, so a recent story may be
    in both (on a small site every story is in the river). Queries: 3 (the stories, with
    their tags and authors).
    """
    page, shown = arrangement.page, arrangement.shown
    blocks = {}
    if page is None:
        blocks = _section_blocks(arrangement.recent, set(shown))
    wanted = shown + [pk for ids in blocks.values() for pk in ids]
    found = {story.pk: story for story in _live_on(page).filter(pk__in=wanted).for_listing()}
    # A story gone from live() between the queries is left out, never shown.
    stories = [found[pk] for pk in shown if pk in found]
    section_blocks = [
        (block[0].section, block)
        for block in ([found[pk] for pk in ids if pk in found] for ids in blocks.values())
        if block
    ]
    section_blocks.sort(key=lambda item: item[0].name)  # the menu's order
    return replace(arrangement, stories=stories, section_blocks=section_blocks)


def _fill(slots, pinned, newest):
    """Each slot's pinned story, else the next of `newest`; slots left empty close up, so a
    page with a single live story has it as its lead."""
    filled = [pinned.get(article_id) if article_id else next(newest, None) for article_id in slots]
    return [story for story in filled if story is not None]


def _section_blocks(recent, shown):
    """{section id: ids of its newest stories not in `shown`}, from the recent stories."""
    blocks = {}
    for pk, section_id in recent:
        block = blocks.setdefault(section_id, [])
        if pk not in shown and len(block) < SECTION_BLOCK_SIZE:
            block.append(pk)
    return blocks


def _unpinned_fill(page):
    """What a slot without a pin, or a section block, may show: on the front page, stories
    in the default language only, or a Sorani story could lead the English front unpinned."""
    if page is None:
        return _live_on(page).filter(language=languages.default_language())
    return _live_on(page)


def _live_on(page):
    live = Article.objects.live()
    return live if page is None else live.filter(section=page)
