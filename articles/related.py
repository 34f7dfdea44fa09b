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

from functools import reduce
from operator import add

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest, Ln

from .models import Article, TaggedArticle
from .querysets import DATE_SHOWN

RELATED_LENGTH = 4


def related_stories(article, limit=RELATED_LENGTH):
    """Up to `limit` live stories to read next, hand-picked first, in one query.

    Within the hand-picked, and then among the stories sharing at least one of the story's
    tags, the rarer the tags shared the higher a story ranks; then the newest first. The list
    has the shape of every other list (`for_listing()`): one query, and two more for the cards'
    tags and authors (none when the list is empty), whatever the number of tags or stories.
    Reads `article.tags` from a prefetch when there is one.
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
            picked=Exists(picks.filter(to_article=OuterRef("pk"))),
            weight=shared_tag_weight(tag_ids),
            date_shown=DATE_SHOWN,
        )
        .order_by("-picked", "-weight", "-date_shown", "-pk")
    )
    return list(stories[:limit])


def shared_tag_weight(tag_ids):
    """An expression: the summed weight of the tags in `tag_ids` that a story carries.

    Each tag's weight is an uncorrelated subquery, which both SQLite and PostgreSQL run once
    per query, not once per row; whether a story carries the tag is an index probe of the
    unique (story, tag) link. So the cost is a count per tag plus a probe per tag and candidate.
    """
    terms = (_carries(tag_id) * _rarity(tag_id) for tag_id in tag_ids)
    return reduce(add, terms, Value(0.0, output_field=FloatField()))


def _carries(tag_id):
    link = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag=tag_id)
    return Case(When(Exists(link), then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def _rarity(tag_id):
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row.
    count = (
        Article.objects.live()
        .filter(taggedarticle__tag=tag_id)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    stories = Subquery(count, output_field=FloatField())
    # At least one: a tag only the story itself carries counts nothing while the story is a
    # draft in preview, and ln(1 + 0) would divide by zero (an error on PostgreSQL).
    at_least_one = Greatest(stories, Value(1.0), output_field=FloatField())
    return Value(1.0) / Ln(Value(1.0) + at_least_one, output_field=FloatField())
