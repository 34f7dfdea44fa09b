"""import_story: plain-text wire copy in, draft articles out; bad files named, nothing half-done."""

import io
import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, Section
from articles.wire import WireFormatError, parse_story
from photos.models import Image
from tests.conftest import SEED_SLUG
from tests.photos_helpers import (
    IPTC_CAPTION,
    IPTC_COPYRIGHT,
    IPTC_CREDIT,
    OWNER,
    SERIAL,
    picture,
    secret_laden_jpeg,
)
from tests.test_fixtures import database_state

WIRE = Path(__file__).parent / "data" / "wire"
SEED_RAW = settings.BASE_DIR / "fixtures" / "raw" / "gulan-media-putin-assad.txt"
SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "seed_story.json"

# A picture given with --image is stored in a media folder of the test's own.
pytestmark = pytest.mark.usefixtures("media")


def import_story(*paths, **options):
    """Run the command; its report and whether it failed."""
    out = StringIO()
    try:
        call_command("import_story", *map(str, paths), stdout=out, **options)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def noon_here(year, month, day):
    # The copy gives days; they are imported as noon in the newsroom's zone.
    return datetime(year, month, day, 12, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_importing_the_seed_file_reproduces_the_seed_fixture(db):
    fixture = next(
        row["fields"]
        for row in json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
        if row["model"] == "articles.article"
    )
    out, failed = import_story(SEED_RAW)
    assert failed is None
    article = Article.objects.get()
    assert f"imported as a draft: /articles/{SEED_SLUG}/" in out
    assert article.slug == fixture["slug"] == SEED_SLUG
    assert article.headline == fixture["headline"]
    assert article.body == fixture["body"]  # 13 paragraphs, quotation marks as written
    assert article.byline == article.source_name == fixture["byline"] == "Gulan Media"
    assert article.section.name == "News" and article.section.slug == fixture["section"][0]
    assert (
        article.original_published_at.isoformat().replace("+00:00", "Z")
        == (fixture["original_published_at"])
    )
    assert article.display_date.isoformat().replace("+00:00", "Z") == fixture["display_date"]
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert article not in Article.objects.live()


def test_a_story_already_here_is_skipped_not_duplicated(seed):
    seed.body = "<p>An editor's edit.</p>"
    seed.original_published_at += timedelta(hours=3)  # retouched time, same day
    seed.save()
    out, failed = import_story(SEED_RAW)
    assert failed is None
    assert f"skipped: already imported as /articles/{SEED_SLUG}/" in out
    assert Article.objects.count() == 1
    assert Article.objects.get().body == "<p>An editor's edit.</p>"


def test_importing_twice_imports_once(db):
    import_story(WIRE / "good")
    before = database_state()
    out, failed = import_story(WIRE / "good")
    assert failed is None
    assert out.count("skipped: already imported") == len(TOLERATED)
    assert database_state() == before


def test_the_same_story_given_twice_in_one_run_is_imported_once(db):
    out, failed = import_story(SEED_RAW, SEED_RAW)
    assert out.count("skipped: already imported") == 1
    assert Article.objects.count() == 1


TOLERATED = {
    "windows-line-endings.txt": {
        "headline": "Dam repairs finish ahead of the rains",
        "credit": "Kurdistan 24",
        "section": "Economy",
        "original": (2024, 6, 1),
        "display": (2024, 6, 3),
        "paragraphs": [
            "Engineers finished work on the spillway on Saturday.",
            "The reservoir can now be filled before the autumn rains.",
        ],
    },
    "byte-order-mark.txt": {
        "headline": "Bakery wins regional award",
        "credit": "Erbil Daily",
        "section": "Food",
        "original": (2024, 6, 4),
        "display": (2024, 6, 5),
        "paragraphs": ["A family bakery in the old town won the regional prize for its bread."],
    },
    "no-display-date.txt": {
        "headline": "Council approves new bus routes",
        "credit": "Gulan Media",
        "section": "Local",
        "original": (2023, 3, 2),
        "display": None,
        "paragraphs": [
            "Three new routes will link the suburbs to the centre from April.",
            "Fares stay the same.",
        ],
    },
    "extra-blank-lines.txt": {
        "headline": "Schools close early for the summer",
        "credit": "Gulan Media",
        "section": "News",
        "original": (2024, 6, 6),
        "display": (2024, 6, 7),
        "paragraphs": [
            "Schools across the region will close a week early this year.",
            "The ministry blamed the heat.",
        ],
    },
    "several-words.txt": {
        "headline": "Talks resume on water sharing",
        "credit": "May Day Press Agency Middle East Desk",
        "section": "Middle East and North Africa",
        "original": (2024, 6, 5),
        "display": (2024, 6, 6),
        "paragraphs": ["Delegations met again in Baghdad after a pause of six months."],
    },
    "non-ascii.txt": {
        "headline": "Café owners in Hewlêr welcome the first tourists of «summer»",
        "credit": "Rûdaw Nûçe",
        "section": "Kurdistan Region",
        "original": (2024, 6, 8),
        "display": (2024, 6, 9),
        "paragraphs": [
            "“We waited all winter,” said Şêrko, who runs a café near the citadel — it is 30 °C already.",
            "Visitors from Тбилиси and القاهرة filled the terraces; one wrote “ھەولێر” in the guest book.",
        ],
    },
    "headline-starting-with-a-weekday.txt": {
        "headline": "Monday, bloody Monday: markets fall again",
        "credit": "Gulan Media",
        "section": "Business",
        "original": (2024, 6, 10),
        "display": None,
        "paragraphs": ["Shares fell for the third day running."],
    },
    "markup-and-wrapped-lines.txt": {
        "headline": "Why <script> tags & ampersands stay text",
        "credit": "Tech Desk",
        "section": "Technology",
        "original": (2024, 6, 7),
        "display": (2024, 6, 8),
        "paragraphs": [
            "Copy is plain text, so a line that mentions &lt;script&gt;alert(1)&lt;/script&gt; "
            "or an ampersand &amp; its friends is shown as written, and this paragraph "
            "wraps over three lines that make one paragraph.",
            "A second paragraph.",
        ],
    },
}


def test_every_tolerated_shape_has_a_file():
    assert sorted(p.name for p in (WIRE / "good").glob("*.txt")) == sorted(TOLERATED)
    raw = (WIRE / "good" / "windows-line-endings.txt").read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    assert (WIRE / "good" / "byte-order-mark.txt").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", TOLERATED)
def test_tolerated_copy_is_imported_as_a_draft(db, name):
    expected = TOLERATED[name]
    out, failed = import_story(WIRE / "good" / name)
    assert failed is None, out
    article = Article.objects.get()
    assert article.headline == expected["headline"]
    assert article.byline == article.source_name == expected["credit"]
    assert article.section.name == expected["section"]
    assert article.original_published_at == noon_here(*expected["original"])
    if expected["display"]:
        assert article.display_date == noon_here(*expected["display"])
    else:
        assert article.display_date is None
        assert article.date_shown == article.original_published_at
    assert article.body == "\n".join(f"<p>{p}</p>" for p in expected["paragraphs"])
    assert article.status == Article.Status.DRAFT
    assert f"imported as a draft: {article.get_absolute_url()}" in out


def test_non_latin_headlines_get_unicode_slugs(db):
    import_story(WIRE / "good" / "non-ascii.txt")
    assert Article.objects.get().slug == (
        "café-owners-in-hewlêr-welcome-the-first-tourists-of-summer"
    )


REFUSED = {
    "meta-line-without-date.txt": "line 5: expected the credit line",
    "impossible-date.txt": "line 5: February 30, 2021 is not a date",
    "wrong-weekday.txt": "line 1: 23 July 2024 was a Tuesday, not a Monday",
    "no-body.txt": "line 5: the story has no paragraphs",
    "no-headline.txt": "line 3: expected the headline, found a credit line",
    "not-utf8.txt": "line 3: not UTF-8",
    "headline-too-long.txt": "line 3: the headline is 341 characters long; at most 300 fit",
    "empty.txt": "line 1: the file is empty",
}


def test_every_refusal_has_a_file():
    assert sorted(p.name for p in (WIRE / "bad").glob("*.txt")) == sorted(REFUSED)


@pytest.mark.parametrize("name", REFUSED)
def test_a_malformed_file_is_refused_with_its_line_and_nothing_from_it_is_kept(seed, name):
    before = database_state()
    out, failed = import_story(WIRE / "bad" / name)
    assert f"{name}: refused: {REFUSED[name]}" in out
    assert failed and "1 refused" in failed
    assert database_state() == before


def test_good_files_are_imported_and_bad_ones_named_in_one_run(db):
    out, failed = import_story(WIRE / "bad", WIRE / "good")
    assert Article.objects.count() == len(TOLERATED)
    for name in REFUSED:
        assert f"bad/{name}: refused: line" in out
    assert failed.startswith(f"{len(TOLERATED)} imported, 0 skipped, {len(REFUSED)} refused")
    # A refused file made no section either: only the good files' sections exist.
    assert set(Section.objects.values_list("name", flat=True)) == {
        story["section"] for story in TOLERATED.values()
    }


def test_publish_publishes_now_and_keeps_the_original_date(db):
    before = timezone.now()
    out, failed = import_story(SEED_RAW, publish=True)
    article = Article.objects.get()
    assert failed is None and "imported as a published" in out
    assert article.status == Article.Status.PUBLISHED
    assert before <= article.published_at <= timezone.now()
    assert article.original_published_at == noon_here(2021, 9, 14)
    assert article in Article.objects.live()


def test_the_same_story_given_twice_in_a_dry_run_is_counted_once(db):
    out, failed = import_story(SEED_RAW, SEED_RAW, dry_run=True)
    assert "skipped: already imported earlier in this run" in out
    assert not Article.objects.exists()


def test_dry_run_changes_nothing(seed):
    before = database_state()
    out, failed = import_story(WIRE / "good", SEED_RAW, dry_run=True)
    assert failed is None
    assert out.count("would import as a draft") == len(TOLERATED)
    assert "skipped: already imported" in out
    assert (
        f"{len(TOLERATED)} would be imported, 1 skipped, 0 refused (dry run: nothing was changed)"
        in out
    )
    assert database_state() == before


def test_an_existing_section_is_reused_whatever_its_case(db):
    news = Section.objects.create(name="NEWS", slug="news-desk")
    import_story(SEED_RAW)
    assert Article.objects.get().section == news
    assert Section.objects.count() == 1


def test_a_different_story_under_the_same_headline_gets_its_own_slug(seed, tmp_path):
    later = SEED_RAW.read_text(encoding="utf-8").replace("September 14, 2021", "May 3, 2022")
    (tmp_path / "later.txt").write_text(later, encoding="utf-8")
    out, failed = import_story(tmp_path / "later.txt")
    assert failed is None
    assert Article.objects.get(slug=f"{SEED_SLUG}-2").original_published_at == (
        noon_here(2022, 5, 3)
    )


def test_a_missing_file_is_refused_by_name(db, tmp_path):
    out, failed = import_story(tmp_path / "nowhere.txt")
    assert "nowhere.txt: refused: cannot read it" in out
    assert failed


@pytest.mark.parametrize(
    "text, line",
    [
        ("Headline only\n", 1),
        ("• Tuesday, 23 July 2024\n", 1),
        (
            "• Tuesday, 32 July 2024\n\nHeadline\n\nGulan Media September 14, 2021 News\n\nText.\n",
            1,
        ),
        ("Headline\n\nGulan Media Septober 14, 2021 News\n\nText.\n", 3),
        ("Headline\n\nGulan Media September 14, 2021\n\nText.\n", 3),
    ],
    ids=["no-credit-line", "date-only", "day-32", "unknown-month", "no-section"],
)
def test_parse_story_names_the_line_at_fault(text, line):
    with pytest.raises(WireFormatError) as refused:
        parse_story(text)
    assert refused.value.line == line
    assert str(refused.value).startswith(f"line {line}: ")


def wire_file(folder, name, paragraphs):
    path = folder / name
    path.write_text(
        f"Ferry pictures from the harbour\n\nGulan Media June 3, 2024 News\n\n{paragraphs}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "paragraphs, removed",
    [('<img src="ferry.jpg">', "<img>"), ("<script>alert(1)</script>", "<script>")],
    ids=["picture", "script"],
)
def test_copy_of_only_markup_is_refused_with_the_body_rule_and_the_run_goes_on(
    db, tmp_path, paragraphs, removed
):
    # Plain-text copy is escaped, so the markup would be printed as the story's only words.
    markup = wire_file(tmp_path, "markup.txt", paragraphs)
    out, failed = import_story(markup, SEED_RAW)
    assert (
        f"markup.txt: refused: line 5: The body has no text once unsupported markup is "
        f"removed ({removed} removed)."
    ) in out
    assert failed.startswith("1 imported, 0 skipped, 1 refused")
    assert list(Article.objects.values_list("slug", flat=True)) == [SEED_SLUG]
    assert not Section.objects.exclude(slug="news").exists()


def test_copy_that_mentions_markup_among_its_words_is_imported(db, tmp_path):
    words = wire_file(tmp_path, "words.txt", 'The harbour shows a <img src="ferry.jpg"> today.')
    out, failed = import_story(words)
    assert failed is None, out
    assert Article.objects.get().body == (
        '<p>The harbour shows a &lt;img src="ferry.jpg"&gt; today.</p>'
    )


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\ufffe"], ids=["NUL", "escape", "FFFE"])
def test_a_control_character_in_the_copy_is_refused_with_its_line(db, tmp_path, char):
    # PostgreSQL refuses NUL with a bare error; XML (feeds, sitemaps) refuses all of them.
    path = wire_file(tmp_path, "control.txt", f"First paragraph.\n\nSecond{char} paragraph.")
    out, failed = import_story(path)
    assert (
        f"control.txt: refused: line 7: contains U+{ord(char):04X} at character 7, "
        f"which the database, feeds or sitemaps cannot carry"
    ) in out
    assert failed and not Article.objects.exists()


def test_a_nul_in_the_headline_is_refused_and_the_run_goes_on(db, tmp_path):
    # On PostgreSQL the duplicate lookup by headline used to stop the whole run with a bare
    # DataError; SQLite stored the NUL.
    path = tmp_path / "nul.txt"
    path.write_text("Fer\x00ry\n\nGulan Media June 3, 2024 News\n\nText.\n", encoding="utf-8")
    out, failed = import_story(path, SEED_RAW)
    assert "nul.txt: refused: line 1: contains U+0000 at character 4" in out
    assert failed.startswith("1 imported, 0 skipped, 1 refused")
    assert list(Article.objects.values_list("slug", flat=True)) == [SEED_SLUG]


# --image: the story's lead picture, through the same checks as an upload.


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def agency_photo(tmp_path):
    """A JPEG as an agency sends it: IPTC caption and credit, and a source's GPS and serial."""
    path = tmp_path / "Agency Photo.jpg"
    path.write_bytes(secret_laden_jpeg())
    return path


def test_the_picture_leads_the_story_cleaned_and_credited_from_its_metadata(
    db, agency_photo, settings
):
    out, failed = import_story(SEED_RAW, image=agency_photo, alt="Two presidents shake hands")
    assert failed is None, out
    article = Article.objects.get()
    image = article.lead_image
    assert (image.caption, image.credit, image.copyright_notice) == (
        IPTC_CAPTION,
        IPTC_CREDIT,
        IPTC_COPYRIGHT,
    )
    assert image.alt_text == "Two presidents shake hands"
    assert (image.width, image.height) == (40, 20)
    assert f"imported as a draft: /articles/{SEED_SLUG}/, lead picture {image.file.name}" in out
    stored = Path(settings.MEDIA_ROOT, image.file.name).read_bytes()
    assert image.file.name.endswith("/agency-photo.jpg")
    for secret in (SERIAL, OWNER, IPTC_CAPTION):
        assert secret.encode() not in stored
    assert dict(PILImage.open(io.BytesIO(stored)).getexif()) == {}


def test_caption_and_credit_given_win_over_the_pictures_metadata_even_empty(db, agency_photo):
    out, failed = import_story(
        SEED_RAW, image=agency_photo, caption="", credit="Our photographer", alt="Handshake"
    )
    assert failed is None, out
    image = Article.objects.get().lead_image
    assert (image.caption, image.credit) == ("", "Our photographer")
    assert image.copyright_notice == IPTC_COPYRIGHT  # not given, so read from the picture


def test_a_draft_may_take_a_picture_without_alt_text_and_the_report_says_what_it_needs(
    db, tmp_path
):
    path = tmp_path / "plain.png"
    path.write_bytes(picture("PNG"))
    out, failed = import_story(SEED_RAW, image=path)
    assert failed is None, out
    assert "(it needs alt text and credit before the story goes live)" in out
    assert Article.objects.get().lead_image.file.name.endswith(".png")


@pytest.mark.parametrize(
    "content, said",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not a picture this site can read"),
        (None, "could not be read to the end"),
    ],
    ids=["svg", "truncated"],
)
def test_a_refused_picture_is_named_and_neither_story_nor_picture_is_kept(
    seed, tmp_path, settings, content, said
):
    whole = picture(size=(400, 300), quality=95)
    path = tmp_path / "photo.jpg"
    path.write_bytes(content or whole[: len(whole) // 2])
    copy = tmp_path / "copy.txt"
    copy.write_text(
        SEED_RAW.read_text(encoding="utf-8").replace("September 14, 2021", "May 3, 2022"),
        encoding="utf-8",
    )
    before = database_state()
    out, failed = import_story(copy, image=path)
    assert f"copy.txt: refused: the picture {path}: “photo.jpg” {said}" in out
    assert failed.startswith("0 imported, 0 skipped, 1 refused")
    assert database_state() == before
    assert not Image.objects.exists() and not media_files(settings)


def test_a_picture_that_cannot_be_read_is_refused_by_name(db, tmp_path):
    out, failed = import_story(SEED_RAW, image=tmp_path / "nowhere.jpg")
    assert f"refused: cannot read the picture {tmp_path / 'nowhere.jpg'} (No such file" in out
    assert failed and not Article.objects.exists()


@pytest.mark.parametrize(
    "options, missing",
    [
        ({}, "“plain.jpg” has no alt text and no credit"),
        ({"alt": "A handshake", "credit": ""}, "“A handshake” has no credit"),
    ],
    ids=["neither", "no-credit"],
)
def test_publishing_with_a_picture_short_of_alt_text_or_credit_is_refused_and_keeps_nothing(
    db, tmp_path, settings, options, missing
):
    path = tmp_path / "plain.jpg"
    path.write_bytes(picture())
    out, failed = import_story(SEED_RAW, image=path, publish=True, **options)
    assert f"refused: the picture {path}: The lead picture {missing}" in out
    assert "Give --alt and --credit, or import the story as a draft." in out
    assert failed.startswith("0 imported, 0 skipped, 1 refused")
    assert not Article.objects.exists() and not Section.objects.exists()
    assert not Image.objects.exists() and not media_files(settings)


def test_publishing_with_alt_text_and_a_credit_puts_the_story_live_with_its_picture(
    db, agency_photo
):
    out, failed = import_story(SEED_RAW, image=agency_photo, publish=True, alt="A handshake")
    assert failed is None, out
    article = Article.objects.live().get()
    assert article.lead_image.credit == IPTC_CREDIT


def test_a_dry_run_checks_the_picture_and_stores_nothing(db, agency_photo, tmp_path, settings):
    out, failed = import_story(SEED_RAW, image=agency_photo, alt="A handshake", dry_run=True)
    assert failed is None, out
    assert "would import as a draft: 'Putin meets" in out
    assert ", lead picture agency-photo.jpg" in out
    assert not Article.objects.exists() and not Image.objects.exists()
    assert not media_files(settings)

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"%PDF-1.4")
    out, failed = import_story(SEED_RAW, image=broken, dry_run=True)
    assert f"refused: the picture {broken}: “broken.jpg” is not a picture" in out
    assert failed and "(dry run: nothing was changed)" in failed


def test_image_with_several_stories_is_refused_before_anything_is_imported(db, agency_photo):
    out, failed = import_story(WIRE / "good", image=agency_photo)
    assert failed == (
        f"--image gives one story its picture, but {len(TOLERATED)} files were given (a folder "
        "counts every .txt file in it): import that story on its own."
    )
    assert not Article.objects.exists() and not Image.objects.exists()


def test_caption_credit_or_alt_without_image_is_refused(db):
    out, failed = import_story(SEED_RAW, caption="A caption", alt="A handshake")
    assert (
        failed
        == "--caption and --alt go with --image (the story's lead picture): give --image too."
    )
    assert not Article.objects.exists()


def test_an_overlong_credit_is_refused_with_its_length(db, agency_photo):
    out, failed = import_story(SEED_RAW, image=agency_photo, credit="x" * 201)
    assert "refused: --credit is 201 characters long; at most 200 fit" in out
    assert not Article.objects.exists()


def test_a_story_refused_by_the_database_leaves_no_picture_behind(
    db, agency_photo, settings, monkeypatch
):
    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Article, "save", refuse)  # after the picture is stored
    out, failed = import_story(SEED_RAW, image=agency_photo, alt="A handshake")
    assert "refused: the database would not take it (disk full)" in out
    assert not Image.objects.exists() and not Section.objects.exists()
    assert not media_files(settings)


def test_a_story_already_here_is_skipped_and_its_picture_not_stored(seed, agency_photo, settings):
    out, failed = import_story(SEED_RAW, image=agency_photo)
    assert failed is None
    assert "skipped: already imported as" in out and "the picture was not stored" in out
    assert not Image.objects.exists() and not media_files(settings)
