"""Fixtures name pictures by their file; the files travel beside them in the media folder."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from photos.models import Image
from tests.photos_helpers import make_image

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
