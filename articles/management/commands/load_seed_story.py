import json

from django.conf import settings
from django.core.management import BaseCommand, call_command
from reversion.models import Version

from articles.history import record_revision
from articles.models import Article

SEED_FIXTURE = "seed_story"


def seed_slug():
    path = settings.BASE_DIR / "fixtures" / f"{SEED_FIXTURE}.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return next(row["fields"]["slug"] for row in rows if row["model"] == "articles.article")


class Command(BaseCommand):
    help = "Load the seed story unless it is already there, so an editor's changes survive."

    def handle(self, *args, **options):
        slug = seed_slug()
        seed = Article.objects.filter(slug=slug).first()
        if seed is not None:
            if not Version.objects.get_for_object(seed).exists():
                # Loaded before loaddata kept revisions: its History starts now.
                record_revision(seed, comment=f"Loaded from {SEED_FIXTURE}")
            self.stdout.write(f"Seed story already present ({slug}); left as it is.")
            return
        call_command("loaddata", SEED_FIXTURE, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Loaded the seed story ({slug})."))
