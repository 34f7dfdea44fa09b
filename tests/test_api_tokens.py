"""Staff tokens for headless preview: made and revoked in the admin, kept as a digest, read
the API as their owner reads the admin; a token that does not check out is refused."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from api.access import stories_for
from api.auth import token_user
from api.http import make_cursor
from api.models import ApiToken
from api.problems import Problem
from tests.photos_helpers import make_image
from tests.workflow_helpers import logged_in

ADD = reverse("admin:api_apitoken_add")
CHANGELIST = reverse("admin:api_apitoken_changelist")


def make_token(user, *, name="Preview app", **fields):
    """A token for `user` and its secret, as the admin makes them."""
    fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    token = ApiToken(user=user, name=name, **fields)
    secret = token.new_secret()
    token.save()
    return token, secret


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def typed(when):
    """A datetime as the admin's split widget takes it, in the newsroom's zone."""
    local = timezone.localtime(when)
    return {"expires_at_0": local.strftime("%d/%m/%Y"), "expires_at_1": local.strftime("%H:%M:%S")}


def secret_in(response):
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    found = [m for m in shown if "it will not be shown again" in m]
    assert len(found) == 1, shown
    return re.search(r"(nrm_[A-Za-z0-9_-]+)$", found[0]).group(1)


@pytest.fixture
def hidden(make_article):
    return make_article(
        headline="Draft about the harbour",
        slug="draft-about-the-harbour",
        status="draft",
        published_at=None,
        original_published_at=None,
    )


# Making tokens in the admin ------------------------------------------------------------


def test_a_reporter_makes_a_token_sees_its_secret_once_and_it_reads_her_drafts(
    rita, reporter, hidden
):
    form = rita.get(ADD)
    # Ninety days unless she says otherwise.
    offered = form.context["adminform"].form.initial["expires_at"]
    assert timedelta(days=89) < offered - timezone.now() <= timedelta(days=90)
    response = rita.post(ADD, {"name": "Preview app", **typed(offered)}, follow=True)
    secret = secret_in(response)
    assert secret in response.content.decode()

    token = ApiToken.objects.get()
    assert token.user == reporter
    assert len(secret) == len("nrm_") + 43  # token_urlsafe(32): 256 random bits
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and token.prefix.startswith("nrm_")
    assert secret not in {getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}
    # Never shown again: not in the list, not on the token's own page.
    for url in (CHANGELIST, reverse("admin:api_apitoken_change", args=[token.pk])):
        page = rita.get(url).content.decode()
        assert token.prefix in page and secret not in page

    answer = rita.get(f"/api/v1/articles/{hidden.slug}/", **bearer(secret))
    assert answer.status_code == 200
    assert hidden.headline in answer.content.decode()


def test_staff_make_tokens_for_themselves_only_and_see_only_their_own(
    rita, reporter, editor, make_staff
):
    # The form offers no owner; an owner slipped into the POST is ignored.
    assert "user" not in rita.get(ADD).context["adminform"].form.fields
    when = timezone.now() + timedelta(days=10)
    rita.post(ADD, {"name": "Mine", "user": editor.pk, **typed(when)})
    assert ApiToken.objects.get(name="Mine").user == reporter

    theirs, _ = make_token(editor, name="The editor's")
    listed = rita.get(CHANGELIST).content.decode()
    assert "Mine" in listed and "The editor&#x27;s" not in listed
    assert rita.get(reverse("admin:api_apitoken_change", args=[theirs.pk])).status_code == 302
    # Revoked tokens stay on record: only a superuser deletes one.
    assert rita.get(reverse("admin:api_apitoken_delete", args=[theirs.pk])).status_code != 200
    mine = ApiToken.objects.get(name="Mine")
    assert rita.get(reverse("admin:api_apitoken_delete", args=[mine.pk])).status_code == 403


def test_a_superuser_makes_a_token_for_a_colleague_but_not_for_a_reader(
    admin_client, reporter, django_user_model
):
    when = timezone.now() + timedelta(days=10)
    admin_client.post(ADD, {"name": "Rita's app", "user": reporter.pk, **typed(when)})
    assert ApiToken.objects.get().user == reporter

    reader = django_user_model.objects.create_user("reader", password="unused")
    response = admin_client.post(ADD, {"name": "No", "user": reader.pk, **typed(when)})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert ApiToken.objects.count() == 1


def test_staff_who_may_not_open_stories_get_no_token(django_user_model):
    photo_desk = Group.objects.create(name="Photo desk")
    user = django_user_model.objects.create_user("pat", password="unused", is_staff=True)
    user.groups.add(photo_desk)
    assert logged_in(user).get(ADD).status_code == 403


@pytest.mark.parametrize(
    "lifetime, error",
    [
        (timedelta(days=366), "365 days at most"),
        (timedelta(minutes=-1), "in the future"),
    ],
)
def test_a_token_lives_a_year_at_most_and_not_in_the_past(rita, lifetime, error):
    response = rita.post(ADD, {"name": "Too long", **typed(timezone.now() + lifetime)})
    assert error in str(response.context["adminform"].form.errors["expires_at"])
    assert not ApiToken.objects.exists()
    rita.post(ADD, {"name": "A year", **typed(timezone.now() + timedelta(days=364))})
    assert ApiToken.objects.filter(name="A year").exists()


def test_the_list_shows_name_owner_prefix_dates_and_state(rita, reporter):
    active, _ = make_token(reporter, name="Active one")
    make_token(reporter, name="Old one", expires_at=timezone.now() - timedelta(days=1))
    make_token(reporter, name="Cut one", revoked_at=timezone.now())
    response = rita.get(CHANGELIST)
    page = response.content.decode()
    for text in ("Active one", "Old one", "Cut one", active.prefix, "rita", "Active", "Expired"):
        assert text in page
    assert "Revoked" in page
    # The first column is the checkbox of the actions (revoke).
    assert list(response.context["cl"].list_display)[1:] == [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "state",
    ]


def test_revoking_a_token_in_the_admin_makes_it_answer_401(rita, reporter, hidden):
    token, secret = make_token(reporter)
    assert rita.get(f"/api/v1/articles/{hidden.slug}/", **bearer(secret)).status_code == 200
    rita.post(CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = rita.get(f"/api/v1/articles/{hidden.slug}/", **bearer(secret))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


# Using a token -------------------------------------------------------------------------


@pytest.fixture
def factory_request():
    def make(secret):
        return RequestFactory().get("/api/v1/articles/", **bearer(secret))

    return make


def test_a_token_reads_every_story_a_reporter_may_open_in_the_admin(
    reporter, make_article, factory_request
):
    make_article(headline="Live one")
    make_article(headline="Withdrawn one", status="withdrawn")
    make_article(headline="Draft one", status="draft", published_at=None)
    make_article(headline="Tomorrow's", published_at=timezone.now() + timedelta(days=1))
    _, secret = make_token(reporter)
    assert stories_for(factory_request(secret)).count() == 4
    assert stories_for(RequestFactory().get("/api/v1/articles/")).count() == 1


def test_a_token_is_checked_by_one_indexed_query_once_per_request(
    reporter, factory_request, django_assert_num_queries, admin_user
):
    _, secret = make_token(admin_user)
    request = factory_request(secret)
    # The token and its owner in one query, by the unique index on the digest; no
    # write, as it was used a moment ago.
    ApiToken.objects.update(last_used_at=timezone.now())
    with django_assert_num_queries(1):
        assert token_user(request) == admin_user
    with django_assert_num_queries(0):
        token_user(request)
        stories_for(request)
    # A reporter's permission comes from her role: asked in the same query.
    _, secret = make_token(reporter)
    ApiToken.objects.update(last_used_at=timezone.now())
    with django_assert_num_queries(1):
        assert token_user(factory_request(secret)) == reporter


def test_last_used_is_written_at_most_once_a_minute(reporter, factory_request, clock):
    token, secret = make_token(reporter)
    start = clock(timezone.now())
    token_user(factory_request(secret))
    token.refresh_from_db()
    assert token.last_used_at == start
    clock(start + timedelta(seconds=59))
    token_user(factory_request(secret))
    token.refresh_from_db()
    assert token.last_used_at == start
    later = clock(start + timedelta(seconds=61))
    token_user(factory_request(secret))
    token.refresh_from_db()
    assert token.last_used_at == later


def refusal(client, secret, url="/api/v1/articles/"):
    response = client.get(url, **bearer(secret))
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    return response.json()["detail"]


def test_an_unknown_token_is_refused_saying_nothing_of_other_tokens(client, reporter):
    token, secret = make_token(reporter)
    random_guess = refusal(client, "nrm_" + "x" * 43)
    # A guess sharing a real token's visible prefix gets the very same answer.
    near_miss = refusal(client, token.prefix + "y" * 35)
    assert random_guess == near_miss
    assert "unknown" in random_guess
    assert "rita" not in random_guess and token.prefix not in random_guess
    assert "no token" in refusal(client, "")


def test_an_expired_or_revoked_token_is_refused_saying_which(client, reporter, clock):
    _, expiring = make_token(reporter, expires_at=timezone.now() + timedelta(hours=1))
    _, revoked = make_token(reporter)
    ApiToken.objects.filter(digest=ApiToken.digest_of(revoked)).update(revoked_at=timezone.now())
    assert "revoked" in refusal(client, revoked)
    clock(timezone.now() + timedelta(hours=1))
    assert "expired" in refusal(client, expiring)


@pytest.mark.parametrize("change", [{"is_active": False}, {"is_staff": False}])
def test_a_token_stops_working_when_its_owner_leaves_the_staff(client, reporter, change):
    _, secret = make_token(reporter)
    type(reporter).objects.filter(pk=reporter.pk).update(**change)
    assert "may no longer sign in" in refusal(client, secret)


def test_a_token_of_staff_who_may_not_open_stories_is_forbidden(client, reporter):
    _, secret = make_token(reporter)
    reporter.groups.clear()
    response = client.get("/api/v1/articles/", **bearer(secret))
    assert response.status_code == 403
    assert "may not open stories" in response.json()["detail"]


def test_another_scheme_reads_as_the_public(client, hidden, make_article):
    live = make_article(headline="Everybody's story")
    # A proxy's Basic auth in front of a staging site must not lock the API.
    response = client.get("/api/v1/articles/", HTTP_AUTHORIZATION="Basic cml0YTpzZWNyZXQ=")
    assert response.status_code == 200
    assert live.slug in response.content.decode()
    assert hidden.slug not in response.content.decode()


def test_a_logged_in_session_reads_as_the_public(rita, hidden):
    # Only a token, sent on purpose, reads more: not a cookie a browser sends by itself.
    assert rita.get(f"/api/v1/articles/{hidden.slug}/").status_code == 404


def test_every_endpoint_refuses_a_bad_token(client, make_article, reporter):
    from tests.test_api_visibility import api_paths

    story = make_article()
    for path in api_paths(story.slug, since="any"):
        if path.endswith(("openapi.json", "/docs")):
            continue  # the description of the API, the same for everyone
        assert "unknown" in refusal(client, "nrm_nothing", path), path


def test_staff_answers_are_never_stored_by_any_cache(client, reporter, hidden):
    _, secret = make_token(reporter)
    for url in (f"/api/v1/articles/{hidden.slug}/", "/api/v1/articles/"):
        response = client.get(url, **bearer(secret))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert not response.has_header("Surrogate-Key")
        assert not response.has_header("Cache-Tag")


# What a token shows ---------------------------------------------------------------------


def test_a_token_reads_a_draft_that_has_no_date_yet(client, reporter, hidden):
    _, secret = make_token(reporter)
    response = client.get(f"/api/v1/articles/{hidden.slug}/", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["headline"] == hidden.headline
    assert response.json()["date_shown"] is None
    # Lists are ordered by the date readers see: one with no date yet comes after every dated
    # one, and a cursor pages on to it.
    listed = client.get("/api/v1/articles/", **bearer(secret)).json()["items"]
    assert hidden.slug in {story["slug"] for story in listed}


def test_a_token_lists_undated_drafts_after_the_dated_stories(client, reporter, make_article):
    dated = [make_article(headline=f"Dated {n}") for n in range(2)]
    undated = [
        make_article(
            headline=f"Undated {n}", status="draft", published_at=None, original_published_at=None
        )
        for n in range(3)
    ]
    _, secret = make_token(reporter)
    seen, url = [], "/api/v1/articles/?limit=2"
    while url:
        page = client.get(url, **bearer(secret)).json()
        seen += [story["slug"] for story in page["items"]]
        url = page["next"]
    newest_dated = sorted(dated, key=lambda s: (s.date_shown, s.pk), reverse=True)
    newest_undated = sorted(undated, key=lambda s: s.pk, reverse=True)
    assert seen == [s.slug for s in newest_dated + newest_undated]
    # Readers never see them, not even by a cursor pointing past every date.
    public = client.get("/api/v1/articles/").json()
    assert [s["slug"] for s in public["items"]] == [s.slug for s in newest_dated]
    past_every_date = make_cursor(None, 2**62)
    assert client.get(f"/api/v1/articles/?cursor={past_every_date}").json()["items"] == []


@pytest.fixture
def taken_down(make_article):
    return make_article(
        headline="Taken down story", body="<p>Its withdrawn words.</p>", status="withdrawn"
    )


def test_a_token_reads_a_withdrawn_story_with_its_text_and_status(client, reporter, taken_down):
    assert client.get(f"/api/v1/articles/{taken_down.slug}/").status_code == 410
    _, secret = make_token(reporter)
    response = client.get(f"/api/v1/articles/{taken_down.slug}/", **bearer(secret))
    assert response.status_code == 200
    assert "Its withdrawn words." in response.json()["body"]
    # A preview must say the story is not what readers see.
    assert response.json()["status"] == "withdrawn"


def test_a_token_reads_a_withdrawn_story_as_ninjs_canceled(client, reporter, taken_down):
    _, secret = make_token(reporter)
    ninjs = client.get(f"/api/v1/articles/{taken_down.slug}.ninjs", **bearer(secret))
    assert ninjs.status_code == 200
    assert ninjs.json()["pubstatus"] == "canceled"
    assert "Its withdrawn words." in ninjs.content.decode()


def test_tokens_are_optional_in_the_openapi_document(client):
    client.get("/api/v1/openapi.json")  # made afresh each time, never patched twice
    document = client.get("/api/v1/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["StaffToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert scheme["description"].startswith("Optional.")
    # Each operation says so too: either no token ({}) or the staff token. A generated client
    # must not demand a token of anonymous readers.
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        assert operation["security"] == [{}, {"StaffToken": []}], operation["operationId"]


def test_a_refusal_is_a_problem_not_an_exception(rf, reporter):
    request = rf.get("/api/v1/articles/", HTTP_AUTHORIZATION="Bearer nrm_nope")
    with pytest.raises(Problem) as first:
        token_user(request)
    with pytest.raises(Problem) as again:
        stories_for(request)
    assert first.value is again.value and first.value.status == 401


def test_a_token_costs_the_story_no_more_than_three_queries(
    client, reporter, make_article, make_author, django_assert_num_queries, media
):
    # The token with its owner and her role's permission, the story, the body's pictures; a
    # list stays constant in its stories (one query more than for readers: the token).
    inside = make_image(credit="Staff", alt_text="A quay")
    story = make_article(
        tags=["Floods"],
        authors=[make_author("Jane Reporter")],
        lead_image=make_image(credit="Jane", alt_text="A ferry"),
        body=f'<p>Text.</p><figure data-image="{inside.file.name}"></figure>',
    )
    _, secret = make_token(reporter)
    client.get(f"/api/v1/articles/{story.slug}/", **bearer(secret))  # records last use
    with django_assert_num_queries(3):
        assert client.get(f"/api/v1/articles/{story.slug}/", **bearer(secret)).status_code == 200
    for _ in range(5):
        make_article(lead_image=None)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/articles/?limit=100", **bearer(secret))
    assert len(response.json()["items"]) == 6
