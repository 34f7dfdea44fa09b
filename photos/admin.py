from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from articles.body_pictures import stories_showing
from articles.models import Article

from .forms import ImageForm
from .models import Image
from .renditions import JPEG

# How many pictures the editor may ask about at once (pictures_view).
MAX_ASKED = 100


def shown_in_a_body(stories):
    """Whether a story among `stories` holds the picture's file name in its body: the
    database's view of articles.body_pictures.stories_showing(), for filters."""
    return Exists(stories.filter(body__contains=OuterRef("file")))


class UsedOnLiveFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("live", "Used on live stories"), ("unused", "Not used on any story")]

    def queryset(self, request, queryset):
        live = Article.objects.live()
        if self.value() == "live":
            leads = Exists(live.filter(lead_image=OuterRef("pk")))
            return queryset.filter(leads | shown_in_a_body(live))
        if self.value() == "unused":
            return queryset.filter(lead_of__isnull=True).exclude(
                shown_in_a_body(Article.objects.all())
            )
        return queryset


class MissingAltFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", "Missing alt text")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(Q(alt_text__regex=r"^\s*$"), decorative=False)
        return queryset


class ImageChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # The stories each listed picture appears in, for the whole page in one query.
        images = list(self.result_list)
        shown = stories_showing(images)
        for image in images:
            image.shown_in_bodies = shown.get(image.pk, [])


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ("thumbnail", "__str__", "credit", "has_alt_text", "used_on", "uploaded_at")
    list_display_links = ("thumbnail", "__str__")
    list_filter = (UsedOnLiveFilter, MissingAltFilter, "decorative")
    search_fields = ("caption", "credit", "alt_text")
    readonly_fields = ("preview", "width", "height", "uploaded_by", "uploaded_at", "used_on")

    def get_readonly_fields(self, request, obj=None):
        # A picture is its file: story bodies and fixtures name it by the file, its renditions
        # are cut from it and pages cached with them. Another photo is another picture.
        if obj is not None:
            return ("file", *self.readonly_fields)
        return self.readonly_fields

    fieldsets = (
        (None, {"fields": ("file", "preview", "alt_text", "decorative")}),
        ("Caption and rights", {"fields": ("caption", "credit", "copyright_notice", "source")}),
        (
            "Details",
            {
                "fields": ("focal_x", "focal_y", "width", "height", "uploaded_by", "uploaded_at"),
                "classes": ("collapse",),
                "description": "The focal point is where the subject is, as fractions of the "
                "width and height from the top left (0.5, 0.5 is the centre).",
            },
        ),
        ("Where it is used", {"fields": ("used_on",)}),
    )

    class Media:
        css = {"all": ("photos/admin.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lead_of")

    # Renditions, not the original: a 24-megapixel file per row would make the list crawl.
    @admin.display(description="Picture")
    def thumbnail(self, obj):
        return format_html(
            '<img class="photo-thumb" src="{}" alt="">', obj.renditions.near("full", 320).url
        )

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.file:
            return "—"
        return format_html(
            '<img class="photo-preview" src="{}" alt="">', obj.renditions.near("full", 960).url
        )

    @admin.display(description="Alt text", boolean=True)
    def has_alt_text(self, obj):
        return obj.decorative or bool(obj.alt_text.strip())

    @admin.display(description="Used on")
    def used_on(self, obj):
        if obj.pk is None:
            return "—"
        uses = {story: ["lead"] for story in obj.lead_of.all()}
        in_bodies = getattr(obj, "shown_in_bodies", None)
        if in_bodies is None:
            in_bodies = stories_showing([obj]).get(obj.pk, [])
        for story in in_bodies:
            uses.setdefault(story, []).append("in the body")
        if not uses:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:articles_article_change", args=[story.pk]),
                    story.headline,
                    ", ".join(how),
                )
                for story, how in uses.items()
            ),
        )

    def get_changelist(self, request, **kwargs):
        return ImageChangeList

    def get_deleted_objects(self, objs, request):
        # on_delete=PROTECT names the stories a picture leads; these are the ones whose body
        # shows it, refused the same way (and by articles/signals.py outside the admin).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        shown = stories_showing(objs)
        for image in objs:
            protected.extend(
                format_html(
                    'Article: <a href="{}">{}</a>, which shows “{}” in its body',
                    reverse("admin:articles_article_change", args=[story.pk]),
                    story.headline,
                    image,
                )
                for story in shown.get(image.pk, [])
            )
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        view = self.admin_site.admin_view(self.pictures_view)
        return [
            path("pictures.json", view, name="photos_image_pictures"),
            *super().get_urls(),
        ]

    def pictures_view(self, request):
        """What the body editor shows of pictures (static/admin/newsroom/story-picture.js),
        asked for by id (just picked or uploaded) or by file name (named in the body)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        ids = [value for value in request.GET.getlist("id") if value.isdigit()]
        files = request.GET.getlist("file")
        if len(ids) + len(files) > MAX_ASKED:
            return JsonResponse({"error": f"Ask for at most {MAX_ASKED} pictures."}, status=400)
        images = Image.objects.filter(Q(pk__in=ids) | Q(file__in=files))
        return JsonResponse({"pictures": [described(image) for image in images]})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if form.prefilled:
            names = ", ".join(Image._meta.get_field(n).verbose_name for n in form.prefilled)
            self.message_user(
                request,
                f"Filled from the picture's own metadata: {names}. Check them before use.",
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        # Prefilled fields are the agency's words: show them to the editor at once (the
        # article form's "+" popup closes as usual and the editor sees them in the library).
        form_prefilled = getattr(request, "_photos_prefilled", False)
        if form_prefilled and IS_POPUP_VAR not in request.POST:
            return HttpResponseRedirect(reverse("admin:photos_image_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def save_form(self, request, form, change):
        instance = super().save_form(request, form, change)
        request._photos_prefilled = bool(form.prefilled)
        return instance


def described(image):
    """A picture as the body editor shows it: a small rendition, its words, what it lacks."""
    thumbnail = image.renditions.near("full", 480, JPEG)
    return {
        "id": image.pk,
        "file": image.file.name,
        "label": str(image),
        "alt_text": image.alt_text,
        "decorative": image.decorative,
        "caption": image.caption,
        "credit": image.credit,
        "missing": image.missing_for_publication(),
        "thumbnail": {"url": thumbnail.url, "width": thumbnail.width, "height": thumbnail.height},
        # If its renditions are not made yet (they follow the commit), the staff-only original.
        "original": image.file.url,
        "change_url": reverse("admin:photos_image_change", args=[image.pk]),
    }
