from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Article
from .sanitize import xml_safe

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    """RSS 2.0 of live stories; the Atom twin below shares everything but the format."""

    description_template = None

    def title(self, obj=None):
        return settings.NEWSROOM_NAME

    def link(self, obj=None):
        return reverse("articles:front")

    def description(self, obj=None):
        return f"The latest stories from {settings.NEWSROOM_NAME}."

    def articles(self, obj):
        return Article.objects.live()

    def items(self, obj=None):
        return self.articles(obj).newest_first().for_listing()[:FEED_LENGTH]

    def item_title(self, item):
        return xml_safe(item.headline)

    def item_description(self, item):
        return xml_safe(item.standfirst)

    def item_pubdate(self, item):
        return item.date_shown

    def item_updateddate(self, item):
        return item.last_modified

    def item_author_name(self, item):
        names = [author.name for author in item.authors.all()]
        return xml_safe(", ".join(names) or item.byline) or None

    def item_categories(self, item):
        return [xml_safe(tag.name) for tag in item.tags.all()]

    def item_guid(self, item):
        # Stays the same when an editor changes the slug, so readers see no duplicate.
        return f"urn:uuid:{item.guid}"

    item_guid_is_permalink = False


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class GroupFeed(LatestArticlesFeed):
    """The live stories of one section or tag: `groups` names the ones that may be asked for."""

    page_name = None  # the group's page, e.g. "articles:section"
    lookup = None  # how an article names its group, e.g. "section"

    def groups(self):
        raise NotImplementedError

    def get_object(self, request, slug):
        # A group holding only unpublished stories must not show that it exists.
        return get_object_or_404(self.groups(), slug=slug)

    def title(self, obj=None):
        return xml_safe(f"{obj.name} · {settings.NEWSROOM_NAME}")

    def link(self, obj=None):
        return reverse(self.page_name, args=[obj.slug])

    def articles(self, obj):
        return Article.objects.live().filter(**{self.lookup: obj})


class SectionFeed(GroupFeed):
    page_name, lookup = "articles:section", "section"

    def groups(self):
        return Article.objects.live().sections()


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    subtitle = SectionFeed.description


class TagFeed(GroupFeed):
    page_name, lookup = "articles:tag", "tags"

    def groups(self):
        return Article.objects.live().tags()


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = TagFeed.description
