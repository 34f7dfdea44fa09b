from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A staff member's key to the API, for headless preview: reads what the admin lets
    them read. Only a digest of the secret is kept; the secret is shown once, when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text='What it is for, such as "Preview app".')
    # The first characters of the secret, kept in the clear so staff can tell tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(help_text="The token stops working at this time.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class PublicChange(models.Model):
    """One change readers could see, in the order partners replay them (changes/ endpoint).

    A scheduled story's going live (or expiry) is written ahead, at its time: the endpoint
    lists only changes whose time has come, and a later save rewrites the ones not yet due.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        UPDATED = "updated", "Updated"
        # The story left the site (withdrawn, unpublished, expired or deleted): a tombstone.
        WITHDRAWN = "withdrawn", "Withdrawn"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept on the row: a tombstone outlives the story it names.
    guid = models.UUIDField()
    slug = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["at", "id"], name="public_change_cursor_idx"),
            models.Index(fields=["article", "at"], name="public_change_article_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.slug} at {self.at:%Y-%m-%d %H:%M:%S}"
