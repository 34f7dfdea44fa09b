from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from tests.workflow_helpers import change_url, form_data

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
# The change form carries the corrections inline; a POST must say it sends none.
NO_CORRECTIONS = {"corrections-TOTAL_FORMS": "0", "corrections-INITIAL_FORMS": "0"}


def test_changelist_shows_headline_status_section_dates_and_tags(admin_client, seed):
    html = admin_client.get(CHANGELIST).content.decode()
    assert seed.headline in html
    assert ">Live</span>" in html and "News" in html
    assert "Syria" in html and "Vladimir Putin" in html
    assert "23 Jul 2024, noon" in html and "14 Sep 2021, noon" in html


@pytest.mark.parametrize(
    "query, found",
    [("q=Kremlin", True), ("q=nothing-like-this", False), ("status__exact=draft", False)],
)
def test_changelist_search_and_filters(admin_client, seed, query, found):
    response = admin_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert (seed.headline in response.content.decode()) is found


def test_changelist_runs_a_constant_number_of_queries(
    admin_client, make_article, make_author, count_queries, django_assert_num_queries
):
    author = make_author("Jane Reporter")
    for i in range(3):
        make_article(tags=[f"t{i}", "shared"], authors=[author])
    few = count_queries(lambda: admin_client.get(CHANGELIST))
    for i in range(30):
        make_article(tags=[f"u{i}", "shared"], authors=[author])
    with django_assert_num_queries(few):
        admin_client.get(CHANGELIST)


def test_add_form_offers_prepopulated_slug_tags_fieldsets_and_autocomplete(admin_client, section):
    html = admin_client.get(ADD).content.decode()
    for fieldset in ("Story", "Credits", "Taxonomy", "Publishing"):
        assert f">{fieldset}</h2>" in html
    assert "data-prepopulated-fields" in html and "#id_slug" in html
    assert 'name="tags"' in html
    assert "admin-autocomplete" in html


def test_staff_create_an_article_with_tags_through_the_admin(admin_client, section):
    response = admin_client.post(
        ADD,
        {
            "headline": "Council approves budget",
            "slug": "council-approves-budget",
            "standfirst": "A late-night vote.",
            "body": '<p>It passed.</p><script>alert("x")</script>',
            "byline": "City desk",
            "syndication_indexing": "self",
            "section": section.pk,
            "tags": "Budget, City council",
            "status": "published",
            "original_published_at_0": "14/09/2021",
            "original_published_at_1": "12:00:00",
            "published_at_0": "14/09/2021",
            "published_at_1": "12:00:00",
            **NO_CORRECTIONS,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="council-approves-budget")
    assert sorted(t.name for t in article.tags.all()) == ["Budget", "City council"]
    assert article.body == "<p>It passed.</p>"
    # Entered in the newsroom's time zone (BST in September), stored in UTC.
    assert article.original_published_at.isoformat() == "2021-09-14T11:00:00+00:00"


def test_an_edit_in_the_admin_shows_on_the_public_page(admin_client, client, seed):
    change = reverse("admin:articles_article_change", args=[seed.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"authors", "tags", "created_at", "updated_at"}
    }
    data.update(
        section=seed.section.pk,
        headline="Putin and al-Assad meet in Moscow",
        tags="Syria, Russia, Vladimir Putin, Bashar al-Assad, Syrian civil war",
        original_published_at_0="14/09/2021",
        original_published_at_1="12:00:00",
        display_date_0="23/07/2024",
        display_date_1="12:00:00",
        published_at_0="23/07/2024",
        published_at_1="12:00:00",
        **NO_CORRECTIONS,
    )
    data.pop("original_published_at"), data.pop("display_date"), data.pop("published_at")
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    html = client.get(seed.get_absolute_url()).content.decode()
    assert "Putin and al-Assad meet in Moscow" in html
    assert ">23 July 2024, 12:00 BST</time>" in html


def test_editors_choose_how_search_engines_treat_syndicated_copy(admin_client, seed):
    html = admin_client.get(reverse("admin:articles_article_change", args=[seed.pk])).content
    assert b'name="syndication_indexing"' in html
    assert b'value="noindex"' in html and b'value="source"' in html


def test_admin_search_uses_the_full_text_index_and_finds_drafts_and_tags(
    admin_client, make_article
):
    draft = make_article(headline="Harbour plan leaked", status="draft", published_at=None)
    tagged = make_article(headline="Council meets", body="<p>Agenda.</p>", tags=["Harbours"])
    make_article(headline="Weather", body="<p>Rain.</p>")
    results = admin_client.get(f"{CHANGELIST}?q=harbour").context["cl"].result_list
    assert set(results) == {draft, tagged}  # stemmed: harbour, Harbours


# A body that cleaning would empty is refused, saying what would go, keeping what was typed

EMPTIED_BODIES = [
    ('<img src="https://example.com/harbour.jpg">', "(<img> removed)"),
    ("<script>alert('x')</script>", "(<script> removed)"),
]


def assert_body_refused_and_kept(response, typed, removed):
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["body"]
    assert removed in message and "Write the story's words" in message
    html = response.content.decode()
    assert escape(message) in html
    # What the editor typed is still in the box, to fix rather than retype.
    assert f"{escape(typed)}</textarea>" in html


@pytest.mark.parametrize("typed, removed", EMPTIED_BODIES)
@pytest.mark.parametrize("status", ["draft", "published"])
def test_the_add_form_refuses_a_body_with_no_words_once_cleaned(
    admin_client, section, typed, removed, status
):
    data = form_data(
        admin_client.get(ADD),
        headline="Harbour pictures",
        slug="harbour-pictures",
        body=typed,
        section=str(section.pk),
        status=status,
    )
    assert_body_refused_and_kept(admin_client.post(ADD, data), typed, removed)
    assert not Article.objects.exists()


@pytest.mark.parametrize("typed, removed", EMPTIED_BODIES)
@pytest.mark.parametrize("status", ["draft", "published"])
def test_the_change_form_refuses_a_body_with_no_words_once_cleaned(
    admin_client, make_article, typed, removed, status
):
    draft = make_article(status="draft", published_at=None, original_published_at=None)
    words = draft.body
    change = change_url(draft)
    data = form_data(admin_client.get(change), body=typed, status=status)
    assert_body_refused_and_kept(admin_client.post(change, data), typed, removed)
    draft.refresh_from_db()
    assert (draft.body, draft.status) == (words, "draft")


# Locked out after too many failed logins


@pytest.mark.parametrize(
    "cooloff, said",
    [
        (timedelta(minutes=15), "locked for 15 minutes after 5 failed attempts"),
        (timedelta(hours=1), "locked for 1 hour after 5 failed attempts"),
        (timedelta(minutes=90), "locked for 1 hour, 30 minutes after 5 failed attempts"),
    ],
)
def test_the_lockout_page_says_how_long_in_words(client, db, settings, cooloff, said):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = cooloff
    get_user_model().objects.create_user("editor", password="right-password-123", is_staff=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    assert response.status_code == 429
    # Django keeps a number and its unit together with a no-break space.
    page = response.content.decode().replace("\xa0", " ")
    assert said in page
