"""Search folds Arabic-script spelling variants (issue 17): the index triggers fold stories.

Queries are folded in Python (articles/scripts.py, `fold`); the triggers here fold headline,
standfirst, body and tags with SQL made from the same table (`fold_sql`), so both sides
agree: nested replace() on SQLite, one translate() on PostgreSQL. Only the statements that
write the index change: SQLite's triggers that refresh a story, PostgreSQL's two refresh
functions (0003's per row, 0017's per statement; the triggers calling them stay). Every
story is indexed again at the end, so stories written before are folded too.

PostgreSQL keeps the 'english' configuration for every story, whatever its language: it
reads Arabic-script words as words and leaves them as they are (no English stemming touches
them), as FTS5's porter tokenizer does, so both engines find the same stories.

A later migration that makes SQLite rebuild articles_article (0011, 0018) drops the triggers
and makes them again: take DROP_TRIGGERS and CREATE_TRIGGERS from here, not from 0003, or
stories stop being folded.
"""

from importlib import import_module

from django.db import migrations

from articles.scripts import fold_sql
from articles.search import rebuild_index

search_index = import_module("articles.migrations.0003_search_index")

DROP_TRIGGERS = [s for s in search_index.SQLITE_BACKWARD if s.startswith("DROP TRIGGER")]
UNFOLDED_TRIGGERS = [s for s in search_index.SQLITE_FORWARD if s.startswith("CREATE TRIGGER")]


def sqlite_triggers(fold):
    """0003's six triggers, with the text they index passed through `fold`."""
    tags = search_index.TAGS_OF.format(id="a.id")
    columns = ", ".join(fold(c) for c in ("a.headline", "a.standfirst", "a.body", tags))

    def refresh(id):
        return f"""
    DELETE FROM articles_article_fts WHERE rowid = {id};
    INSERT INTO articles_article_fts (rowid, headline, standfirst, body, tags)
    SELECT a.id, {columns}
    FROM articles_article a WHERE a.id = {id};
"""

    return [
        "CREATE TRIGGER articles_fts_article_insert AFTER INSERT ON articles_article BEGIN"
        + refresh("new.id")
        + "END",
        "CREATE TRIGGER articles_fts_article_update AFTER UPDATE OF headline, standfirst, body"
        " ON articles_article BEGIN" + refresh("new.id") + "END",
        """CREATE TRIGGER articles_fts_article_delete AFTER DELETE ON articles_article BEGIN
        DELETE FROM articles_article_fts WHERE rowid = old.id; END""",
        "CREATE TRIGGER articles_fts_tag_link_insert AFTER INSERT ON articles_taggedarticle BEGIN"
        + refresh("new.content_object_id")
        + "END",
        "CREATE TRIGGER articles_fts_tag_link_delete AFTER DELETE ON articles_taggedarticle BEGIN"
        + refresh("old.content_object_id")
        + "END",
        """CREATE TRIGGER articles_fts_tag_rename AFTER UPDATE OF name ON taggit_tag BEGIN
        UPDATE articles_article SET headline = headline WHERE id IN (
            SELECT content_object_id FROM articles_taggedarticle WHERE tag_id = new.id); END""",
    ]


def postgres_functions(fold):
    """0003's and 0017's refresh functions, with the text they index passed through `fold`."""
    tags = """coalesce((
                SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
                JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')"""
    document = f"""
            setweight(to_tsvector('english', {fold("coalesce(a.headline, '')")}), 'A')
            || setweight(to_tsvector('english', {fold(tags)}), 'B')
            || setweight(to_tsvector('english', {fold("coalesce(a.standfirst, '')")}), 'B')
            || setweight(to_tsvector('english', {fold("coalesce(a.body, '')")}), 'C')"""
    return [
        f"""CREATE OR REPLACE FUNCTION articles_search_refresh(aid bigint)
        RETURNS void LANGUAGE sql AS $$
        DELETE FROM articles_article_search WHERE article_id = aid;
        INSERT INTO articles_article_search (article_id, document)
        SELECT a.id, {document}
        FROM articles_article a WHERE a.id = aid;
    $$""",
        f"""CREATE OR REPLACE FUNCTION articles_search_refresh_all(ids bigint[])
        RETURNS void LANGUAGE sql AS $$
        DELETE FROM articles_article_search WHERE article_id = ANY(ids);
        INSERT INTO articles_article_search (article_id, document)
        SELECT a.id, {document}
        FROM articles_article a WHERE a.id = ANY(ids);
    $$""",
    ]


def sqlite_folded(column):
    return fold_sql(column, vendor="sqlite")


def postgres_folded(column):
    return fold_sql(column, vendor="postgresql")


def unfolded(column):
    return column


CREATE_TRIGGERS = sqlite_triggers(sqlite_folded)


def install(*, folded):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = DROP_TRIGGERS + (CREATE_TRIGGERS if folded else UNFOLDED_TRIGGERS)
        elif vendor == "postgresql":
            statements = postgres_functions(postgres_folded if folded else unfolded)
        else:
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)
        rebuild_index()

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_article_language")]

    operations = [migrations.RunPython(install(folded=True), install(folded=False))]
