"""The content API, version 1, at /api/v1/ (django-ninja): OpenAPI at /api/v1/openapi.json,
browsable docs at /api/v1/docs from the project's own static files."""

from ninja import NinjaAPI

from . import changes, stories

api = NinjaAPI(
    title="Newsroom content API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", stories.router)
api.add_router("", changes.router)
