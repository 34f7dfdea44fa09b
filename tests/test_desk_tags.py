"""The change form's tag box: existing tags suggested to staff, and what it sends saved whole."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from articles.models import Article
from tests.workflow_helpers import change_url, form_data

SUGGEST = reverse("admin:articles_article_tags")


def suggested(client, text):
    response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    return response.json()["tags"]


def chips(response):
    """The tags the box draws as chips, from the data the widget hands tags.js."""
    found = re.search(r'data-tag-chips="([^"]*)"', response.content.decode())
    return json.loads(unescape(found.group(1)))


@pytest.fixture
def tagged(make_article):
    make_article(tags=["Local economy", "Москва", "الاقتصاد المحلي"])
    make_article(tags=["Local economy", "Economic policy"])
    make_article(tags=["Harbour"])


@pytest.mark.parametrize(
    "typed, found",
    [
        ("LOCAL", ["Local economy"]),
        ("local ec", ["Local economy"]),
        ("econom", ["Local economy", "Economic policy"]),  # the most used first
        ("мОс", ["Москва"]),
        ("МОСКВА", ["Москва"]),
        ("الاقتصاد", ["الاقتصاد المحلي"]),
        ("ferry", []),
        ("   ", []),
    ],
)
def test_staff_are_offered_existing_tags_in_any_case_and_script(
    client, editor, tagged, typed, found
):
    client.force_login(editor)
    assert suggested(client, typed) == found


def test_suggestions_cost_the_same_queries_however_many_tags_exist(
    client, editor, make_article, count_queries, django_assert_num_queries
):
    client.force_login(editor)
    make_article(tags=["Budget 1", "Budget 2"])
    few = count_queries(lambda: suggested(client, "budget"))
    for n in range(3, 40):
        make_article(tags=[f"Budget {n}", "Budget 1"])
    with django_assert_num_queries(few):
        found = suggested(client, "budget")
    assert len(found) == 10 and found[0] == "Budget 1"


@pytest.mark.parametrize("who", ["stranger", "reader account"])
def test_suggestions_are_not_for_anyone_outside_the_newsroom(
    client, django_user_model, make_article, who
):
    make_article(tags=["Secret merger"], status=Article.Status.DRAFT, published_at=None)
    if who == "reader account":
        client.force_login(django_user_model.objects.create_user("reader", password="unused"))
    response = client.get(SUGGEST, {"q": "secret"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert b"Secret merger" not in response.content


def test_staff_without_access_to_stories_get_no_suggestions(
    client, django_user_model, make_article
):
    make_article(tags=["Secret merger"])
    client.force_login(
        django_user_model.objects.create_user("clerk", password="unused", is_staff=True)
    )
    response = client.get(SUGGEST, {"q": "secret"})
    assert response.status_code == 403
    assert b"Secret merger" not in response.content


def test_suggestions_are_never_cached_for_the_next_visitor(client, editor, make_article):
    make_article(tags=["Secret merger"], status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    response = client.get(SUGGEST, {"q": "secret"})
    assert response.json() == {"tags": ["Secret merger"]}
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    client.logout()
    client.cookies.clear()  # as a stranger would arrive: the public page cache's audience
    response = client.get(SUGGEST, {"q": "secret"})
    assert response.status_code == 302
    assert b"Secret merger" not in response.content


def test_the_tag_box_shows_as_chips_the_tags_taggit_will_save(admin_client, draft):
    draft.tags.set(["Local economy", "Budget"])
    response = admin_client.get(change_url(draft))
    assert chips(response) == ["Budget", "Local economy"]
    assert f'data-suggestions-url="{SUGGEST}"' in response.content.decode()


@pytest.mark.parametrize(
    "sent, saved",
    [
        # What tags.js sends: every chip quoted, so spaces and commas stay inside a tag.
        ('"Local economy"', ["Local economy"]),
        ('"Local economy", "Bus lanes"', ["Bus lanes", "Local economy"]),
        ('"Roads, bridges", "Budget"', ["Budget", "Roads, bridges"]),
        ('"Москва", "الاقتصاد المحلي"', ["Москва", "الاقتصاد المحلي"]),
    ],
)
def test_a_tag_with_spaces_survives_a_save_and_comes_back_as_one_chip(
    admin_client, draft, sent, saved
):
    response = admin_client.post(
        change_url(draft), form_data(admin_client.get(change_url(draft)), tags=sent)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(tag.name for tag in draft.tags.all()) == saved
    assert chips(admin_client.get(change_url(draft))) == saved


def test_an_existing_tag_is_reused_whatever_case_is_typed(admin_client, draft, make_article):
    make_article(tags=["Local economy"])
    admin_client.post(
        change_url(draft), form_data(admin_client.get(change_url(draft)), tags='"LOCAL ECONOMY"')
    )
    assert [tag.name for tag in draft.tags.all()] == ["Local economy"]


def test_without_javascript_the_tags_are_comma_separated_text_as_before(admin_client, draft):
    draft.tags.set(["City council", "Budget"])
    html = admin_client.get(change_url(draft)).content.decode()
    box = re.search(r"<input[^>]*name=\"tags\"[^>]*>", html).group(0)
    assert 'type="text"' in box
    assert 'value="&quot;City council&quot;, Budget"' in box

    response = admin_client.post(
        change_url(draft),
        form_data(admin_client.get(change_url(draft)), tags="Budget, Libraries, city council"),
    )
    assert response.status_code == 302
    assert sorted(tag.name for tag in draft.tags.all()) == ["Budget", "City council", "Libraries"]


def test_a_tag_longer_than_the_database_keeps_is_refused_and_the_text_kept(admin_client, draft):
    long_tag = "Council " * 15
    sent = f'"Budget", "{long_tag.strip()}"'
    response = admin_client.post(
        change_url(draft), form_data(admin_client.get(change_url(draft)), tags=sent)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["tags"]
    assert errors == [
        "A tag is at most 100 characters; “Council Council Council Counci…” has 119. "
        "Shorten it, or split it at a comma."
    ]
    assert chips(response) == ["Budget", long_tag.strip()]  # nothing typed is lost
    assert not draft.tags.exists()
