"""
A Sorani translation of the seed story, made from its admin page in a real browser (issue 17):
"Add a translation" opens a form prefilled from the original and typed right to left; once
published, both pages link each other with hreflang. Screenshots of the Sorani page at
1280x900 and 390x844 (results/browser/translation-*.png), checked by axe as test_look.py does.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import PASSWORD
from tests.browser.test_look import VIEWPORTS, axe, axe_source  # noqa: F401 (fixtures)
from tests.conftest import SEED_SLUG

HEADLINE = "پوتین لە مۆسکۆ پێشوازی لە Bashar al-Assad دەکات"
STANDFIRST = "سەرۆکی ڕووسیا دەڵێت هێزە بیانییەکان دەبێت سووریا جێبهێڵن."
BODY = "سەرۆکی ڕووسیا Vladimir Putin لە کرێملین پێشوازی لە سەرۆکی سووریا کرد."


@pytest.fixture
def seed(transactional_db):
    call_command("loaddata", "seed_story", verbosity=0)
    return Article.objects.get(slug=SEED_SLUG)


def type_body(page, text):
    editor = page.locator(".field-body [contenteditable=true]")
    editor.click()
    page.keyboard.type(text)


def test_an_editor_adds_a_sorani_translation_and_both_pages_link_each_other(
    new_page,
    log_in,
    screenshot,
    staff,
    seed,
    axe,  # noqa: F811
):
    staff("Editor", "ed", "Eddie Editor")
    page = new_page()
    log_in(page, "ed", PASSWORD)
    page.goto(f"/admin/articles/article/{seed.pk}/change/")
    page.select_option("#desk-translate-language", "ckb")
    page.get_by_role("button", name="Add a translation").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/add/\?translation_of=\d+&language=ckb"))

    # Prefilled from the original; the words are typed right to left.
    expect(page.locator("#id_language")).to_have_value("ckb")
    expect(page.locator("#id_byline")).to_have_value(seed.byline)
    expect(page.locator("#id_headline")).to_have_attribute("dir", "rtl")
    expect(page.locator(".field-body .prose-editor")).to_have_attribute("dir", "rtl")
    assert (
        page.locator(".field-body [contenteditable=true]").evaluate(
            "(el) => getComputedStyle(el).direction"
        )
        == "rtl"
    )
    page.locator("#id_headline").fill(HEADLINE)
    # The slug is made from the Sorani headline as it is typed: any script is a slug.
    page.locator("#id_standfirst").fill(STANDFIRST)
    type_body(page, BODY)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "translation-desk-form")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".desk-banner-state")).to_have_text(re.compile(r"^\s*Live since \d"))

    sorani = Article.objects.get(translation_of=seed)
    assert sorani.language == "ckb"
    assert sorani.slug == "پوتین-لە-مۆسکۆ-پێشوازی-لە-bashar-al-assad-دەکات"
    assert set(sorani.tags.names()) == set(seed.tags.names())

    reader = new_page()
    found = {}
    for name, (width, height) in VIEWPORTS.items():
        reader.set_viewport_size({"width": width, "height": height})
        assert reader.goto(sorani.get_absolute_url()).status == 200
        story = reader.locator("article.story")
        expect(story).to_have_attribute("lang", "ckb")
        expect(story).to_have_attribute("dir", "rtl")
        # Right to left indeed: the headline starts at the right edge of the story.
        box = story.bounding_box()
        headline = reader.locator("h1.headline").bounding_box()
        assert abs((headline["x"] + headline["width"]) - (box["x"] + box["width"])) < 2
        overflow = reader.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the Sorani page is {overflow}px wider than the {name} screen"
        screenshot(reader, f"translation-sorani-story-{name}")
        violations = axe(reader)
        if violations:
            found[name] = violations
    assert found == {}

    alternate = 'link[rel=alternate][hreflang="{}"]'
    expect(reader.locator(alternate.format("en"))).to_have_attribute(
        "href", re.compile(re.escape(seed.get_absolute_url()) + "$")
    )
    expect(reader.get_by_role("link", name="English", exact=True)).to_be_visible()
    reader.goto(seed.get_absolute_url())
    # The browser gives the address percent-encoded: compare it as the server wrote it.
    href = reader.locator(alternate.format("ckb")).get_attribute("href")
    assert href.endswith(sorani.get_absolute_url())
    expect(reader.locator('a[hreflang="ckb"]', has_text="کوردی")).to_be_visible()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []

    # A list mixing both: the tag page of a tag the translation took from the original. Each
    # card reads in its own direction, the Sorani one right to left within the English page.
    tag = sorani.tags.order_by("name").first()
    for name, (width, height) in VIEWPORTS.items():
        reader.set_viewport_size({"width": width, "height": height})
        assert reader.goto(f"/tags/{tag.slug}/").status == 200
        card = reader.locator("article.card[lang=ckb]")
        expect(card).to_have_attribute("dir", "rtl")
        expect(reader.locator("article.card:not([lang])")).to_have_count(1)
        # The Sorani headline starts at the card's right edge, the English one at its left.
        box = card.bounding_box()
        headline = card.locator(".card-headline a").bounding_box()
        assert abs((headline["x"] + headline["width"]) - (box["x"] + box["width"])) < 2
        # The " · " between the date and "via" stays between them, right to left.
        date, via = (card.locator(f".meta {part}").bounding_box() for part in ("time", ".via"))
        assert via["x"] + via["width"] <= date["x"] + 1
        via_words = card.locator(".via > span").bounding_box()
        assert via["x"] + via["width"] - (via_words["x"] + via_words["width"]) > 4
        screenshot(reader, f"translation-mixed-tag-list-{name}")
