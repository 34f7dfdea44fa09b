"""Generate a newsroom of N articles quickly, for the benchmarks only.

Sections, authors and tags first, then articles, author links and five tag links per article,
all with bulk_create in batches inside one transaction. bulk_create skips Article.save(),
so what save() would do is done here: bodies are already clean HTML and the feed guid comes
from the same function. The search index triggers (migration 0003) would refresh an article
six times (once per row and tag link); they are held off during the load and the index is
rebuilt once at the end with `articles.search.rebuild_index()`.

Shape (deterministic, seeded):
- 12 sections, N // 100 authors (at least 20), 1 or 2 authors per article;
- N // 20 tags (at least 50), so a tag has about 100 articles at every scale: the tag page
  measures the database's work per page, not a page that grows with the archive;
- 96% published over the ten years before now (0.5% of those scheduled ahead, 0.5% expired),
  2% drafts, 1% in review, 1% withdrawn; a fifth carry a display date later than the original.
"""

import itertools
import random
import uuid
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from taggit.models import Tag

from api.models import PublicChange
from articles.models import Article, Author, Section, TaggedArticle
from articles.search import rebuild_index

BATCH = 2000
TAGS_PER_ARTICLE = 5
COMMON = (
    "the of and to in a said that for on was with by is at from as it has have were after "
    "council budget harbour ferry election minister court ruling strike hospital school "
    "river flood storm market energy prices transport rail bridge housing police report "
    "inquiry festival museum football climate water farmers trade border talks summit "
    "vote parliament mayor union wages tax health science university airport port"
).split()
SYLLABLES = "ka lo mi ra ten vas dor pel sun bri tho mar gen lis ur ost an el".split()


def vocabulary(rng, size=5000):
    """Common words first, then made-up ones: word frequencies fall off as in real text."""
    words = list(COMMON)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.append(word)
    return words


_rng = random.Random(7)
WORDS = vocabulary(_rng)
# Zipf's law: the k-th most common word turns up about 1/k as often as the first.
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(WORDS))))
# Two words each in about 1 story in 10, together in about 1 in 100: a reader's search.
SEARCH_QUERY = f"{WORDS[300]} {WORDS[310]}"
# One word in about 1 story in 50: an editor's search in the admin.
ADMIN_QUERY = WORDS[1500]
SECTIONS = [
    "News", "World", "Politics", "Business", "Science", "Health",
    "Sport", "Culture", "Opinion", "Technology", "Environment", "Local",
]  # fmt: skip


def sentence(rng, words=12):
    text = " ".join(rng.choices(WORDS, cum_weights=CUMULATIVE, k=words))
    return text[0].upper() + text[1:] + "."


def body(rng):
    paragraphs = (" ".join(sentence(rng) for _ in range(4)) for _ in range(rng.randint(4, 9)))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def status_for(rng):
    roll = rng.random()
    if roll < 0.02:
        return Article.Status.DRAFT
    if roll < 0.03:
        return Article.Status.REVIEW
    if roll < 0.04:
        return Article.Status.WITHDRAWN
    return Article.Status.PUBLISHED


def generate(n, seed=42, progress=print):
    with transaction.atomic(), search_triggers_held_off():
        _generate(n, seed, progress)
    if connection.vendor == "postgresql":
        # Fresh tables have no statistics yet: without them the index refresh function
        # plans a sequential scan of the tag links for every one of the articles.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    progress("  rebuilding the search index")
    with transaction.atomic():
        rebuild_index()
    if connection.vendor == "postgresql":
        # What autovacuum does on a live site: set the visibility map, so counts can be
        # answered from an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class search_triggers_held_off:
    """Insert triggers off on the two tables, restored (same SQL) afterwards."""

    TABLES = ("articles_article", "articles_taggedarticle")

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in self.TABLES:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                self.saved = []
                return self
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name IN (%s, %s) AND sql LIKE '%%AFTER INSERT%%'",
                self.TABLES,
            )
            self.saved = cursor.fetchall()
            for name, _ in self.saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            return  # the transaction rolls back, triggers and all
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Django's foreign keys are deferred: check them now, or ALTER TABLE refuses.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in self.TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            for _, sql in self.saved:
                cursor.execute(sql)


def _generate(n, seed, progress):
    rng = random.Random(seed)
    now = timezone.now()
    # The seed story may have brought "News" already.
    Section.objects.bulk_create(
        (Section(name=name, slug=name.lower()) for name in SECTIONS), ignore_conflicts=True
    )
    sections = list(Section.objects.filter(slug__in=[name.lower() for name in SECTIONS]))
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {i}", slug=f"reporter-{i}") for i in range(max(20, n // 100))
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(max(50, n // 20))
    )
    progress(f"  {len(sections)} sections, {len(authors)} authors, {len(tags)} tags")

    author_link = Article.authors.through
    ten_years = 10 * 365 * 24 * 3600
    for start in range(0, n, BATCH):
        articles = []
        for i in range(start, min(n, start + BATCH)):
            original = now - timedelta(seconds=rng.randrange(3600, ten_years))
            status = status_for(rng)
            published_at = original
            expires_at = None
            roll = rng.random()
            if status == Article.Status.PUBLISHED and roll < 0.005:
                published_at = now + timedelta(days=rng.randint(1, 30))
            elif status == Article.Status.PUBLISHED and roll < 0.01:
                expires_at = now - timedelta(days=rng.randint(1, 30))
            slug = f"story-{i}"
            articles.append(
                Article(
                    headline=sentence(rng, 8)[:-1],
                    slug=slug,
                    standfirst=sentence(rng, 20),
                    body=body(rng),
                    section=rng.choice(sections),
                    byline="Staff reporter",
                    status=status,
                    original_published_at=original,
                    display_date=original + timedelta(days=rng.randint(1, 400))
                    if rng.random() < 0.2
                    else None,
                    published_at=published_at,
                    expires_at=expires_at,
                    guid=uuid.uuid4(),
                    created_at=original,
                )
            )
        articles = Article.objects.bulk_create(articles)
        if connection.vendor == "sqlite":
            # SQLite's bulk_create may not return ids on older versions.
            ids = dict(
                Article.objects.filter(slug__in=[a.slug for a in articles]).values_list(
                    "slug", "pk"
                )
            )
            for article in articles:
                article.pk = article.pk or ids[article.slug]
        author_link.objects.bulk_create(
            author_link(article_id=article.pk, author_id=author.pk)
            for article in articles
            for author in rng.sample(authors, rng.randint(1, 2))
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object_id=article.pk, tag_id=tag.pk)
            for article in articles
            for tag in rng.sample(tags, TAGS_PER_ARTICLE)
        )
        PublicChange.objects.bulk_create(changes_of(articles, rng, now))
        progress(f"  {start + len(articles)} / {n} articles")


def changes_of(articles, rng, now):
    """The changes feed's rows (api.changes) that publishing these stories would have
    written: a story that ran is published, one in five updated later, and an expired or
    withdrawn one leaves again."""
    kind = PublicChange.Kind
    for article in articles:
        if article.status not in (Article.Status.PUBLISHED, Article.Status.WITHDRAWN):
            continue
        ran = article.published_at

        def row(kind, at, article=article):
            return PublicChange(
                article=article, guid=article.guid, slug=article.slug, kind=kind, at=at
            )

        yield row(kind.PUBLISHED, ran)
        if article.expires_at:
            yield row(kind.WITHDRAWN, article.expires_at)
        elif article.status == Article.Status.WITHDRAWN:
            yield row(kind.WITHDRAWN, ran + (now - ran) * rng.random())
        elif ran < now and rng.random() < 0.2:
            yield row(kind.UPDATED, ran + (now - ran) * rng.random())
