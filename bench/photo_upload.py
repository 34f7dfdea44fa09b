"""How long a 24-megapixel phone photo takes from the admin's upload to its last rendition.

    .venv/bin/python -m bench.photo_upload             # 5 uploads of a 6000 x 4000 JPEG
    .venv/bin/python -m bench.photo_upload --runs 10

Makes a photo-like JPEG (smooth light with fine grain, as a camera gives; GPS and a serial
number in its EXIF), migrates a fresh SQLite file in a temporary folder with DEBUG off, logs
in as a superuser and posts the picture to the library's add form, as an editor does. One
request does everything: the decode of the whole file, the clean re-encode of the original
and, once the save commits, every rendition (photos/renditions.py). The target (issue #11) is
under 3 s on the README's machine. Also printed: the parts, timed alone, and peak memory.
"""

import argparse
import io
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (6000, 4000)


def photo_like_jpeg():
    from PIL import Image, ImageFilter

    # Light that changes slowly across the frame, plus grain: JPEG finds it as hard as a
    # real photo (about 1 byte a pixel at quality 92), unlike a flat test card.
    light = Image.effect_noise((60, 40), 80).resize(SIZE, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(SIZE, 24).filter(ImageFilter.GaussianBlur(0.6))
    grey = Image.blend(light, grain, 0.35)
    picture = Image.merge("RGB", (grey, grey.rotate(180), grey.transpose(Image.FLIP_LEFT_RIGHT)))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 26.0)})
    exif.get_ifd(0x8769)[0xA431] = "SN-BENCH-0001"
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=92, exif=exif)
    return out.getvalue()


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(runs):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from photos.checks import check_upload
    from photos.models import Image

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pass-1")
    data = photo_like_jpeg()
    client = Client()
    client.force_login(user)
    url = reverse("admin:photos_image_add")
    totals, checks, renditions = [], [], []
    for n in range(runs):
        upload = SimpleUploadedFile(f"phone-{n}.jpg", data, content_type="image/jpeg")
        fields = {"alt_text": "Bench", "credit": "Bench", "focal_x": "0.5", "focal_y": "0.5"}
        started = time.perf_counter()
        response = client.post(url, {**fields, "file": upload}, secure=True)
        totals.append(time.perf_counter() - started)
        assert response.status_code == 302, response.content[:2000]
        image = Image.objects.latest("pk")
        assert image.renditions.make() == 0, "the upload request left renditions unmade"
        # The two halves again, alone.
        started = time.perf_counter()
        check_upload(SimpleUploadedFile("again.jpg", data))
        checks.append(time.perf_counter() - started)
        for path in Path(os.environ["MEDIA_ROOT"], "renditions", image.rendition_key).iterdir():
            path.unlink()
        started = time.perf_counter()
        made = image.renditions.make()
        renditions.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "upload_bytes": len(data),
                "renditions_per_picture": made,
                "upload_request_s": totals,
                "check_and_clean_s": checks,
                "renditions_s": renditions,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.runs)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "CACHE_DIR": f"{folder}/cache",
            "ALLOWED_HOSTS": "testserver",
        }
        command = [sys.executable, "-m", "bench.photo_upload", "--child", f"--runs={args.runs}"]
        output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True)
        if output.returncode:
            sys.exit(output.stderr.decode())
    result = json.loads(output.stdout.decode().strip().splitlines()[-1])
    print(f"upload: {result['upload_bytes'] / 1e6:.1f} MB JPEG, {SIZE[0]} x {SIZE[1]} pixels")
    for label, key in (
        ("whole upload request", "upload_request_s"),
        ("  decode, check, clean", "check_and_clean_s"),
        (f"  {result['renditions_per_picture']} renditions", "renditions_s"),
    ):
        times = result[key]
        print(
            f"{label:24} median {statistics.median(times):.2f} s, "
            f"slowest {max(times):.2f} s ({len(times)} runs)"
        )
    print(f"peak memory of the process: {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
