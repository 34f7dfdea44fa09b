"""Renditions follow their picture: made when it is saved, removed with it when it is deleted.

Unlike the articles' receivers these run for `loaddata` too (raw saves): a fixture's pictures
need renditions as much as uploaded ones, and the work is on files, not rows. It waits for
the commit, so a refused fixture or a failed save leaves no files behind; `robust` keeps a
storage failure from undoing a saved picture (`manage.py make_renditions` makes what is missing).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Image
from .renditions import remove_all


@receiver(post_save, sender=Image)
def make_renditions(sender, instance, **kwargs):
    transaction.on_commit(instance.renditions.make, robust=True)


@receiver(post_delete, sender=Image)
def remove_files(sender, instance, **kwargs):
    # The original too: a deleted picture must not stay downloadable by its old address.
    key, original = instance.rendition_key, instance.file.name

    def remove():
        remove_all(key)
        if original:
            instance.file.storage.delete(original)

    transaction.on_commit(remove, robust=True)
