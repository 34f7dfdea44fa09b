"""Stories, sections, tags, authors and search: the read API."""

from ninja import Router

router = Router(tags=["stories"])
