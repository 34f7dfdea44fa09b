import hashlib
import secrets
from datetime import timedelta

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

    # A token lives 90 days unless its maker says otherwise, and never more than a year: a
    # forgotten token in an old script stops working by itself.
    DEFAULT_LIFETIME = timedelta(days=90)
    MAX_LIFETIME = timedelta(days=365)
    # What every secret starts with, so a leaked one is recognisable (secret scanners, logs).
    SCHEME = "nrm_"
    # last_used_at is written at most this often: a client polling every second must not
    # cost a write per request.
    USE_RECORDED_EVERY = timedelta(minutes=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret):
        """SHA-256 of the secret, as stored. A 256-bit random secret cannot be guessed from
        its digest, so it needs no slow password hash: one cheap hash, looked up by index."""
        return hashlib.sha256(secret.encode()).hexdigest()

    def new_secret(self):
        """Give this token a fresh secret and return it: the one time it is seen in full."""
        secret = self.SCHEME + secrets.token_urlsafe(32)
        self.prefix = secret[: self._meta.get_field("prefix").max_length]
        self.digest = self.digest_of(secret)
        return secret

    def state(self, now=None):
        """Revoked, expired or active: revoked wins, being the stronger reason."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def record_use(self, now):
        """Note that the token was used, unless that was noted less than a minute ago."""
        if self.last_used_at is None or now - self.last_used_at >= self.USE_RECORDED_EVERY:
            self.last_used_at = now
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)


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
            # A story's own rows, by its permanent guid: a deleted story's rows too, whose
            # `article` is null by then (api/changes.py reads and rewrites them by guid).
            models.Index(fields=["guid", "at", "id"], name="public_change_guid_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.slug} at {self.at:%Y-%m-%d %H:%M:%S}"
