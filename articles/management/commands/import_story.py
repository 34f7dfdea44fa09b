from dataclasses import dataclass
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, OldSlug, Section
from articles.publishing import TransitionError, first_publication_dates, require_pictures_ready
from articles.wire import WireFormatError, decode, parse_story
from photos.checks import check_upload
from photos.models import Image


class Command(BaseCommand):
    help = (
        "Import plain-text wire stories (see articles/wire.py for the shape) as draft articles. "
        "A story already here (same headline, same original date) is skipped; a file that "
        "does not fit is refused with the line at fault and nothing from it is imported. "
        "A folder imports every .txt file in it. --image gives one story its lead picture, "
        "checked and cleaned as an upload is."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help="text files or folders")
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
        files = list(files_in(paths))
        picture = lead_picture_request(image, caption=caption, credit=credit, alt=alt)
        if picture and len(files) != 1:
            raise CommandError(
                f"--image gives one story its picture, but {len(files)} files were given "
                "(a folder counts every .txt file in it): import that story on its own."
            )
        counts = {"imported": 0, "skipped": 0, "refused": 0}
        seen = set()  # stories of this run, so a dry run also notices a file given twice
        for path in files:
            outcome, message = self.import_file(
                path, publish=publish, dry_run=dry_run, seen=seen, picture=picture
            )
            counts[outcome] += 1
            style = {"imported": self.style.SUCCESS, "refused": self.style.ERROR}.get(outcome, str)
            self.stdout.write(style(f"{path}: {message}"))
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        if dry_run:
            summary = summary.replace("imported", "would be imported", 1)
            summary += " (dry run: nothing was changed)"
        if counts["refused"]:
            raise CommandError(f"{summary}. Nothing was imported from the refused files.")
        self.stdout.write(summary)

    def import_file(self, path, *, publish, dry_run, seen, picture=None):
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
            return "imported", f"would import as a {status}: {story.headline!r}{described(image)}"
        try:
            with transaction.atomic(), reversion.create_revision():
                article = create_article(story, publish=publish, image=image)
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
        return "imported", f"imported as a {status}: {article.get_absolute_url()}{described(image)}"


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


def files_in(paths):
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt")
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


def already_imported(story):
    """A story with the same headline first published the same day (in the newsroom's zone).

    Editors may retouch the copy and the time after importing it; the headline and the day
    are what identify a wire story.
    """
    noon = story.original_published_at
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


def create_article(story, *, publish, image=None):
    section = section_named(story.section)
    if image is not None:
        image.save()
    article = Article(
        headline=story.headline,
        slug=unique_slug(story.headline),
        body=story.body,
        section=section,
        byline=story.credit,
        source_name=story.credit,
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
