"""The front page and section pages editors arrange: pins, their slots, and what readers see."""

import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import public_changes
from articles.models import Article, Section
from curation.models import Pin
from tests.test_page_cache import assert_cached

CHANGELIST = reverse("admin:curation_pin_changelist")
ADD = reverse("admin:curation_pin_add")
UPDATE_ORDER = reverse("admin:curation_pin_sortable_update")


def pin(article, page=None, **fields):
    """Pin `article` to the next free slot of `page` (None: the front page)."""
    position = Pin.objects.on(page).count() + 1
    return Pin.objects.create(article=article, page=page, position=position, **fields)


def headlines(stories):
    return [story.headline for story in stories]


def front(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def today(make_article):
    """Six live stories, newest first: "Today 1" is the newest."""
    now = timezone.now()
    return [
        make_article(
            headline=f"Today {n}",
            display_date=now - timedelta(minutes=n),
            published_at=now - timedelta(minutes=n),
        )
        for n in range(1, 7)
    ]


@pytest.fixture
def yesterday(make_article):
    """Yesterday's big story: older than every story of `today`."""
    return make_article(
        headline="Yesterday's big story",
        display_date=timezone.now() - timedelta(days=1),
        published_at=timezone.now() - timedelta(days=1),
    )


# What readers see


def test_a_pinned_older_story_leads_the_front_page_above_newer_ones(client, today, yesterday):
    pin(yesterday)
    response = front(client)
    assert response.context["lead"] == yesterday
    assert headlines(response.context["top_stories"]) == [
        "Today 1",
        "Today 2",
        "Today 3",
        "Today 4",
    ]
    html = response.content.decode()
    assert html.index("Yesterday&#x27;s big story") < html.index("Today 1")


def test_without_pins_the_newest_story_leads(client, today):
    response = front(client)
    assert response.context["lead"] == today[0]
    assert response.context["top_stories"] == today[1:5]
    assert list(response.context["articles"]) == today[5:]


def test_pinned_top_stories_keep_their_slots_and_the_rest_are_the_newest(
    client, today, yesterday, make_article
):
    older = make_article(headline="Older analysis")
    pin(yesterday)  # the lead
    pin(today[4])  # top story 1
    pin(older)  # top story 2
    response = front(client)
    assert response.context["lead"] == yesterday
    assert headlines(response.context["top_stories"]) == [
        "Today 5",
        "Older analysis",
        "Today 1",
        "Today 2",
    ]
    # The river is everything else, newest first: nothing twice, nothing left out.
    assert headlines(response.context["articles"]) == ["Today 3", "Today 4", "Today 6"]


def test_a_page_of_one_live_story_leads_with_it_whatever_slot_it_is_pinned_to(client, make_article):
    hidden = make_article(status=Article.Status.DRAFT)
    story = make_article(headline="The only story")
    pin(hidden)
    pin(story)
    response = front(client)
    assert response.context["lead"] == story
    assert response.context["top_stories"] == []
    assert list(response.context["articles"]) == []


def test_an_empty_site_has_no_lead_and_says_so(client, db):
    response = front(client)
    assert response.context["lead"] is None
    assert response.context["top_stories"] == []
    assert "No stories have been published yet." in response.content.decode()


LEAVE_LIVE = {
    "withdrawn": {"status": Article.Status.WITHDRAWN},
    "unpublished": {"status": Article.Status.DRAFT},
    "expired": {"expires_at": timezone.now() - timedelta(minutes=1)},
    "rescheduled": {"published_at": timezone.now() + timedelta(days=1)},
}


@pytest.mark.parametrize("change", LEAVE_LIVE)
@pytest.mark.usefixtures("public_cache")
def test_a_pinned_story_that_stops_being_live_leaves_its_slot_to_the_newest_at_once(
    client, today, yesterday, change
):
    pin(yesterday)
    pin(today[3])  # top story 1 stays where it is
    assert front(client).context["lead"] == yesterday
    assert "Yesterday&#x27;s big story" in assert_cached(client, "/").content.decode()

    for name, value in LEAVE_LIVE[change].items():
        setattr(yesterday, name, value)
    yesterday.save()

    response = front(client)
    assert response["X-Cache"] == "miss"
    assert response.context["lead"] == today[0]
    assert headlines(response.context["top_stories"]) == [
        "Today 4",
        "Today 2",
        "Today 3",
        "Today 5",
    ]
    assert "Yesterday" not in response.content.decode()
    assert Pin.objects.filter(article=yesterday).exists()  # back in its slot if live again


def test_a_story_live_again_takes_back_its_slot(client, today, yesterday):
    pin(yesterday)
    yesterday.status = Article.Status.WITHDRAWN
    yesterday.save()
    assert front(client).context["lead"] == today[0]
    yesterday.status = Article.Status.PUBLISHED
    yesterday.save()
    assert front(client).context["lead"] == yesterday


@pytest.mark.usefixtures("public_cache")
def test_a_pin_ends_at_its_time_and_the_cached_front_page_shows_it(client, today, yesterday, clock):
    until = timezone.now() + timedelta(minutes=2)  # within the cache's 5 minutes
    pin(yesterday, pinned_until=until)
    assert front(client).context["lead"] == yesterday
    assert_cached(client, "/")
    clock(until - timedelta(seconds=1))
    assert client.get("/")["X-Cache"] == "hit"

    clock(until + timedelta(seconds=1))
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert response.context["lead"] == today[0]
    assert list(response.context["articles"])[-1] == yesterday  # back in the river, by date


def test_the_river_pages_on_without_gaps_or_repeats_and_later_pages_show_only_the_river(
    client, make_article
):
    stories = [make_article() for _ in range(30)]
    oldest = stories[-1]
    pin(oldest)
    first = front(client)
    second = front(client, "/?page=2")
    assert first.context["lead"] == oldest
    for name in ("lead", "top_stories", "section_blocks"):
        assert name not in second.context
    shown = [
        first.context["lead"],
        *first.context["top_stories"],
        *first.context["articles"],
        *second.context["articles"],
    ]
    assert sorted(s.pk for s in shown) == sorted(s.pk for s in stories)
    assert list(second.context["articles"]) == stories[24:29]  # the oldest leads instead
    assert "Story number" in second.content.decode()
    assert oldest.headline not in second.content.decode()


def test_section_blocks_show_the_newest_of_each_section_not_shown_above(
    client, today, make_article
):
    sport = Section.objects.create(name="Sport", slug="sport")
    business = Section.objects.create(name="Business", slug="business")
    cup = [make_article(section=sport, headline=f"Cup {n}") for n in range(6)]
    make_article(section=business, headline="Rates", status=Article.Status.DRAFT)
    pin(cup[5])
    response = front(client)
    blocks = response.context["section_blocks"]
    # Sections in the menu's order; one with no live story has no block.
    assert [section.name for section, _ in blocks] == ["Sport", "World"]
    (_, sport_block), (_, world_block) = blocks
    assert headlines(sport_block) == ["Cup 0", "Cup 1", "Cup 2", "Cup 3"]
    assert headlines(world_block) == ["Today 5", "Today 6"]  # Today 1-4 are the top stories
    html = response.content.decode()
    assert '<a href="/sections/sport/">' in html


def test_the_front_page_fills_unpinned_slots_and_blocks_in_the_default_language_only(
    client, today, make_article
):
    # Newer than every English story: unpinned, it would lead the English front.
    sorani = make_article(
        headline="پوتین لە مۆسکۆ",
        slug="ckb-newest",
        language="ckb",
        display_date=timezone.now(),
        published_at=timezone.now() - timedelta(seconds=30),
    )
    # Alone in a section of its own: unpinned, it would have a block of its own.
    kurdistan = Section.objects.create(name="Kurdistan", slug="kurdistan")
    make_article(headline="هەولێر", slug="ckb-block", language="ckb", section=kurdistan)
    response = front(client)
    assert response.context["lead"] == today[0]
    assert response.context["top_stories"] == today[1:5]
    blocks = response.context["section_blocks"]
    assert [(section.name, headlines(block)) for section, block in blocks] == [
        ("World", ["Today 6"])
    ]
    assert sorani.headline not in response.content.decode()
    # Its own language's front shows it, newest first.
    assert client.get("/ckb/").context["articles"][0] == sorani


def test_a_story_in_another_language_pinned_to_the_front_leads_it(client, today, make_article):
    sorani = make_article(
        headline="پوتین لە مۆسکۆ", slug="ckb-pinned", language="ckb", published_at=timezone.now()
    )
    pin(sorani)
    response = front(client)
    assert response.context["lead"] == sorani
    assert response.context["top_stories"] == today[:4]
    assert 'lang="ckb"' in response.content.decode()


def test_a_section_page_fills_its_slots_from_every_language(client, today, make_article):
    sorani = make_article(
        headline="پوتین لە مۆسکۆ",
        slug="ckb-section",
        language="ckb",
        section=today[0].section,
        display_date=timezone.now(),
    )
    page = client.get(f"/sections/{sorani.section.slug}/")
    assert page.context["top_stories"] == [sorani, *today[:3]]


# Section pages


def test_a_section_page_has_its_own_pinned_top_stories(client, today, yesterday, make_article):
    sport = Section.objects.create(name="Sport", slug="sport")
    for n in range(5):
        make_article(section=sport, headline=f"Sport {n}")
    final = make_article(section=sport, headline="Cup final report")  # the oldest
    pin(final, page=sport)
    pin(yesterday, page=yesterday.section)

    page = client.get("/sections/sport/")
    assert headlines(page.context["top_stories"]) == [
        "Cup final report",
        "Sport 0",
        "Sport 1",
        "Sport 2",
    ]
    assert headlines(page.context["articles"]) == ["Sport 3", "Sport 4"]
    world = client.get(f"/sections/{yesterday.section.slug}/")
    assert world.context["top_stories"][0] == yesterday
    # Neither pin touches the front page.
    assert front(client).context["lead"] == today[0]
    assert front(client).context["top_stories"] == today[1:5]


def test_a_hidden_story_pinned_on_a_section_page_leaves_its_slot(client, today, make_article):
    hidden = make_article(headline="Embargoed result", status=Article.Status.REVIEW)
    pin(hidden, page=hidden.section)
    page = client.get(f"/sections/{hidden.section.slug}/")
    assert page.context["top_stories"] == today[:4]
    assert "Embargoed" not in page.content.decode()


# Editors arrange, reporters do not


def test_an_editor_pins_a_story_through_the_admin_to_the_next_slot(eddie, editor, today, yesterday):
    pin(today[2])
    response = eddie.post(ADD, {"article": yesterday.pk, "page": "", "pinned_until_0": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Pin.objects.get(article=yesterday)
    assert added.page is None and added.pinned_by == editor
    change = eddie.get(reverse("admin:curation_pin_change", args=[added.pk]))
    shown = re.search(
        r'field-pinned_by.*?class="readonly">(.*?)</div>', change.content.decode(), re.S
    )
    assert ">eddie<" in shown.group(1)  # who pinned it
    assert list(Pin.objects.on(None)) == [Pin.objects.get(article=today[2]), added]


def test_editors_are_told_why_a_pin_is_refused(eddie, today, yesterday, make_article):
    sport = Section.objects.create(name="Sport", slug="sport")
    for story in today[:5]:
        pin(story)

    def errors(**data):
        response = eddie.post(ADD, {"pinned_until_0": "", "pinned_until_1": "", **data})
        assert response.status_code == 200
        return " ".join(str(e) for e in response.context["adminform"].form.errors.values())

    assert "has 5 slots and each already has a pinned story" in errors(article=yesterday.pk)
    assert "already pinned on the front page" in errors(article=today[0].pk)
    assert "only stories of Sport can be pinned" in errors(article=yesterday.pk, page=sport.pk)
    past = timezone.localtime() - timedelta(hours=1)
    message = errors(
        article=yesterday.pk,
        page=yesterday.section.pk,
        pinned_until_0=past.strftime("%d/%m/%Y"),
        pinned_until_1=past.strftime("%H:%M"),
    )
    assert "has passed: give a time ahead" in message
    assert Pin.objects.count() == 5


def test_reporters_cannot_see_or_change_pins(rita, client, today):
    existing = pin(today[3])
    assert rita.get(CHANGELIST).status_code == 403
    assert rita.get(ADD).status_code == 403
    assert rita.post(ADD, {"article": today[0].pk}).status_code == 403
    moved = rita.post(
        f"{UPDATE_ORDER}?page=front",
        json.dumps({"updatedItems": [[existing.pk, 9]]}),
        content_type="application/json",
    )
    assert moved.status_code == 403
    assert "Pinned stories" not in rita.get(reverse("admin:index")).content.decode()
    assert Pin.objects.get().position == 1
    assert front(client).context["lead"] == today[3]


def test_only_editors_get_the_pins(db):
    from django.contrib.auth.models import Group

    def perms(name):
        group = Group.objects.get(name=name)
        return set(
            group.permissions.filter(content_type__app_label="curation").values_list(
                "codename", flat=True
            )
        )

    assert perms("Editor") == {"add_pin", "change_pin", "delete_pin", "view_pin"}
    assert perms("Reporter") == set()


def test_adding_from_a_section_pages_list_pins_to_that_section(eddie, db):
    sport = Section.objects.create(name="Sport", slug="sport")
    form = eddie.get(f"{ADD}?_changelist_filters=page%3Dsport").context["adminform"].form
    assert form["page"].value() == sport.pk
    assert eddie.get(ADD).context["adminform"].form["page"].value() is None  # the front page


def test_the_pins_list_shows_one_page_and_says_what_readers_see(eddie, today, make_article):
    sport = Section.objects.create(name="Sport", slug="sport")
    pin(today[0])
    pin(make_article(headline="Pulled", status=Article.Status.WITHDRAWN))
    pin(make_article(section=sport, headline="Derby"), page=sport)
    pin(today[1], page=today[1].section)
    today[1].section = sport  # moved after it was pinned on its old section's page
    today[1].save()
    page = eddie.get(CHANGELIST)
    html = page.content.decode()
    assert "Today 1" in html and "Pulled" in html and "Derby" not in html
    assert "No: the story is withdrawn, the slot shows the newest story" in html
    assert "Derby" in eddie.get(f"{CHANGELIST}?page=sport").content.decode()
    world = eddie.get(f"{CHANGELIST}?page=world").content.decode()
    assert "No: the story has moved to another section" in world
    # The drag goes to the update address of the page on show.
    config = re.search(r'"update_url": "([^"]+)"', html).group(1)
    assert config == f"{UPDATE_ORDER}?page=front"


# Reordering by drag and drop (the request django-admin-sortable2's script sends)


def drag(client, page, order):
    """Post the new order of a page's rows, as the admin's script does after a drag."""
    items = [[pin.pk, n] for n, pin in enumerate(order, start=1)]
    return client.post(
        f"{UPDATE_ORDER}?page={page}",
        json.dumps({"updatedItems": items}),
        content_type="application/json",
    )


@pytest.mark.usefixtures("public_cache")
def test_dragging_reorders_the_slots_and_readers_see_it_at_once(client, eddie, today, yesterday):
    lead, first, second = pin(yesterday), pin(today[4]), pin(today[5])
    assert front(client).context["lead"] == yesterday
    assert_cached(client, "/")

    assert drag(eddie, "front", [second, lead, first]).status_code == 200

    response = front(client)
    assert response["X-Cache"] == "miss"
    assert response.context["lead"] == today[5]
    assert response.context["top_stories"][:2] == [yesterday, today[4]]


def test_a_drag_cannot_move_another_pages_pins(eddie, today, make_article):
    sport = Section.objects.create(name="Sport", slug="sport")
    front_pin = pin(today[0])
    sport_pin = pin(make_article(section=sport), page=sport)
    assert drag(eddie, "front", [sport_pin, front_pin]).status_code == 400
    assert drag(eddie, "sport", [front_pin]).status_code == 400
    assert (Pin.objects.get(pk=front_pin.pk).position, sport_pin.position) == (1, 1)


@pytest.mark.usefixtures("public_cache")
def test_reordering_pins_of_hidden_stories_only_tells_readers_nothing(eddie, make_article):
    first = pin(make_article(status=Article.Status.DRAFT))
    second = pin(make_article(status=Article.Status.REVIEW))
    before = public_changes.public_stamp()
    assert drag(eddie, "front", [second, first]).status_code == 200
    assert public_changes.public_stamp() == before
    assert list(Pin.objects.on(None)) == [second, first]


def test_the_pins_list_loads_its_script_from_our_static_files_and_nothing_inline(eddie, today):
    pin(today[0])
    response = eddie.get(CHANGELIST)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs in scripts]
    assert any(s and "/static/adminsortable2/js/adminsortable2" in s.group(1) for s in sources)
    for attrs, source in zip(scripts, sources, strict=True):
        # The one script element without a source is data (its config), which CSP lets be.
        assert source or 'type="application/json"' in attrs, attrs
        assert source is None or source.group(1).startswith("/"), source.group(1)  # our own
    assert "/static/curation/pins.css" in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# The page cache and the clock


@pytest.mark.usefixtures("public_cache")
def test_pinning_unpinning_and_changing_a_pin_of_a_live_story_move_the_stamp(today, make_article):
    stamp = public_changes.public_stamp
    before = stamp()
    pinned = pin(today[3])
    assert stamp() > before
    draft = make_article(status=Article.Status.DRAFT)
    before = stamp()
    pinned.article = draft  # the live story leaves the page: that is a change readers see
    pinned.save()
    assert stamp() > before
    before = stamp()
    pinned.delete()  # a draft's pin: nothing readers saw
    assert stamp() == before
    before = stamp()
    pin(today[3]).delete()
    assert stamp() > before


@pytest.mark.usefixtures("public_cache")
def test_pinning_a_draft_moves_nothing_readers_can_see(make_article):
    draft = make_article(status=Article.Status.DRAFT)
    before = public_changes.public_stamp()
    pin(draft, pinned_until=timezone.now() + timedelta(hours=1))
    assert public_changes.public_stamp() == before
    assert Article.objects.next_clock_change() is None


def test_a_pins_end_is_a_clock_change(today, clock):
    now = timezone.now()
    pin(today[0], pinned_until=now + timedelta(hours=1))
    pin(today[1], pinned_until=now + timedelta(hours=3))
    assert Article.objects.next_clock_change() == now + timedelta(hours=1)
    clock(now + timedelta(hours=2))
    assert Article.objects.last_clock_change() == now + timedelta(hours=1)
    assert Article.objects.next_clock_change() == now + timedelta(hours=3)


@pytest.mark.usefixtures("public_cache")
def test_pinning_until_sooner_than_the_next_known_change_brings_the_clock_forward(
    client, today, yesterday, clock
):
    later = timezone.now() + timedelta(days=1)
    today[5].expires_at = later
    today[5].save()
    assert_cached(client, "/")  # learns the next change: the expiry tomorrow
    soon = timezone.now() + timedelta(minutes=10)
    pin(yesterday, pinned_until=soon)
    assert front(client).context["lead"] == yesterday
    assert_cached(client, "/")
    clock(soon + timedelta(seconds=1))
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert response.context["lead"] == today[0]


# Fixtures


def front_page_fixture(tmp_path, rows):
    path = tmp_path / "front.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return str(path)


def test_a_fixture_lays_out_the_front_page_by_natural_keys(client, tmp_path, today, yesterday):
    sport = Section.objects.create(name="Sport", slug="sport")
    rows = [
        {
            "model": "curation.pin",
            "fields": {"article": [yesterday.slug], "page": None, "position": 1},
        },
        {
            "model": "curation.pin",
            "fields": {"article": [today[5].slug], "page": None, "position": 2},
        },
        {
            "model": "curation.pin",
            "fields": {"article": [today[4].slug], "page": ["world"], "position": 1},
        },
    ]
    assert yesterday.section.slug == "world"
    call_command("loaddata", front_page_fixture(tmp_path, rows), verbosity=0)
    response = front(client)
    assert response.context["lead"] == yesterday
    assert response.context["top_stories"][0] == today[5]
    assert client.get("/sections/world/").context["top_stories"][0] == today[4]
    assert not Pin.objects.on(sport).exists()


def test_a_fixture_naming_a_missing_story_is_refused_by_name(tmp_path, db):
    rows = [{"model": "curation.pin", "fields": {"article": ["no-such-story"], "page": None}}]
    with pytest.raises(
        Exception, match=r"no articles.article with natural key \['no-such-story'\]"
    ):
        call_command("loaddata", front_page_fixture(tmp_path, rows), verbosity=0)
    assert not Pin.objects.exists()


def test_the_order_of_pins_survives_a_dump_and_load_round_trip(client, tmp_path, today, yesterday):
    pin(today[5])
    pin(yesterday, pinned_until=(timezone.now() + timedelta(days=2)).replace(microsecond=0))
    pin(today[4])
    pin(today[0], page=today[0].section)
    pin(today[3], page=today[3].section)
    Pin.objects.filter(article=today[5]).update(position=3)  # dragged: the order is not the ids'
    Pin.objects.filter(article=today[4]).update(position=1)

    def layout():
        return [(p.page and p.page.slug, p.article.slug, p.pinned_until) for p in Pin.objects.all()]

    before, front_before = layout(), headlines([front(client).context["lead"]])
    path = tmp_path / "dump.json"
    call_command(
        "dumpdata",
        "articles.section",
        "articles.article",
        "curation",
        natural_foreign=True,
        natural_primary=True,
        output=str(path),
        verbosity=0,
    )
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert {"article": [today[0].slug], "page": ["world"]}.items() <= next(
        r["fields"] for r in rows if r["model"] == "curation.pin" and r["fields"]["page"]
    ).items()
    Pin.objects.all().delete()
    Article.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)

    assert layout() == before
    assert headlines([front(client).context["lead"]]) == front_before == ["Today 5"]


# Query counts


def _newsroom_of(n, make_article):
    sport = Section.objects.get_or_create(name="Sport", slug="sport")[0]
    for i in range(n):
        section = sport if i % 2 else None
        make_article(tags=[f"tag{i}", "shared"], **({"section": section} if section else {}))


@pytest.mark.parametrize(
    "url, plain, arranged",
    [
        # The list's own query (the page, its stories' tags and authors packed in their rows:
        # articles/packed.py; no count of the river), then: the pins, the newest stories'
        # ids, the stories shown. The menu and Last-Modified are made once per change.
        ("/", 1, 3),
        # the pins, the newest stories' ids
        ("/?page=2", 1, 2),
        # (and the section's own lookup) as the front page
        ("/sections/world/", 2, 3),
        ("/sections/world/?page=2", 2, 2),
    ],
)
def test_arranged_pages_run_a_fixed_number_of_queries(
    client, make_article, count_queries, django_assert_num_queries, url, plain, arranged
):
    _newsroom_of(50, make_article)  # two pages of the river on the front and section pages
    world = Section.objects.get(slug="world")
    pin(Article.objects.filter(section=world).last())
    pin(Article.objects.filter(section=world).first(), page=world)
    pin(Article.objects.create(headline="Draft", slug="d", body="<p>D</p>", section=world))
    client.get(url)
    few = count_queries(lambda: client.get(url))
    _newsroom_of(70, make_article)
    client.get(url)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200
    assert few == plain + arranged


# Found in review


@pytest.mark.parametrize("written", ["?page=%201", "?page=01"])
def test_page_one_however_written_shows_the_lead_and_top_stories(client, today, yesterday, written):
    pin(yesterday)
    response = front(client, "/" + written)
    assert response.context["lead"] == yesterday
    assert len(response.context["top_stories"]) == 4


@pytest.mark.usefixtures("public_cache")
def test_a_pin_saved_on_a_draft_ends_on_time_once_the_story_is_published(
    client, today, make_article, clock
):
    story = make_article(headline="Breaking", status=Article.Status.DRAFT)
    until = timezone.now() + timedelta(minutes=2)
    pin(story, pinned_until=until)  # pinned ahead, while still a draft
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() - timedelta(seconds=1)
    story.save()
    assert front(client).context["lead"] == story
    assert_cached(client, "/")
    clock(until + timedelta(seconds=1))
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert response.context["lead"] == today[0]


def test_a_pin_moved_to_another_page_takes_its_last_slot(eddie, today, make_article):
    sport = Section.objects.create(name="Sport", slug="sport")
    ours = [make_article(section=sport, headline=f"Cup {n}") for n in range(3)]
    for story in ours[:2]:
        pin(story, page=sport)
    pin(today[0])
    moved = pin(ours[2])  # position 2 on the front page
    url = reverse("admin:curation_pin_change", args=[moved.pk])
    response = eddie.post(url, {"article": ours[2].pk, "page": sport.pk, "pinned_until_0": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [p.article for p in Pin.objects.on(sport)] == ours
    assert [p.position for p in Pin.objects.on(sport)] == [1, 2, 3]
