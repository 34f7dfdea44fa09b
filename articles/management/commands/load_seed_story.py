import json

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, call_command
from reversion.models import Version

from articles.history import record_revision
from articles.models import Article

SEED_FIXTURE = "seed_story"
DEMO_FIXTURE = "demo_story"
FIXTURES = settings.BASE_DIR / "fixtures"
# The files fixtures name travel beside them, under the same names they have in MEDIA_ROOT.
FIXTURE_MEDIA = FIXTURES / "media"


def fixture_rows(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def story_slug(name):
    return next(
        row["fields"]["slug"] for row in fixture_rows(name) if row["model"] == "articles.article"
    )


def seed_slug():
    return story_slug(SEED_FIXTURE)


def picture_files(name):
    return [row["fields"]["file"] for row in fixture_rows(name) if row["model"] == "photos.image"]


class Command(BaseCommand):
    help = (
        "Load the seed story unless it is already there, so an editor's changes survive. "
        "--demo also loads the demo story with its lead picture (fixtures/demo_story.json), "
        "first storing the picture's file from fixtures/media/ if it is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="also load the demo story, a story with a picture (`make run` does)",
        )

    def handle(self, *args, demo=False, **options):
        self.load_story(SEED_FIXTURE, "seed story")
        if demo:
            # Before loaddata, whose checks refuse a picture whose file is not stored.
            for name in picture_files(DEMO_FIXTURE):
                self.store_if_missing(name)
            self.load_story(DEMO_FIXTURE, "demo story")

    def load_story(self, fixture, label):
        slug = story_slug(fixture)
        story = Article.objects.filter(slug=slug).first()
        if story is not None:
            if not Version.objects.get_for_object(story).exists():
                # Loaded before loaddata kept revisions: its History starts now.
                record_revision(story, comment=f"Loaded from {fixture}")
            self.stdout.write(f"The {label} is already present ({slug}); left as it is.")
            return
        call_command("loaddata", fixture, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Loaded the {label} ({slug})."))

    def store_if_missing(self, name):
        """Store a fixture's file under its own name, through the default storage (the
        filesystem under MEDIA_ROOT, or an object store), unless a file of that name is there."""
        if default_storage.exists(name):
            return
        source = FIXTURE_MEDIA / name
        with source.open("rb") as f:
            stored = default_storage.save(name, File(f, name=name))
        if stored != name:  # another process stored it meanwhile: keep theirs
            default_storage.delete(stored)
            return
        self.stdout.write(f"Stored {name} in the media folder.")
