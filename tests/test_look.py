"""What the reader's pages say about dates and sources, and what they weigh.

The look itself (layout, contrast, keyboard, print) is judged in a real browser:
tests/browser/test_look.py.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders

from articles.models import Article

LONDON = ZoneInfo("Europe/London")
BUDGET = 60 * 1024  # the story page's HTML and CSS, before compression, pictures aside


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def card_of(html, headline):
    """The list card holding `headline`."""
    for card in re.findall(r'<article class="card[^"]*">.*?</article>', html, re.S):
        if headline in card:
            return card
    raise AssertionError(f"no card for {headline!r}")


def test_the_story_page_dateline_says_when_it_was_published_and_where_first(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    assert (
        '<p class="dateline">Published <time class="display-date" '
        'datetime="2024-07-23T12:00:00+01:00">23 July 2024, 12:00 BST</time>'
    ) in html
    credits = text_of(re.search(r'<div class="story-credits">.*?</div>', html, re.S).group(0))
    assert (
        credits.split()
        == (
            "Gulan Media Published 23 July 2024, 12:00 BST "
            "Originally published by Gulan Media on 14 September 2021"
        ).split()
    )


def test_a_winter_dateline_is_in_greenwich_mean_time(client, make_article):
    article = make_article(display_date=datetime(2025, 1, 9, 7, 5, tzinfo=LONDON))
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">9 January 2025, 07:05 GMT</time>" in html


def test_lists_show_the_time_of_todays_stories_in_the_newsrooms_day(
    client, clock, seed, make_article
):
    # Ten past midnight in London is still yesterday in UTC: "today" is the newsroom's.
    late = make_article(
        headline="Night sitting ends",
        display_date=datetime(2024, 7, 24, 0, 10, tzinfo=LONDON),
        published_at=datetime(2024, 7, 24, 0, 10, tzinfo=LONDON),
        original_published_at=datetime(2024, 7, 24, 0, 10, tzinfo=LONDON),
    )
    clock(datetime(2024, 7, 24, 9, 0, tzinfo=LONDON))
    html = client.get("/").content.decode()
    assert '<time datetime="2024-07-24T00:10:00+01:00">24 July 2024, 00:10 BST</time>' in card_of(
        html, late.headline
    )
    assert '<time datetime="2024-07-23T12:00:00+01:00">23 July 2024</time>' in card_of(
        html, seed.headline
    )

    clock(datetime(2024, 7, 25, 9, 0, tzinfo=LONDON))  # a day on, it is a date like any other
    html = client.get(f"/sections/{late.section.slug}/").content.decode()
    assert ">24 July 2024</time>" in card_of(html, late.headline)


def test_cards_of_syndicated_copy_say_where_it_came_from(client, seed, make_article):
    own = make_article(headline="Our own reporting", byline="Amina Hassan")
    wire = make_article(headline="Wire copy", byline="Reuters staff", source_name="Reuters")
    html = client.get("/").content.decode()
    seed_card = card_of(html, seed.headline)
    assert '<span class="via">via <bdi>Gulan Media</bdi></span>' in seed_card
    assert 'class="credit"' not in seed_card  # the credit is the source: said once
    wire_card = card_of(html, wire.headline)
    assert '<bdi class="credit">Reuters staff</bdi>' in wire_card
    assert '<span class="via">via <bdi>Reuters</bdi></span>' in wire_card
    own_card = card_of(html, own.headline)
    assert '<bdi class="credit">Amina Hassan</bdi>' in own_card and "via" not in own_card
    for url in ("/tags/syria/", "/search/?q=Kremlin", f"/sections/{seed.section.slug}/"):
        html = client.get(url).content.decode()
        assert "via <bdi>Gulan Media</bdi>" in card_of(html, seed.headline), url


def test_a_story_without_a_picture_has_no_picture_box_in_any_list(client, make_article):
    article = make_article(headline="Words alone")
    html = client.get("/").content.decode()
    card = card_of(html, article.headline)
    assert card.startswith('<article class="card">') and "<img" not in card


def test_the_story_page_weighs_under_60_kb_with_its_css_and_needs_no_script(client, seed):
    seed.standfirst = "A surprise trip to Moscow, and a criticism of foreign troops."
    seed.save()
    Article.objects.filter(pk=seed.pk).update(body=seed.body * 2)  # a long story, not a brief
    html = client.get(seed.get_absolute_url()).content
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == [b"/static/css/site.css"]  # one, ours: no web-font CDN
    css = finders.find("css/site.css")
    with open(css, "rb") as f:
        css = f.read()
    assert len(html) + len(css) < BUDGET, f"{len(html)} + {len(css)} bytes"
    assert b"@font-face" not in css and b"@import" not in css and b"url(" not in css
    scripts = re.findall(rb"<script[^>]*>", html)
    assert scripts == [b'<script type="application/ld+json">']  # data for machines only
