"""
Full-text search over live articles, using the database's own engine: SQLite FTS5 or
PostgreSQL text search. The index is kept by triggers (migration 0003), so every way a
story arrives, loaddata included, is searchable at once. Arabic-script spelling variants are
folded to one form on both sides (articles/scripts.py): in the triggers for stories (0019),
in search_terms() for queries.
"""

import re

from django.db import connection
from django.db.models.expressions import RawSQL

from .models import Article
from .querysets import ArticleQuerySet
from .scripts import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Relevance ranks the newest RANKED matches (by id: the order stories were added); older
# matches follow them, newest first. Ranking every match made search time grow with the
# archive (README, Benchmarks: Scale); a reader wants the best of what is recent first.
RANKED = 200

SQLITE_MATCHES = "SELECT rowid FROM articles_article_fts WHERE articles_article_fts MATCH %s"
# FTS5 walks a match list in rowid order, so the newest RANKED matches stop early; bm25 is
# lower for better matches; weights favour headline, then tags, standfirst, body.
SQLITE_RANKED = (
    "WITH newest AS ("
    + SQLITE_MATCHES
    + " ORDER BY rowid DESC LIMIT %s) "
    + SQLITE_MATCHES
    + " AND rowid >= (SELECT min(rowid) FROM newest)"
    " ORDER BY bm25(articles_article_fts, 10.0, 4.0, 1.0, 6.0), rowid DESC"
)
POSTGRES_MATCHES = (
    "SELECT article_id FROM articles_article_search"
    " WHERE document @@ plainto_tsquery('english', %s)"
)
# The matches first, by the GIN index, as a fence the planner keeps: left to itself it walks
# the primary key newest first and tests every document on the way (0.3 s at 100,000).
POSTGRES_RANKED = (
    "WITH matches AS MATERIALIZED (" + POSTGRES_MATCHES + "),"
    " newest AS (SELECT article_id FROM matches ORDER BY article_id DESC LIMIT %s)"
    " SELECT article_id FROM articles_article_search JOIN newest USING (article_id),"
    " plainto_tsquery('english', %s) AS query"
    " ORDER BY ts_rank_cd(document, query) DESC, article_id DESC"
)


class SearchResults:
    """Live matches: the newest RANKED best first, then the older ones newest first.

    The engine ranks the newest matches in one query and live() picks the ones readers may
    see in another; older matches are asked for only when a page reaches past them, and only
    the articles of the page asked for are loaded. Never counted: the list pages show
    "Older stories" from one row more than a page (articles/pagination.py).
    """

    def __init__(self, ranked=(), older=None):
        self.ranked = list(ranked)  # live ids, best first
        self.older = older  # live matches older than the ranked ones (a queryset), or None

    def __iter__(self):
        return iter(self[0:None])

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        if index.step is not None:
            raise ValueError("SearchResults slices have no step.")
        start, stop = index.start or 0, index.stop
        ids = self.ranked[start:stop]
        if self.older is not None and (stop is None or stop > len(self.ranked)):
            skip = max(0, start - len(self.ranked))
            end = None if stop is None else stop - len(self.ranked)
            ids += list(self.older.values_list("pk", flat=True)[skip:end])
        found = {a.pk: a for a in Article.objects.filter(pk__in=ids).for_listing()}
        return [found[pk] for pk in ids if pk in found]


def search_terms(query: str) -> list[str]:
    """The words of a reader's query, spelled as the index spells them, without anything a
    search engine would parse."""
    # Folded before splitting: to \w a vowel mark is no word character, and would cut the
    # word around it in two.
    return re.findall(r"\w+", fold(query[:MAX_QUERY_LENGTH]))[:MAX_TERMS]


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
    """Live articles matching every word of the query (SearchResults). Queries: 2."""
    terms = search_terms(query)
    if not terms:
        return SearchResults()
    matches, ranked, param = engine_query(terms)
    with connection.cursor() as cursor:
        # Both engines' SQL: the words, how many of the newest matches to rank, the words.
        cursor.execute(ranked, [param, RANKED, param])
        window = [pk for (pk,) in cursor.fetchall()]
    live = set(Article.objects.live().filter(pk__in=window).values_list("pk", flat=True))
    older = None
    if len(window) >= RANKED:
        # The window's oldest match is the RANKED-th newest: every other match is older.
        older_matches = RawSQL(f"{matches} AND {_id_column()} < %s", [param, min(window)])
        older = Article.objects.live().filter(pk__in=older_matches).order_by("-pk")
    return SearchResults((pk for pk in window if pk in live), older)


def _id_column():
    return "article_id" if connection.vendor == "postgresql" else "rowid"


def rebuild_index() -> None:
    """Index every article again (the triggers keep it current; this mends a copied table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT articles_search_refresh(id) FROM articles_article")
        else:
            cursor.execute("UPDATE articles_article SET headline = headline")
