import copy
import re
from html import unescape
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html

from . import languages
from .body_pictures import pictures_by_key
from .models import Article
from .sanitize import (
    markup_free_text,
    picture_references,
    replace_picture_references,
    xml_safe,
)
from .summary import cleaned_body, summary
from .surrogate_keys import attach

FEED_LENGTH = 30


MEDIA_RSS = "http://search.yahoo.com/mrss/"
# RSS's full text: <content:encoded>, HTML as escaped text.
CONTENT_MODULE = "http://purl.org/rss/1.0/modules/content/"
# The feed's picture: the lead picture whole, about as wide as a reader app shows it.
FEED_PICTURE_WIDTH = 1200


class PictureRssFeed(Rss201rev2Feed):
    """RSS with each story's lead picture as Media RSS: reader apps show it as the thumbnail.

    Not <enclosure>, which must state the file's length in bytes: knowing it would cost a
    storage lookup per story on every feed request.
    """

    def rss_attributes(self):
        attributes = {**super().rss_attributes(), "xmlns:media": MEDIA_RSS}
        if self.feed.get("full_text"):
            attributes["xmlns:content"] = CONTENT_MODULE
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content:encoded", item["content"])
        picture = item.get("picture")
        if picture is None:
            return
        handler.startElement(
            "media:content",
            {
                "url": picture["url"],
                "type": "image/jpeg",
                "medium": "image",
                "width": str(picture["width"]),
                "height": str(picture["height"]),
            },
        )
        if picture["alt"]:
            handler.addQuickElement("media:description", picture["alt"], {"type": "plain"})
        if picture["credit"]:
            handler.addQuickElement("media:credit", picture["credit"])
        handler.endElement("media:content")


class PlainTextAtom1Feed(Atom1Feed):
    """Atom whose summaries are declared plain text (Django's Atom1Feed says type="html"),
    with the full text as <content type="html">."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        # Atom leaves the order of an entry's elements free, so the summary may come last.
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})
        # Atom's enclosure link, unlike RSS's <enclosure>, needs no length.
        picture = item.get("picture")
        if picture is not None:
            handler.addQuickElement(
                "link", "", {"rel": "enclosure", "href": picture["url"], "type": "image/jpeg"}
            )


# The cleaner writes every kept attribute in double quotes (articles/sanitize.py).
_LINK = re.compile(r'href="([^"]*)"')


class FullText:
    """The stories' bodies as feeds carry them: the cleaned HTML the story page shows.

    A picture in a body is a reference to the library (articles/sanitize.py), which means
    nothing to a feed reader; it becomes a plain figure with an absolute address, since a
    reader app shows no <picture> sources, lazy loading or site styles. Every item's
    pictures come in one query.
    """

    def __init__(self, stories, request):
        self.request = request
        self.bodies = {story.pk: cleaned_body(story.body) for story in stories}
        self.pictures = pictures_by_key(
            key for body in self.bodies.values() for key, _ in picture_references(body)
        )

    def html(self, story):
        body = replace_picture_references(self.bodies[story.pk], self.figure)
        # A reader app has no page to resolve "/sections/world/" or "#note" against.
        base = self.request.build_absolute_uri(story.get_absolute_url())
        body = _LINK.sub(lambda m: f'href="{escape(urljoin(base, unescape(m[1])))}"', body)
        return xml_safe(body)

    def figure(self, key, caption):
        # A picture no longer in the library leaves no trace, as on the story page.
        image = self.pictures.get(key)
        if image is None:
            return ""
        rendition = image.renditions.near("full", FEED_PICTURE_WIDTH)
        caption = caption or image.caption
        # No site styles in a reader app: <small>, HTML's attribution, sets the credit apart.
        credit = format_html("<small>{}</small>", image.credit) if image.credit else ""
        printed = format_html("{}{}{}", caption, " " if caption and credit else "", credit)
        return format_html(
            '<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
            self.request.build_absolute_uri(rendition.url),
            rendition.width,
            rendition.height,
            "" if image.decorative else image.alt_text,
            format_html("<figcaption>{}</figcaption>", printed) if printed else "",
        )


class LatestArticlesFeed(Feed):
    """RSS 2.0 of live stories; the Atom twin below shares everything but the format.

    Every text field is markup_free_text: RSS cannot say whether a field is HTML, many
    readers render it as HTML, and a reporter's draft may hold markup an editor publishes.
    The full text (FEEDS_FULL_TEXT) is the one field that is HTML, in elements that say so.
    """

    description_template = None
    feed_type = PictureRssFeed
    full_text = None  # a FullText for this request's items (items())

    def __call__(self, request, *args, **kwargs):
        # Every story change purges "feeds": a feed is small, and a reader's app polls it.
        return attach(super().__call__(request, *args, **kwargs), {"feeds"})

    def get_feed(self, obj, request):
        # The feed object serves every request: the request goes to a copy, for item_picture.
        feed = copy.copy(self)
        feed.request = request
        feed.language = self.feed_language(obj)  # the feed's <language> / xml:lang
        return super(LatestArticlesFeed, feed).get_feed(obj, request)

    def title(self, obj=None):
        return markup_free_text(settings.NEWSROOM_NAME)

    def link(self, obj=None):
        return reverse("articles:front")

    def description(self, obj=None):
        return f"The latest stories from {settings.NEWSROOM_NAME}."

    def feed_language(self, obj):
        return languages.default_language()

    def articles(self, obj):
        # The site's feed follows its front page: the default language's stories.
        return Article.objects.live().filter(language=languages.default_language())

    def items(self, obj=None):
        stories = self.articles(obj).newest_first().for_listing().with_names()
        stories = list(stories[:FEED_LENGTH])
        # On this request's copy (get_feed), read by item_extra_kwargs.
        self.full_text = FullText(stories, self.request) if settings.FEEDS_FULL_TEXT else None
        return stories

    def feed_extra_kwargs(self, obj):
        return {"full_text": settings.FEEDS_FULL_TEXT}

    def item_title(self, item):
        return markup_free_text(item.headline)

    def item_description(self, item):
        return summary(item)

    def item_pubdate(self, item):
        return item.date_shown

    def item_updateddate(self, item):
        return item.page_changed_at

    def item_author_name(self, item):
        names = [author.name for author in item.authors.all()]
        return markup_free_text(", ".join(names) or item.byline) or None

    def item_categories(self, item):
        return [markup_free_text(tag.name) for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        content = self.full_text.html(item) if self.full_text else None
        return {"picture": self.item_picture(item), "content": content}

    def item_picture(self, item):
        image = item.lead_image
        if image is None:
            return None
        rendition = image.renditions.near("full", FEED_PICTURE_WIDTH)
        return {
            "url": self.request.build_absolute_uri(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": "" if image.decorative else markup_free_text(image.alt_text),
            "credit": markup_free_text(image.credit),
        }

    def item_guid(self, item):
        # Stays the same when an editor changes the slug, so readers see no duplicate.
        return f"urn:uuid:{item.guid}"

    item_guid_is_permalink = False


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = PlainTextAtom1Feed
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
        return markup_free_text(f"{obj.name} · {settings.NEWSROOM_NAME}")

    def link(self, obj=None):
        return reverse(self.page_name, args=[obj.slug])

    def feed_language(self, obj):
        # A section's or tag's stories may be in several languages: the site's is the
        # feed's, and RSS has no language per item.
        return languages.default_language()

    def articles(self, obj):
        return Article.objects.live().filter(**{self.lookup: obj})


class SectionFeed(GroupFeed):
    page_name, lookup = "articles:section", "section"

    def groups(self):
        return Article.objects.live().sections()


class SectionAtomFeed(SectionFeed):
    feed_type = PlainTextAtom1Feed
    subtitle = SectionFeed.description


class TagFeed(GroupFeed):
    page_name, lookup = "articles:tag", "tags"

    def groups(self):
        return Article.objects.live().tags()


class TagAtomFeed(TagFeed):
    feed_type = PlainTextAtom1Feed
    subtitle = TagFeed.description


class LanguageFeed(LatestArticlesFeed):
    """One language's live stories (/ckb/feed/), its <language> set to that language."""

    def get_object(self, request, language):
        return language  # the URL's converter admits only languages with a front

    def feed_language(self, obj):
        return obj

    def title(self, obj=None):
        return markup_free_text(f"{settings.NEWSROOM_NAME} · {languages.name_of(obj)}")

    def link(self, obj=None):
        return reverse("articles:language_front", args=[obj])

    def articles(self, obj):
        return Article.objects.live().filter(language=obj)


class LanguageAtomFeed(LanguageFeed):
    feed_type = PlainTextAtom1Feed
    subtitle = LanguageFeed.description
