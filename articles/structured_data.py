"""schema.org NewsArticle data for an article page, as a plain dict for json_ld."""

from django.conf import settings


def news_article(article, request):
    url = request.build_absolute_uri(article.get_absolute_url())
    date_shown = article.date_shown
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.standfirst or None,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": date_shown.isoformat() if date_shown else None,
        # Readers' changes (public updates, corrections), not silent typo fixes.
        "dateModified": (
            article.last_public_change or date_shown or article.updated_at
        ).isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "author": [{"@type": "Person", "name": author.name} for author in article.authors.all()]
        or ([{"@type": "Organization", "name": article.byline}] if article.byline else None),
        "creditText": article.byline or None,
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_NAME,
            "url": request.build_absolute_uri("/"),
        },
    }
    if article.is_syndicated:
        original = {"@type": "NewsArticle", "publisher": article.source_name or None}
        if article.source_link:
            original["url"] = article.source_link
        if article.original_published_at:
            original["datePublished"] = article.original_published_at.isoformat()
        data["isBasedOn"] = article.source_link or original
    return {key: value for key, value in data.items() if value is not None}
