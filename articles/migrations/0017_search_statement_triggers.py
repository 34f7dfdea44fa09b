"""PostgreSQL's search index refreshed once per statement, not once per row.

`loaddata` writes stories and tag links in multi-row INSERTs (articles/bulk_load.py); a
per-row trigger rebuilt a story's search document once for each of its tag links, about ten
seconds of a 10,000-story load. These triggers see the statement's rows as a table and rebuild
each story once. Updates of a story's text and deletes keep the per-row trigger (PostgreSQL
allows no transition table on a trigger with a column list). SQLite's FTS5 triggers
(0003_search_index) are unchanged.
"""

from django.db import migrations

FORWARD = [
    """CREATE FUNCTION articles_search_refresh_all(ids bigint[]) RETURNS void LANGUAGE sql AS $$
        DELETE FROM articles_article_search WHERE article_id = ANY(ids);
        INSERT INTO articles_article_search (article_id, document)
        SELECT a.id,
            setweight(to_tsvector('english', coalesce(a.headline, '')), 'A')
            || setweight(to_tsvector('english', coalesce((
                SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
                JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), '')), 'B')
            || setweight(to_tsvector('english', coalesce(a.standfirst, '')), 'B')
            || setweight(to_tsvector('english', coalesce(a.body, '')), 'C')
        FROM articles_article a WHERE a.id = ANY(ids);
    $$""",
    """CREATE FUNCTION articles_search_articles_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM articles_search_refresh_all(ARRAY(SELECT id FROM new_rows));
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION articles_search_links_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM articles_search_refresh_all(ARRAY(SELECT DISTINCT content_object_id FROM new_rows));
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION articles_search_links_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM articles_search_refresh_all(ARRAY(SELECT DISTINCT content_object_id FROM old_rows));
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION articles_search_links_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM articles_search_refresh_all(ARRAY(
            SELECT content_object_id FROM old_rows UNION SELECT content_object_id FROM new_rows));
        RETURN NULL;
    END $$""",
    "DROP TRIGGER articles_search_article ON articles_article",
    """CREATE TRIGGER articles_search_article AFTER DELETE OR UPDATE OF headline, standfirst, body
        ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_search_article_changed()""",
    """CREATE TRIGGER articles_search_articles_insert AFTER INSERT ON articles_article
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION articles_search_articles_inserted()""",
    "DROP TRIGGER articles_search_tag_link ON articles_taggedarticle",
    """CREATE TRIGGER articles_search_tag_links_insert AFTER INSERT ON articles_taggedarticle
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION articles_search_links_inserted()""",
    """CREATE TRIGGER articles_search_tag_links_delete AFTER DELETE ON articles_taggedarticle
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION articles_search_links_deleted()""",
    """CREATE TRIGGER articles_search_tag_links_update AFTER UPDATE ON articles_taggedarticle
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION articles_search_links_updated()""",
]
BACKWARD = [
    "DROP TRIGGER articles_search_tag_links_update ON articles_taggedarticle",
    "DROP TRIGGER articles_search_tag_links_delete ON articles_taggedarticle",
    "DROP TRIGGER articles_search_tag_links_insert ON articles_taggedarticle",
    """CREATE TRIGGER articles_search_tag_link AFTER INSERT OR UPDATE OR DELETE
        ON articles_taggedarticle
        FOR EACH ROW EXECUTE FUNCTION articles_search_tag_link_changed()""",
    "DROP TRIGGER articles_search_articles_insert ON articles_article",
    "DROP TRIGGER articles_search_article ON articles_article",
    """CREATE TRIGGER articles_search_article AFTER INSERT OR DELETE
        OR UPDATE OF headline, standfirst, body ON articles_article
        FOR EACH ROW EXECUTE FUNCTION articles_search_article_changed()""",
    "DROP FUNCTION articles_search_links_updated()",
    "DROP FUNCTION articles_search_links_deleted()",
    "DROP FUNCTION articles_search_links_inserted()",
    "DROP FUNCTION articles_search_articles_inserted()",
    "DROP FUNCTION articles_search_refresh_all(bigint[])",
]


def on_postgresql(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_correction_published_index")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
