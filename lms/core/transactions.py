"""The transaction edge: a request's changes are committed once, when its view succeeds, else rolled back.

Views and operations only flush. The view's answer decides what is kept: an answer under 400 to a
POST commits; a GET keeps nothing but what records the visit itself (`keep_visit_record`); an error status, an exception, or a refusal the view told the person about (`tell_refusal`,
`keep_nothing`) rolls back, so a refused request never keeps half of its work. A refusal the view does
not catch is answered 409 here with its message, for people and for the API alike. An answer no view gave
(a hook that signs out an idle session, the handler of an expired form) keeps only what it asked to keep
with `keep_visit_record`.
"""
from functools import wraps

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import gettext as _

from lms.extensions import db


class Refused(Exception):
    """An action a rule forbids. `message` is for the person acting; `field` names the form field it
    belongs next to, when there is one. Every domain's refusal is one of these."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def keep_visit_record() -> None:
    """A page opened with GET keeps what records that visit (a lesson's last view, an API token's last use,
    a kept form claimed by its reader, a certificate's bytes as first served); nothing else it changed.
    An answer no view gave keeps this much too (the form kept from a request that arrived too late), and
    nothing more."""
    g.keep_visit = True


def keep_nothing() -> None:
    """Nothing of this request is kept, whatever status its answer has (a refusal shown on a redirect,
    a simultaneous change the view answers in its own words). Rolled back at once, so the page the view
    goes on to show reads what is stored, not the half-done work."""
    db.session.rollback()
    g.refused = True


def tell_refusal(refusal: Refused) -> str:
    """The refusal's message, for a view that shows it on a page of its own choosing (a flash before a
    redirect, an error beside a field); nothing of this request is kept."""
    keep_nothing()
    return refusal.message


def _forget_flashes_after(count: int) -> None:
    flashes = session.get("_flashes")
    if flashes and len(flashes) > count:
        session["_flashes"] = flashes[:count]


def _committed(view):
    @wraps(view)
    def run(*args, **kwargs):
        flashed_before = len(session.get("_flashes", ()))
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            g.pop("keep_visit", None)  # an error handler answers instead, under the rule for answers no view gave
            raise
        g.answered_by_view = True
        kept = not g.pop("refused", False) and (request.method not in READING_METHODS or g.pop("keep_visit", False))
        if response.status_code < 400 and kept:
            try:
                db.session.commit()  # an IntegrityError here is answered 409 like one raised in the view
            except BaseException:
                _forget_flashes_after(flashed_before)  # "Saved." would be shown for what was not saved
                raise
        else:
            db.session.rollback()
        return response

    return run


def register_transaction_edge(app: Flask) -> None:
    """Every view of the app (registered before this is called) commits or rolls back through here."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _committed(view)

    @app.after_request
    def keep_only_the_visit_record_without_a_view(response):
        """An answer a hook or an error handler gave, which the edge around the views did not settle."""
        if g.pop("answered_by_view", False):
            return response
        if response.status_code < 400 and g.pop("keep_visit", False) and not g.pop("refused", False):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.errorhandler(Refused)
    def answer_refusal(refusal: Refused):
        from lms.core.errors import json_error, wants_json

        db.session.rollback()
        if wants_json():
            return json_error(409, refusal.message)
        return render_template("error.html", status=409, message=refusal.message,
                               detail=_("Nothing of this request was saved.")), 409
