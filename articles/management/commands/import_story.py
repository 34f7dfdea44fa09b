import uuid
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles import languages
from articles.models import Article, OldSlug, Section
from articles.publishing import TransitionError, first_publication_dates, require_pictures_ready
from articles.wire import (
    NinjsFormatError,
    WireFormatError,
    configured_language,
    decode,
    parse_ninjs_file,
    parse_ninjs_item,
    parse_story,
)
from photos.checks import check_upload
from photos.models import Image


class Command(BaseCommand):
    help = (
        "Import plain-text wire stories (see articles/wire.py for the shape) as draft articles. "
        "A story already here (same headline, same original date) is skipped; a file that "
        "does not fit is refused with the line at fault and nothing from it is imported. "
        "A folder imports every .txt file in it. --image gives one story its lead picture, "
        "checked and cleaned as an upload is. --format ninjs reads IPTC ninjs 2.x JSON "
        "instead: one item or a list of them a file, .json or .ninjs files in a folder. "
        "--language says what language text copy is in (a ninjs item says its own)."
    )
    # The files a folder gives, by format.
    SUFFIXES = {"text": (".txt",), "ninjs": (".json", ".ninjs")}

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help="text files or folders")
        parser.add_argument(
            "--format",
            choices=sorted(self.SUFFIXES),
            default="text",
            help="text: plain-text wire copy (the default); ninjs: IPTC ninjs 2.x JSON",
        )
        parser.add_argument(
            "--language",
            metavar="CODE",
            help="the language the copy is written in, one of NEWSROOM_LANGUAGES (default: the "
            "site's); a ninjs item's own `language` wins over it",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the stories now instead of saving them as drafts",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; change nothing"
        )
        picture = parser.add_argument_group("lead picture (one story only)")
        picture.add_argument(
            "--image",
            metavar="PICTURE",
            help="a JPEG, PNG, WebP or HEIC file: the story's lead picture, stored without its "
            "location, camera and owner details",
        )
        picture.add_argument(
            "--caption", help="the picture's caption (default: the one in its IPTC/XMP)"
        )
        picture.add_argument(
            "--credit", help="photographer / agency as printed (default: from its IPTC/XMP)"
        )
        picture.add_argument("--alt", help="what the picture shows, for readers who cannot see it")

    def handle(self, *args, paths, publish, dry_run, image, caption, credit, alt, **options):
        fmt = options["format"]
        # Before any file is read: a wrong code would otherwise be found after the work.
        language = copy_language(options["language"])
        files = list(files_in(paths, self.SUFFIXES[fmt]))
        picture = lead_picture_request(image, caption=caption, credit=credit, alt=alt)
        if picture and fmt == "ninjs":
            raise CommandError(
                "--image is for text copy; a ninjs item's pictures are the partner's own "
                "(its associations) and are not imported."
            )
        if picture and len(files) != 1:
            raise CommandError(
                f"--image gives one story its picture, but {len(files)} files were given "
                "(a folder counts every .txt file in it): import that story on its own."
            )
        counts = {"imported": 0, "skipped": 0, "refused": 0}
        seen = set()  # stories of this run, so a dry run also notices a file given twice
        for path in files:
            if fmt == "ninjs":
                results = self.import_ninjs_file(
                    path, publish=publish, dry_run=dry_run, seen=seen, language=language
                )
            else:
                results = [
                    self.import_file(
                        path,
                        publish=publish,
                        dry_run=dry_run,
                        seen=seen,
                        picture=picture,
                        language=language,
                    )
                ]
            for outcome, message in results:
                counts[outcome] += 1
                style = {"imported": self.style.SUCCESS, "refused": self.style.ERROR}
                self.stdout.write(style.get(outcome, str)(f"{path}: {message}"))
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        if dry_run:
            summary = summary.replace("imported", "would be imported", 1)
            summary += " (dry run: nothing was changed)"
        if counts["refused"]:
            raise CommandError(f"{summary}. Nothing was imported from the refused files.")
        self.stdout.write(summary)

    def import_file(self, path, *, publish, dry_run, seen, language, picture=None):
        try:
            story = parse_story(decode(path.read_bytes()))
            check_lengths(story)
            check_body(story)
        except OSError as exc:
            return "refused", f"refused: cannot read it ({exc.strerror})"
        except WireFormatError as exc:
            return "refused", f"refused: {exc}"

        key = (story.headline.casefold(), story.original_date)
        existing = already_imported(story)
        if existing or key in seen:
            where = f"as /articles/{existing.slug}/" if existing else "earlier in this run"
            unused = "; the picture was not stored" if picture else ""
            return "skipped", f"skipped: already imported {where}{unused}"
        seen.add(key)

        image = None
        if picture:
            try:
                image = picture.checked_image(publish=publish)
            except PictureRefused as exc:
                return "refused", f"refused: {exc}"

        status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
        if dry_run:
            return "imported", (
                f"would import as a {status}: {story.headline!r}{in_language(language)}"
                f"{described(image)}"
            )
        try:
            with transaction.atomic(), reversion.create_revision():
                article = create_article(story, publish=publish, language=language, image=image)
                reversion.set_comment(f"Imported from {path.name}")
        except (DatabaseError, OSError) as exc:
            # Rolled back whole, and a picture's file already stored goes too; the other
            # files still get their turn.
            # _committed is FieldFile's own record that the file reached the storage.
            if image is not None and image.file._committed:
                image.file.delete(save=False)
            if isinstance(exc, DatabaseError):
                return "refused", f"refused: the database would not take it ({exc})"
            return "refused", f"refused: the picture could not be stored ({exc})"
        return "imported", (
            f"imported as a {status}: {article.get_absolute_url()}{in_language(language)}"
            f"{described(image)}"
        )

    def import_ninjs_file(self, path, *, publish, dry_run, seen, language):
        """[(outcome, message)] for each item of a ninjs file, or one refusal for the file.

        Every item is read and checked before anything is written, and the file's stories
        are saved in one transaction: a refused file leaves nothing behind. An item already
        here is skipped and the others still imported.
        """
        try:
            items = parse_ninjs_file(decode(path.read_bytes()))
            stories = [parse_ninjs_item(item, number) for number, item in enumerate(items, 1)]
            for story in stories:
                check_ninjs_story(story)
        except OSError as exc:
            return [("refused", f"refused: cannot read it ({exc.strerror})")]
        except (WireFormatError, NinjsFormatError) as exc:
            return [("refused", f"refused: {exc}; nothing from this file was imported")]

        results, fresh = [], []
        for story in stories:
            key = (story.headline.casefold(), timezone.localdate(story.original_published_at))
            existing = ours(story) or already_imported(story)
            if existing or key in seen:
                where = f"as /articles/{existing.slug}/" if existing else "earlier in this run"
                results.append(("skipped", f"{story.where}: skipped: already imported {where}"))
                continue
            seen.add(key)
            fresh.append(story)

        status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
        if dry_run:
            return results + [
                (
                    "imported",
                    f"{story.where}: would import as a {status}"
                    f"{in_language(story.language or language)}",
                )
                for story in fresh
            ]
        imported = []
        try:
            with transaction.atomic():
                for story in fresh:
                    with reversion.create_revision():
                        article = create_article(story, publish=publish, language=language)
                        reversion.set_comment(f"Imported from {path.name}, item {story.number}")
                    imported.append((story, article))
        except DatabaseError as exc:
            return [("refused", f"refused: the database would not take it ({exc})")]
        return results + [
            (
                "imported",
                f"{story.where}: imported as a {status}: {article.get_absolute_url()}"
                f"{in_language(article.language)}",
            )
            for story, article in imported
        ]


def copy_language(code):
    """The site's code for --language (the default language when not given), or CommandError
    naming the site's languages. As a ninjs item's `language`: "en-GB" is "en"."""
    if code is None:
        return languages.default_language()
    found = configured_language(code)
    if found is None:
        raise CommandError(
            f"--language {code!r} is not one of this site's languages "
            f"({', '.join(languages.codes())}; NEWSROOM_LANGUAGES). Nothing was read."
        )
    return found


def in_language(code):
    """The report's words for a story's language: none for the site's own."""
    if code == languages.default_language():
        return ""
    return f", in {languages.name_of(code)} ({code})"


class PictureRefused(Exception):
    """The --image picture cannot lead the story; the message names the file and says why."""


@dataclass(frozen=True)
class LeadPictureRequest:
    """--image and what was said of it. None (not given) leaves a field to the picture's own
    IPTC/XMP; anything given, even empty, wins."""

    path: Path
    caption: str | None
    credit: str | None
    alt: str | None

    def checked_image(self, *, publish):
        """The picture as an unsaved library Image, cleaned as an upload is, or PictureRefused.

        Nothing is stored yet: the story and its picture are saved together, or neither.
        """
        try:
            with self.path.open("rb") as f:
                checked = check_upload(File(f, name=self.path.name))
        except OSError as exc:
            raise PictureRefused(f"cannot read the picture {self.path} ({exc.strerror})") from None
        except ValidationError as exc:
            raise PictureRefused(f"the picture {self.path}: {' '.join(exc.messages)}") from None
        found = checked.credits
        image = Image(
            file=checked.content,
            width=checked.width,
            height=checked.height,
            caption=pick(self.caption, found.get("caption", ""), "caption", option="--caption"),
            credit=pick(self.credit, found.get("credit", ""), "credit", option="--credit"),
            copyright_notice=pick(None, found.get("copyright_notice", ""), "copyright_notice"),
            alt_text=pick(self.alt, "", "alt_text", option="--alt"),
        )
        if publish:
            # Publishing's own rule (articles/publishing.py), asked before anything is stored.
            try:
                require_pictures_ready(Article(lead_image=image), body=False)
            except TransitionError as exc:
                raise PictureRefused(
                    f"the picture {self.path}: {exc} Give --alt and --credit, or import the "
                    "story as a draft."
                ) from None
        return image


def described(image):
    """The report's words for the lead picture, with what it still needs to go live."""
    if image is None:
        return ""
    missing = image.missing_for_publication()
    needs = f" (it needs {' and '.join(missing)} before the story goes live)" if missing else ""
    return f", lead picture {image.file.name}{needs}"


def lead_picture_request(path, *, caption, credit, alt):
    if path is None:
        given = [
            name
            for name, value in [("--caption", caption), ("--credit", credit), ("--alt", alt)]
            if value is not None
        ]
        if given:
            verb = "goes" if len(given) == 1 else "go"
            raise CommandError(
                f"{' and '.join(given)} {verb} with --image (the story's lead picture): "
                "give --image too."
            )
        return None
    return LeadPictureRequest(Path(path), caption=caption, credit=credit, alt=alt)


def pick(given, found, field, *, option=None):
    """What was given on the command line, else what the picture's metadata says.

    What was typed and does not fit is refused; metadata is cut to fit, as on upload.
    """
    limit = Image._meta.get_field(field).max_length
    if given is not None:
        given = given.strip()
        if limit and len(given) > limit:
            raise PictureRefused(f"{option} is {len(given)} characters long; at most {limit} fit")
        return given
    return found[:limit] if limit else found


def files_in(paths, suffixes=(".txt",)):
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes)
        else:
            yield path


def check_lengths(story):
    """Refuse, by line, what the database would refuse with a bare error."""
    for what, value, field, line in [
        ("headline", story.headline, Article._meta.get_field("headline"), story.headline_line),
        ("credit", story.credit, Article._meta.get_field("byline"), story.credit_line),
        ("section", story.section, Section._meta.get_field("name"), story.credit_line),
    ]:
        if len(value) > field.max_length:
            raise WireFormatError(
                line, f"the {what} is {len(value)} characters long; at most {field.max_length} fit"
            )


def check_body(story):
    """Refuse, with the model's own message (Article.body's validators), copy without words.

    The copy is plain text and is stored escaped, so a pasted <img> would be printed as the
    story's only words: the copy is also checked as the markup its writer meant.
    """
    for body in (story.body, story.body_as_markup):
        try:
            Article._meta.get_field("body").run_validators(body)
        except ValidationError as exc:
            raise WireFormatError(story.body_line, " ".join(exc.messages)) from exc


def check_ninjs_story(story):
    """Refuse, naming the item and field, what the database would refuse with a bare error."""
    tag_length = Tag._meta.get_field("name").max_length
    fields = [
        ("headlines", story.headline, Article._meta.get_field("headline").max_length),
        ("by", story.byline, Article._meta.get_field("byline").max_length),
        ("infosources", story.source_name, Article._meta.get_field("source_name").max_length),
        (
            story.source_url_field,
            story.source_url,
            Article._meta.get_field("source_url").max_length,
        ),
        ("subjects", story.section, Section._meta.get_field("name").max_length),
        *(("subjects", tag, tag_length) for tag in story.tags),
    ]
    for field, value, limit in fields:
        if len(value) > limit:
            raise NinjsFormatError(
                f"{story.where}, {field}: {value[:40]!r}… is {len(value)} characters long; "
                f"at most {limit} fit"
            )
    if story.source_url:
        try:
            URLValidator(schemes=["http", "https"])(story.source_url)
        except ValidationError:
            raise NinjsFormatError(
                f"{story.where}, {story.source_url_field}: {story.source_url!r} is not a web "
                "address"
            ) from None
    # The body's validators pass an empty value by, as Django's validators do: an empty
    # body (null, "", white space) is refused here.
    if not story.body.strip():
        raise NinjsFormatError(f"{story.where}, bodies: the body is empty")
    try:
        Article._meta.get_field("body").run_validators(story.body)
    except ValidationError as exc:
        raise NinjsFormatError(f"{story.where}, bodies: {' '.join(exc.messages)}") from None


def ours(story):
    """The story here whose guid the item's `urn:uuid:` uri names: our own copy, come back."""
    prefix = "urn:uuid:"
    if not story.uri.lower().startswith(prefix):
        return None
    try:
        guid = uuid.UUID(story.uri[len(prefix) :])
    except ValueError:
        return None
    return Article.objects.filter(guid=guid).first()


def already_imported(story):
    """A story with the same headline first published the same day (in the newsroom's zone).

    Editors may retouch the copy and the time after importing it; the headline and the day
    are what identify a wire story.
    """
    noon = timezone.localtime(story.original_published_at)
    day_start = noon.replace(hour=0)
    day_end = noon.replace(hour=23, minute=59, second=59, microsecond=999999)
    return (
        Article.objects.filter(
            headline__iexact=story.headline,
            original_published_at__range=(day_start, day_end),
        )
        .order_by("pk")
        .first()
    )


def create_article(story, *, publish, language, image=None):
    """The story saved as an Article, in the language the copy gives, else `language`."""
    section = section_named(story.section)
    if image is not None:
        image.save()
    article = Article(
        headline=story.headline,
        slug=unique_slug(story.headline),
        language=story.language or language,
        standfirst=story.standfirst,
        body=story.body,
        section=section,
        byline=story.byline,
        source_name=story.source_name,
        source_url=story.source_url,
        original_published_at=story.original_published_at,
        display_date=story.display_at,
        status=Article.Status.DRAFT,
        lead_image=image,
    )
    if publish:
        # Live from now; the original date stays the source's.
        article.status = Article.Status.PUBLISHED
        article.published_at, article.original_published_at = first_publication_dates(
            timezone.now(), article.original_published_at
        )
    article.save()
    if story.tags:
        article.tags.add(*story.tags)
    return article


def section_named(name):
    slug = slugify(name, allow_unicode=True) or "section"
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        section = Section.objects.filter(name__iexact=name).first()
    return section or Section.objects.create(name=name, slug=slug)


def unique_slug(headline):
    max_length = Article._meta.get_field("slug").max_length
    base = slugify(headline, allow_unicode=True)[: max_length - 4].strip("-") or "story"
    slug, n = base, 1
    # An old slug still redirects to its story: never take it over.
    while Article.objects.filter(slug=slug).exists() or OldSlug.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
