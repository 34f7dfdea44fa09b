"""Staff tokens: `Authorization: Bearer nrm_…` makes an API request read as its owner.

No token, an anonymous reader: what `Article.objects.live()` allows. A Bearer token that
does not check out is refused (401) on every endpoint, never read as anonymous: a preview
client must not mistake a dead token for "this draft does not exist".

The session cookie is ignored: a staff member logged in to the admin reads the API as the
public does. Only a token, sent on purpose, reads more.
"""

from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from ninja.security.http import HttpAuthBase

from .http import count_refused
from .models import ApiToken
from .problems import Problem

# The admin's own rule (ModelAdmin.has_view_permission): view or change permission on
# articles lets a staff member open every story, whatever its state.
READS_EVERY_STORY = ("articles.view_article", "articles.change_article")

_NOT_CHECKED = object()

# The same rule as user.has_perm() by ModelBackend (the only backend granting permissions
# here), a superuser aside: the permission given to the owner or to one of their groups,
# asked in the token's own query, so a token costs an API answer one query, not three.
_MAY_READ_STORIES = Exists(
    Permission.objects.filter(
        Q(user=OuterRef("user")) | Q(group__user=OuterRef("user")),
        content_type__app_label="articles",
        codename__in=[name.partition(".")[2] for name in READS_EVERY_STORY],
    )
)


def token_user(request):
    """The staff member whose token this request carries, or None when it carries none.

    Raises Problem (401, or 403 for an owner who may not read stories in the admin) for a
    token that does not check out. Checked once per request: the answer, or the refusal,
    is kept on the request.
    """
    outcome = getattr(request, "_api_token_outcome", _NOT_CHECKED)
    if outcome is _NOT_CHECKED:
        try:
            outcome = _check(request)
        except Problem as refusal:
            outcome = refusal
        request._api_token_outcome = outcome
    if isinstance(outcome, Problem):
        raise outcome
    return outcome


def _check(request):
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    # Other schemes are not ours: Basic auth of a proxy in front of a staging site passes
    # through to every request, and must leave the API readable as the public reads it.
    if scheme.lower() != "bearer":
        return None
    secret = secret.strip()
    if not secret:
        raise _invalid("The Authorization header says Bearer but gives no token.")
    # One query, by the unique index on the digest. The same words for every secret we do
    # not hold: nothing tells a guesser how close they came, or whose token it might be.
    tokens = ApiToken.objects.select_related("user").annotate(may_read=_MAY_READ_STORIES)
    try:
        token = tokens.get(digest=ApiToken.digest_of(secret))
    except ApiToken.DoesNotExist:
        raise _invalid("This token is unknown: check that it was copied whole.") from None
    now = timezone.now()
    state = token.state(now)
    if state == "revoked":
        raise _invalid(f"This token was revoked on {_when(token.revoked_at)}.")
    if state == "expired":
        raise _invalid(f"This token expired on {_when(token.expires_at)}: make a new one.")
    user = token.user
    if not (user.is_active and user.is_staff):
        raise _invalid("This token's owner may no longer sign in to the admin.")
    if not (user.is_superuser or token.may_read):
        # A token reads more than the public or nothing: one that reads what the public
        # reads would only hide a mistake (the preview would say every draft is missing).
        raise Problem(
            403,
            "Token cannot read stories",
            "This token's owner may not open stories in the admin, so the token reads "
            "nothing more than the public does. Send the request without it.",
        )
    token.record_use(now)
    return user


def _invalid(detail):
    return Problem(401, "Invalid token", detail)


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class StaffToken(HttpAuthBase):
    """Optional bearer authentication for the whole API (NinjaAPI(auth=StaffToken())).

    Every request passes: a staff member with a good token, or an anonymous reader. A bad
    token is refused before the view runs, so every endpoint answers 401 alike.
    """

    openapi_description = (
        "Optional. Staff only: a token made in the admin (API tokens) reads every story its "
        "owner may open there, drafts and withdrawn stories included. Without a token you "
        "read what the public reads."
    )
    openapi_scheme = "bearer"
    openapi_bearerFormat = "nrm_…"

    def __call__(self, request):
        # ninja lets a request through only when this returns something true (and keeps
        # it as request.auth): the token's owner, or an anonymous reader.
        try:
            return token_user(request) or AnonymousUser()
        except Problem:
            count_refused(request)  # 429 once this address is over its limit
            raise
