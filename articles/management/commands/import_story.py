from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, OldSlug, Section
from articles.publishing import first_publication_dates
from articles.wire import WireFormatError, decode, parse_story


class Command(BaseCommand):
    help = (
        "Import plain-text wire stories (see articles/wire.py for the shape) as draft articles. "
        "A story already here (same headline, same original date) is skipped; a file that "
        "does not fit is refused with the line at fault and nothing from it is imported. "
        "A folder imports every .txt file in it."
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

    def handle(self, *args, paths, publish, dry_run, **options):
        counts = {"imported": 0, "skipped": 0, "refused": 0}
        seen = set()  # stories of this run, so a dry run also notices a file given twice
        for path in files_in(paths):
            outcome, message = self.import_file(path, publish=publish, dry_run=dry_run, seen=seen)
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

    def import_file(self, path, *, publish, dry_run, seen):
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
            return "skipped", f"skipped: already imported {where}"
        seen.add(key)

        status = Article.Status.PUBLISHED if publish else Article.Status.DRAFT
        if dry_run:
            return "imported", f"would import as a {status}: {story.headline!r}"
        try:
            with transaction.atomic(), reversion.create_revision():
                article = create_article(story, publish=publish)
                reversion.set_comment(f"Imported from {path.name}")
        except DatabaseError as exc:
            # Rolled back whole; the other files still get their turn.
            return "refused", f"refused: the database would not take it ({exc})"
        return "imported", f"imported as a {status}: {article.get_absolute_url()}"


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


def create_article(story, *, publish):
    section = section_named(story.section)
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
