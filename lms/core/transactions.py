"""The transaction edge: a request's changes are committed once, when its view succeeds, else rolled back.

Views and operations only flush. The view's answer decides what is kept: an answer under 400 commits;
an error status, an exception, or a refusal the view told the person about (`tell_refusal`,
`keep_nothing`) rolls back, so a refused request never keeps half of its work. A refusal the view does
not catch is answered 409 here with its message, for people and for the API alike.
"""
from functools import wraps

from flask import Flask, g, render_template
from flask_babel import gettext as _

from lms.extensions import db


class Refused(Exception):
    """An action a rule forbids. `message` is for the person acting; `field` names the form field it
    belongs next to, when there is one. Every domain's refusal is one of these."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def keep_nothing() -> None:
    """Nothing of this request is kept, whatever status its answer has (a refusal shown on a redirect,
    a simultaneous change the view answers in its own words)."""
    g.refused = True


def tell_refusal(refusal: Refused) -> str:
    """The refusal's message, for a view that shows it on a page of its own choosing (a flash before a
    redirect, an error beside a field); nothing of this request is kept."""
    keep_nothing()
    return refusal.message


def _committed(view):
    @wraps(view)
    def run(*args, **kwargs):
        from flask import current_app

        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code < 400 and not g.pop("refused", False):
            db.session.commit()  # an IntegrityError here is answered 409 like one raised in the view
        else:
            db.session.rollback()
        return response

    return run


def register_transaction_edge(app: Flask) -> None:
    """Every view of the app (registered before this is called) commits or rolls back through here."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _committed(view)

    @app.errorhandler(Refused)
    def answer_refusal(refusal: Refused):
        from lms.core.errors import json_error, wants_json

        db.session.rollback()
        if wants_json():
            return json_error(409, refusal.message)
        return render_template("error.html", status=409, message=refusal.message,
                               detail=_("Nothing of this request was saved.")), 409
