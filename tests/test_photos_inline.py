"""Pictures inside the story body: a reference the sanitizer keeps and nothing more, expanded
into a figure for readers in one query, held to publishing's picture rule, protected from
deletion while a story shows it, and checked when a fixture names one."""

import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from articles import publishing
from articles.models import Article
from articles.sanitize import (
    clean_body,
    markup_free_text,
    picture_reference,
    picture_references,
    validate_body_has_text,
)
from articles.templatetags.article_tags import clean_html
from photos.models import Image
from tests.photos_helpers import make_image
from tests.workflow_helpers import change_url, form_data

pytestmark = pytest.mark.usefixtures("media")

KEY = "photos/2019/01/gone.jpg"  # never made by make_image, which files under today
REFERENCE = f'<figure data-image="{KEY}"></figure>'


def body_showing(*images, caption=""):
    """A story body with words around a reference to each picture."""
    figures = "".join(picture_reference(image.file.name, caption) for image in images)
    return f"<p>The river rose overnight.</p>{figures}<p>Shops stayed shut.</p>"


# The sanitizer: exactly the reference, wherever it came from.


@pytest.mark.parametrize(
    "stored",
    [REFERENCE, f'<figure data-image="{KEY}" data-caption="The high street, 6am"></figure>'],
)
def test_a_picture_reference_is_kept_exactly_and_cleaning_it_again_changes_nothing(stored):
    body = f"<p>Words.</p>{stored}<p>More words.</p>"
    assert clean_body(body) == body
    assert clean_body(clean_body(body)) == body


@pytest.mark.parametrize(
    ("hostile", "kept"),
    [
        pytest.param(
            f'<figure data-image="{KEY}" class="wide" style="width:9999px" onclick="alert(1)" '
            'data-src="https://evil.example/x.js"><img src="x" onerror="alert(1)">'
            "<figcaption>Pasted <b>caption</b></figcaption><script>alert(1)</script></figure>",
            REFERENCE,
            id="other-attributes-and-content",
        ),
        pytest.param(
            f"<FIGURE DATA-IMAGE='{KEY}'><p>inside</p></FIGURE>", REFERENCE, id="case-and-quotes"
        ),
        pytest.param(
            f'<figure data-image="{KEY}"><figure data-image="photos/other.jpg"></figure></figure>',
            REFERENCE,
            id="nested-figures",
        ),
        pytest.param(
            '<figure data-image="javascript:alert(1)"></figure>', "", id="javascript-scheme"
        ),
        pytest.param('<figure data-image="../../etc/passwd"></figure>', "", id="path-traversal"),
        pytest.param('<figure data-image="/etc/passwd"></figure>', "", id="absolute-path"),
        pytest.param(
            '<figure data-image="https://evil.example/a.jpg"></figure>', "", id="an-address"
        ),
        pytest.param(
            '<figure data-image="a.jpg&quot; onerror=&quot;alert(1)"></figure>',
            "",
            id="quote-in-the-key",
        ),
        pytest.param('<figure data-image=""></figure>', "", id="empty-key"),
        pytest.param(
            f'<p>Words <figure data-image="{KEY}"></figure></p>',
            f"<p>Words </p>{REFERENCE}<p></p>",
            id="a-paragraph-is-closed-before-it",
        ),
        pytest.param(
            f'<h2>Heading<figure data-image="{KEY}"></figure></h2>',
            "<h2>Heading</h2>",
            id="inside-a-heading",
        ),
        pytest.param(
            f'<a href="https://example.org/"><figure data-image="{KEY}"></figure></a>',
            '<a href="https://example.org/" rel="noopener noreferrer"></a>',
            id="inside-a-link",
        ),
        pytest.param(
            "<figure><img src=x><figcaption>Photo: Ann Agency</figcaption></figure>",
            "<p>Photo: Ann Agency</p>",
            id="a-figure-naming-no-picture-keeps-its-words",
        ),
    ],
)
def test_a_figure_is_reduced_to_the_bare_reference_or_dropped(hostile, kept):
    assert clean_body(hostile) == kept


def test_a_caption_for_the_story_is_kept_as_inert_text():
    hostile = (
        f'<figure data-image="{KEY}" data-caption="&quot;><script>alert(1)</script>"></figure>'
    )
    cleaned = clean_body(hostile)
    assert "<script" not in cleaned
    assert picture_references(cleaned) == [(KEY, '"><script>alert(1)</script>')]


@pytest.mark.parametrize(
    "where", ["<blockquote>{}</blockquote>", "<ul><li><p>Item</p>{}</li></ul>"]
)
def test_a_picture_may_stand_in_a_quote_or_a_list_item_as_the_editor_allows(where):
    body = where.format(REFERENCE)
    assert clean_body(body) == body


def test_a_picture_is_no_words_for_feeds_meta_tags_or_the_body_check():
    body = f'<p>The river rose.</p><figure data-image="{KEY}" data-caption="Secret"></figure>'
    assert markup_free_text(clean_body(body)) == "The river rose."
    validate_body_has_text(body)
    with pytest.raises(ValidationError) as refused:
        validate_body_has_text(f'<figure data-image="{KEY}" data-caption="Words?"></figure>')
    assert "only pictures" in refused.value.messages[0]


# Readers: each reference becomes the library's figure, in one query.


def test_the_story_page_expands_each_reference_into_a_lazy_figure_with_caption_and_credit(
    client, make_article
):
    flood = make_image("flood.jpg", caption="Flooded high street", credit="Ann Agency")
    quay = make_image("quay.jpg", caption="The quay", credit="Sam Lee", alt_text="A quay")
    story = make_article(
        body=body_showing(flood)
        + picture_reference(quay.file.name, "The quay at dawn, for this story")
    )
    page = client.get(story.get_absolute_url()).content.decode()
    body = page.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    assert body.count('<figure class="story-picture">') == 2  # not the lead's
    assert body.count('loading="lazy"') == 2 and "fetchpriority" not in body
    assert '<span class="caption">Flooded high street</span>' in body
    assert '<span class="picture-credit">Ann Agency</span>' in body
    assert '<span class="caption">The quay at dawn, for this story</span>' in body
    assert "The quay</span>" not in body
    assert 'alt="A quay"' in body
    assert flood.renditions.near("full", 640).url in body
    assert "data-image" not in page
    assert body.index("The river rose") < body.index("Flooded") < body.index("Shops stayed")


def test_a_reference_to_a_picture_no_longer_in_the_library_renders_nothing(client, make_article):
    story = make_article(body=f"<p>Before.</p>{REFERENCE}<p>After.</p>")
    page = client.get(story.get_absolute_url()).content.decode()
    body = page.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    assert body.split() == ["<p>Before.</p><p>After.</p>"]


def test_the_body_filter_asks_nothing_without_pictures_and_one_query_for_any_number(
    db, django_assert_num_queries
):
    flood, quay = make_image("flood.jpg"), make_image("quay.jpg")
    with django_assert_num_queries(0):
        clean_html("<p>No pictures, <em>figure</em> of speech.</p>")
    with django_assert_num_queries(1):
        html = clean_html(body_showing(flood, quay) + REFERENCE + picture_reference(KEY))
    assert html.count("<figure") == 2


def test_a_story_with_inline_pictures_costs_its_page_one_query_more(
    client, make_article, count_queries, django_assert_num_queries
):
    plain = make_article(body="<p>The river rose overnight.</p><p>Shops stayed shut.</p>")
    client.get(plain.get_absolute_url())  # what a first request fills (the site's stamp)
    baseline = count_queries(lambda: client.get(plain.get_absolute_url()))
    pictured = make_article(body=body_showing(*(make_image(f"{n}.jpg") for n in range(3))))
    with django_assert_num_queries(baseline + 1):
        response = client.get(pictured.get_absolute_url())
    assert response.content.decode().count('<figure class="story-picture">') == 3
    with django_assert_num_queries(baseline):
        client.get(plain.get_absolute_url())


def test_feeds_never_carry_the_reference_to_an_inline_picture(client, make_article):
    # The full text may show the picture as readers see it, never the library's own name.
    image = make_image(caption="Flooded high street")
    make_article(body=body_showing(image, caption="Per-story caption"))
    for feed in ("/feed/", "/feed/atom/"):
        text = client.get(feed).content.decode()
        assert "data-image" not in text and image.file.name not in text


# Publishing: the lead and the body's pictures under one rule.


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"alt_text": ""}, "has no alt text"),
        ({"credit": ""}, "has no credit"),
        ({"alt_text": "", "credit": ""}, "has no alt text and no credit"),
    ],
)
def test_publishing_a_story_whose_body_shows_an_unready_picture_is_refused_naming_it(
    draft, editor, fields, missing
):
    draft.body = body_showing(make_image(caption="Flooded high street", **fields))
    with pytest.raises(publishing.TransitionError) as refused:
        publishing.publish(draft, by=editor)
    assert f"The picture “Flooded high street” in the body {missing}" in str(refused.value)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_the_lead_and_every_body_picture_are_named_in_one_refusal(draft, editor):
    draft.lead_image = make_image("lead.jpg", caption="Lead", credit="")
    ready = make_image("ready.jpg", caption="Ready")
    draft.body = body_showing(ready, make_image("bare.jpg", caption="Bare", alt_text=""))
    with pytest.raises(publishing.TransitionError) as refused:
        publishing.publish(draft, by=editor)
    assert str(refused.value).startswith(
        "The lead picture “Lead” has no credit; the picture “Bare” in the body has no alt "
        "text: add them in the picture library"
    )
    assert "Ready" not in str(refused.value)


def test_a_decorative_credited_picture_may_appear_in_a_live_body(draft, editor):
    draft.body = body_showing(make_image(alt_text="", decorative=True))
    publishing.publish(draft, by=editor)
    assert draft.status == Article.Status.PUBLISHED


def test_the_publish_button_refuses_the_picture_typed_into_the_body(client, draft, editor):
    image = make_image(credit="", caption="Flooded high street")
    client.force_login(editor)
    opened = client.get(change_url(draft))
    response = client.post(
        change_url(draft), form_data(opened, status="now", body=body_showing(image))
    )
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["status"])
    assert "“Flooded high street” in the body has no credit" in errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and image.file.name not in draft.body


def test_a_live_story_cannot_be_given_a_body_picture_without_a_credit(client, make_article, editor):
    live = make_article()
    image = make_image(credit="", caption="Flooded high street")
    client.force_login(editor)
    opened = client.get(change_url(live))
    response = client.post(change_url(live), form_data(opened, body=body_showing(image)))
    assert response.status_code == 200
    assert "“Flooded high street” in the body has no credit" in str(
        response.context["adminform"].form.errors["body"]
    )
    live.refresh_from_db()
    assert image.file.name not in live.body


def test_a_typo_is_fixed_on_a_live_story_whose_body_already_shows_an_unready_picture(
    client, make_article, editor
):
    # Loaded by a fixture, say: the picture was there before the rule could see it.
    image = make_image(credit="")
    live = make_article(body=body_showing(image).replace("overnight", "overnihgt"))
    client.force_login(editor)
    opened = client.get(change_url(live))
    response = client.post(change_url(live), form_data(opened, body=body_showing(image)))
    assert response.status_code == 302
    live.refresh_from_db()
    assert "overnight" in live.body


# The library: where used, filtered, never deleted from under a story.


def test_the_library_lists_and_filters_pictures_shown_in_story_bodies(admin_client, make_article):
    on_live = make_image("live.jpg", caption="On a live story")
    on_draft = make_image("draft.jpg", caption="In a draft")
    unused = make_image("unused.jpg")
    story = make_article(headline="Floods close the town centre", body=body_showing(on_live))
    make_article(body=body_showing(on_draft), status=Article.Status.DRAFT)
    url = reverse("admin:photos_image_changelist")
    page = admin_client.get(url).content.decode()
    assert "Floods close the town centre</a> (in the body)" in page
    assert reverse("admin:articles_article_change", args=[story.pk]) in page
    assert list(admin_client.get(f"{url}?used=live").context["cl"].result_list) == [on_live]
    assert list(admin_client.get(f"{url}?used=unused").context["cl"].result_list) == [unused]


def test_the_library_page_finds_every_listed_pictures_stories_in_one_query(
    admin_client, make_article, count_queries
):
    url = reverse("admin:photos_image_changelist")
    make_article(body=body_showing(make_image("a.jpg")))
    admin_client.get(url)
    one = count_queries(lambda: admin_client.get(url))
    for n in range(4):
        make_article(body=body_showing(make_image(f"more-{n}.jpg")))
    assert count_queries(lambda: admin_client.get(url)) == one


def test_deleting_a_picture_a_body_shows_is_refused_naming_the_stories(admin_client, make_article):
    image = make_image()
    make_article(headline="Floods close the town centre", body=body_showing(image))
    make_article(headline="Clean-up begins", body=body_showing(image), status="draft")
    page = admin_client.post(
        reverse("admin:photos_image_delete", args=[image.pk]), {"post": "yes"}
    ).content.decode()
    assert "protected" in page
    assert "Floods close the town centre</a>, which shows" in page
    assert "Clean-up begins</a>, which shows" in page
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_bulk_delete_action_refuses_a_picture_a_body_shows(admin_client, make_article):
    shown, unused = make_image("shown.jpg"), make_image("unused.jpg")
    make_article(headline="Floods close the town centre", body=body_showing(shown))
    page = admin_client.post(
        reverse("admin:photos_image_changelist"),
        {"action": "delete_selected", "_selected_action": [shown.pk, unused.pk], "post": "yes"},
    ).content.decode()
    assert "Floods close the town centre" in page
    assert Image.objects.count() == 2


def test_deleting_from_a_shell_is_refused_too_and_a_name_in_the_text_does_not_count(
    make_article,
):
    image = make_image()
    make_article(headline="Floods close the town centre", body=body_showing(image))
    # Refused inside the deletion's transaction: a caller in a transaction of its own rolls
    # back to its savepoint, as after any database error.
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        image.delete()
    assert "“Floods close the town centre”" in str(refused.value)
    with pytest.raises(ProtectedError), transaction.atomic():
        Image.objects.all().delete()
    mentioned = make_image("mentioned.jpg")
    make_article(body=f"<p>The file {mentioned.file.name} is not shown.</p>")
    mentioned.delete()
    assert Image.objects.get() == image


# Fixtures: a reference must name a picture that will be there.


def story_row(body, slug="floods"):
    return {
        "model": "articles.article",
        "fields": {"headline": "Floods", "slug": slug, "body": body, "section": ["world"]},
    }


def load(tmp_path, rows):
    fixture = tmp_path / "stories.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)


def test_a_fixture_whose_body_names_a_missing_picture_is_refused_naming_it(section, tmp_path):
    with pytest.raises(CommandError) as refused:
        load(tmp_path, [story_row(f"<p>Words.</p>{REFERENCE}")])
    assert re.search(
        r'stories\.json, object 1 \(articles\.article \[.floods.\]\): field "body": shows '
        rf"photos\.image \[.{re.escape(KEY)}.\], which is neither in the fixture nor in the "
        r"database",
        str(refused.value),
    )
    assert not Article.objects.exists()


def test_a_fixture_may_name_a_picture_of_the_database_or_of_its_own_rows(section, tmp_path):
    here, travelling = make_image("here.jpg"), make_image("travelling.jpg")
    out = io.StringIO()
    call_command(
        "dumpdata", "photos.image", natural_primary=True, pks=str(travelling.pk), stdout=out
    )
    [picture_row] = json.loads(out.getvalue())
    travelling.delete()  # its file stays in the media folder, as a copied one would be
    # The picture's row comes after the story that shows it: it is in the fixture all the same.
    load(tmp_path, [story_row(body_showing(here, travelling)), picture_row])
    story = Article.objects.get(slug="floods")
    assert [key for key, _ in picture_references(story.body)] == [
        here.file.name,
        travelling.file.name,
    ]
    assert Image.objects.filter(file=travelling.file.name).exists()


# The editor: the node is configured, served from our static files, fed by a staff view.


def test_the_body_editor_is_given_the_picture_node_and_the_library_addresses(admin_client):
    html = admin_client.get("/admin/articles/article/add/").content.decode()
    attribute = re.search(r'id="id_body" data-django-prose-editor-newsroom="([^"]*)"', html)
    config = json.loads(attribute[1].replace("&quot;", '"').replace("&amp;", "&"))
    assert config["extensions"]["StoryPicture"] == {
        "chooserUrl": reverse("admin:photos_image_changelist"),
        "uploadUrl": reverse("admin:photos_image_add"),
        "detailsUrl": reverse("admin:photos_image_pictures"),
    }
    [module] = config["js_modules"]
    assert finders.find(module.split("/static/", 1)[1]).endswith("story-picture.js")


def test_the_editor_learns_a_pictures_caption_credit_and_thumbnail_from_a_staff_view(
    admin_client, client, make_staff
):
    image = make_image(caption="Flooded high street", credit="Ann Agency", alt_text="")
    url = reverse("admin:photos_image_pictures")
    by_id = admin_client.get(url, {"id": image.pk}).json()["pictures"]
    by_file = admin_client.get(url, {"file": image.file.name}).json()["pictures"]
    assert by_id == by_file
    [picture] = by_id
    assert picture["file"] == image.file.name
    assert (picture["caption"], picture["credit"]) == ("Flooded high street", "Ann Agency")
    assert picture["missing"] == ["alt text"]
    assert picture["thumbnail"]["url"] == image.renditions.near("full", 480).url
    assert admin_client.get(url, {"file": "photos/none.jpg"}).json() == {"pictures": []}
    # Readers and staff without the library get nothing.
    assert client.get(url, {"id": image.pk}).status_code == 302
    outsider = make_staff("Reporter", "nopics")
    outsider.groups.clear()
    client.force_login(outsider)
    assert client.get(url, {"id": image.pk}).status_code == 403
