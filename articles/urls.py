from django.urls import path, register_converter

from . import feeds, views
from .converters import UnicodeSlugConverter
from .languages import FrontLanguageConverter

register_converter(UnicodeSlugConverter, "uslug")
register_converter(FrontLanguageConverter, "language")

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("articles/<uslug:slug>/", views.article_detail, name="detail"),
    path("sections/<uslug:slug>/", views.SectionView.as_view(), name="section"),
    path("sections/<uslug:slug>/feed/", feeds.SectionFeed(), name="section_feed_rss"),
    path("sections/<uslug:slug>/feed/atom/", feeds.SectionAtomFeed(), name="section_feed_atom"),
    path("tags/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tags/<uslug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("authors/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("<int:year>/", views.DateArchiveView.as_view(), name="archive_year"),
    path("<int:year>/<int:month>/", views.DateArchiveView.as_view(), name="archive_month"),
    path("<int:year>/<int:month>/<int:day>/", views.DateArchiveView.as_view(), name="archive_day"),
    # Last: a language's front and feeds (/ckb/), for configured languages but the default.
    # Paths, not ?lang=: hreflang needs a distinct address per language, and a query string
    # splits caches and is crawled poorly.
    path("<language:language>/", views.LanguageFrontView.as_view(), name="language_front"),
    path("<language:language>/feed/", feeds.LanguageFeed(), name="language_feed_rss"),
    path("<language:language>/feed/atom/", feeds.LanguageAtomFeed(), name="language_feed_atom"),
]
