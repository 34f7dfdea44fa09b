"""Moving a story through the newsroom: draft, review, published (or scheduled), withdrawn.

Each step is an explicit call that names who takes it, checks their permission and keeps a
revision; admin actions and the change form both come through here. Nothing in
`Article.save()` or a signal changes a story's status, so `loaddata` and imports write
exactly what they are given.

Pass `commit=False` to change the article in memory only (the change form does, then saves
the article with everything else the editor typed).
"""

from contextlib import nullcontext
from datetime import datetime

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .body_pictures import pictures_shown
from .models import Article

PUBLISH_PERMISSION = "articles.publish_article"
CHANGE_PERMISSION = "articles.change_article"

Status = Article.Status

# What a reporter may set. Anything else (published, scheduled, withdrawn, or taking a story
# out of those) is for holders of articles.publish_article.
REPORTER_STATUSES = frozenset({Status.DRAFT, Status.REVIEW})


class TransitionError(ValueError):
    """The story is not in a state this step applies to (e.g. withdrawing a draft)."""


def can_publish(user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def can_set_status(user: AbstractBaseUser, old_status: str | None, new_status: str) -> bool:
    """Whether `user` may move a story from `old_status` (None when new) to `new_status`."""
    if old_status == new_status:
        return True
    if can_publish(user):
        return True
    return new_status in REPORTER_STATUSES and old_status in REPORTER_STATUSES | {None}


def first_publication_dates(
    published_at: datetime | None,
    original_published_at: datetime | None,
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The dates a story gets when it goes live.

    It goes live at `published_at`, or now when that is empty; a time ahead schedules it. The
    original date is set only the first time: syndicated copy keeps its source's date and
    publishing again never rewrites it.
    """
    published_at = published_at or now or timezone.now()
    return published_at, original_published_at or published_at


def submit_for_review(article: Article, *, by: AbstractBaseUser, commit: bool = True) -> Article:
    _require(by, CHANGE_PERMISSION)
    if article.status != Status.DRAFT:
        raise TransitionError(f"Only a draft can be submitted for review, not a {article.status}.")
    article.status = Status.REVIEW
    return _save(article, by, "Submitted for review", commit)


def publish(
    article: Article, *, by: AbstractBaseUser, at: datetime | None = None, commit: bool = True
) -> Article:
    """Publish now, or at `at` (in the future: scheduled)."""
    _require(by, PUBLISH_PERMISSION)
    if article.status == Status.WITHDRAWN:
        raise TransitionError("A withdrawn story stays withdrawn; unpublish it first to revive it.")
    if at is None and article.status == Status.PUBLISHED and article.published_at:
        # Already live (or scheduled): publishing "now" brings a scheduled story forward and
        # leaves a live one where it is in the lists.
        at = min(article.published_at, timezone.now())
    article.published_at, article.original_published_at = first_publication_dates(
        at, article.original_published_at
    )
    if article.expires_at and article.expires_at <= max(article.published_at, timezone.now()):
        # Saying "Published" of a story no reader will see would be a lie.
        raise TransitionError(
            "This story's expiry time has passed: clear or move it to publish the story."
        )
    require_pictures_ready(article)
    article.status = Status.PUBLISHED
    scheduled = article.published_at > timezone.now()
    return _save(article, by, "Scheduled" if scheduled else "Published", commit)


def unpublish(article: Article, *, by: AbstractBaseUser, commit: bool = True) -> Article:
    """Take a published or scheduled story back to draft; its dates stay as they were."""
    _require(by, PUBLISH_PERMISSION)
    if article.status not in (Status.PUBLISHED, Status.WITHDRAWN):
        raise TransitionError("Only a published, scheduled or withdrawn story can be unpublished.")
    article.status = Status.DRAFT
    return _save(article, by, "Unpublished", commit)


def withdraw(article: Article, *, by: AbstractBaseUser, commit: bool = True) -> Article:
    """Withdraw a published story: its address answers 410 Gone from now on."""
    _require(by, PUBLISH_PERMISSION)
    if article.status != Status.PUBLISHED:
        raise TransitionError("Only a published story can be withdrawn.")
    _refuse_unless_it_ran(article)
    article.status = Status.WITHDRAWN
    return _save(article, by, "Withdrawn", commit)


def set_status(
    article: Article,
    status: str,
    *,
    by: AbstractBaseUser,
    at: datetime | None = None,
    commit: bool = True,
) -> Article:
    """The change form's way in: take the story from its current status to `status`.

    `at` is the publication time the editor typed (empty means now). The change form passes
    the story with every date as typed and the status it has now, so a step sees what will
    be saved.
    """
    if status == Status.PUBLISHED:
        return publish(article, by=by, at=at, commit=commit)
    if status == article.status:
        if status == Status.WITHDRAWN:
            # No step, but a new publication time must not undo what withdrawing checked.
            _refuse_unless_it_ran(article)
        return article
    if status == Status.REVIEW:
        return submit_for_review(article, by=by, commit=commit)
    if status == Status.WITHDRAWN:
        return withdraw(article, by=by, commit=commit)
    if article.status in REPORTER_STATUSES:
        # Review back to draft: a reporter may take back their own submission.
        _require(by, CHANGE_PERMISSION)
        article.status = status
        return _save(article, by, "Returned to draft", commit)
    return unpublish(article, by=by, commit=commit)


def require_pictures_ready(article: Article, *, lead: bool = True, body: bool = True) -> None:
    """Refuse pictures readers would get without alt text (unless decorative) or credit.

    One rule for the lead picture and every library picture in the body, each one named;
    `lead` or `body` False leaves that part out (the change form puts each on its own field).
    """
    shown = []
    if lead and article.lead_image is not None:
        shown.append(("the lead picture “{}”", article.lead_image))
    if body:
        shown.extend(
            ("the picture “{}” in the body", image) for image in pictures_shown(article.body)
        )
    faults = [
        (f"{name.format(image)} has no {' and no '.join(missing)}", len(missing))
        for name, image in shown
        if (missing := image.missing_for_publication())
    ]
    if not faults:
        return
    them = "them" if sum(count for _, count in faults) > 1 else "it"
    said = "; ".join(fault for fault, _ in faults)
    raise TransitionError(
        f"{said[0].upper()}{said[1:]}: add {them} in the picture library (a purely decorative "
        "picture can be marked so, and needs no alt text) before the story is live."
    )


def _require(user: AbstractBaseUser, permission: str) -> None:
    if not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(f"{user} lacks the permission {permission}.")


def _refuse_unless_it_ran(article):
    # A 410 tells the world a story ran at this address: it needs a time it went live, past.
    if article.published_at is None:
        raise TransitionError(
            "A withdrawn story keeps the time it went live: fill in its publication time."
        )
    if article.published_at <= timezone.now():
        return
    if article.status == Status.WITHDRAWN:
        raise TransitionError(
            "A withdrawn story keeps the time it went live, in the past: "
            "to schedule it again, unpublish it first."
        )
    raise TransitionError(
        "This story's publication time is ahead, so it has not run and cannot be "
        "withdrawn: unpublish it instead, or give the time it went live."
    )


# The only fields a step changes. Saving just these means a step taken on a copy loaded a
# moment ago can never write back stale words over an editor's save.
STEP_FIELDS = ("status", "published_at", "original_published_at", "updated_at")


def _save(article: Article, by: AbstractBaseUser, comment: str, commit: bool) -> Article:
    if not commit:
        return article
    # Inside the admin a revision is already open and takes this comment; from a shell or an
    # action this opens one, so every status change is in the history with who made it.
    block = nullcontext() if reversion.is_active() else reversion.create_revision()
    with transaction.atomic(), block:
        article.save(update_fields=STEP_FIELDS if article.pk else None)
        reversion.set_user(by)
        reversion.set_comment(comment)
    return article
