import hashlib
import uuid

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from .body_pictures import stories_showing


@receiver(pre_save, sender=Tag)
def give_every_tag_a_slug(sender, instance, raw, **kwargs):
    # Runs for fixtures too (raw): people write tags by hand without a slug, and taggit
    # only makes one in Tag.save(), which loaddata skips. A name of symbols alone
    # ("#!") slugifies to nothing; a short digest of the name still gives it a URL.
    if not instance.slug:
        instance.slug = instance.slugify(instance.name)
    if not instance.slug:
        digest = hashlib.sha1(instance.name.lower().encode()).hexdigest()[:8]
        instance.slug = f"tag-{digest}"


@receiver(pre_save, sender="articles.Article")
def give_every_article_a_guid(sender, instance, raw, **kwargs):
    # Runs for fixtures too: a hand-written fixture has no guid. A row that names a story
    # already here (by its natural key) keeps that story's guid, so loading twice changes
    # nothing; a new story gets a random one, which says nothing about its slug.
    if instance.guid is None:
        existing = None
        if instance.pk is not None:
            existing = sender.objects.filter(pk=instance.pk).values_list("guid", flat=True).first()
        instance.guid = existing or uuid.uuid4()


@receiver(pre_save, sender="articles.Article")
def give_every_article_an_updated_at(sender, instance, raw, **kwargs):
    # auto_now fills updated_at on save(), which loaddata skips: a hand-written fixture
    # without it would otherwise stop at the database ("NOT NULL constraint failed").
    if instance.updated_at is None:
        instance.updated_at = timezone.now()


@receiver(pre_delete, sender="photos.Image")
def refuse_deleting_a_picture_a_body_shows(sender, instance, **kwargs):
    # What on_delete=PROTECT does for a lead picture, for the pictures a body names by file
    # (articles/body_pictures.py): a deletion from the shell or a script is refused too.
    stories = stories_showing([instance]).get(instance.pk)
    if stories:
        named = ", ".join(f"“{story}”" for story in stories)
        raise ProtectedError(
            f"The picture “{instance}” is shown in the body of {named}: take it out of "
            f"{'those stories' if len(stories) > 1 else 'that story'} before deleting it.",
            set(stories),
        )
