"""The changes feed starts with the stories already here, so a partner following it from the
beginning gets every live story, and the clock's rows for those still to come or go.

- A live story: `published` at published_at, and `updated` at its latest change readers saw
  (an edit, a public update or a correction) if that came later.
- A story that ran and left (withdrawn, or expired): `withdrawn` when it left (updated_at
  for a withdrawn one, expires_at for an expired one). No `published` row before it: the
  tombstone is all a partner needs, and a partner with no copy ignores it.
- A published story with times ahead: `published` at published_at, `updated` at each
  correction due while it will be live, `withdrawn` at expires_at (as api/changes.py writes).

Drafts, stories in review and stories withdrawn before they ran get no rows.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 2000


def backfill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Correction = apps.get_model("articles", "Correction")
    PublicChange = apps.get_model("api", "PublicChange")
    db = schema_editor.connection.alias
    now = timezone.now()
    corrections = {}
    for article_id, due in Correction.objects.using(db).values_list("article_id", "published_at"):
        corrections.setdefault(article_id, []).append(due)
    stories = (
        Article.objects.using(db)
        .filter(status__in=["published", "withdrawn"], published_at__isnull=False)
        .values_list(
            "pk",
            "guid",
            "slug",
            "status",
            "published_at",
            "expires_at",
            "updated_at",
            "public_update_at",
        )
        .order_by("pk")
    )
    rows = []
    for pk, guid, slug, status, starts, ends, updated_at, public_update_at in stories:

        def row(kind, at, pk=pk, guid=guid, slug=slug):
            return PublicChange(article_id=pk, guid=guid, slug=slug, kind=kind, at=at)

        if status == "withdrawn":
            if starts <= now:
                rows.append(row("withdrawn", max(updated_at, starts)))
            continue
        if ends is not None and ends <= starts:
            continue  # it never showed
        dues = corrections.get(pk, [])
        if starts <= now:
            rows.append(row("published", starts))
            seen = [updated_at, public_update_at, *(due for due in dues if due <= now)]
            latest = max((at for at in seen if at and at <= now), default=None)
            if latest and latest > starts and (ends is None or latest < ends):
                rows.append(row("updated", latest))
        else:
            rows.append(row("published", starts))
        for due in sorted(dues):
            if due > now and due > starts and (ends is None or due < ends):
                rows.append(row("updated", due))
        if ends is not None:
            rows.append(row("withdrawn", ends))
        if len(rows) >= BATCH:  # the feed orders by (at, id): ids need not follow `at`
            PublicChange.objects.using(db).bulk_create(rows)
            rows = []
    PublicChange.objects.using(db).bulk_create(rows)


def forget(apps, schema_editor):
    # The table was empty before this migration (0001 made it).
    apps.get_model("api", "PublicChange").objects.using(schema_editor.connection.alias).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_public_change_guid_idx"),
    ]

    operations = [
        migrations.RunPython(backfill, forget, elidable=True),
    ]
