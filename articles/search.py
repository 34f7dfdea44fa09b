"""
Full-text search over live articles, using the database's own engine: SQLite FTS5 or
PostgreSQL text search. The index is kept by triggers (migration 0003), so every way a
story arrives, loaddata included, is searchable at once.
"""

import re
from collections.abc import Sequence

from django.db import connection
from django.db.models.expressions import RawSQL

from .models import Article
from .querysets import ArticleQuerySet

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

SQLITE_MATCHES = "SELECT rowid FROM articles_article_fts WHERE articles_article_fts MATCH %s"
# bm25 is lower for better matches; weights favour headline, then tags, standfirst, body.
SQLITE_RANKED = (
    SQLITE_MATCHES + " ORDER BY bm25(articles_article_fts, 10.0, 4.0, 1.0, 6.0), rowid DESC"
)
POSTGRES_MATCHES = (
    "SELECT article_id FROM articles_article_search"
    " WHERE document @@ plainto_tsquery('english', %s)"
)
POSTGRES_RANKED = (
    "SELECT article_id FROM articles_article_search, plainto_tsquery('english', %s) AS query"
    " WHERE document @@ query ORDER BY ts_rank_cd(document, query) DESC, article_id DESC"
)


class SearchResults(Sequence):
    """Live matches, best first, fetched a page at a time.

    The engine ranks every match in one query and live() picks the ones readers may see in
    another; only the articles of the page asked for are loaded. (Ranking inside the ORM
    query ran the ranking function once per live match: 1.3 s at 100,000 stories.)
    """

    def __init__(self, ids=()):
        self.ids = list(ids)

    def __len__(self):
        return len(self.ids)

    def count(self):
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        found = {a.pk: a for a in Article.objects.filter(pk__in=ids).for_listing()}
        return [found[pk] for pk in ids if pk in found]


def search_terms(query: str) -> list[str]:
    """The words of a reader's query, without anything a search engine would parse."""
    return re.findall(r"\w+", query[:MAX_QUERY_LENGTH])[:MAX_TERMS]


def engine_query(terms: list[str]) -> tuple[str, str, str]:
    """(matches SQL, ranked SQL, parameter) for this database's full-text engine."""
    if connection.vendor == "postgresql":
        # plainto_tsquery ANDs the words and reads no operators ("or", "-", quotes).
        return POSTGRES_MATCHES, POSTGRES_RANKED, " ".join(terms)
    # Each word quoted, so FTS5 reads it as a word and never as its query syntax.
    return SQLITE_MATCHES, SQLITE_RANKED, " ".join(f'"{t}"' for t in terms)


def matching(queryset: ArticleQuerySet, query: str) -> ArticleQuerySet:
    """The articles of `queryset` whose words match every word of `query` (any status)."""
    terms = search_terms(query)
    if not terms:
        return queryset.none()
    matches, _, param = engine_query(terms)
    return queryset.filter(pk__in=RawSQL(matches, [param]))


def search_articles(query: str) -> SearchResults:
    """Live articles matching every word of the query, best match first (SearchResults)."""
    terms = search_terms(query)
    if not terms:
        return SearchResults()
    _, ranked, param = engine_query(terms)
    live = set(matching(Article.objects.live(), query).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(ranked, [param])
        return SearchResults(pk for (pk,) in cursor.fetchall() if pk in live)


def rebuild_index() -> None:
    """Index every article again (the triggers keep it current; this mends a copied table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT articles_search_refresh(id) FROM articles_article")
        else:
            cursor.execute("UPDATE articles_article SET headline = headline")
