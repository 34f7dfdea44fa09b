"""The changes feed: records public changes (PublicChange) and lists them to partners."""

from ninja import Router

router = Router(tags=["changes"])
