"""A story goes live only with a lead picture readers can be told about and that is credited."""

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Article
from tests.photos_helpers import make_image
from tests.workflow_helpers import change_url, form_data

pytestmark = pytest.mark.usefixtures("media")


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"alt_text": ""}, "has no alt text"),
        ({"credit": ""}, "has no credit"),
        ({"alt_text": "", "credit": ""}, "has no alt text and no credit"),
    ],
)
def test_publishing_a_story_whose_lead_picture_lacks_alt_text_or_credit_is_refused_naming_it(
    draft, editor, fields, missing
):
    draft.lead_image = make_image(caption="Flooded high street", **fields)
    with pytest.raises(publishing.TransitionError) as refused:
        publishing.publish(draft, by=editor)
    assert f"The lead picture “Flooded high street” {missing}" in str(refused.value)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_a_picture_marked_decorative_needs_no_alt_text_but_still_a_credit(draft, editor):
    draft.lead_image = make_image(alt_text="", decorative=True)
    publishing.publish(draft, by=editor)
    assert draft.status == Article.Status.PUBLISHED


def test_the_publish_button_of_the_form_refuses_the_same_picture(client, draft, editor):
    image = make_image(alt_text="", caption="Flooded high street")
    client.force_login(editor)
    opened = client.get(change_url(draft))
    response = client.post(
        change_url(draft), form_data(opened, status="now", lead_image=str(image.pk))
    )
    assert response.status_code == 200
    assert "“Flooded high street” has no alt text" in str(
        response.context["adminform"].form.errors["status"]
    )
    draft.refresh_from_db()
    assert (draft.status, draft.lead_image) == (Article.Status.DRAFT, None)


def test_a_live_story_cannot_be_given_a_picture_without_alt_text(client, make_article, editor):
    live = make_article()
    image = make_image(alt_text="", caption="Flooded high street")
    client.force_login(editor)
    opened = client.get(change_url(live))
    response = client.post(change_url(live), form_data(opened, lead_image=str(image.pk)))
    assert response.status_code == 200
    assert "“Flooded high street” has no alt text" in str(
        response.context["adminform"].form.errors["lead_image"]
    )
    live.refresh_from_db()
    assert live.lead_image is None


def test_a_complete_picture_goes_onto_a_live_story_with_its_own_caption(
    client, make_article, editor
):
    live = make_article()
    image = make_image()
    client.force_login(editor)
    opened = client.get(change_url(live))
    response = client.post(
        change_url(live),
        form_data(opened, lead_image=str(image.pk), lead_image_caption="Here, today"),
    )
    assert response.status_code == 302
    live.refresh_from_db()
    assert (live.lead_image, live.lead_image_caption) == (image, "Here, today")


def test_the_article_form_picks_the_lead_picture_from_the_library_or_adds_one(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'name="lead_image"' in page
    assert "admin-autocomplete" in page
    assert reverse("admin:photos_image_add") in page  # the "+" that uploads without leaving


@pytest.mark.parametrize("cleared", [{"alt_text": ""}, {"credit": ""}])
@pytest.mark.parametrize("where", ["lead", "body"])
def test_a_picture_on_a_live_story_cannot_lose_its_alt_text_or_credit(
    admin_client, make_article, cleared, where
):
    image = make_image(caption="Flooded high street")
    if where == "lead":
        make_article(headline="Floods close the town centre", lead_image=image)
    else:
        body = f'<p>The river rose.</p><figure data-image="{image.file.name}"></figure>'
        make_article(headline="Floods close the town centre", body=body)
    url = reverse("admin:photos_image_change", args=[image.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "file"}
    data = {name: value for name, value in data.items() if value is not False}
    response = admin_client.post(url, {**data, **cleared})
    assert response.status_code == 200
    assert "“Floods close the town centre”" in response.content.decode()
    image.refresh_from_db()
    assert image.missing_for_publication() == []
