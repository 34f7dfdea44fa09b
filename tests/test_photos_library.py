"""The picture library in the admin: thumbnails, search, filters, where used, safe deletion."""

from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import Article
from photos.models import Image
from tests.photos_helpers import make_image, picture, upload

pytestmark = pytest.mark.usefixtures("media")

LIST_URL = reverse("admin:photos_image_changelist")


def listed(client, query=""):
    return list(client.get(LIST_URL + query).context["cl"].result_list)


def test_the_library_shows_a_thumbnail_and_the_stories_a_picture_leads(admin_client, make_article):
    image = make_image(caption="Flooded high street")
    story = make_article(headline="Floods close the town centre", lead_image=image)
    page = admin_client.get(LIST_URL).content.decode()
    # A rendition, never the full-size original, in a list of many.
    thumbnail = image.renditions.near("full", 320).url
    assert f'<img class="photo-thumb" src="{thumbnail}" alt="">' in page
    assert image.file.url not in page
    assert reverse("admin:articles_article_change", args=[story.pk]) in page
    assert "Floods close the town centre" in page


def test_the_library_searches_caption_credit_and_alt_text(admin_client):
    by_caption = make_image("a.jpg", caption="Harbour at dawn")
    by_credit = make_image("b.jpg", credit="Ann Agency")
    by_alt = make_image("c.jpg", alt_text="A fishing boat")
    make_image("d.jpg")
    assert listed(admin_client, "?q=harbour") == [by_caption]
    assert listed(admin_client, "?q=agency") == [by_credit]
    assert listed(admin_client, "?q=fishing") == [by_alt]


def test_the_library_filters_pictures_used_on_live_stories(admin_client, make_article):
    on_live = make_image("live.jpg")
    on_draft = make_image("draft.jpg")
    make_image("unused.jpg")
    make_article(lead_image=on_live)
    make_article(lead_image=on_draft, status=Article.Status.DRAFT)
    assert listed(admin_client, "?used=live") == [on_live]


def test_the_library_filters_pictures_missing_alt_text_but_not_decorative_ones(admin_client):
    missing = make_image("a.jpg", alt_text=" ")
    make_image("b.jpg", alt_text="", decorative=True)
    make_image("c.jpg")
    assert listed(admin_client, "?alt=missing") == [missing]


def test_deleting_a_picture_a_story_uses_is_refused_naming_the_story(admin_client, make_article):
    image = make_image()
    make_article(headline="Floods close the town centre", lead_image=image)
    url = reverse("admin:photos_image_delete", args=[image.pk])
    page = admin_client.post(url, {"post": "yes"}).content.decode()
    assert "protected" in page
    assert "Floods close the town centre" in page
    assert Image.objects.filter(pk=image.pk).exists()


def test_an_unused_picture_can_be_deleted(admin_client):
    image = make_image()
    admin_client.post(reverse("admin:photos_image_delete", args=[image.pk]), {"post": "yes"})
    assert not Image.objects.exists()


def test_library_files_are_served_to_staff_only(client, admin_client):
    image = make_image(caption="Embargoed picture")
    assert admin_client.get(image.file.url).status_code == 200
    response = client.get(image.file.url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert b"Embargoed" not in response.content


def test_a_saved_pictures_file_cannot_be_swapped_for_another(admin_client, make_article):
    # Bodies name a picture by its file: a new file under the same row would break them.
    image = make_image("flood.jpg")
    url = reverse("admin:photos_image_change", args=[image.pk])
    page = admin_client.get(url).content.decode()
    assert 'type="file"' not in page
    form = admin_client.get(url).context["adminform"].form
    assert "file" not in form.fields
    admin_client.post(
        url,
        {
            "alt_text": "A teal square",
            "credit": "Staff photographer",
            "focal_x": "0.5",
            "focal_y": "0.5",
            "file": upload(picture(size=(60, 30)), "other.jpg"),
        },
    )
    image.refresh_from_db()
    assert image.file.name.endswith("flood.jpg") and image.width == 40


def test_deleting_a_picture_deletes_its_original_and_renditions(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = make_image("unused.jpg")
    original = Path(image.file.path)
    renditions = Path(image.file.storage.path(f"renditions/{image.rendition_key}"))
    assert original.exists() and any(renditions.iterdir())
    url = reverse("admin:photos_image_delete", args=[image.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"post": "yes"})
    assert not Image.objects.exists()
    assert not original.exists() and not any(renditions.iterdir())
