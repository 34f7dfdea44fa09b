"""schema.org NewsArticle data for an article page, as a plain dict for json_ld.

The page's description, Open Graph and Twitter tags read their text from here too. Every
text is markup_free_text: crawlers and preview cards may render a value as HTML.
"""

from django.conf import settings

from . import languages
from .related import related_stories
from .sanitize import markup_free_text
from .summary import summary
from .translations import alternates, live_versions

# Google asks for 16:9, 4:3 and 1:1 images at least 1200 px wide (photos/renditions.py).
GOOGLE_SHAPES = ("16:9", "4:3", "1:1")


def story_page_context(article, request):
    """What the story page's template needs besides the story: its JSON-LD, share card and
    the stories to read next."""
    versions = live_versions(article)
    return {
        "article": article,
        "json_ld": news_article(article, request, versions),
        "share_image": share_image(article, request),
        "related": related_stories(article),
        "versions": versions,
        # Links to the story in its other languages, each labelled in its own language.
        "other_versions": [v for v in versions if v.pk != article.pk],
        "alternates": alternates(versions, request.build_absolute_uri),
        # The page's own words around the story ("Published", "Topics") are in the site's
        # language: marked so when the story is not, for screen readers to switch voice.
        "labels_lang": None
        if article.language == languages.default_language()
        else languages.interface_language(),
    }


def share_image(article, request):
    """The wide picture Open Graph and Twitter cards show: the lead picture, 16:9, 1200 px."""
    image = article.lead_image
    if image is None:
        return None
    rendition = image.renditions.widest("16:9")
    return {
        "url": request.build_absolute_uri(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": "" if image.decorative else markup_free_text(image.alt_text),
    }


def image_objects(image, request, caption=""):
    credit = markup_free_text(image.credit) or None
    notice = markup_free_text(image.copyright_notice) or None
    objects = []
    for shape in GOOGLE_SHAPES:
        rendition = image.renditions.widest(shape)
        data = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "caption": markup_free_text(caption or image.caption) or None,
            "creditText": credit,
            "copyrightNotice": notice,
        }
        objects.append({key: value for key, value in data.items() if value is not None})
    return objects


def news_article(article, request, versions=()):
    """The story as schema.org NewsArticle; `versions` are its live versions (translations)."""
    url = request.build_absolute_uri(article.get_absolute_url())
    date_shown = article.date_shown
    byline = markup_free_text(article.byline)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": markup_free_text(article.headline),
        "inLanguage": article.language,
        # Never empty: the body's first words stand in for a missing standfirst.
        "description": summary(article) or None,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": date_shown.isoformat() if date_shown else None,
        # Readers' changes (public updates, corrections), not silent typo fixes.
        "dateModified": (
            article.announced_update_at or date_shown or article.updated_at
        ).isoformat(),
        "articleSection": markup_free_text(article.section.name),
        "keywords": [markup_free_text(tag.name) for tag in article.tags.all()],
        "author": [
            {"@type": "Person", "name": markup_free_text(author.name)}
            for author in article.authors.all()
        ]
        or ([{"@type": "Organization", "name": byline}] if byline else None),
        "creditText": byline or None,
        "image": (
            image_objects(article.lead_image, request, article.lead_image_caption)
            if article.lead_image
            else None
        ),
        "publisher": {
            "@type": "Organization",
            "name": markup_free_text(settings.NEWSROOM_NAME),
            "url": request.build_absolute_uri("/"),
        },
    }
    data.update(translation_links(article, request, versions))
    if article.is_syndicated:
        original = {
            "@type": "NewsArticle",
            "publisher": markup_free_text(article.source_name) or None,
        }
        if article.source_link:
            original["url"] = article.source_link
        if article.original_published_at:
            original["datePublished"] = article.original_published_at.isoformat()
        data["isBasedOn"] = article.source_link or original
    return {key: value for key, value in data.items() if value is not None}


def translation_links(article, request, versions):
    """translationOfWork on a translation (its original, if live), workTranslation on an
    original (its live translations). Nothing that is not live is ever named."""

    def work(version):
        return {
            "@type": "NewsArticle",
            "@id": request.build_absolute_uri(version.get_absolute_url()),
            "inLanguage": version.language,
        }

    if article.translation_of_id is not None:
        original = next((v for v in versions if v.pk == article.translation_of_id), None)
        return {"translationOfWork": work(original)} if original else {}
    translations = [work(v) for v in versions if v.translation_of_id == article.pk]
    return {"workTranslation": translations} if translations else {}
