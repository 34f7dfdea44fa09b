"""Errors as RFC 9457 problem details: every refusal says what was wrong, in JSON."""


class Problem(Exception):
    """Raise to answer with application/problem+json (api/main.py renders it)."""

    def __init__(self, status, title, detail="", **extra):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra
