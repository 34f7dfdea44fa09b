"""Errors as RFC 9457 problem details: every refusal says what was wrong, in JSON."""

import json

from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise to answer with application/problem+json (api/main.py renders it)."""

    def __init__(self, status, title, detail="", **extra):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra

    def as_dict(self):
        # "about:blank": the status and title say it all (RFC 9457, section 4.2.1).
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
            **self.extra,
        }

    def response(self):
        response = HttpResponse(
            json.dumps(self.as_dict(), ensure_ascii=False),
            status=self.status,
            content_type=CONTENT_TYPE,
        )
        if self.status == 401:
            # Anonymous reading needs no token: a 401 is only ever a token that failed
            # (RFC 6750, section 3.1).
            response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
        return response


def bad_parameter(name, message, *, where="query"):
    """A 400 naming the parameter at fault."""
    return Problem(
        400,
        "Invalid parameter",
        f"{name}: {message}",
        errors=[{"name": name, "in": where, "message": message}],
    )
