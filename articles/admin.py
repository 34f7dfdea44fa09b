from django.contrib import admin, messages
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
from django.views.decorators.cache import never_cache
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import publishing, search
from .forms import ArticleAdminForm, LocalDateTimeField
from .models import Article, Author, Correction, Section
from .structured_data import news_article


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


class PublicationListFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("live", "Live now"), ("scheduled", "Scheduled"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.live()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "expired":
            return queryset.expired()
        return queryset


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    fields = ("kind", "text", "published_at")


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = (CorrectionInline,)
    list_display = (
        "headline",
        "state",
        "section",
        "display_date",
        "original_published_at",
        "published_at",
        "tag_list",
    )
    list_filter = (
        "status",
        PublicationListFilter,
        "section",
        "authors",
        "display_date",
        "original_published_at",
        "published_at",
    )
    list_select_related = ("section",)
    # Status changes only through the actions and the change form, which check roles.
    list_editable = ()
    search_fields = ("headline", "standfirst", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "authors")
    readonly_fields = ("created_at", "updated_at", "public_update_at")
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.DateTimeField: {"form_class": LocalDateTimeField, "widget": AdminSplitDateTime},
    }
    # The date hierarchy's periods from MIN/MAX (articles/templatetags/admin_dates.py).
    change_list_template = "admin/articles/article/change_list.html"
    show_full_result_count = False
    paginator = CappedCountPaginator
    history_latest_first = True
    actions = ("submit_for_review", "publish_now", "unpublish", "withdraw")
    fieldsets = (
        ("Story", {"fields": ("headline", "slug", "take_address", "standfirst", "body")}),
        (
            "Credits",
            {
                "fields": (
                    "byline",
                    "authors",
                    "source_name",
                    "source_url",
                    "syndication_indexing",
                )
            },
        ),
        ("Taxonomy", {"fields": ("section", "tags")}),
        (
            "Dates",
            {
                "fields": (
                    "status",
                    "original_published_at",
                    "display_date",
                    "published_at",
                    "expires_at",
                    ("mark_public_update", "public_update_at"),
                    ("created_at", "updated_at"),
                    "edit_token",
                ),
                "description": "Times are in the newsroom's time zone. A publication time "
                "ahead schedules the story: it appears by itself at that time.",
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_search_results(self, request, queryset, search_term):
        # The full-text index (headline, standfirst, body and tags), not LIKE '%word%' over
        # every body (README, Benchmarks: Scale). Matches whole words, stemmed.
        if not search_term.strip():
            return queryset, False
        return search.matching(queryset, search_term), False

    def get_form(self, request, obj=None, change=False, **kwargs):
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
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin wraps the list in one revision, which would bundle every story a bulk
        # action touches: restoring one story would then restore them all. There is no bulk
        # edit to record, and each publishing step keeps its own revision.
        extra_context = {"has_change_permission": self.has_change_permission(request)}
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
                except publishing.TransitionError:
                    skipped.append(article.headline)
                else:
                    changed += 1
        if changed:
            self.message_user(request, f"{done}: {changed} stor{'y' if changed == 1 else 'ies'}.")
        if skipped:
            self.message_user(
                request,
                f"Not {done.lower()} (wrong status): {', '.join(skipped)}.",
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
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        # Not wrapped in admin_view: that would send strangers to the login page and so
        # confirm the story exists. Anyone who may not see it gets the public 404.
        user = request.user
        if not (user.is_active and user.is_staff and self.has_view_permission(request)):
            raise Http404("No such article.")
        article = get_object_or_404(
            Article.objects.for_listing().prefetch_related("corrections"), pk=object_id
        )
        context = {"article": article, "json_ld": news_article(article, request), "preview": True}
        response = TemplateResponse(request, "articles/article_detail.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "preview_url": reverse("admin:articles_article_preview", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Status", ordering="status")
    def state(self, obj):
        # "Published" alone would hide that a story is still waiting for its time.
        state = obj.publication_state()
        if state == Article.State.SCHEDULED:
            local = timezone.localtime(obj.published_at)
            return f"Scheduled for {formats.date_format(local, 'j M Y, H:i T')}"
        return state.label

    @admin.display(description="Tags")
    def tag_list(self, obj):
        # Reads the prefetch; tags.names() would run a query per row.
        return ", ".join(tag.name for tag in obj.tags.all())
