"""Structured logs: JSON lines in production, readable lines in development, each with the request's id.

Every request gets an id (a trusted proxy's X-Request-ID, or a new one), sent back as X-Request-ID and
printed on error pages, so a person's report and the log lines of their request can be matched.
"""
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("lms")
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Puts the request id (or "-" outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"},
                                           timestamp=False))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name("lms")
    return handler


def configure_logging(app: Flask) -> None:
    """One handler on the "lms" logger (and Flask's app logger) in the configured format."""
    handler = _handler(app.config.get("LOG_FORMAT", "text"))
    # Flask gives its app logger (the same "lms" logger) a handler of its own when none is found: each line
    # would be written twice, once in Flask's format and not as JSON.
    app.logger.removeHandler(default_handler)
    for logger in (log, app.logger):
        for old in [h for h in logger.handlers if h.get_name() == "lms"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))

    trust_incoming = (app.config.get("TRUSTED_PROXY_HOPS") or 0) > 0
    app.add_template_global(current_request_id, "request_id")

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "") if trust_incoming else ""
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def send_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
            if request.endpoint != "static":
                elapsed = round((time.perf_counter() - g.request_started) * 1000, 1)
                # The route, not the path: paths carry reset and confirmation tokens.
                route = request.url_rule.rule if request.url_rule else "(no route)"
                log.info("%s %s %s %.1f ms", request.method, route, response.status_code, elapsed,
                         extra={"method": request.method, "route": route, "status": response.status_code,
                                "endpoint": request.endpoint, "ms": elapsed})
        return response
