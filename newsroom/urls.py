from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.functional import lazy

from api.main import api
from articles.sitemaps import SITEMAPS, NewsSitemap
from articles.surrogate_keys import showing
from articles.views import robots_txt
from newsroom.health import healthz
from photos.views import library_file, rendition_file

# The admin carries the newsroom's name, not "Django administration"; read at each page, so
# the setting is the one place to change it.
admin.site.site_header = admin.site.site_title = admin.site.index_title = lazy(
    lambda: settings.NEWSROOM_NAME, str
)()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    # Before the library's own files: renditions are public, the originals are not.
    path("media/renditions/<path:path>", rendition_file, name="rendition"),
    path("media/<path:path>", library_file, name="media"),
    path("robots.txt", robots_txt, name="robots"),
    path(
        "sitemap.xml",
        showing("sitemaps")(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        showing("sitemaps")(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "news-sitemap.xml",
        showing("sitemaps")(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="news-sitemap",
    ),
    path("", include("articles.urls")),
]
