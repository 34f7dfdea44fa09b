"""
Full-text search index kept by the database itself: triggers on articles and tag links
refresh it, so it is right after loaddata (raw saves), QuerySet.update() and raw SQL alike.
SQLite gets an FTS5 table; PostgreSQL a tsvector table with a GIN index.
"""

from django.db import migrations

TAGS_OF = """(SELECT group_concat(t.name, ' ') FROM articles_taggedarticle ta
    JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = {id})"""

SQLITE_REFRESH = """
    DELETE FROM articles_article_fts WHERE rowid = {id};
    INSERT INTO articles_article_fts (rowid, headline, standfirst, body, tags)
    SELECT a.id, a.headline, a.standfirst, a.body, """ + TAGS_OF.format(id="a.id") + """
    FROM articles_article a WHERE a.id = {id};
"""

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE articles_article_fts USING fts5(
        headline, standfirst, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')""",
    "CREATE TRIGGER articles_fts_article_insert AFTER INSERT ON articles_article BEGIN"
    + SQLITE_REFRESH.format(id="new.id") + "END",
    "CREATE TRIGGER articles_fts_article_update AFTER UPDATE OF headline, standfirst, body"
    " ON articles_article BEGIN" + SQLITE_REFRESH.format(id="new.id") + "END",
    """CREATE TRIGGER articles_fts_article_delete AFTER DELETE ON articles_article BEGIN
        DELETE FROM articles_article_fts WHERE rowid = old.id; END""",
    "CREATE TRIGGER articles_fts_tag_link_insert AFTER INSERT ON articles_taggedarticle BEGIN"
    + SQLITE_REFRESH.format(id="new.content_object_id") + "END",
    "CREATE TRIGGER articles_fts_tag_link_delete AFTER DELETE ON articles_taggedarticle BEGIN"
    + SQLITE_REFRESH.format(id="old.content_object_id") + "END",
    """CREATE TRIGGER articles_fts_tag_rename AFTER UPDATE OF name ON taggit_tag BEGIN
        UPDATE articles_article SET headline = headline WHERE id IN (
            SELECT content_object_id FROM articles_taggedarticle WHERE tag_id = new.id); END""",
    # Index the stories a site already has.
    "INSERT INTO articles_article_fts (rowid, headline, standfirst, body, tags)"
    " SELECT a.id, a.headline, a.standfirst, a.body, " + TAGS_OF.format(id="a.id")
    + " FROM articles_article a",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_fts_tag_rename",
    "DROP TRIGGER IF EXISTS articles_fts_tag_link_delete",
    "DROP TRIGGER IF EXISTS articles_fts_tag_link_insert",
    "DROP TRIGGER IF EXISTS articles_fts_article_delete",
    "DROP TRIGGER IF EXISTS articles_fts_article_update",
    "DROP TRIGGER IF EXISTS articles_fts_article_insert",
    "DROP TABLE IF EXISTS articles_article_fts",
]

POSTGRES_FORWARD = [
    # No foreign key on purpose: `flush` truncates the tables Django knows, and a key
    # from this table would make that fail. The delete trigger keeps it tidy instead.
    """CREATE TABLE articles_article_search (
        article_id bigint PRIMARY KEY, document tsvector NOT NULL)""",
    "CREATE INDEX articles_article_search_document ON articles_article_search USING GIN (document)",
    """CREATE FUNCTION articles_search_refresh(aid bigint) RETURNS void LANGUAGE sql AS $$
        DELETE FROM articles_article_search WHERE article_id = aid;
        INSERT INTO articles_article_search (article_id, document)
        SELECT a.id,
            setweight(to_tsvector('english', coalesce(a.headline, '')), 'A')
            || setweight(to_tsvector('english', coalesce((
                SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
                JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')), 'B')
            || setweight(to_tsvector('english', coalesce(a.standfirst, '')), 'B')
            || setweight(to_tsvector('english', coalesce(a.body, '')), 'C')
        FROM articles_article a WHERE a.id = aid;
    $$""",
    """CREATE FUNCTION articles_search_article_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM articles_article_search WHERE article_id = OLD.id;
            RETURN OLD;
        END IF;
        PERFORM articles_search_refresh(NEW.id);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER articles_search_article AFTER INSERT OR DELETE
        OR UPDATE OF headline, standfirst, body ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_search_article_changed()""",
    """CREATE FUNCTION articles_search_tag_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            PERFORM articles_search_refresh(OLD.content_object_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM articles_search_refresh(NEW.content_object_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER articles_search_tag_link AFTER INSERT OR UPDATE OR DELETE
        ON articles_taggedarticle
        FOR EACH ROW EXECUTE FUNCTION articles_search_tag_link_changed()""",
    """CREATE FUNCTION articles_search_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM articles_search_refresh(ta.content_object_id)
            FROM articles_taggedarticle ta WHERE ta.tag_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER articles_search_tag_rename AFTER UPDATE OF name ON taggit_tag
        FOR EACH ROW EXECUTE FUNCTION articles_search_tag_renamed()""",
    # Index the stories a site already has.
    "SELECT articles_search_refresh(id) FROM articles_article",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_tag_rename ON taggit_tag",
    "DROP TRIGGER IF EXISTS articles_search_tag_link ON articles_taggedarticle",
    "DROP TRIGGER IF EXISTS articles_search_article ON articles_article",
    "DROP FUNCTION IF EXISTS articles_search_tag_renamed()",
    "DROP FUNCTION IF EXISTS articles_search_tag_link_changed()",
    "DROP FUNCTION IF EXISTS articles_search_article_changed()",
    "DROP FUNCTION IF EXISTS articles_search_refresh(bigint)",
    "DROP TABLE IF EXISTS articles_article_search",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_article_guid_syndication_oldslug"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
