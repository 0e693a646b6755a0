"""When the database is unreachable or too slow: the app's own short 503 page, rendered without it, logged once.

The page is rendered with an anonymous user set beforehand, so neither the template nor Flask-Login's
context processor loads the signed-in user (that would query the database that just failed). A form
posted at that moment comes back filled in, to copy or send again.
"""
import logging
import re

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import exc

from lms.extensions import db

RETRY_AFTER_SECONDS = 30
# Errors that mean "the database cannot answer now", not "this request is wrong": connection refused or
# lost, statement or lock timeout, pool exhausted, SQLite busy past its timeout.
OUTAGE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, exc.DisconnectionError)
# Never written back into a page: what is secret, and what the page adds itself.
SECRET_FIELD = re.compile(r"password|secret|token|otp|code", re.IGNORECASE)
# The form's buttons: sent again as they were, not shown as fields to edit.
BUTTON_FIELDS = frozenset({"submit", "save_draft", "action"})

log = logging.getLogger(__name__)


def typed_fields() -> tuple[list[tuple[str, list[str]]], list[tuple[str, str]]]:
    """What the posted form held, field by field without secrets, and the button that sent it; nothing for
    anything but a posted form."""
    if request.method != "POST" or not request.mimetype.startswith(("application/x-www-form-urlencoded",
                                                                    "multipart/form-data")):
        return [], []
    try:
        form = request.form
    except Exception:  # noqa: BLE001 - a body cut off on the way is no reason to fail this page too
        return [], []
    fields, buttons = [], []
    for name, values in form.lists():
        if SECRET_FIELD.search(name) or not any(values):
            continue
        if name in BUTTON_FIELDS:
            buttons.extend((name, value) for value in values)
        else:
            fields.append((name, values))
    return fields, buttons


def _summary(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__name__}: {first_line[:300]}"


def _release_session() -> None:
    """End the request's transaction by throwing its connection away: resetting a connection the server
    dropped would fail again and log a traceback of its own, and one reconnect is cheap during a fault."""
    try:
        db.session.invalidate()
    except Exception:  # noqa: BLE001 - nothing more can be done for a connection that is gone
        log.debug("Could not invalidate the session's connection", exc_info=True)


def answer_unavailable(error: Exception):
    log.warning("Database unavailable for %s %s: %s", request.method, request.path, _summary(error))
    _release_session()
    g._login_user = current_app.login_manager.anonymous_user()  # nothing below may load the signed-in user
    message = _("The site is temporarily unavailable. Nothing you had saved is lost; please try again in a "
                "minute.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "unavailable", "message": message}})
    else:
        fields, buttons = typed_fields()
        response = current_app.make_response(render_template(
            "errors/unavailable.html", message=message, fields=fields, buttons=buttons,
            files_sent=request.method == "POST" and bool(_sent_file_names()),
            retry_seconds=RETRY_AFTER_SECONDS))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _sent_file_names() -> list[str]:
    try:
        return [storage.filename for storage in request.files.values() if storage and storage.filename]
    except Exception:  # noqa: BLE001
        return []


def register_outage_handler(app: Flask) -> None:
    for error_class in OUTAGE_ERRORS:
        app.register_error_handler(error_class, answer_unavailable)
