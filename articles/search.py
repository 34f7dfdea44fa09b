"""
Full-text search over live articles, using the database's own engine: SQLite FTS5 or
PostgreSQL text search. The index is kept by triggers (migration 0003), so every way a
story arrives, loaddata included, is searchable at once.
"""

import re

from django.db import connection
from django.db.models.expressions import RawSQL

from .models import Article

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

SQLITE_MATCHES = "SELECT rowid FROM articles_article_fts WHERE articles_article_fts MATCH %s"
# bm25 is lower for better matches; weights favour headline, then tags, standfirst, body.
SQLITE_RANK = (
    "SELECT -bm25(articles_article_fts, 10.0, 4.0, 1.0, 6.0) FROM articles_article_fts"
    " WHERE articles_article_fts MATCH %s AND rowid = articles_article.id"
)
POSTGRES_MATCHES = (
    "SELECT article_id FROM articles_article_search"
    " WHERE document @@ plainto_tsquery('english', %s)"
)
POSTGRES_RANK = (
    "SELECT ts_rank_cd(document, plainto_tsquery('english', %s))"
    " FROM articles_article_search WHERE article_id = articles_article.id"
)


def search_terms(query):
    """The words of a reader's query, without anything a search engine would parse."""
    return re.findall(r"\w+", query[:MAX_QUERY_LENGTH])[:MAX_TERMS]


def search_articles(query):
    """Live articles matching every word of the query, best match first."""
    terms = search_terms(query)
    if not terms:
        return Article.objects.none()
    if connection.vendor == "postgresql":
        # plainto_tsquery ANDs the words and reads no operators ("or", "-", quotes).
        matches, rank, param = POSTGRES_MATCHES, POSTGRES_RANK, " ".join(terms)
    else:
        # Each word quoted, so FTS5 reads it as a word and never as its query syntax.
        matches, rank, param = SQLITE_MATCHES, SQLITE_RANK, " ".join(f'"{t}"' for t in terms)
    return (
        Article.objects.live()
        .filter(pk__in=RawSQL(matches, [param]))
        .annotate(rank=RawSQL(rank, [param]))
        .order_by("-rank", "-pk")
    )


def rebuild_index():
    """Index every article again (the triggers keep it current; this mends a copied table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT articles_search_refresh(id) FROM articles_article")
        else:
            cursor.execute("UPDATE articles_article SET headline = headline")
