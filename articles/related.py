"""The stories shown under a story: the ones editors picked, then the ones sharing its rarest tags.

A shared tag counts for more the fewer live stories carry it: each weighs 1 / ln(1 + n), n
being the number of live stories with that tag (the story itself included when it is live).
Two stories that share only "Politics" are barely related; two that share "Kirkuk dam" are.
This rather than IDF (ln(N / n)) because it needs no count of every live story, and it keeps
every weight positive: a tag on every story still counts a little. It is gentle: two tags in
common, each on 8 stories, weigh as much as one on 2.

The list starts from `live()`, so a hidden story (draft, scheduled, expired, withdrawn) is
never shown, hand-picked or not, nor does it count in a tag's rarity; the story itself never is.
"""

import math

from django.db.models import BooleanField, Count, FloatField, Value
from django.db.models.expressions import RawSQL

from .models import Article, TaggedArticle
from .public_changes import kept_many
from .querysets import DATE_SHOWN

RELATED_LENGTH = 4


def related_stories(article, limit=RELATED_LENGTH):
    """Up to `limit` live stories to read next, hand-picked first, in one query.

    Within the hand-picked, and then among the stories sharing at least one of the story's
    tags, the rarer the tags shared the higher a story ranks; then the newest first. The list
    has the shape of every other list of cards (`for_listing()`): one query whatever the
    number of tags or stories, the tags' rarity being kept per change of
    their lists (tag_weights()). Reads `article.tags` from a prefetch when there is one.
    """
    tag_ids = sorted({tag.pk for tag in article.tags.all()})
    picks = Article.related.through.objects.filter(from_article=article.pk)
    sharing = TaggedArticle.objects.filter(tag__in=tag_ids).values("content_object")
    candidates = sharing.union(picks.values("to_article"))
    stories = (
        Article.objects.live()
        .for_listing()
        .filter(pk__in=candidates)
        .exclude(pk=article.pk)
        .alias(
            picked=_picked_by(article),
            weight=shared_tag_weight(tag_weights(tag_ids)),
            date_shown=DATE_SHOWN,
        )
        .order_by("-picked", "-weight", "-date_shown", "-pk")
    )
    return list(stories[:limit])


# Written out, not built from expressions: a story page compiled a pair of subqueries per
# tag, which took longer than running them (bench/throughput.py).
LINKS = TaggedArticle._meta.db_table
PICKS = Article.related.through._meta.db_table


def _picked_by(article):
    sql = (
        f"EXISTS (SELECT 1 FROM {PICKS} p WHERE p.from_article_id = %s "
        f'AND p.to_article_id = "articles_article"."id")'
    )
    return RawSQL(sql, (article.pk,), output_field=BooleanField())


def shared_tag_weight(weights):
    """An expression: the summed weight of the tags in `weights` ({tag id: weight}) that a
    story carries, probing the unique (story, tag) links once per tag."""
    if not weights:
        return Value(0.0, output_field=FloatField())
    cases = " ".join("WHEN %s THEN %s" for _ in weights)
    sql = (
        f"(SELECT COALESCE(SUM(CASE l.tag_id {cases} ELSE 0.0 END), 0.0) FROM {LINKS} l "
        f'WHERE l.content_object_id = "articles_article"."id")'
    )
    params = [value for pair in weights.items() for value in pair]
    return RawSQL(sql, params, output_field=FloatField())


def tag_weights(tag_ids):
    """{tag id: 1 / ln(1 + n)}, n the live stories carrying the tag (at least one).

    Counted once per change of the tag's list (public_changes.kept_many(): "tag-<id>" is
    purged whenever a story joins or leaves it), one query for all the tags not kept.
    """

    def count(now, names):
        ids = [int(name.rsplit("-", 1)[1]) for name in names]
        live = Article.objects.live().values("pk")
        counted = dict(
            TaggedArticle.objects.filter(tag__in=ids, content_object__in=live)
            .order_by()
            .values("tag")
            .annotate(n=Count("pk"))
            .values_list("tag", "n")
        )
        return {f"tag-rarity-{tag_id}": (counted.get(tag_id, 0), None) for tag_id in ids}

    wanted = {f"tag-rarity-{tag_id}": [f"tag-{tag_id}"] for tag_id in tag_ids}
    counts = kept_many(wanted, count) if wanted else {}
    # At least one: a tag only the story itself carries counts nothing while the story is a
    # draft in preview, and ln(1 + 0) would divide by zero.
    return {
        tag_id: 1.0 / math.log(1.0 + max(counts[f"tag-rarity-{tag_id}"], 1)) for tag_id in tag_ids
    }
