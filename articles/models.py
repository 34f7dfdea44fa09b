import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from . import languages
from .querysets import ArticleQuerySet
from .sanitize import clean_body, validate_body_has_text
from .states import PublicationState, Status


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class NamedBySlug(models.Model):
    """A name readers see and a slug that is its address and its key in fixtures."""

    objects = SlugNaturalKeyManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Section(NamedBySlug):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)

    class Meta(NamedBySlug.Meta):
        pass


class Author(NamedBySlug):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)

    class Meta(NamedBySlug.Meta):
        pass


class TaggedArticleManager(models.Manager):
    def get_by_natural_key(self, article_slug, tag_name):
        return self.get(content_object__slug=article_slug, tag__name=tag_name)


class TaggedArticle(TaggedItemBase):
    """A tag on an article, by a real foreign key so fixtures never name content types."""

    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    # taggit's own manager looks links up by a field list this model does not have.
    objects = TaggedArticleManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag"),
        ]

    def natural_key(self):
        return (self.content_object.slug, self.tag.name)

    natural_key.dependencies = ["articles.article", "taggit.tag"]


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Article(models.Model):
    Status = Status
    State = PublicationState

    class SyndicationIndexing(models.TextChoices):
        CANONICAL_SELF = "self", "Canonical to this page, marked as based on the source"
        CANONICAL_SOURCE = "source", "Canonical to the original at the source URL"
        NOINDEX = "noindex", "Ask search engines not to index this copy"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True, allow_unicode=True)
    standfirst = models.TextField(
        blank=True, help_text="The summary under the headline; also used by feeds and search."
    )
    body = models.TextField(
        validators=[validate_body_has_text],
        help_text="Simple HTML: paragraphs, links, emphasis, lists and quotes. "
        "Anything else is removed when the story is saved.",
    )
    lead_image = models.ForeignKey(
        "photos.Image",
        null=True,
        blank=True,
        # A picture a story shows cannot be deleted from under it: the library names the story.
        on_delete=models.PROTECT,
        related_name="lead_of",
        verbose_name="lead picture",
        help_text="Shown at the top of the story. It needs alt text and a credit to go live.",
    )
    lead_image_caption = models.TextField(
        "caption for this story",
        blank=True,
        help_text="Leave empty to print the picture's own caption.",
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, blank=True, related_name="articles")
    byline = models.CharField(
        max_length=200, blank=True, help_text='The credit readers see, such as "Gulan Media".'
    )
    source_name = models.CharField(
        max_length=200, blank=True, help_text="Where a syndicated story first ran."
    )
    source_url = models.URLField(max_length=500, blank=True)
    syndication_indexing = models.CharField(
        max_length=10,
        choices=SyndicationIndexing,
        default=SyndicationIndexing.CANONICAL_SELF,
        help_text="For syndicated copy: how search engines should treat this page.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    # No `choices` here: they would put settings.NEWSROOM_LANGUAGES into the migrations.
    # The admin offers the configured list; clean() and the fixture checks hold to it.
    language = models.CharField(
        max_length=35,
        default=languages.default_language,
        help_text="The language the story is written in.",
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # Deleting an original would silently cut its translations loose from each other
        # (they find their siblings through it): the editor deletes or re-links them first.
        on_delete=models.PROTECT,
        related_name="translations",
        verbose_name="translation of",
        help_text="The original story this one translates.",
    )
    original_published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the story was first published, at its source if syndicated.",
    )
    display_date = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The date readers see. Leave empty to show the original publication date.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the story goes live on this site. A time in the future schedules it.",
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: the story is hidden again from this time."
    )
    guid = models.UUIDField(
        unique=True,
        editable=False,
        blank=True,  # fixtures may leave it out: it is made on save (articles/signals.py)
        help_text="Permanent id for feeds; random, made once and never changed.",
    )
    public_update_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an editor last marked a change as an update readers should be told about.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through=TaggedArticle, blank=True)
    # A plain set, not an ordered through model: the admin's autocomplete has no way to
    # order picks, so the page orders them (articles/related.py). Not symmetrical: a story
    # an editor points readers to need not point back.
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name="related stories",
        help_text="Shown first under the story while they are live; stories sharing its "
        "rarest tags fill the rest, up to four.",
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        # What a newsroom calls them: the admin says "Add story", as the desk's buttons do.
        verbose_name = "story"
        verbose_name_plural = "stories"
        indexes = [
            # Lists: newest_first() orders by this very expression, so the front, section and
            # feed pages read 20 rows in index order instead of sorting every live story.
            models.Index(
                Coalesce("display_date", "original_published_at").desc(),
                models.F("id").desc(),
                name="article_reader_date_idx",
            ),
            # The admin changelist and the article sitemap order by the default ordering.
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            # live(): counts and "is it live" subqueries read this index alone, not the rows
            # with their bodies. published_at leads, not status: SQLite cannot tell that
            # nearly every row is published, and a status-led index tempted it to sort all
            # live stories for the front page instead of walking the reader-date index.
            models.Index(
                fields=["published_at", "status", "expires_at", "id"],
                name="article_live_covering_idx",
            ),
            # last_clock_change() (Last-Modified of every list page) reads the newest expiry,
            # and the page cache looks up the next one.
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            models.Index(fields=["expires_at"], name="article_expires_idx"),
            # A section's pages and feed, and its newest stories for its slots, as the first
            # index for the whole site: 20 entries of one section, not a sort of all of them.
            models.Index(
                "section",
                Coalesce("display_date", "original_published_at").desc(),
                models.F("id").desc(),
                name="article_section_date_idx",
            ),
            # A language's front page and feeds: 20 entries of one language in index order.
            models.Index(
                "language",
                Coalesce("display_date", "original_published_at").desc(),
                models.F("id").desc(),
                name="article_language_date_idx",
            ),
            # The section sitemap dates each section by its newest change.
            models.Index(fields=["section", "updated_at"], name="article_section_updated_idx"),
            # (PostgreSQL also has article_live_by_id_idx, from migration 0015.)
        ]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and withdraw articles"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED)
                | models.Q(published_at__isnull=False, original_published_at__isnull=False),
                name="published_article_has_dates",
                violation_error_message=(
                    "A published story needs published_at and original_published_at."
                ),
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, update_fields=None, **kwargs):
        self.body = clean_body(self.body)
        # A translation of a translation points at the original: versions form one group
        # around it, never a chain.
        if self.translation_of is not None and self.translation_of.translation_of_id:
            self.translation_of_id = self.translation_of.translation_of_id
        if update_fields is None or "slug" in update_fields:
            remember_old_slug(self)
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        errors = {}
        if self.language not in languages.codes():
            known = ", ".join(languages.codes())
            errors["language"] = f"{self.language!r} is not one of this site's languages ({known})."
        original = self.translation_of
        if original is None and self.pk is not None:
            # An original taking a translation's language: one hreflang, two addresses.
            if self.translations.filter(language=self.language).exists():
                errors.setdefault(
                    "language",
                    f"This story already has a translation in {languages.name_of(self.language)}: "
                    "choose another language, or change the translation's first.",
                )
        if original is not None:
            original = original.translation_of or original
            if self.pk is not None and original.pk == self.pk:
                errors["translation_of"] = "A story cannot be a translation of itself."
            elif self.pk is not None and self.translations.exists():
                errors["translation_of"] = (
                    "This story has translations of its own: link them to the other original first."
                )
            elif original.language == self.language:
                errors["translation_of"] = (
                    f"The original is already in {languages.name_of(self.language)}."
                )
            elif original.translations.filter(language=self.language).exclude(pk=self.pk).exists():
                errors["translation_of"] = (
                    f"The original already has a translation in {languages.name_of(self.language)}."
                )
        if errors:
            raise ValidationError(errors)

    def publication_state(self, now=None):
        """Where the story stands at `now`: the one reading of status and dates in Python.

        ArticleQuerySet.live(), scheduled(), expired() and withdrawn() say the same in SQL.
        """
        now = now or timezone.now()
        if self.status != Status.PUBLISHED:
            return PublicationState(self.status)
        if self.published_at > now:
            return PublicationState.SCHEDULED
        if self.expires_at and self.expires_at <= now:
            return PublicationState.EXPIRED
        return PublicationState.LIVE

    def has_public_address(self, now=None):
        """Whether its address answers readers: live (200), or withdrawn after it ran (410)."""
        now = now or timezone.now()
        state = self.publication_state(now)
        ran = self.published_at is not None and self.published_at <= now
        return state == PublicationState.LIVE or (state == PublicationState.WITHDRAWN and ran)

    @property
    def original_id(self):
        """The id of the original of this story's group of versions (its own if it is one)."""
        return self.translation_of_id or self.pk

    def versions(self):
        """Every version of this story, itself included: the original and its translations.

        A queryset, so callers choose: live() for readers, all of them for the desk.
        """
        original_id = self.original_id
        return Article.objects.filter(
            models.Q(pk=original_id) | models.Q(translation_of_id=original_id)
        ).order_by("translation_of_id", "language", "pk")

    @property
    def language_name(self):
        return languages.name_of(self.language)

    @property
    def direction(self):
        return languages.direction(self.language)

    @property
    def date_shown(self):
        """The date readers see: the display date, else the original publication date."""
        return self.display_date or self.original_published_at

    @property
    def page_changed_at(self):
        """When this page last changed for readers: an edit, or the story going live."""
        return max(filter(None, [self.updated_at, self.published_at]), default=None)

    @property
    def is_syndicated(self):
        return bool(self.source_name or self.source_url)

    @property
    def source_link(self):
        """source_url if it is a web address, else "": fixtures skip the form's URL check,
        and a javascript: address must never become a link."""
        url = self.source_url.strip()
        return url if url.lower().startswith(("https://", "http://")) else ""

    @property
    def public_corrections(self):
        """Corrections readers may see, oldest first; reads a prefetch of `corrections`."""
        now = timezone.now()
        return [c for c in self.corrections.all() if c.published_at <= now]

    @property
    def announced_update_at(self):
        """The latest change readers were told about (public update or correction), else None.

        The page's "Updated" line and its dateModified both read this.
        """
        times = [c.published_at for c in self.public_corrections]
        if self.public_update_at:
            times.append(self.public_update_at)
        return max(times, default=None)

    @property
    def canonical_to_source(self):
        return bool(
            self.source_link
            and self.syndication_indexing == self.SyndicationIndexing.CANONICAL_SOURCE
        )

    @property
    def noindex(self):
        return self.is_syndicated and (
            self.syndication_indexing == self.SyndicationIndexing.NOINDEX
        )


def remember_old_slug(article):
    """Keep the old address answering (with a 301) when an editor changes a slug.

    An address leads to one story: a story taking another's old address (new or renamed)
    takes its redirect away. The admin lets only an editor, asked, do that to the old address
    of a story that ran (ArticleAdminForm).
    """
    old = None
    if article.pk is not None:
        old = Article.objects.filter(pk=article.pk).values_list("slug", flat=True).first()
    if old == article.slug:
        return
    OldSlug.objects.filter(slug=article.slug).delete()
    if old:
        OldSlug.objects.update_or_create(slug=old, defaults={"article": article})


class OldSlugQuerySet(models.QuerySet):
    def reserved(self, now=None):
        """Old addresses of stories that ran (withdrawn ones too): links to them are out there."""
        return self.filter(article__published_at__lte=now or timezone.now())


class OldSlug(models.Model):
    """A slug an article used to have; its old URL redirects to the article."""

    slug = models.SlugField(max_length=300, unique=True, allow_unicode=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OldSlugQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.slug


class Correction(models.Model):
    """A correction, update or clarification printed at the foot of the story."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text, shown to readers as written.")
    published_at = models.DateTimeField(
        default=timezone.now, help_text="When readers were told; shown with the note."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [
            # The next correction to come due (a clock change every page asks about): without
            # it SQLite indexed every published story afresh on each request to find it.
            models.Index(fields=["published_at"], name="correction_published_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"


# Revisions keep an article with its tag links, so restoring one restores its tags. The links
# do not follow their Tag: reversion deletes followed rows missing from the old revision, and
# a tag is shared by other stories. Corrections are not followed either: restoring an old
# text must never erase a correction readers have already seen.
reversion.register(TaggedArticle)
reversion.register(Article, follow=("taggedarticle_set",))
