"""The site's URLs plus pages that tag themselves, to test the VCL apart from the app's keys.

/edge-test/<keys>/ answers as a public page would: shareable for a minute, its surrogate
keys from the path ("a1+front" is "a1 front"), and a body that differs on every render
(so a hit is the same body twice) and says what query string reached the app. /search/ is
such a page too.
"""

import uuid

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns

SHARED = "public, max-age=0, must-revalidate, s-maxage=60"


def rendered(request):
    return f"{uuid.uuid4()} query={request.META.get('QUERY_STRING', '')!r}"


def tagged(request, keys):
    response = HttpResponse(rendered(request), content_type="text/plain")
    response["Cache-Control"] = SHARED
    response["Surrogate-Key"] = keys.replace("+", " ")
    return response


def due_soon(request, keys):
    """A page the clock will change in a second: the app says so in Surrogate-Control."""
    response = tagged(request, keys)
    response["Surrogate-Control"] = "max-age=1"
    return response


def naming_many(request, prefix, count):
    """A page naming `count` keys, PREFIX-0 to PREFIX-<count - 1>, as a long list page would."""
    return tagged(request, "+".join(f"{prefix}-{number}" for number in range(count)))


def answering(cache_control, cookie=False):
    def view(request, name):
        response = HttpResponse(rendered(request), content_type="text/plain")
        response["Cache-Control"] = cache_control
        if cookie:
            response.set_cookie("chosen", "yes")
        return response

    return view


urlpatterns = [
    # In place of the site's search (which the app does not mark shareable): the one page
    # where the edge keys on ?q=.
    path("search/", tagged, {"keys": "search"}),
    path("edge-test/many/<str:prefix>/<int:count>/", naming_many),
    path("edge-test/private/<str:name>/", answering("private, s-maxage=60")),
    path("edge-test/no-store/<str:name>/", answering("no-store, s-maxage=60")),
    path("edge-test/cookie/<str:name>/", answering(SHARED, cookie=True)),
    path("edge-test/browser-only/<str:name>/", answering("max-age=0, must-revalidate")),
    path("edge-test/due-soon/<str:keys>/", due_soon),
    path("edge-test/<str:keys>/", tagged),
    *site_urlpatterns,
]
