"""The reader's site as an editor judges it: at a desk and on a phone, by keyboard, on paper.

axe-core (tests/browser/axe/package.json, pinned by its lock) is installed from the npm
registry by `make test-browser`, or by the `axe_source` fixture when it is missing. It runs
inside the page through Playwright's evaluate(), which the page's Content-Security-Policy does
not govern: the pages are checked under their real policy, not a loosened one.
"""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw
from playwright.sync_api import expect

from articles.models import Article, Author, Section
from photos.checks import check_upload
from photos.models import Image
from tests.browser.conftest import RESULTS

AXE_PACKAGE = Path(__file__).parent / "axe"
AXE_DIR = Path(os.environ.get("AXE_DIR", settings.BASE_DIR / ".venv" / "axe"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
DEMO_PICTURE = (
    settings.BASE_DIR / "fixtures" / "media" / "photos" / "demo" / "river-festival-at-dusk.jpg"
)


def install_axe():
    """axe-core as the lock file pins it, under .venv (as `make test-browser` does)."""
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(AXE_PACKAGE / name, AXE_DIR / name)
    npm = ["npm", "ci", "--prefix", str(AXE_DIR), "--ignore-scripts", "--no-audit", "--no-fund"]
    try:
        subprocess.run(npm, check=True, capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        pytest.fail("axe-core needs npm (Node.js 20): install it, or run `make test-browser`")
    except subprocess.CalledProcessError as error:
        pytest.fail(f"`{' '.join(npm)}` failed, so axe-core is missing:\n{error.stderr}")


@pytest.fixture(scope="session")
def axe_source():
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        install_axe()
    return script.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """`axe(page)`: the WCAG 2.2 AA violations on the page, each with the elements at fault."""

    def run(page):
        page.evaluate(axe_source)
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {
                    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                });
                return result.violations.map((v) => ({
                    rule: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
                }));
            }""",
            AXE_TAGS,
        )
        return violations

    return run


def drawn_photo(sky, ground, sun=(0.7, 0.3)):
    """A 1600 x 1000 landscape: a sky fading to the horizon, a sun, the ground."""
    width, height = 1600, 1000
    photo = PILImage.new("RGB", (width, height))
    draw = ImageDraw.Draw(photo)
    horizon = int(height * 0.62)
    for y in range(horizon):
        t = y / horizon
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(sky, (250, 226, 190), strict=True)),
        )
    x, y = sun[0] * width, sun[1] * height
    draw.ellipse([x - 70, y - 70, x + 70, y + 70], fill=(255, 236, 170))
    draw.rectangle([0, horizon, width, height], fill=ground)
    for i in range(9):
        left = i * width // 9
        top = horizon - 60 - (i * 37) % 140
        draw.rectangle([left + 20, top, left + width // 9 - 20, horizon], fill=(60, 58, 70))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85)
    return out.getvalue()


def library_picture(name, data, alt, credit):
    checked = check_upload(SimpleUploadedFile(name, data, "image/jpeg"))
    return Image.objects.create(
        file=checked.content,
        width=checked.width,
        height=checked.height,
        alt_text=alt,
        credit=credit,
    )


# Headline, section, standfirst, picture (a key of `pictures` or None), extra fields.
STORIES = [
    (
        "Council approves flood defences for the old harbour after a decade of delays",
        "Local",
        "The £40m wall and sluice gates will protect 1,200 homes; work starts in the spring.",
        "harbour",
        {"byline": "Harbour desk", "authors": ["Amina Hassan"], "tags": ["Harbour", "Council"]},
    ),
    (
        "Rail strike called off as unions accept a revised pay offer",
        "Business",
        "Trains will run as normal from Monday after a vote of 71 per cent in favour.",
        "station",
        {"tags": ["Strikes"]},
    ),
    (
        "Hospital waiting lists fall for the third month running",
        "News",
        "",
        None,
        {"authors": ["Amina Hassan"]},
    ),
    (
        "Election observers report a calm first day of voting",
        "World",
        "Turnout was higher than expected in the capital, observers from three countries said.",
        "hills",
        {"source_name": "Wire Agency", "byline": "Wire Agency", "tags": ["Elections"]},
    ),
    (
        "City museum reopens its Roman gallery with finds from the bypass dig",
        "Culture",
        "Coins, a mosaic floor and a child's sandal go on show for the first time.",
        "dusk",
        {},
    ),
    ("Late goal sends United into the cup semi-final", "Sport", "", None, {}),
    (
        "Bakery chain to open twelve new shops across the region",
        "Business",
        "",
        None,
        {"authors": ["Tom Price"]},
    ),
    (
        "Ceasefire talks resume in Geneva with both sides at the table",
        "World",
        "Negotiators met for four hours on Tuesday, the first direct talks since March.",
        "dusk",
        {"source_name": "Wire Agency", "byline": "Wire Agency", "tags": ["Syria", "Russia"]},
    ),
    (
        "Library extends its opening hours over the summer holidays",
        "Local",
        "Branches will open until 8pm on weekdays from July.",
        "station",
        {"tags": ["Council"]},
    ),
    ("Swimmer, 14, breaks the county record twice in one afternoon", "Sport", "", "hills", {}),
    ("Festival line-up announced with three local bands", "Culture", "", None, {}),
    ("Interest rates held at 4.5 per cent", "Business", "", None, {"tags": ["Russia"]}),
    ("Kremlin confirms a second meeting next month", "World", "", None, {"tags": ["Syria"]}),
]


@pytest.fixture
def newspaper(transactional_db, settings, tmp_path):
    """A front page's worth of stories in five sections, some with pictures, and the seed."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("loaddata", "seed_story", verbosity=0)
    pictures = {
        "harbour": library_picture(
            "river.jpg",
            DEMO_PICTURE.read_bytes(),
            "Boats and lanterns on the river below the old bridge at dusk",
            "Illustration: Newsroom demo (CC0)",
        ),
        "station": library_picture(
            "station.jpg",
            drawn_photo((90, 140, 200), (70, 90, 60)),
            "A row of low buildings under a clear morning sky",
            "Jane Doe / Staff",
        ),
        "hills": library_picture(
            "hills.jpg",
            drawn_photo((40, 60, 120), (110, 120, 80), sun=(0.2, 0.2)),
            "Rooftops and green fields under a deep blue sky",
            "Wire Photos",
        ),
        "dusk": library_picture(
            "dusk.jpg",
            drawn_photo((120, 60, 110), (50, 40, 60), sun=(0.5, 0.55)),
            "The sun setting behind the museum's roofline",
            "Museum press office",
        ),
    }
    now = timezone.now()
    stories = []
    for n, (headline, section_name, standfirst, picture, extra) in enumerate(STORIES):
        section, _ = Section.objects.get_or_create(name=section_name, slug=section_name.lower())
        extra = dict(extra)
        authors = [
            Author.objects.get_or_create(name=name, slug=slugify(name))[0]
            for name in extra.pop("authors", [])
        ]
        tags = extra.pop("tags", [])
        when = now - timedelta(minutes=5 + 97 * n)
        article = Article.objects.create(
            headline=headline,
            slug=slugify(headline)[:60],
            standfirst=standfirst,
            body=f"<p>{standfirst or headline}</p><p>More to follow.</p>",
            section=section,
            lead_image=pictures[picture] if picture else None,
            status=Article.Status.PUBLISHED,
            original_published_at=when,
            published_at=when,
            **extra,
        )
        article.authors.add(*authors)
        article.tags.add(*tags)
        stories.append(article)
    # The lead was corrected since: its page says "Updated".
    Article.objects.filter(pk=stories[0].pk).update(public_update_at=now - timedelta(minutes=2))
    return stories


def seed_story():
    return Article.objects.get(source_name="Gulan Media")


def pages(newspaper):
    """The pages an editor judges, by name."""
    return {
        "front": "/",
        "story": seed_story().get_absolute_url(),
        "story-picture": newspaper[0].get_absolute_url(),
        "section": "/sections/business/",
        "search": "/search/?q=council",
        "404": "/no-such-page/",
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_front_story_section_search_and_404_pages_pass_axe_at_desk_and_phone_size(
    new_page, screenshot, axe, newspaper, viewport
):
    page = new_page()
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for name, url in pages(newspaper).items():
        response = page.goto(url)
        assert response.status == (404 if name == "404" else 200), url
        # Every picture loaded, none broken: a lazy one is fetched once scrolled to.
        page.evaluate("document.querySelectorAll('img').forEach((i) => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(
            "[...document.images].filter((i) => !i.complete || !i.naturalWidth).map((i) => i.src)"
        )
        assert broken == [], f"{name}: pictures that did not load: {broken}"
        screenshot(page, f"look-{name}-{viewport}")
        violations = axe(page)
        if violations:
            found[name] = violations
    assert found == {}, json.dumps(found, indent=2)
    # Nothing blocked by the Content-Security-Policy, nothing failing but the 404 itself.
    assert [e for e in page.console_errors if "status of 404" not in e] == []


def test_axe_reports_what_it_is_meant_to_catch(new_page, axe, newspaper):
    """The checker itself: so that a clean run above means the pages are clean."""
    page = new_page()
    page.goto("/")
    page.evaluate(
        """() => {
            document.querySelector(".standfirst").style.color = "#bbb";
            const search = document.querySelector("#search-q");
            search.labels[0].remove();
            search.removeAttribute("placeholder");
        }"""
    )
    assert {v["rule"] for v in axe(page)} == {"color-contrast", "label"}


def test_no_page_scrolls_sideways_on_a_phone(new_page, newspaper):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", seed_story().get_absolute_url(), "/sections/business/", "/search/?q=rail"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than the phone"


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, text: el.textContent.trim(), classes: el.className,
                href: el.getAttribute("href"),
                outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0,
            };
        }"""
    )


def test_a_keyboard_reader_skips_to_the_first_story_with_the_focus_always_visible(
    new_page, newspaper
):
    page = new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["classes"] == "skip-link" and skip["text"] == "Skip to content"
    assert skip["onScreen"], "the skip link must show itself when it has focus"
    assert skip["outline"] != "none" and skip["outlineWidth"] >= 2

    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
    page.keyboard.press("Tab")
    story = focused(page)
    first = page.locator("main .card-headline a").first
    assert story["href"] == first.get_attribute("href")
    assert story["text"] == first.text_content().strip()
    assert story["outline"] != "none" and story["outlineWidth"] >= 2

    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(story["text"])
    # Every control on the story page takes a visible focus, in order, to the last one.
    seen = []
    for _ in range(100):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BODY" or (seen and now["classes"] == "skip-link"):
            break  # past the last control
        assert now["outline"] != "none" and now["onScreen"], f"focus not visible on {now}"
        seen.append(now["text"])
    section = page.locator(".story .kicker").text_content().strip()
    assert {"Skip to content", "Search", section, "RSS", "Atom"} <= set(seen)


def test_a_story_prints_without_navigation_and_with_its_links_addresses(
    new_page, screenshot, newspaper
):
    story = seed_story()
    story.source_url = "https://www.gulan.example/putin-assad"
    story.body += '<p>Read <a href="https://kremlin.example/talks">the Kremlin\'s account</a>.</p>'
    story.save()
    page = new_page()
    page.emulate_media(media="print")
    page.goto(story.get_absolute_url())
    expect(page.locator(".related .card").first).to_be_attached()
    for hidden in (".sections", ".search", ".site-footer", ".skip-link", ".related"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    def after(selector):
        return page.locator(selector).evaluate("(a) => getComputedStyle(a, '::after').content")

    assert after(".story-body a") == '" (https://kremlin.example/talks)"'
    assert after(".attribution a") == '" (https://www.gulan.example/putin-assad)"'
    assert after(".kicker a") == "none"  # a headline or navigation link prints as it reads
    screenshot(page, "look-story-print")
    page.pdf(path=RESULTS / "look-story.pdf")  # what the printer gets, to look at
