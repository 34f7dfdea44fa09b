"""Pins: the stories editors put in the first slots of the front page and of section pages.

A page's pins, in their order, are its slots: on the front page the first is the lead and the
next four are the top stories; a section page has four top stories. A slot shows its story
while the story is live and the pin holds (no `pinned_until`, or one still ahead); otherwise,
and in every slot no pin takes, readers see the newest stories (curation/front.py). So a
withdrawn, expired, unpublished or rescheduled story leaves its slot by itself, and comes back
to it if it is live again while the pin is still there.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from articles.models import Article, Section

FRONT_PAGE_SLOTS = 5  # the lead and four top stories
SECTION_SLOTS = 4  # a section page's top stories


def slots_on(page):
    """How many stories `page` (a Section, or None for the front page) can have pinned."""
    return FRONT_PAGE_SLOTS if page is None else SECTION_SLOTS


def page_name(page):
    return "the front page" if page is None else f"the {page.name} page"


class PinQuerySet(models.QuerySet):
    def on(self, page):
        """The pins of one page (a Section, or None for the front page), in slot order."""
        if page is None:
            return self.filter(page__isnull=True)
        return self.filter(page=page)


class PinManager(models.Manager.from_queryset(PinQuerySet)):
    def get_by_natural_key(self, article_slug, page_slug):
        return self.on(None if page_slug is None else Section.objects.get(slug=page_slug)).get(
            article__slug=article_slug
        )


class Pin(models.Model):
    page = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pins",
        help_text="Leave empty for the front page; a section page takes only its own stories.",
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="pins", verbose_name="story"
    )
    # The slot order django-admin-sortable2 rewrites as editors drag rows (curation/admin.py).
    position = models.PositiveIntegerField("order", default=0)
    pinned_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional: from this time the slot shows the newest stories again.",
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pinned_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PinManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "pinned story"
        verbose_name_plural = "pinned stories"
        constraints = [
            # Two constraints, because NULL (the front page) is never equal to NULL in SQL.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(page__isnull=True),
                name="one_front_page_pin_per_story",
                violation_error_message="This story is already pinned on the front page.",
            ),
            models.UniqueConstraint(
                fields=["page", "article"],
                name="one_section_pin_per_story",
                violation_error_message="This story is already pinned on this section page.",
            ),
        ]
        indexes = [
            # The clock (articles/querysets.py) looks up the next and the last pin to end.
            models.Index(fields=["pinned_until"], name="pin_until_idx"),
        ]

    def __str__(self):
        return f"{self.article} on {page_name(self.page)}"

    def clean(self):
        if self.page_id is not None and self.article_id is not None:
            if self.article.section_id != self.page_id:
                raise ValidationError(
                    {
                        "article": f"This story is in {self.article.section}: only stories "
                        f"of {self.page} can be pinned on {page_name(self.page)}."
                    }
                )
        others = Pin.objects.on(self.page).exclude(pk=self.pk)
        slots = slots_on(self.page)
        if others.count() >= slots:
            raise ValidationError(
                f"{page_name(self.page).capitalize()} has {slots} slots and each already has "
                f"a pinned story: unpin one first, or change a pin to this story."
            )

    def natural_key(self):
        return (self.article.slug, self.page.slug if self.page_id else None)

    natural_key.dependencies = ["articles.article", "articles.section"]

    def holds(self, now=None):
        """Whether the pin still holds its slot: no end time, or one still ahead."""
        return self.pinned_until is None or self.pinned_until > (now or timezone.now())
