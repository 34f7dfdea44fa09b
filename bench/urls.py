"""The site's URLs plus /bench/bare/<bytes>/: a Django view doing nothing but answer."""

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns


def bare(request, size):
    return HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/<int:size>/", bare, name="bench-bare"), *site_urlpatterns]
