import copy
from datetime import UTC, datetime
from typing import NamedTuple

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import formats, timezone
from reversion.models import Version

from . import languages, publishing
from .models import Article, OldSlug
from .sanitize import clean_body, picture_reference, picture_references

Status = Article.Status
State = Article.State


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


def date_format_in_words():
    """How the admin's date box wants a date typed, such as "day/month/year"."""
    typed = formats.get_format("DATE_INPUT_FORMATS")[0]
    for code, word in {"%d": "day", "%m": "month", "%Y": "year", "%y": "year"}.items():
        typed = typed.replace(code, word)
    return typed


def example_date():
    return datetime(2025, 7, 24).strftime(formats.get_format("DATE_INPUT_FORMATS")[0])


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and time typed in the newsroom's zone, for a story's dates.

    In the hour the clocks repeat (01:30 on the last Sunday of October) or skip (March), a
    typed time names no single moment and is refused, saying what to type instead. A stored
    time in the repeated hour, shown and sent back unchanged, keeps the moment it was.
    """

    stored = None  # the aware value the form was opened with (ArticleAdminForm sets it)

    def __init__(self, *args, **kwargs):
        # "Enter a valid date." left a US-style 07/24/2025 a guessing game: say the format.
        kwargs["error_messages"] = {
            "invalid_date": f"Enter the date as {date_format_in_words()}, such as "
            f"{example_date()}.",
            "invalid_time": "Enter the time as hours:minutes, such as 09:00 or 17:30.",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(*args, **kwargs)

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


# Two requests the buttons post as `status` besides the statuses themselves (which keep the
# old dropdown's meaning: "published" goes live at the publication time typed, now if it is
# empty, later if it is ahead). These two say when, whatever time is in the box.
PUBLISH_NOW = "now"
SCHEDULE = "schedule"


class Button(NamedTuple):
    """A publishing button in the bar at the top of the form: it posts `status=value`."""

    value: str
    label: str
    kind: str = ""  # "default" for the step the story most likely wants next, or "danger"


# What a story in each state is offered, the plain save first: pressing Enter in a text box
# presses the first button, and that must never publish or unpublish anything.
DRAFT_BUTTONS = (
    Button(Status.DRAFT, "Save draft"),
    Button(Status.REVIEW, "Submit for review"),
    Button(SCHEDULE, "Schedule…"),
    Button(PUBLISH_NOW, "Publish now", "default"),
)
BUTTONS = {
    None: DRAFT_BUTTONS,  # a new story
    State.DRAFT: DRAFT_BUTTONS,
    State.REVIEW: (
        Button(Status.REVIEW, "Save, keep in review"),
        Button(Status.DRAFT, "Back to draft"),
        Button(SCHEDULE, "Schedule…"),
        Button(PUBLISH_NOW, "Publish now", "default"),
    ),
    State.SCHEDULED: (
        Button(Status.PUBLISHED, "Save, keep scheduled", "default"),
        Button(SCHEDULE, "Reschedule…"),
        Button(PUBLISH_NOW, "Publish now"),
        Button(Status.DRAFT, "Unpublish", "danger"),
    ),
    State.LIVE: (
        Button(Status.PUBLISHED, "Update live story", "default"),
        Button(Status.DRAFT, "Unpublish", "danger"),
        Button(Status.WITHDRAWN, "Withdraw", "danger"),
    ),
    State.EXPIRED: (
        Button(Status.PUBLISHED, "Save, keep expired", "default"),
        Button(Status.DRAFT, "Unpublish", "danger"),
        Button(Status.WITHDRAWN, "Withdraw", "danger"),
    ),
    State.WITHDRAWN: (
        Button(Status.WITHDRAWN, "Save, keep withdrawn", "default"),
        Button(Status.DRAFT, "Unpublish", "danger"),
    ),
}


def state_banner(article):
    """One line saying where the story stands, for the top of its form."""
    if article.pk is None:
        return "New story, not saved yet"
    state = article.publication_state()
    if state == State.LIVE:
        return f"Live since {_when(article.published_at)}"
    if state == State.SCHEDULED:
        return f"Scheduled for {_when(article.published_at)}"
    if state == State.EXPIRED:
        return f"Expired on {_when(article.expires_at)}"
    if state == State.WITHDRAWN:
        return f"Withdrawn on {_when(withdrawn_at(article))}"
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    user = version.revision.user if version else None
    by = f" by {user.get_full_name() or user.get_username()}" if user else ""
    return f"{state.label}, last saved{by} at {_when(article.updated_at)}"


def withdrawn_at(article):
    """When the story was withdrawn: the oldest of the revisions that end its history withdrawn.

    Without revisions (a fixture, a script) the last save is the best there is.
    """
    when = article.updated_at
    for version in Version.objects.get_for_object(article).select_related("revision"):
        if version.field_dict.get("status") != Status.WITHDRAWN:
            break
        when = version.revision.date_created
    return when


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


# The fields an editor types the story's words in: they take its language and direction.
TEXT_FIELDS = ("headline", "slug", "standfirst", "body", "lead_image_caption")


class ArticleAdminForm(forms.ModelForm):
    """The change form, bound to the user editing (ArticleAdmin.get_form sets `user`).

    The publishing buttons post `status` (see BUTTONS); the form takes that one step while it
    validates, so a step publishing refuses comes back as an error on `status`.
    """

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
            "language",
            "translation_of",
        )
        labels = {
            "published_at": "Publication time",
            "original_published_at": "First published",
            "display_date": "Date shown to readers",
        }
        help_texts = {
            "headline": "What readers and search engines see first; they cut it after about "
            "110 characters.",
        }
        widgets = {"standfirst": AdminTextareaWidget(attrs={"rows": 3})}

    # One line per date: what it means, then a typed example (with example_date()).
    DATE_HELP = {
        "published_at": (
            "When the story goes live here: empty means the moment it is published, a time "
            "ahead schedules it.",
            "09:00",
        ),
        "original_published_at": (
            "When the story first ran, at its source if syndicated; set on first publication.",
            "12:00",
        ),
        "display_date": (
            "The date readers see, when it should not be the original one (after a rewrite).",
            "18:30",
        ),
        "expires_at": ("Optional: readers no longer see the story from this time.", "23:59"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, LocalDateTimeField):
                field.stored = getattr(self.instance, name, None)
        # The story as stored, before this request's values land on the instance: the banner
        # and the buttons describe it.
        self.opened = copy.copy(self.instance)
        self._offer_languages()
        if self.instance.pk:
            self.initial["edit_token"] = edit_token(self.instance.updated_at)
        for name, (meaning, example) in self.DATE_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = f"{meaning} Such as {example_date()} {example}."
        status = self.fields.get("status")
        if status is not None:
            # Sent without a button (a script's submit): the story keeps its status.
            status.required = False
            if self.user is not None and not publishing.can_publish(self.user):
                # Invalid choices are refused by the field itself, so a crafted POST of
                # status=published fails validation like any other wrong value.
                status.choices = [
                    (value, label)
                    for value, label in status.choices
                    if value in publishing.REPORTER_STATUSES
                ]
                status.error_messages["invalid_choice"] = (
                    "“%(value)s” is for editors: only they can publish, schedule, unpublish "
                    "or withdraw a story."
                )
            else:
                status.choices = [
                    *status.choices,
                    (PUBLISH_NOW, "Publish now"),
                    (SCHEDULE, "Schedule"),
                ]
                status.error_messages["invalid_choice"] = (
                    "“%(value)s” is not a publishing step: use the buttons at the top of the form."
                )
        if self.is_bound and self._may_take_addresses():
            holder = self._address_holder(self.data.get(self.add_prefix("slug"), "").strip())
            if holder is not None:
                take = self.fields["take_address"]
                take.widget = forms.CheckboxInput()
                take.label = f"Take this address from “{holder}”"

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def _offer_languages(self):
        """The configured languages to choose from, and the text fields written in the
        story's language: right to left for Sorani or Arabic (static/admin/newsroom/
        desk-form.js follows a change of the choice)."""
        field = self.fields.get("language")
        if field is None:
            return
        self.fields["language"] = forms.ChoiceField(
            choices=languages.configured(),
            initial=languages.default_language(),
            # Left out (a script's POST, an older form): the story keeps its language.
            required=False,
            label=field.label,
            help_text="The language the story is written in. Its page, feeds and the "
            "links between its versions say so.",
        )
        rtl = [code for code in languages.codes() if languages.is_rtl(code)]
        self.fields["language"].widget.attrs["data-rtl-languages"] = " ".join(rtl)
        language = (
            self.data.get(self.add_prefix("language"))
            if self.is_bound
            else self.initial.get("language")
        ) or self.instance.language
        for name in TEXT_FIELDS:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs.update(lang=language, dir=languages.direction(language))

    def publishing_buttons(self):
        """The buttons this user is offered for the story as stored, in the order shown."""
        if "status" not in self.fields:
            return []  # the story is shown read-only
        state = self.opened.publication_state() if self.opened.pk else None
        allowed = {value for value, _ in self.fields["status"].choices}
        offered = [button for button in BUTTONS[state] if button.value in allowed]
        if not any(button.kind == "default" for button in offered):
            # A reporter's step forward is review: handing the story to an editor.
            offered = [
                b._replace(kind="default") if b.value == Status.REVIEW else b for b in offered
            ]
        return offered

    def clean(self):
        cleaned = super().clean()
        self._refuse_a_reserved_address(cleaned)
        self._take_status_step(cleaned)
        self._refuse_unready_pictures_on_a_published_story(cleaned)
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
            # Already refused, and a step on half-read dates would only add noise. A request
            # such as "now" is no status to put on the story.
            cleaned.pop("status", None)
            return
        trial = self._with_pictures_as_typed(cleaned)
        for name in self.STEP_INPUTS:
            if name in self.fields:
                setattr(trial, name, cleaned.get(name))
        try:
            new_status, at = self._requested(cleaned.get("status"), trial)
            if self._publication_unchanged(trial, new_status, at):
                # Words only: no step, so an expired story can still have a typo fixed.
                return
            publishing.set_status(trial, new_status, by=self.user, at=at, commit=False)
        except PermissionDenied:
            self.add_error("status", "Only editors can publish, schedule, unpublish or withdraw.")
            return
        except publishing.TransitionError as error:
            self.add_error("status", str(error))
            return
        for name in publishing.STEP_FIELDS:
            if name in self.fields:
                cleaned[name] = getattr(trial, name)

    def _with_pictures_as_typed(self, cleaned):
        # Publishing checks the pictures the story will have, not the ones it had: the lead
        # picture picked and the body typed (its library pictures).
        trial = copy.copy(self.instance)
        for name in ("lead_image", "body"):
            if name in self.fields and name in cleaned:
                setattr(trial, name, cleaned[name])
        return trial

    def _refuse_unready_pictures_on_a_published_story(self, cleaned):
        # Publishing checked the pictures; a story already out (or scheduled) takes no step,
        # so a picture swapped onto it or added to its body is checked here by the same rule.
        # Pictures its body already showed are not: they never block fixing a typo.
        if "status" in self.errors:
            return
        if (cleaned.get("status") or self.instance.status) != Status.PUBLISHED:
            return
        trial = self._with_pictures_as_typed(cleaned)
        if "body" in self.changed_data:
            shown = {key for key, _ in picture_references(clean_body(self.instance.body))}
            trial.body = "".join(
                picture_reference(key)
                for key, _ in picture_references(clean_body(trial.body))
                if key not in shown
            )
        for field, scope in (("lead_image", {"body": False}), ("body", {"lead": False})):
            if field not in self.changed_data:
                continue
            try:
                publishing.require_pictures_ready(trial, **scope)
            except publishing.TransitionError as error:
                self.add_error(field, str(error))

    def _publication_unchanged(self, trial, new_status, at):
        opened = self.opened
        return (
            opened.pk is not None
            and new_status == opened.status
            and at == opened.published_at
            and all(getattr(trial, name) == getattr(opened, name) for name in self.STEP_INPUTS)
        )

    def _requested(self, requested, trial):
        """The status and publication time the button pressed asks `trial` to take."""
        at = trial.published_at
        if not requested:
            return trial.status, at
        ahead = at is not None and at > timezone.now()
        if requested == PUBLISH_NOW:
            if ahead and at != self.opened.published_at:
                # The editor typed a time ahead and then said "now": which did they mean?
                raise publishing.TransitionError(
                    "“Publish now” puts the story live at once, but the publication time "
                    "typed is ahead: clear it to publish now, or press Schedule… to publish "
                    "then."
                )
            # A time ahead left as it was (a scheduled story) gives way to now; a time past
            # typed for the record stays.
            return Status.PUBLISHED, None if ahead else at
        if requested == SCHEDULE:
            if not ahead:
                raise publishing.TransitionError(
                    "To schedule the story, give a publication time ahead: Schedule… asks for "
                    f"a date and a time, such as {example_date()} 09:00."
                )
            return Status.PUBLISHED, at
        return requested, at

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
