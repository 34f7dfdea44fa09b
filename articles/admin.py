from django.contrib import admin
from django.db import models

from .models import Article, Author, Section


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "headline",
        "status",
        "section",
        "display_date",
        "original_published_at",
        "published_at",
        "tag_list",
    )
    list_filter = ("status", "section", "display_date", "original_published_at", "published_at")
    list_select_related = ("section",)
    search_fields = ("headline", "standfirst", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "authors")
    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        ("Story", {"fields": ("headline", "slug", "standfirst", "body")}),
        ("Credits", {"fields": ("byline", "authors", "source_name", "source_url")}),
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
                    ("created_at", "updated_at"),
                ),
                "description": "Times are in the newsroom's time zone.",
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="Tags")
    def tag_list(self, obj):
        # Reads the prefetch; tags.names() would run a query per row.
        return ", ".join(tag.name for tag in obj.tags.all())
