"""Stories as IPTC ninjs 2.2: valid against IPTC's own schema, both dates kept, pictures and
corrections carried, a withdrawn story canceled for staff and gone (410) for everyone else."""

import json
import re
from datetime import UTC, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from jsonschema import Draft202012Validator

from api.models import ApiToken
from api.ninjs import to_ninjs
from articles.models import Article, Correction
from articles.sanitize import picture_reference, plain_text
from tests.conftest import SEED_SLUG
from tests.photos_helpers import make_image

SCHEMA_FILE = Path(__file__).parent / "data" / "ninjs-schema_2.2.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
NINJS = "application/ninjs+json"

# Formats too: "date-time" and "uri" (rfc3339-validator, rfc3986-validator: the test extras
# install jsonschema[format-nongpl]); the test below makes sure both are really checked.
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_validator_checks_uris_and_dates():
    item = {"uri": "urn:uuid:5f0c", "type": "text"}
    assert VALIDATOR.is_valid(item)
    assert not VALIDATOR.is_valid({**item, "uri": "not a uri"})
    assert not VALIDATOR.is_valid({**item, "versioncreated": "23 July 2024"})


def loaded(article):
    """The story as the detail endpoint loads it (api/stories.py)."""
    stories = Article.objects.for_listing().with_names().with_corrections()
    return stories.get(pk=article.pk)


def ninjs_of(article):
    return to_ninjs(loaded(article), request=RequestFactory().get("/"))


def assert_valid(item):
    errors = sorted(VALIDATOR.iter_errors(item), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def words(html):
    return plain_text(re.sub(r"</?(p|li|h2|h3|blockquote)>", " ", html)).split()


# The schema --------------------------------------------------------------------------


def test_the_schema_is_iptcs_final_ninjs_2_2_under_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["title"] == "IPTC ninjs - News in JSON - version 2.2"
    assert "Creative Commons Attribution 4.0" in SCHEMA["description"]


@pytest.mark.parametrize(
    "change",
    [
        {"display_date": "2024-07-23T11:00:00Z"},  # ninjs 2.2 takes no property of ours
        {"pubstatus": "withdrawn"},
        {"firstcreated": "23 July 2024"},
        {"uri": "not a uri"},
        {"subjects": [{"name": "Syria", "uri": "/tags/syria/"}]},
    ],
    ids=["unknown-property", "bad-pubstatus", "bad-date", "bad-uri", "relative-uri"],
)
def test_the_validator_refuses_what_ninjs_forbids(seed, change):
    """The validation the other tests rely on is real: each of these must fail."""
    item = ninjs_of(seed)
    assert_valid(item)
    assert list(VALIDATOR.iter_errors({**item, **change}))


# What a story says in ninjs -------------------------------------------------------------


def test_the_seed_story_is_valid_ninjs_with_both_its_dates(seed):
    item = ninjs_of(seed)
    assert_valid(item)
    assert item["uri"] == f"urn:uuid:{seed.guid}"  # the feeds' guid too
    assert item["type"] == "text" and item["pubstatus"] == "usable"
    # The original date (Gulan Media, 2021) and the date readers see here (2024).
    assert item["contentcreated"] == "2021-09-14T11:00:00Z"
    assert item["firstcreated"] == "2024-07-23T11:00:00Z"
    assert item["versioncreated"] == "2024-07-23T11:00:00Z"
    assert item["headlines"] == [
        {"role": "main", "contenttype": "text/plain", "value": seed.headline}
    ]
    (body,) = item["bodies"]
    assert body["role"] == "main" and body["contenttype"] == "text/html"
    assert body["value"] == seed.body
    assert body["wordcount"] == len(words(seed.body)) == 300
    assert body["charcount"] == len(" ".join(words(seed.body)))
    assert "descriptions" not in item  # no standfirst: nothing sent empty
    assert item["by"] == "Gulan Media"
    assert item["copyrightholder"] == "Gulan Media"
    assert item["infosources"] == [{"name": "Gulan Media", "role": "originator"}]
    assert item["subjects"][0] == {
        "name": "News",
        "rel": "section",
        "uri": "http://testserver/sections/news/",
    }
    assert {s["name"]: s["uri"] for s in item["subjects"][1:]} == {
        tag.name: f"http://testserver/tags/{tag.slug}/" for tag in seed.tags.all()
    }
    assert item["language"] == "en"
    assert {"role": "guid", "value": str(seed.guid)} in item["altids"]
    assert {"role": "slug", "value": SEED_SLUG} in item["altids"]
    assert item["renditions"] == [
        {
            "name": "web",
            "href": f"http://testserver/articles/{SEED_SLUG}/",
            "contenttype": "text/html",
        }
    ]
    assert "people" not in item and "associations" not in item and "embargoed" not in item


def test_a_story_of_our_own_names_its_authors_its_standfirst_and_us_as_its_source(
    make_article, make_author
):
    anna = make_author("Anna Reporter")
    article = make_article(
        standfirst="Floods close the high street.",
        byline="Anna Reporter, Erbil",
        authors=[anna],
        body='<p>See <a href="/sections/world/">more</a> and <a href="#notes">notes</a>.</p>',
    )
    item = ninjs_of(article)
    assert_valid(item)
    assert item["descriptions"] == [
        {"role": "summary", "contenttype": "text/plain", "value": "Floods close the high street."}
    ]
    assert item["people"] == [
        {"name": "Anna Reporter", "rel": "author", "uri": f"http://testserver/authors/{anna.slug}/"}
    ]
    assert item["by"] == "Anna Reporter, Erbil"
    assert item["copyrightholder"] == settings.NEWSROOM_NAME
    page = f"http://testserver/articles/{article.slug}/"
    assert item["infosources"] == [
        {"name": settings.NEWSROOM_NAME, "role": "originator", "uri": page}
    ]
    # A partner has no page to resolve our relative links against.
    body = item["bodies"][0]["value"]
    assert 'href="http://testserver/sections/world/"' in body
    assert f'href="{page}#notes"' in body
    # The date readers see is the original one when no display date is set.
    assert item["firstcreated"] == item["contentcreated"]


@pytest.mark.usefixtures("media")
def test_pictures_travel_as_associations_with_absolute_rendition_addresses(make_article):
    lead = make_image("lead.jpg", caption="The library's caption", credit="Ann Agency")
    inside = make_image("inside.jpg", caption="Inside caption", copyright_notice="© Wire")
    deleted_key = "photos/2026/11/gone.jpg"
    article = make_article(
        lead_image=lead,
        lead_image_caption="This story's caption",
        body=(
            "<p>Before the picture.</p>"
            + picture_reference(inside.file.name, "A caption for this story")
            + picture_reference(deleted_key)
            + "<p>After it.</p>"
        ),
    )
    item = ninjs_of(article)
    assert_valid(item)
    featured, body_picture = item["associations"]  # the deleted picture leaves no trace
    assert featured["name"] == "featuremedia" and body_picture["name"] == "picture-1"
    assert featured["type"] == body_picture["type"] == "picture"
    assert featured["descriptions"] == [
        {"role": "caption", "contenttype": "text/plain", "value": "This story's caption"},
        {"role": "alt", "contenttype": "text/plain", "value": "A teal square"},
    ]
    assert featured["by"] == "Ann Agency"
    assert body_picture["descriptions"][0]["value"] == "A caption for this story"
    assert body_picture["copyrightnotice"] == "© Wire"
    assert featured["uri"].startswith("tag:testserver,") and lead.rendition_key in featured["uri"]
    expected = {r.url: (r.width, r.height, r.content_type) for r in lead.renditions.all}
    assert len(featured["renditions"]) == len(expected)
    for rendition in featured["renditions"]:
        href = urlsplit(rendition["href"])
        assert href.scheme == "http" and href.netloc == "testserver"
        assert expected[href.path] == (
            rendition["width"],
            rendition["height"],
            rendition["contenttype"],
        )
    # The body shows the picture as a plain figure at an absolute address, not our reference.
    body = item["bodies"][0]
    assert "data-image" not in body["value"] and deleted_key not in body["value"]
    assert re.search(r'<img src="http://testserver/[^"]+/full-40w-[^"]+\.jpg"', body["value"])
    assert "A caption for this story" in body["value"]
    # ninjs counts words without the figure captions.
    assert body["wordcount"] == len("Before the picture. After it.".split())


def test_a_story_without_pictures_costs_no_query_and_one_with_body_pictures_one(
    make_article, django_assert_num_queries, media
):
    plain = loaded(make_article())
    with django_assert_num_queries(0):
        to_ninjs(plain, request=RequestFactory().get("/"))
    picture = make_image("inside.jpg")
    shown = loaded(make_article(body="<p>Words.</p>" + picture_reference(picture.file.name)))
    with django_assert_num_queries(1):
        item = to_ninjs(shown, request=RequestFactory().get("/"))
    assert item["associations"][0]["name"] == "picture-1"


def test_corrections_readers_see_travel_as_a_second_body(make_article):
    article = make_article()
    Correction.objects.create(
        article=article,
        text="An earlier version misnamed the <minister>.",
        published_at=timezone.now() - timedelta(hours=2),
    )
    Correction.objects.create(
        article=article,
        kind=Correction.Kind.UPDATE,
        text="Not told to readers yet.",
        published_at=timezone.now() + timedelta(hours=2),
    )
    item = ninjs_of(article)
    assert_valid(item)
    main, corrections = item["bodies"]
    assert main["role"] == "main"
    assert corrections["role"] == "corrections" and corrections["contenttype"] == "text/html"
    assert "<strong>Correction</strong>" in corrections["value"]
    assert "misnamed the &lt;minister&gt;." in corrections["value"]
    assert "Not told to readers yet" not in corrections["value"]


def test_a_story_without_corrections_has_one_body(make_article):
    assert [b["role"] for b in ninjs_of(make_article())["bodies"]] == ["main"]


@pytest.mark.parametrize(
    "fields, pubstatus",
    [
        ({}, "usable"),
        ({"status": Article.Status.WITHDRAWN}, "canceled"),
        ({"expires_at": timezone.now() - timedelta(hours=1)}, "canceled"),
        ({"status": Article.Status.DRAFT}, "withheld"),
        ({"status": Article.Status.REVIEW}, "withheld"),
        ({"published_at": timezone.now() + timedelta(days=1)}, "withheld"),
    ],
    ids=["live", "withdrawn", "expired", "draft", "in-review", "scheduled"],
)
def test_each_state_has_its_pubstatus_and_every_one_is_valid(make_article, fields, pubstatus):
    item = ninjs_of(make_article(**fields))
    assert_valid(item)
    assert item["pubstatus"] == pubstatus


def test_a_scheduled_story_is_embargoed_until_its_time(make_article):
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    item = ninjs_of(make_article(published_at=at))
    assert item["embargoed"] == at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert "embargoed" not in ninjs_of(make_article())


# Through the API -------------------------------------------------------------------------


def bearer(user):
    token = ApiToken(user=user, name="Preview", expires_at=timezone.now() + timedelta(days=1))
    secret = token.new_secret()
    token.save()
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_ninjs_address_and_the_accept_header_answer_the_same_item(client, seed):
    by_address = client.get(f"/api/v1/articles/{SEED_SLUG}.ninjs")
    by_accept = client.get(f"/api/v1/articles/{SEED_SLUG}/", HTTP_ACCEPT=NINJS)
    for response in (by_address, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith(NINJS)
        item = json.loads(response.content)
        assert_valid(item)
        assert item == ninjs_of(seed)


def test_a_withdrawn_story_is_gone_for_partners_and_canceled_for_staff(client, seed, editor):
    seed.status = Article.Status.WITHDRAWN
    seed.save()
    anonymous = client.get(f"/api/v1/articles/{SEED_SLUG}.ninjs")
    assert anonymous.status_code == 410
    assert seed.headline not in anonymous.content.decode()
    staff = client.get(f"/api/v1/articles/{SEED_SLUG}.ninjs", **bearer(editor))
    assert staff.status_code == 200
    item = json.loads(staff.content)
    assert_valid(item)
    assert item["pubstatus"] == "canceled"


# Odd stories: each must still be valid ninjs -------------------------------------------


@pytest.mark.parametrize(
    "source_url, uri",
    [
        # An IRI as a browser shows it (Kurdish letters, a space) is not a URI: encoded.
        (
            "https://example.com/ڕووداو/news item",
            "https://example.com/%DA%95%D9%88%D9%88%D8%AF%D8%A7%D9%88/news%20item",
        ),
        ("https://example.com/a%20b?q=1#top", "https://example.com/a%20b?q=1#top"),
        # Not a URI even encoded, or not a web address: left out, never sent invalid.
        ("https://example.com/100%", None),
        ("http://[broken/", None),
        ("ftp://example.com/story", None),
        ("javascript:alert(1)", None),
    ],
)
def test_a_source_address_is_sent_as_a_valid_uri_or_not_at_all(make_article, source_url, uri):
    item = ninjs_of(make_article(source_name="Rûdaw", source_url=source_url))
    assert_valid(item)
    (source,) = item["infosources"]
    assert source.get("uri") == uri
    assert source["name"] == "Rûdaw"


@pytest.mark.usefixtures("media")
def test_a_story_with_nothing_optional_and_awkward_text_is_valid(make_article):
    picture = make_image("ünïcode-ڕووداو.jpg", caption="Çaption: ڕووداو", credit="Crédit")
    article = make_article(
        headline="Tom & Jerry <script> \"quoted\" 'too'",
        standfirst="",
        byline="",
        body="<p>ڕووداو עברית: right to left.</p>",
        # Shown as older than the original date: odd, but the editor's call.
        original_published_at=timezone.now() - timedelta(days=1),
        display_date=timezone.now() - timedelta(days=30),
        lead_image=picture,
    )
    article.tags.add("Москва")
    item = ninjs_of(article)
    assert_valid(item)
    assert item["headlines"][0]["value"] == "Tom & Jerry <script> \"quoted\" 'too'"
    assert "descriptions" not in item and "people" not in item and "by" not in item
    assert item["firstcreated"] < item["contentcreated"]
    (featured,) = item["associations"]
    assert featured["descriptions"][0]["value"] == "Çaption: ڕووداو"
    # The original file's name never travels: only the picture's random rendition key.
    assert "ünïcode" not in json.dumps(item, ensure_ascii=False)
    assert "%C3%BC" not in json.dumps(item)


def test_a_correction_not_yet_due_is_not_in_the_answer(client, make_article):
    article = make_article()
    Correction.objects.create(
        article=article, text="Told tomorrow.", published_at=timezone.now() + timedelta(days=1)
    )
    response = client.get(f"/api/v1/articles/{article.slug}.ninjs")
    assert response.status_code == 200
    item = json.loads(response.content)
    assert_valid(item)
    assert "Told tomorrow" not in response.content.decode()
    assert [body["role"] for body in item["bodies"]] == ["main"]
