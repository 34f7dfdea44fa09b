"""Pictures in an S3-compatible bucket (MEDIA_STORAGE_URL), against moto's S3 server.

The server runs on this machine for the session; each test gets a bucket of its own and the
storages newsroom/settings.py makes from an s3:// address naming it. Every claim about who
may read what is checked with a plain HTTP request, as a reader's browser would make it.
"""

import hashlib
import io
import json
import re
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.client import BaseClient
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage

from newsroom.settings import S3_RENDITION_CACHE_CONTROL, s3_picture_storages
from photos.models import Image
from tests.photos_helpers import (
    SERIAL,
    make_image,
    secret_laden_jpeg,
    upload,
)
from tests.test_settings import load_settings, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

# moto takes any keys; set for the session so no developer's own AWS profile is ever used.
KEYS = {"AWS_ACCESS_KEY_ID": "newsroom-test", "AWS_SECRET_ACCESS_KEY": "newsroom-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint():
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        for name, value in KEYS.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture
def s3(s3_endpoint, settings):
    """A new bucket, and the two picture storages pointed at it as MEDIA_STORAGE_URL would."""
    bucket = f"newsroom-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    url = f"s3://{bucket}?endpoint_url={s3_endpoint}&region_name=us-east-1"
    picture_storages, origins = s3_picture_storages(url)
    # Replacing STORAGES drops the storages Django cached (django.test.signals).
    settings.STORAGES = {**settings.STORAGES, **picture_storages}
    return SimpleNamespace(
        bucket=bucket, client=client, endpoint=s3_endpoint, url=url, origins=origins
    )


def keys(s3, prefix=""):
    listing = s3.client.list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", ()))


def fetch(url):
    """A GET with no keys, no signature and no cookie: what any reader can have."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post_upload(client, data, name="photo.jpg"):
    fields = {"alt_text": "A flooded street", "credit": "Staff", "focal_x": "0.5", "focal_y": "0.5"}
    response = client.post(
        reverse("admin:photos_image_add"), {**fields, "caption": "", "file": upload(data, name)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Image.objects.get()


@pytest.fixture
def uploaded(s3, admin_client, django_capture_on_commit_callbacks):
    """A phone photo with its location in it, uploaded through the library's form."""
    with django_capture_on_commit_callbacks(execute=True):  # renditions are made on commit
        return post_upload(admin_client, secret_laden_jpeg())


def srcset_urls(html):
    urls = set(re.findall(r'<img src="([^"]+)"', html))
    for srcset in re.findall(r'srcset="([^"]+)"', html):
        urls |= {entry.rsplit(" ", 1)[0] for entry in srcset.split(", ")}
    return sorted(urls)


def test_an_original_is_kept_in_the_bucket_unreadable_without_a_signature(
    s3, uploaded, admin_client
):
    name = uploaded.file.name
    assert name.startswith("photos/") and name in keys(s3, "photos/")
    status, _, _ = fetch(f"{s3.endpoint}/{s3.bucket}/{name}")
    assert status == 403
    # Staff reach it through an address that expires, on an origin the CSP allows; the
    # admin's preview is a rendition, smaller than the original.
    signed = uploaded.file.url
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=600" in signed
    assert origin(signed) in s3.origins
    page = admin_client.get(reverse("admin:photos_image_change", args=[uploaded.pk]))
    preview = uploaded.renditions.near("full", 960).url
    assert f'class="photo-preview" src="{preview}"' in page.content.decode()
    status, headers, data = fetch(signed)
    assert status == 200 and headers["Cache-Control"] == "private, no-store"
    stored = PILImage.open(io.BytesIO(data))
    assert dict(stored.getexif()) == {} and SERIAL.encode() not in data


def test_two_uploads_of_the_same_name_keep_both_originals(s3):
    first = make_image("photo.jpg")
    second = make_image("photo.jpg")
    assert first.file.name != second.file.name
    assert {first.file.name, second.file.name} <= set(keys(s3, "photos/"))


def test_every_rendition_is_in_the_bucket_and_the_page_sends_readers_to_them(
    s3, uploaded, client, make_article
):
    renditions = uploaded.renditions.all
    assert keys(s3, f"renditions/{uploaded.rendition_key}/") == sorted(r.name for r in renditions)
    for rendition in renditions:
        head = s3.client.head_object(Bucket=s3.bucket, Key=rendition.name)
        assert head["CacheControl"] == S3_RENDITION_CACHE_CONTROL
        assert head["ContentType"] == rendition.content_type
    article = make_article(lead_image=uploaded)
    # Addresses come from the row alone: the page asks the store nothing.
    with mock.patch.object(BaseClient, "_make_api_call", side_effect=AssertionError("S3 call")):
        html = client.get(article.get_absolute_url()).content.decode()
    urls = srcset_urls(html)
    assert urls and set(urls) <= {r.url for r in renditions}
    for url in urls:
        assert origin(url) in s3.origins
        status, headers, data = fetch(url)
        assert status == 200, url
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        stored = PILImage.open(io.BytesIO(data))
        stored.load()
        assert dict(stored.getexif()) == {}, url  # no GPS, no serial, no owner
        assert SERIAL.encode() not in data


def test_deleting_a_picture_removes_its_renditions_from_the_bucket(
    s3, uploaded, admin_client, django_capture_on_commit_callbacks
):
    folder = f"renditions/{uploaded.rendition_key}/"
    assert keys(s3, folder)
    url = uploaded.renditions.widest("full").url
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:photos_image_delete", args=[uploaded.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert keys(s3, folder) == []
    assert fetch(url)[0] in (403, 404)


def test_a_second_app_server_configured_by_environment_sees_the_same_pictures(s3, uploaded):
    rendition = uploaded.renditions.widest("full", "webp")
    with uploaded.file.open("rb") as original:
        digest = hashlib.sha256(original.read()).hexdigest()
    code = (
        "import hashlib, json, django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "from django.conf import settings\n"
        f"name, folder, rendition = {uploaded.file.name!r}, {rendition.name.rsplit('/', 1)[0]!r}, {rendition.name!r}\n"
        "with storages['default'].open(name, 'rb') as f: digest = hashlib.sha256(f.read()).hexdigest()\n"
        "print(json.dumps({'digest': digest, 'files': sorted(storages['renditions'].listdir(folder)[1]),"
        " 'url': storages['renditions'].url(rendition),"
        " 'img_src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
    )
    result = run(["-c", code], {"DEBUG": "1", "MEDIA_STORAGE_URL": s3.url, **KEYS})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["digest"] == digest
    assert seen["files"] == sorted(r.name.rsplit("/", 1)[1] for r in uploaded.renditions.all)
    assert seen["url"] == rendition.url
    assert set(s3.origins) <= set(seen["img_src"])


def test_renditions_are_addressed_through_a_cdn_when_renditions_url_is_set(s3, settings):
    cdn = f"{s3.endpoint.replace('127.0.0.1', 'localhost')}/{s3.bucket}"
    picture_storages, origins = s3_picture_storages(s3.url, renditions_url=f"{cdn}/")
    settings.STORAGES = {**settings.STORAGES, **picture_storages}
    image = make_image()
    image.renditions.make()  # what the commit would do
    url = image.renditions.widest("16:9").url
    assert url.startswith(f"{cdn}/renditions/{image.rendition_key}/")
    assert origin(cdn) in origins
    assert fetch(url)[0] == 200


def test_with_public_read_by_policy_renditions_carry_no_acl_and_the_bucket_policy_serves_them(
    s3, settings
):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{s3.bucket}/renditions/*",
            }
        ],
    }
    s3.client.put_bucket_policy(Bucket=s3.bucket, Policy=json.dumps(policy))
    picture_storages, _ = s3_picture_storages(f"{s3.url}&public_read=policy")
    settings.STORAGES = {**settings.STORAGES, **picture_storages}
    image = make_image()
    image.renditions.make()
    rendition = image.renditions.widest("full")
    grants = s3.client.get_object_acl(Bucket=s3.bucket, Key=rendition.name)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner alone
    assert fetch(rendition.url)[0] == 200
    assert fetch(f"{s3.endpoint}/{s3.bucket}/{image.file.name}")[0] == 403


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://pictures?region_name=eu-west-1", "must start with s3://"),
        ("s3://AKIAEXAMPLE:hunter2@pictures?region_name=eu-west-1", "must not carry keys"),
        ("s3://Pictures_2?region_name=eu-west-1", "names the bucket 'Pictures_2'"),
        ("s3://pictures/originals?region_name=eu-west-1", "not '/originals'"),
        ("s3://pictures?region=eu-west-1", "has unknown region"),
        ("s3://pictures?region_name=eu-west-1&region_name=us-east-1", "names a parameter twice"),
        ("s3://pictures?region_name=Europe", "region_name='Europe'"),
        ("s3://pictures", "needs region_name"),
        ("s3://pictures?endpoint_url=minio:9000", "endpoint_url='minio:9000'"),
        ("s3://pictures?endpoint_url=https://s3.example.org/pictures", "the store's root"),
        ("s3://pictures?region_name=eu-west-1&public_read=yes", "public_read='yes'"),
    ],
)
def test_a_malformed_media_storage_url_is_refused_naming_what_is_wrong(url, problem):
    with pytest.raises(ImproperlyConfigured, match=re.escape(problem)) as refused:
        s3_picture_storages(url)
    assert "hunter2" not in str(refused.value)  # a key never reaches a log


def test_a_malformed_renditions_url_is_refused():
    with pytest.raises(ImproperlyConfigured, match="RENDITIONS_URL='cdn.example.org'"):
        s3_picture_storages("s3://pictures?region_name=eu-west-1", "cdn.example.org")


def test_the_environment_chooses_the_store_and_a_bad_value_stops_the_start():
    filesystem = load_settings({"DEBUG": "1"}, "STORAGES")["STORAGES"]
    assert filesystem["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    values = load_settings(
        {"DEBUG": "1", "MEDIA_STORAGE_URL": "s3://pictures?region_name=eu-west-1"},
        "STORAGES",
        "CONTENT_SECURITY_POLICY",
    )
    assert values["STORAGES"]["renditions"]["OPTIONS"]["default_acl"] == "public-read"
    assert values["STORAGES"]["default"]["OPTIONS"]["querystring_auth"] is True
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://pictures.s3.eu-west-1.amazonaws.com" in img_src
    for env, named in [
        ({"MEDIA_STORAGE_URL": "s3://pictures"}, "MEDIA_STORAGE_URL needs region_name"),
        ({"RENDITIONS_URL": "https://cdn.example.org"}, "set MEDIA_STORAGE_URL too"),
    ]:
        result = run(["manage.py", "check"], {"DEBUG": "1", **env})
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and named in result.stderr
