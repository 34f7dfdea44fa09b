from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import Article

from .forms import ImageForm
from .models import Image


class UsedOnLiveFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("live", "Used on live stories"), ("unused", "Not used on any story")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            live = Article.objects.live().filter(lead_image=OuterRef("pk"))
            return queryset.filter(Exists(live))
        if self.value() == "unused":
            return queryset.filter(lead_of__isnull=True)
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


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ("thumbnail", "__str__", "credit", "has_alt_text", "used_on", "uploaded_at")
    list_display_links = ("thumbnail", "__str__")
    list_filter = (UsedOnLiveFilter, MissingAltFilter, "decorative")
    search_fields = ("caption", "credit", "alt_text")
    readonly_fields = ("preview", "width", "height", "uploaded_by", "uploaded_at", "used_on")
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

    # The stored file, scaled down by the browser (photos/static/photos/admin.css): the
    # library has no smaller copies yet.
    @admin.display(description="Picture")
    def thumbnail(self, obj):
        return format_html('<img class="photo-thumb" src="{}" alt="">', obj.file.url)

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.file:
            return "—"
        return format_html('<img class="photo-preview" src="{}" alt="">', obj.file.url)

    @admin.display(description="Alt text", boolean=True)
    def has_alt_text(self, obj):
        return obj.decorative or bool(obj.alt_text.strip())

    @admin.display(description="Lead picture of")
    def used_on(self, obj):
        if obj.pk is None:
            return "—"
        stories = obj.lead_of.all()
        if not stories:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:articles_article_change", args=[story.pk]), story.headline)
                for story in stories
            ),
        )

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
