"""Structured logs: one JSON object per line, and one line per request.

A log collector can then filter on status or sort by duration without parsing prose.
"""

import json
import logging
import time

logger = logging.getLogger("newsroom.requests")

# Attributes every LogRecord has; anything else was passed with extra= and is data.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    # Log times in UTC, like everything stored.
    converter = time.gmtime


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        # Django turns a view's exception into a 500 response below this point, so every
        # request gets its line.
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.get_full_path(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "cache": response.get("X-Cache", ""),
            },
        )
        return response
