import copy
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import formats, timezone
from reversion.models import Version

from . import publishing
from .models import Article, OldSlug


def edit_token(updated_at):
    """What the change form remembers of the story it opened: its `updated_at`, exactly.

    Every save moves `updated_at` forward (and restoring a revision is a save), so a form
    whose token no longer matches was opened before someone else saved.
    """
    return updated_at.astimezone(UTC).isoformat(timespec="microseconds")


def describe_last_change(article, since):
    """(who, when) of the change made to `article` after `since`, for the conflict message."""
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    current = Article.objects.filter(pk=article.pk).values_list("updated_at", flat=True).first()
    when = current or timezone.now()
    who = "Someone outside the admin (an import or a script)"
    if version and (since is None or version.revision.date_created > since):
        user = version.revision.user
        if user is not None:
            who = user.get_full_name() or user.get_username()
        when = version.revision.date_created
    return who, when


def _formfield(db_field, **kwargs):
    # Addresses typed without a scheme are https (Django 6's default, chosen now).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and time typed in the newsroom's zone, for a story's dates.

    In the hour the clocks repeat (01:30 on the last Sunday of October) or skip (March), a
    typed time names no single moment and is refused, saying what to type instead. A stored
    time in the repeated hour, shown and sent back unchanged, keeps the moment it was.
    """

    stored = None  # the aware value the form was opened with (ArticleAdminForm sets it)

    def compress(self, data_list):
        if self.stored and data_list and all(data_list):
            typed = datetime.combine(*data_list).replace(microsecond=0)
            shown = timezone.localtime(self.stored).replace(tzinfo=None, microsecond=0)
            if typed == shown:
                return self.stored
        try:
            return super().compress(data_list)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            raise ValidationError(
                f"{data_list[1]:%H:%M} on {data_list[0].day} {data_list[0]:%B %Y} happens twice "
                "or not at all "
                f"in {timezone.get_current_timezone_name()}: the clocks change that night. "
                "Type a time outside that hour, such as 00:30 or 02:30.",
                code="ambiguous_timezone",
            ) from None


class ArticleAdminForm(forms.ModelForm):
    """The change form, bound to the user editing (ArticleAdmin.get_form sets `user`)."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    mark_public_update = forms.BooleanField(
        required=False,
        label="Mark as public update",
        help_text="Tell readers: the page shows “Updated” with the time of this save "
        "(for a live story).",
    )
    # Hidden unless an editor types the old address of another story that ran (__init__).
    take_address = forms.BooleanField(
        required=False,
        label="Take this address",
        widget=forms.HiddenInput,
        help_text="Its old links will lead readers to this story instead.",
    )

    user = None

    class Meta:
        model = Article
        formfield_callback = _formfield
        # The admin's fieldsets choose what is shown; this is the list for the form alone.
        fields = (
            "headline",
            "slug",
            "standfirst",
            "body",
            "section",
            "authors",
            "byline",
            "source_name",
            "source_url",
            "syndication_indexing",
            "status",
            "original_published_at",
            "display_date",
            "published_at",
            "expires_at",
            "tags",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, LocalDateTimeField):
                field.stored = getattr(self.instance, name, None)
        if self.instance.pk:
            self.initial["edit_token"] = edit_token(self.instance.updated_at)
        status = self.fields.get("status")
        if status is not None and self.user is not None and not publishing.can_publish(self.user):
            # Invalid choices are refused by the field itself, so a crafted POST of
            # status=published fails validation like any other wrong value.
            status.choices = [
                (value, label)
                for value, label in status.choices
                if value in publishing.REPORTER_STATUSES
            ]
        if self.is_bound and self._may_take_addresses():
            holder = self._address_holder(self.data.get(self.add_prefix("slug"), "").strip())
            if holder is not None:
                take = self.fields["take_address"]
                take.widget = forms.CheckboxInput()
                take.label = f"Take this address from “{holder}”"

    def clean(self):
        cleaned = super().clean()
        self._refuse_a_reserved_address(cleaned)
        self._take_status_step(cleaned)
        published_at, expires_at = cleaned.get("published_at"), cleaned.get("expires_at")
        if published_at and expires_at and expires_at <= published_at:
            self.add_error("expires_at", "The story would expire before it goes live.")
        if self.instance.pk:
            self._refuse_if_changed_since_opened(cleaned.get("edit_token") or "")
        return cleaned

    def _may_take_addresses(self):
        return self.user is not None and publishing.can_publish(self.user)

    def _address_holder(self, slug):
        """The other story whose old address `slug` is, if that story ran; else None."""
        old = (
            OldSlug.objects.reserved()
            .filter(slug=slug)
            .exclude(article_id=self.instance.pk)
            .select_related("article")
            .first()
        )
        return old.article if old else None

    def _refuse_a_reserved_address(self, cleaned):
        # Readers, search engines and other sites hold links to a story that ran; taking
        # its old address away breaks them, so it is an editor's explicit choice.
        slug = cleaned.get("slug")
        holder = self._address_holder(slug) if slug else None
        if holder is None or (self._may_take_addresses() and cleaned.get("take_address")):
            return
        if self._may_take_addresses():
            advice = "To move it to this story, tick “Take this address” below."
        else:
            advice = "Choose another; only an editor can move it to this story."
        self.add_error(
            "slug",
            f"“{slug}” is the old address of “{holder}”, which has run: its links still lead "
            f"readers there. {advice}",
        )

    # What a publishing step reads besides the status; reporters see the first and the last
    # read-only, and then the step reads the stored values.
    STEP_INPUTS = ("published_at", "original_published_at", "expires_at")

    def _take_status_step(self, cleaned):
        # The one place a save through this form changes status: the step runs here, on a
        # copy of the story as typed that still has its stored status, and the save then
        # writes what it returned (ArticleAdmin.save_model takes no step of its own). So the
        # check and the save cannot disagree, and a refusal is a form error, never a 500.
        if any(name in self.errors for name in ("status", *self.STEP_INPUTS)):
            return  # already refused, and a step on half-read dates would only add noise
        trial = copy.copy(self.instance)
        for name in self.STEP_INPUTS:
            if name in self.fields:
                setattr(trial, name, cleaned.get(name))
        new_status = cleaned.get("status", trial.status)
        try:
            publishing.set_status(
                trial, new_status, by=self.user, at=trial.published_at, commit=False
            )
        except PermissionDenied:
            self.add_error("status", "Only editors can publish, schedule, unpublish or withdraw.")
            return
        except publishing.TransitionError as error:
            self.add_error("status", str(error))
            return
        for name in publishing.STEP_FIELDS:
            if name in self.fields:
                cleaned[name] = getattr(trial, name)

    def _refuse_if_changed_since_opened(self, token):
        # The admin runs a POST in one transaction: the row lock holds from this check to
        # the save, so no one can slip a save in between (SQLite serialises writers anyway).
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is None or token == edit_token(current):
            return
        try:
            opened_at = datetime.fromisoformat(token)
        except ValueError:
            opened_at = None
        who, when = describe_last_change(self.instance, opened_at)
        # The next submit of this form is a deliberate overwrite: the other version stays
        # in the history, from where it can be restored.
        self.data = self.data.copy()
        self.data[self.add_prefix("edit_token")] = edit_token(current)
        raise ValidationError(
            "%(who)s changed this story at %(when)s, after you opened it. Your changes have "
            "not been saved; they are still in the form below. Compare with the current "
            "version (History), then save again to replace it with yours.",
            code="edit_conflict",
            params={
                "who": who,
                "when": formats.date_format(timezone.localtime(when), "j F Y, H:i:s T"),
            },
        )
