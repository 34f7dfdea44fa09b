"""The content API, version 1, at /api/v1/ (django-ninja): OpenAPI at /api/v1/openapi.json,
browsable docs at /api/v1/docs from the project's own static files.

Every route goes through `_every_answer` (ContentAPI._get_urls): CORS and its preflight,
HEAD as GET, the surrogate keys and Last-Modified views name (api/http.py), and parameters
no view should see (repeated, or holding NUL bytes) refused. Every error is a problem
(api/problems.py), whichever layer raised it.
"""

import functools
import logging
import math
from http import HTTPStatus

from django.http import Http404
from django.urls import URLPattern, re_path
from django.utils.cache import patch_vary_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from . import changes, http, stories
from .auth import StaffToken
from .problems import CONTENT_TYPE, Problem, bad_parameter

logger = logging.getLogger(__name__)


class ContentAPI(NinjaAPI):
    def _get_urls(self):
        # Last: any other address under /api/v1/ is a 404 problem, not the site's HTML page.
        urls = [*super()._get_urls(), re_path(r"", _no_such_address)]
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = _every_answer(url.callback)
        return urls

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        # Every operation reads without a token too ({} in OpenAPI's terms): ninja would
        # list the staff token alone, and a generated client would demand one of readers.
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = [{}, *operation["security"]]
        return schema


def _no_such_address(request, *args, **kwargs):
    return Problem(404, "Not found", f"The API has no {request.path}.").response()


def _every_answer(view):
    @functools.wraps(view)
    def api_view(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return http.finish(request, http.preflight())
        refusal = _odd_parameters(request)
        if refusal:
            return http.finish(request, refusal.response())
        # A HEAD is a GET whose body the server drops: the same headers, ETag included.
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
            allowed = response.get("Allow", "GET")
            response = Problem(
                405, "Method not allowed", f"This address answers {allowed} only."
            ).response()
            response["Allow"] = f"{allowed}, HEAD, OPTIONS"
        if getattr(request, "api_vary_accept", False):
            patch_vary_headers(response, ["Accept"])
        return http.finish(request, response)

    api_view.csrf_exempt = True  # no cookie-authenticated writes: nothing to forge
    return api_view


def _odd_parameters(request):
    """A parameter given twice (which one counts?) or holding a NUL byte (no database takes
    it): a 400 naming it, before any view reads it."""
    for name, values in request.GET.lists():
        if len(values) > 1:
            return bad_parameter(name, "Given more than once: give it once.")
        if "\x00" in name or "\x00" in values[0]:
            return bad_parameter(name.replace("\x00", ""), "Holds a NUL byte.")
    return None


api = ContentAPI(
    title="Newsroom content API",
    version="1",
    description="Live stories as JSON and IPTC ninjs, read-only. Anonymous clients read "
    "exactly what the site shows readers; staff tokens (Authorization: Bearer) read drafts "
    "too. Errors are RFC 9457 problem details (application/problem+json).",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=StaffToken(),
    throttle=[http.ClientThrottle(), http.TokenThrottle()],
)
api.add_router("", stories.router)
api.add_router("", changes.router)


# Errors ----------------------------------------------------------------------------------


def _problem(request, problem):
    return problem.response()


def _validation(request, exc):
    errors = []
    for error in exc.errors:
        where, *path = error.get("loc", ()) or ("query",)
        # ninja nests query parameters under the function's schema name; the last part names it.
        name = str(path[-1]) if path else str(where)
        errors.append({"name": name, "in": str(where), "message": error.get("msg", "Invalid.")})
    names = ", ".join(dict.fromkeys(e["name"] for e in errors))
    detail = "; ".join(f"{e['name']}: {e['message']}" for e in errors)
    return Problem(
        400, "Invalid parameter", detail or f"Invalid: {names}", errors=errors
    ).response()


def _http_error(request, exc):
    status = exc.status_code
    return Problem(status, HTTPStatus(status).phrase, str(exc)).response()


def _authentication(request, exc):
    return Problem(401, "Unauthorized", "This request needs a valid token.").response()


def _not_found(request, exc):
    return Problem(404, "Not found", str(exc) or "Nothing at this address.").response()


def _throttled(request, exc):
    wait = f" Try again in {math.ceil(exc.wait)} seconds." if exc.wait else ""
    response = Problem(429, "Too many requests", f"This client asked too often.{wait}").response()
    if exc.wait:
        # ninja adds it to its own throttles' answers; a refused token's count raises here.
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


def _moved(request, exc):
    return exc.response()


def _unexpected(request, exc):
    logger.exception("API error on %s", request.path, exc_info=exc)
    http.uncached(request)
    return Problem(
        500, "Server error", "Something went wrong on our side; it is logged."
    ).response()


api.add_exception_handler(Problem, _problem)
api.add_exception_handler(stories.Moved, _moved)
api.add_exception_handler(ValidationError, _validation)
api.add_exception_handler(AuthenticationError, _authentication)
api.add_exception_handler(Throttled, _throttled)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(Exception, _unexpected)
