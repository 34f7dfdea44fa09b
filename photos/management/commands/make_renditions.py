from django.core.management.base import BaseCommand

from photos.models import Image


class Command(BaseCommand):
    help = (
        "Make every picture's missing renditions and remove outdated ones. Saving a picture "
        "does this by itself; run it after copying a media folder by hand or a storage outage."
    )

    def handle(self, *args, **options):
        made = 0
        for image in Image.objects.iterator():
            made += image.renditions.make()
        self.stdout.write(f"{made} renditions made.")
