import os

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator

from .renditions import Renditions, new_key

FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class ImageManager(models.Manager):
    def get_by_natural_key(self, file):
        return self.get(file=file)


class Image(models.Model):
    """A picture in the library: its cleaned file and what readers and the law need with it.

    Its natural key is the file's name under MEDIA_ROOT, so a fixture names a picture by the
    file that travels beside it.
    """

    file = models.FileField(
        upload_to="photos/%Y/%m/",
        max_length=255,
        unique=True,
        help_text="JPEG, PNG, WebP or HEIC. Location, camera and owner details are removed.",
    )
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it. Needed before it "
        "appears on a live story, unless it is marked decorative.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Only decoration, telling nothing: screen readers skip it, so no alt text.",
    )
    caption = models.TextField(blank=True, help_text="Printed under the picture.")
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="Photographer / agency as printed, such as “Jane Doe / Reuters”. Needed "
        "before the picture appears on a live story.",
    )
    copyright_notice = models.CharField(max_length=300, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where it came from: staff, agency, reader, handout."
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    # Where the subject is, as fractions of the width and height from the top left: crops
    # for other shapes keep it in frame.
    focal_x = models.FloatField(default=0.5, validators=FRACTION)
    focal_y = models.FloatField(default=0.5, validators=FRACTION)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    # Names the folder of its renditions (photos/renditions.py). Random, so that folder cannot
    # be found from the original's name while the picture waits on an embargoed story.
    rendition_key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)

    objects = ImageManager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
                violation_error_message="The focal point must lie inside the picture (0 to 1).",
            ),
        ]

    def __str__(self):
        label = self.caption or self.alt_text or os.path.basename(self.file.name)
        return Truncator(label).chars(60)

    def natural_key(self):
        return (self.file.name,)

    @property
    def renditions(self):
        return Renditions(self)

    def missing_for_publication(self):
        """What readers would miss were it on a live story: ["alt text", "credit"] or less."""
        missing = []
        if not self.decorative and not self.alt_text.strip():
            missing.append("alt text")
        if not self.credit.strip():
            missing.append("credit")
        return missing
