from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import history, languages, publishing, search
from .desk_tags import TAGS_HELP, DeskTagField, suggest_tags
from .forms import SCHEDULE, ArticleAdminForm, LocalDateTimeField, state_banner
from .models import Article, Author, Correction, Section
from .querysets import DATE_SHOWN
from .richtext import BODY_HELP, BodyEditor
from .sanitize import clean_body
from .structured_data import story_page_context
from .widgets import TagChipsWidget

# More digits than a 64-bit id has is no row (and SQLite cannot even be asked about it).
MAX_ID_DIGITS = 18


def is_usable_id(value):
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


def without_unusable_ids(initial):
    """Django's prefill from the address (?section=3, ?authors=1,2) as typed, less the ids
    no row could have: the form's choice widgets look them up as given, and "abc", or an
    id too large for the database, failed the whole form with a server error."""
    related = {f.name for f in Article._meta.get_fields() if f.many_to_one or f.many_to_many}
    kept = {}
    for name, value in initial.items():
        if name in related and name != "tags":  # tags are names, not ids
            values = value if isinstance(value, list) else [value]
            if not all(is_usable_id(v) for v in values):
                continue
        kept[name] = value
    return kept


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a page of the list never pays for COUNT(*) over every story.

    Beyond the cap the list offers CAP / list_per_page pages; search, filters and the date
    hierarchy narrow it down (nobody pages to story 10,001).
    """

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP].count()


class DeskListFilter(admin.SimpleListFilter):
    """The desk's questions first (what waits for me, what goes out next), then every state."""

    title = "state"
    parameter_name = "publication"  # older links say ?publication=live|scheduled|expired

    def lookups(self, request, model_admin):
        return [
            ("review", "Needs review"),
            ("scheduled", "Scheduled"),
            ("mine", "My drafts"),
            ("draft", "All drafts"),
            ("live", "Live"),
            ("expired", "Expired"),
            ("withdrawn", "Withdrawn"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            # Whose draft it is: the user of its first revision (whoever saved it first).
            drafts = queryset.filter(status=Article.Status.DRAFT)
            return drafts.alias(started_by=history.started_by()).filter(started_by=request.user.pk)
        if value in ("review", "draft", "withdrawn"):
            return queryset.filter(status=value)
        if value in ("live", "scheduled", "expired"):
            return getattr(queryset, value)()
        return queryset


class BylineFilter(admin.SimpleListFilter):
    """The bylines of the RECENT most recently changed stories (and the one chosen), not
    every author the newsroom ever had: Django's related filter lists them all, and with
    1,000 authors the sidebar cost more than the list (README, Benchmarks: Scale)."""

    title = "author"
    parameter_name = "authors__id__exact"  # the address Django's author filter used
    RECENT = 100

    def lookups(self, request, model_admin):
        recent = Article.objects.order_by("-updated_at").values("pk")[: self.RECENT]
        shown = models.Q(articles__in=recent)
        if self.chosen() is not None:
            shown |= models.Q(pk=self.chosen())
        authors = Author.objects.filter(shown).distinct().order_by("name")
        return [(str(author.pk), author.name) for author in authors]

    def chosen(self):
        value = self.value()
        return int(value) if value and value.isascii() and value.isdigit() else None

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.chosen() is None:
            raise IncorrectLookupParameters("No such author.")
        return queryset.filter(authors=self.chosen())


class LanguageFilter(admin.SimpleListFilter):
    """The configured languages, not a DISTINCT over every story's language."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return languages.configured()

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    fields = ("kind", "text", "published_at")


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = (CorrectionInline,)
    # Fits 1280 px: the headline wraps (desk-list.css), one date readers see, one last change.
    list_display = (
        "headline",
        "state",
        "taxonomy",
        "reader_date",
        "last_change",
    )
    list_filter = (DeskListFilter, LanguageFilter, "section", BylineFilter)
    list_select_related = ("section",)
    # Status changes only through the actions and the change form, which check roles.
    list_editable = ()
    search_fields = ("headline", "standfirst", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "authors", "lead_image", "related", "translation_of")
    readonly_fields = ("created_at", "updated_at", "public_update_at", "versions")
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.DateTimeField: {"form_class": LocalDateTimeField, "widget": AdminSplitDateTime},
    }
    # The date hierarchy offers only periods with stories, without a DISTINCT over every
    # story (articles/templatetags/admin_dates.py).
    change_list_template = "admin/articles/article/change_list.html"
    show_full_result_count = False
    paginator = CappedCountPaginator
    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"
    actions = ("submit_for_review", "publish_now", "unpublish", "withdraw")

    def get_fieldsets(self, request, obj=None):
        # A desk's order: the story, who wrote it, what it is about, when it runs. Fields
        # that do not apply yet stay out of the way: the times a story was made and changed
        # once it exists, the public "Updated" line while readers can see it; syndication is
        # folded away until it is filled. The status is set by the buttons at the top.
        syndicated = obj is not None and (
            obj.is_syndicated
            or obj.syndication_indexing != Article.SyndicationIndexing.CANONICAL_SELF
        )
        syndicated = syndicated or any(request.POST.get(n) for n in ("source_name", "source_url"))
        dates = ["published_at", "expires_at", "display_date", "original_published_at"]
        if obj is not None and obj.publication_state() == Article.State.LIVE:
            dates.append(("mark_public_update", "public_update_at"))
        if obj is not None:
            dates.append(("created_at", "updated_at"))
        zone = f"Times are in the newsroom's time zone, {timezone.get_current_timezone_name()}."
        if publishing.can_publish(request.user):
            steps = "The buttons at the top of the form publish, schedule or unpublish the story."
        else:
            steps = "An editor publishes the story once you submit it for review."
        # Read-only (a reporter opening a published story), the body reads as the page does,
        # not as the HTML it is stored as.
        body = "body" if obj is None or self.has_change_permission(request, obj) else "body_as_read"
        return (
            (
                "Story",
                {
                    "fields": (
                        "headline",
                        "slug",
                        "take_address",
                        "standfirst",
                        body,
                        "lead_image",
                        "lead_image_caption",
                    )
                },
            ),
            (
                "Language",
                {
                    "fields": ("language", "translation_of", "versions"),
                    "description": "A translation links to its original; readers of each "
                    "version are offered the others that are live.",
                },
            ),
            ("Credits", {"fields": ("byline", "authors")}),
            (
                "Syndication",
                {
                    "fields": ("source_name", "source_url", "syndication_indexing"),
                    "classes": () if syndicated else ("collapse",),
                    "description": "Only for a story that first ran elsewhere.",
                },
            ),
            ("Taxonomy", {"fields": ("section", "tags", "related")}),
            (
                "Publishing",
                {
                    "fields": (*dates, "edit_token"),
                    "description": f"{zone} {steps}",
                },
            ),
        )

    @admin.display(description="Versions")
    def versions(self, obj):
        # Every version, live or not: the desk needs to see the draft translations too.
        if obj is None or obj.pk is None:
            return "None yet."
        others = [v for v in obj.versions().select_related(None) if v.pk != obj.pk]
        if not others:
            return "None yet: “Add a translation” at the top of the form makes one."
        return format_html(
            '<ul class="desk-versions">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}" lang="{}" dir="{}">{}</a> <span class="desk-when">'
                '<span lang="{}">{}</span>{} · {}</span></li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[v.pk]),
                        v.language,
                        v.direction,
                        v.headline,
                        v.language,
                        v.language_name,
                        "" if v.translation_of_id else " (original)",
                        self.BADGE_LABELS.get(v.publication_state(), v.publication_state().label),
                    )
                    for v in others
                ),
            ),
        )

    @admin.display(description="Body")
    def body_as_read(self, obj):
        return format_html('<div class="story-body">{}</div>', mark_safe(clean_body(obj.body)))

    def get_inlines(self, request, obj):
        # Corrections are for a story readers have seen (or one that already has some).
        ran = obj is not None and obj.published_at and obj.published_at <= timezone.now()
        if ran or (obj is not None and obj.corrections.exists()):
            return self.inlines
        return ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_search_results(self, request, queryset, search_term):
        # The full-text index (headline, standfirst, body and tags), not LIKE '%word%' over
        # every body (README, Benchmarks: Scale). Matches whole words, stemmed.
        if not search_term.strip():
            return queryset, False
        return search.matching(queryset, search_term), False

    class Media:
        # The kept copy of the form and the prompt before leaving it (the tag box brings its
        # own script: TagChipsWidget.Media).
        css = {"all": ("admin/newsroom/drafts.css",)}
        js = ("admin/newsroom/drafts.js",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            # The editor's import map is an inline script: it carries this request's nonce.
            kwargs["widget"] = BodyEditor(nonce=getattr(request, "csp_nonce", ""))
            kwargs.setdefault("help_text", BODY_HELP)
        if db_field.name == "tags":
            url = reverse("admin:articles_article_tags")
            kwargs.update(form_class=DeskTagField, widget=TagChipsWidget(suggestions_url=url))
            kwargs.setdefault("help_text", TAGS_HELP)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "status" not in kwargs.get("fields", ("status",)):
            # No fieldset shows the status: the buttons under the form post it.
            kwargs["fields"] = [*kwargs["fields"], "status"]
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a new class per request (modelform_factory)
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not publishing.can_publish(request.user):
            # Setting these schedules or hides a story: an editor's call.
            readonly = (*readonly, "published_at", "expires_at")
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # A reporter's edit to a published, scheduled or withdrawn story would reach readers
        # without review: they see it read-only.
        return (
            obj is None
            or publishing.can_publish(request.user)
            or obj.status in publishing.REPORTER_STATUSES
        )

    def has_publish_permission(self, request):
        return publishing.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        # The form took the publishing step while validating (ArticleAdminForm.clean): obj
        # already holds the status and dates it gave, checked against the user's role.
        # Readers can only be told of an update to a story they can read.
        live = obj.publication_state() == Article.State.LIVE
        if form.cleaned_data.get("mark_public_update") and live:
            obj.public_update_at = timezone.now()
        restoring = hasattr(request, "kept_on_restore")  # reversion wrote the old row back
        if change and not form.has_changed() and not restoring:
            # Nothing typed, nothing to write: updated_at stays, so a colleague's open form
            # is not refused as if someone had changed the story.
            return
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin wraps the list in one revision, which would bundle every story a bulk
        # action touches: restoring one story would then restore them all. There is no bulk
        # edit to record, and each publishing step keeps its own revision.
        extra_context = {
            "has_change_permission": self.has_change_permission(request),
            "title": "Stories",  # not Django's "Select story to change"
        }
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    # Actions: each goes through publishing, which checks the permission again.

    def _apply(self, request, queryset, step, done):
        changed, skipped = 0, []
        for pk in queryset.values_list("pk", flat=True):
            # Each story fresh and locked: its status may have changed since the list loaded,
            # and its revision should hold what is saved, not what the list saw.
            with transaction.atomic():
                article = Article.objects.select_for_update().get(pk=pk)
                try:
                    step(article, by=request.user)
                except publishing.TransitionError as refusal:
                    skipped.append(f"“{article.headline}” ({refusal})")
                else:
                    changed += 1
        if changed:
            self.message_user(request, f"{done}: {changed} stor{'y' if changed == 1 else 'ies'}.")
        if skipped:
            self.message_user(
                request,
                f"Not {done.lower()}: {'; '.join(skipped)}",
                messages.WARNING,
            )

    @admin.action(description="Submit selected stories for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        # Only drafts move: a selected live story is skipped (and named), never sent back.
        self._apply(request, queryset, publishing.submit_for_review, "Submitted for review")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply(request, queryset, publishing.publish, "Published")

    @admin.action(description="Unpublish selected stories (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, publishing.unpublish, "Unpublished")

    @admin.action(description="Withdraw selected stories (410 Gone)", permissions=["publish"])
    def withdraw(self, request, queryset):
        self._apply(request, queryset, publishing.withdraw, "Withdrawn")

    # Revisions: restoring one brings back the words and the tags; whether and when the story
    # is public stays as it is now (change that with the status, like any edit).
    KEPT_ON_RESTORE = (
        "status",
        "published_at",
        "expires_at",
        "original_published_at",
        "public_update_at",
    )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = get_object_or_404(Article, pk=unquote(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        request.kept_on_restore = {name: getattr(article, name) for name in self.KEPT_ON_RESTORE}
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # reversion has just written the old row back; put the live publication state on it.
        article = super().get_object(request, object_id, from_field)
        if article is not None:
            for name, value in getattr(request, "kept_on_restore", {}).items():
                setattr(article, name, value)
        return article

    @contextmanager
    def create_revision(self, request):
        # Nothing joins the revision by saving: log_addition and log_change add the story once
        # it and its tags are saved, and only if it differs from its last revision, so a save
        # that changes nothing records nothing.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.add_to_revision(obj)
        return entry

    def log_change(self, request, obj, message):
        if history.changed_since_last_revision(obj):
            if reversion.is_active():
                reversion.add_to_revision(obj)
            return super().log_change(request, obj, message)
        # The form may think a field changed (a browser's line endings, a widget rewriting the
        # same HTML) when the saved story did not: keep only what happened to corrections.
        if isinstance(message, str):
            return super().log_change(request, obj, message)
        inline = [part for part in message if "name" in next(iter(part.values()), {})]
        return super().log_change(request, obj, inline) if inline else None

    def history_view(self, request, object_id, extra_context=None):
        # Each revision with what it changed from the one before: reversion's list gives only
        # who, when and the comment. One query for the versions, one for their tags, three for
        # names, whatever the length of the history.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        versions = list(
            Version.objects.get_for_object(article).select_related("revision__user").order_by("-pk")
        )
        snapshots = history.snapshots_of(versions)
        names = history.Names(snapshots.values())
        older = [*versions[1:], None]
        may_restore = self.has_change_permission(request, article)
        revisions = [
            {
                "version": version,
                "revision": version.revision,
                "first": previous is None,
                "changes": history.changes_between(
                    previous and snapshots[previous.pk], snapshots[version.pk], names
                ),
                # The newest revision is the story as it stands: nothing to restore.
                "restore_url": reverse(
                    "admin:articles_article_revision", args=[article.pk, version.pk]
                )
                if may_restore and n
                else None,
            }
            for n, (version, previous) in enumerate(zip(versions, older, strict=True))
        ]
        extra_context = {**(extra_context or {}), "revisions": revisions}
        return super().history_view(request, object_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # Bringing back a deleted story in the status it had is a status change like any
        # other: a reporter may not recover a published one.
        version = get_object_or_404(Version, pk=version_id)
        if not publishing.can_set_status(request.user, None, version.field_dict.get("status")):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    # Preview: the public page as readers would see it, for staff only.

    def get_urls(self):
        preview = path(
            "<int:object_id>/preview/",
            never_cache(self.preview_view),
            name="articles_article_preview",
        )
        tags = path(
            "tags/", self.admin_site.admin_view(self.tags_view), name="articles_article_tags"
        )
        return [preview, tags, *super().get_urls()]

    def tags_view(self, request):
        return suggest_tags(request, self)

    def preview_view(self, request, object_id):
        # Not wrapped in admin_view: that would send strangers to the login page and so
        # confirm the story exists. Anyone who may not see it gets the public 404.
        user = request.user
        if not (user.is_active and user.is_staff and self.has_view_permission(request)):
            raise Http404("No such article.")
        article = get_object_or_404(
            Article.objects.for_listing().with_names().with_corrections(), pk=object_id
        )
        context = {**story_page_context(article, request), "preview": True}
        response = TemplateResponse(request, "articles/article_detail.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "preview_url": reverse("admin:articles_article_preview", args=[object_id]),
            **self._translation_offer(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _translation_offer(self, request, object_id):
        """The "Add a translation" choice: the languages the story has no version in yet."""
        if not self.has_add_permission(request):
            return {}
        story = Article.objects.filter(pk=object_id).only("language", "translation_of").first()
        if story is None:
            return {}
        taken = set(story.versions().values_list("language", flat=True))
        missing = [(code, name) for code, name in languages.configured() if code not in taken]
        if not missing:
            return {}
        return {"translation_of": story.original_id, "translation_languages": missing}

    def get_changeform_initial_data(self, request):
        """The add form, opened by "Add a translation" (?translation_of=<id>&language=ckb),
        starts from the original: its section, tags, credits, source and dates. The add
        view has checked the user may add stories; the original is the desk's to read."""
        initial = without_unusable_ids(super().get_changeform_initial_data(request))
        wanted = str(initial.pop("translation_of", ""))
        if not wanted:
            return initial
        story = Article.objects.filter(pk=wanted).select_related("translation_of").first()
        if story is None:
            return initial
        original = story.translation_of or story  # a translation of a translation: no
        initial.update(
            translation_of=original.pk,
            section=original.section_id,
            tags=", ".join(sorted(tag.name for tag in original.tags.all())),
            byline=original.byline,
            authors=[author.pk for author in original.authors.all()],
            source_name=original.source_name,
            source_url=original.source_url,
            syndication_indexing=original.syndication_indexing,
            original_published_at=original.original_published_at,
            display_date=original.display_date,
        )
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The banner and the buttons speak of the story as stored, not as typed in this POST.
        form = context["adminform"].form
        opened, buttons = form.opened, form.publishing_buttons()
        context.update(
            desk_state=opened.publication_state().value if opened.pk else "new",
            desk_banner=state_banner(opened),
            desk_buttons=buttons,
            desk_schedules=any(button.value == SCHEDULE for button in buttons),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The list's columns. Article.State calls a story readers can see "Published"; the badge
    # says "Live", as the form's banner does: scheduled and expired stories are published too.
    BADGE_LABELS = {Article.State.LIVE: "Live"}
    BADGE_HINTS = {
        Article.State.DRAFT: "Not submitted yet",
        Article.State.REVIEW: "Waiting for an editor",
        Article.State.LIVE: "Readers can see it",
        Article.State.EXPIRED: "Past its expiry time: hidden from readers",
        Article.State.WITHDRAWN: "Taken down: its address answers 410 Gone",
    }

    @admin.display(description="State", ordering="status")
    def state(self, obj):
        state = obj.publication_state()
        badge = '<span class="desk-badge desk-badge--{}" title="{}">{}</span>'
        if state == Article.State.SCHEDULED:
            # The time it goes out matters as much as the state.
            when = formats.date_format(timezone.localtime(obj.published_at), "j M Y, H:i T")
            return format_html(
                badge + ' <span class="desk-when">for {}</span>',
                state.value,
                f"Scheduled for {when}",
                state.label,
                when,
            )
        label = self.BADGE_LABELS.get(state, state.label)
        return format_html(badge, state.value, self.BADGE_HINTS[state], label)

    @admin.display(description="Date shown", ordering=DATE_SHOWN)
    def reader_date(self, obj):
        # The date readers see, and the date a syndicated story first ran when it differs.
        shown, first = obj.date_shown, obj.original_published_at
        if shown is None:
            return "Not yet"
        if first is None or first == shown:
            return _datetime(shown)
        return format_html(
            '{}<span class="desk-when">first ran {}</span>', _datetime(shown), _datetime(first)
        )

    @admin.display(description="Last change", ordering="updated_at")
    def last_change(self, obj):
        # "3 hours ago" reads at a glance; the exact time is in the tooltip.
        if timezone.now() - obj.updated_at < timedelta(minutes=1):
            ago = "just now"
        else:
            ago = f"{timesince(obj.updated_at, depth=1)} ago"
        return format_html('<span title="{}">{}</span>', _datetime(obj.updated_at), ago)

    @admin.display(description="Section, language, tags", ordering="section__name")
    def taxonomy(self, obj):
        # Reads the prefetch; tags.names() would run a query per row. The language shares the
        # section's line: a column of its own pushed the list past 1280 px.
        tags = ", ".join(tag.name for tag in obj.tags.all())
        return format_html(
            '{} · <span lang="{}" dir="{}">{}</span><span class="desk-when">{}</span>',
            obj.section,
            obj.language,
            obj.direction,
            obj.language_name,
            tags,
        )


def _datetime(value):
    """A time as the admin shows a date-time field: in the newsroom's zone and format."""
    return formats.localize(timezone.template_localtime(value))
