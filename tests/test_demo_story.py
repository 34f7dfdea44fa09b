"""The demo story: one photographed story that `make run` loads beside the seed story."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image as PILImage
from PIL import ImageChops, ImageStat

from articles.models import Article
from photos.models import Image
from tests.conftest import SEED_SLUG
from tests.test_fixtures import database_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

DEMO_SLUG = "demo-lanterns-and-sailing-boats-close-the-river-festival"
DEMO_FILE = "photos/demo/river-festival-at-dusk.jpg"
FIXTURE_MEDIA = settings.BASE_DIR / "fixtures" / "media"
SCRIPT = settings.BASE_DIR / "fixtures" / "make_demo_picture.py"


def load(**options):
    out = io.StringIO()
    call_command("load_seed_story", stdout=out, **options)
    return out.getvalue()


def media_root():
    return Path(settings.MEDIA_ROOT)  # this test's own (tests/photos_helpers.py)


def stored_files(media_root):
    return sorted(p.relative_to(media_root) for p in media_root.rglob("*") if p.is_file())


def site_state(media_root):
    images = list(Image.objects.order_by("pk").values())
    files = {name: (media_root / name).read_bytes() for name in stored_files(media_root)}
    return database_state(), images, files


def test_demo_loads_both_stories_and_the_picture_into_an_empty_site():
    root = media_root()
    assert not Article.objects.exists() and not root.exists()
    out = load(demo=True)
    assert f"Stored {DEMO_FILE} in the media folder." in out
    assert f"Loaded the demo story ({DEMO_SLUG})." in out

    seed, demo = (
        Article.objects.live().get(slug=SEED_SLUG),
        Article.objects.live().get(slug=DEMO_SLUG),
    )
    assert seed.lead_image is None  # its source had no picture
    picture = demo.lead_image
    assert picture.file.name == DEMO_FILE
    assert (root / DEMO_FILE).read_bytes() == (FIXTURE_MEDIA / DEMO_FILE).read_bytes()
    assert picture.missing_for_publication() == []
    assert (picture.width, picture.height) == PILImage.open(root / DEMO_FILE).size == (1600, 1067)
    assert "demo" in demo.headline and "invented" in demo.standfirst


def test_loading_the_demo_twice_changes_nothing(django_capture_on_commit_callbacks):
    root = media_root()
    with django_capture_on_commit_callbacks(execute=True):  # renditions too
        load(demo=True)
    before = site_state(root)
    assert len(before[2]) > 1  # the picture and its renditions
    with django_capture_on_commit_callbacks(execute=True):
        out = load(demo=True)
    assert site_state(root) == before
    assert f"The demo story is already present ({DEMO_SLUG}); left as it is." in out
    assert "Stored" not in out


def test_an_editors_changes_to_the_demo_story_and_its_picture_survive():
    load(demo=True)
    Article.objects.filter(slug=DEMO_SLUG).update(headline="Edited by the desk")
    Image.objects.filter(file=DEMO_FILE).update(caption="Our caption")
    load(demo=True)
    demo = Article.objects.get(slug=DEMO_SLUG)
    assert demo.headline == "Edited by the desk"
    assert demo.lead_image.caption == "Our caption"


def test_a_lost_picture_file_is_stored_again_and_the_story_left_alone():
    root = media_root()
    load(demo=True)
    (root / DEMO_FILE).unlink()
    Article.objects.filter(slug=DEMO_SLUG).update(headline="Edited by the desk")
    load(demo=True)
    assert (root / DEMO_FILE).read_bytes() == (FIXTURE_MEDIA / DEMO_FILE).read_bytes()
    assert Article.objects.get(slug=DEMO_SLUG).headline == "Edited by the desk"


def test_without_demo_only_the_seed_story_is_loaded_and_no_file_stored():
    root = media_root()
    load()
    assert list(Article.objects.values_list("slug", flat=True)) == [SEED_SLUG]
    assert not Image.objects.exists()
    assert not root.exists() or not stored_files(root)


def test_the_demo_story_page_is_public(client):
    load(demo=True)
    response = client.get(Article.objects.get(slug=DEMO_SLUG).get_absolute_url())
    assert response.status_code == 200
    assert "(a demo story)" in response.content.decode()


def test_the_committed_picture_carries_no_metadata_and_is_the_scene_the_script_draws():
    # The licence (fixtures/root/LICENCE) says the script made it: hold the file to that.
    committed = PILImage.open(FIXTURE_MEDIA / DEMO_FILE)
    assert committed.format == "JPEG"
    assert dict(committed.getexif()) == {}
    assert not {"exif", "xmp", "icc_profile", "photoshop", "comment"} & set(committed.info)
    spec = importlib.util.spec_from_file_location("make_demo_picture", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.OUTPUT == FIXTURE_MEDIA / DEMO_FILE
    drawn = script.draw_scene()
    difference = ImageStat.Stat(ImageChops.difference(drawn, committed.convert("RGB")))
    assert max(difference.mean) < 4  # JPEG's loss; another picture differs by tens


def test_the_licence_names_the_picture_and_cc0():
    licence = (FIXTURE_MEDIA / "LICENCE").read_text(encoding="utf-8")
    assert DEMO_FILE in licence and "CC0 1.0" in licence
    assert sorted(
        str(p.relative_to(FIXTURE_MEDIA)) for p in Path(FIXTURE_MEDIA).rglob("*") if p.is_file()
    ) == ["LICENCE", DEMO_FILE]
