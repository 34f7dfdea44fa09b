"""Fixtures name pictures by their file; the files travel beside them in the media folder."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from photos.models import Image
from tests.photos_helpers import make_image, picture, secret_laden_jpeg

pytestmark = pytest.mark.usefixtures("media")


def dump(path):
    call_command(
        "dumpdata",
        "articles.section",
        "articles.article",
        "photos",
        natural_foreign=True,
        natural_primary=True,
        indent=2,
        output=str(path),
        verbosity=0,
    )


def test_dumpdata_and_the_media_folder_round_trip_a_story_with_its_picture(
    make_article, settings, tmp_path
):
    media_root = Path(settings.MEDIA_ROOT)
    image = make_image(caption="Flooded high street")
    make_article(slug="floods", lead_image=image, lead_image_caption="Here, today")
    fixture = tmp_path / "stories.json"
    dump(fixture)
    # Another machine: an empty database and a copy of the media folder.
    copied = tmp_path / "copied-media"
    shutil.copytree(media_root, copied)
    Article.objects.all().delete()
    Image.objects.all().delete()
    shutil.rmtree(media_root)
    settings.MEDIA_ROOT = str(copied)

    call_command("loaddata", str(fixture), verbosity=0)

    story = Article.objects.get(slug="floods")
    assert story.lead_image.caption == "Flooded high street"
    assert story.lead_image_caption == "Here, today"
    assert (copied / story.lead_image.file.name).is_file()
    assert story.lead_image.file.size > 0


def test_a_fixture_links_a_story_to_its_picture_by_file_name(make_article, tmp_path):
    image = make_image()
    story = make_article(slug="floods")
    rows = [
        {
            "model": "articles.article",
            "fields": {
                **json.loads(_dumped_story(tmp_path))["fields"],
                "lead_image": [image.file.name],
            },
        }
    ]
    story.delete()
    fixture = tmp_path / "linked.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)
    assert Article.objects.get(slug="floods").lead_image == image


def _dumped_story(tmp_path):
    fixture = tmp_path / "one.json"
    dump(fixture)
    return json.dumps(
        next(row for row in json.loads(fixture.read_text()) if row["model"] == "articles.article")
    )


def test_a_fixture_naming_a_missing_file_is_refused_naming_it_and_loads_nothing(
    make_article, tmp_path
):
    image = make_image()
    make_article(slug="floods", lead_image=image)
    fixture = tmp_path / "stories.json"
    dump(fixture)
    name = image.file.name
    Article.objects.all().delete()
    Image.objects.all().delete()
    image.file.delete(save=False)

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(fixture), verbosity=0)

    assert f"the file '{name}' is not in the media folder" in str(refused.value)
    assert "photos.image" in str(refused.value)
    assert not Article.objects.exists()
    assert not Image.objects.exists()


def _one_picture_fixture(tmp_path, name, width, height):
    rows = [
        {
            "model": "photos.image",
            "fields": {
                "file": name,
                "alt_text": "A teal square",
                "credit": "Staff",
                "width": width,
                "height": height,
                "uploaded_at": "2026-11-30T10:00:00Z",
            },
        }
    ]
    fixture = tmp_path / "picture.json"
    fixture.write_text(json.dumps(rows))
    return fixture


def test_a_fixtures_picture_that_still_carries_its_location_is_refused(db, settings, tmp_path):
    # loaddata stores no file: one copied in by hand has had no upload's cleaning.
    folder = Path(settings.MEDIA_ROOT) / "photos" / "hand"
    folder.mkdir(parents=True)
    (folder / "source.jpg").write_bytes(secret_laden_jpeg(iptc=False))
    fixture = _one_picture_fixture(tmp_path, "photos/hand/source.jpg", 40, 20)
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(fixture), verbosity=0)
    assert "'photos/hand/source.jpg' still carries metadata (exif" in str(refused.value)
    assert not Image.objects.exists()


def test_a_fixtures_picture_of_another_size_than_its_row_says_is_refused(db, settings, tmp_path):
    folder = Path(settings.MEDIA_ROOT) / "photos" / "hand"
    folder.mkdir(parents=True)
    (folder / "clean.jpg").write_bytes(picture(size=(40, 20)))
    fixture = _one_picture_fixture(tmp_path, "photos/hand/clean.jpg", 400, 200)
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", str(fixture), verbosity=0)
    assert "is 40 × 20 pixels but the row says 400 × 200" in str(refused.value)
    assert not Image.objects.exists()
    # The same file, its size told right, loads.
    call_command("loaddata", str(_one_picture_fixture(tmp_path, "photos/hand/clean.jpg", 40, 20)))
    assert Image.objects.get().width == 40
