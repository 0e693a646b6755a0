"""Error pages for people and JSON errors with a stable code for the API."""
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, SecurityError

from lms.core.outage import register_outage_handler

ERROR_CODES = {
    400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 422: "invalid_input", 429: "rate_limited", 500: "server_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, message: str, **extra):
    body = {"error": {"code": ERROR_CODES.get(status, "error"), "message": message, **extra}}
    return jsonify(body), status


def _kept_headers(error: HTTPException) -> list[tuple[str, str]]:
    """What the exception says beyond its body (Allow on a 405, WWW-Authenticate, Retry-After)."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if isinstance(error, SecurityError):  # a Host not in TRUSTED_HOSTS: no page can be built for it
            return app.response_class("Unknown host.\n", status=400, mimetype="text/plain")
        response = _http_error_response(error)
        response = app.make_response(response)
        for name, value in _kept_headers(error):
            response.headers.setdefault(name, value)
        return response

    def _http_error_response(error: HTTPException):
        status = error.code or 500
        limit_mb = (request.max_content_length or 0) // (1024 * 1024)
        message = {
            400: _("The request could not be understood. Please check what you sent and try again."),
            403: _("You do not have permission to see this page."),
            404: _("We could not find that page."),
            405: _("That action is not available here."),
            413: _("What you sent is too large: at most %(mb)d MB can be sent at once.", mb=limit_mb),
            429: _("Too many requests. Please wait a moment and try again."),
        }.get(status, error.description)
        if wants_json():
            return json_error(status, str(message))
        if status == 413:
            # The request was never read: nothing of it was saved, and the page it came from still works.
            return render_template("too_large.html", limit_mb=limit_mb,
                                   back=request.path if request.method == "POST" else None), 413
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(IntegrityError)
    def handle_simultaneous_change(error: IntegrityError):
        """A unique row written twice at the same moment (a double click, two tabs, two workers): the
        request that lost the race changed nothing, and says so; never a server error."""
        from lms.extensions import db

        db.session.rollback()
        app.logger.warning("Refused a simultaneous change: %s", error.orig)
        message = _("This was changed at the same moment by another request (a second click, or another "
                    "window). Nothing was saved from this one: go back, reload the page and check.")
        if wants_json():
            return json_error(409, str(message))
        return render_template("error.html", status=409, message=message), 409

    register_outage_handler(app)  # before the catch-all below: a database outage is a 503, not a 500

    if app.testing:
        return  # let tests see the traceback of an unexpected error

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        app.logger.exception("Unhandled error")
        from lms.extensions import db

        db.session.rollback()
        message = _("Something went wrong on our side. Nothing you had saved is lost; please try again.")
        if wants_json():
            return json_error(500, str(message))
        return render_template("error.html", status=500, message=message), 500
