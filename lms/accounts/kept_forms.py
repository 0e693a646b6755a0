"""What a person typed into a form that arrived too late: after their session ended, or with a stale token.

Nothing of such a form is saved by the page it was sent to, and a trainee on a slow link may have spent an
hour on a 2,000-character answer. The fields are kept here instead, behind an unguessable link; after
signing in again the person sees what they typed and sends it once more with a fresh form. Passwords are
never kept, and a form sent from another site is never kept (that would turn a forged request into one
click on our own page).
"""
import secrets
from datetime import datetime
from typing import Optional
from urllib.parse import urlsplit

from flask import request
from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.models import User
from lms.core.db import UTCDateTime, utcnow
from lms.extensions import db

# Never written down anywhere, even for the person who typed them.
SECRET_FIELDS = {"csrf_token", "password", "confirm_password", "current_password", "new_password", "code"}
MAX_KEPT_CHARACTERS = 200_000


class KeptForm(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))  # where it was sent: the same path receives it again
    fields: Mapped[list] = mapped_column(JSON)  # [[name, value], ...] in the order the browser sent them
    files: Mapped[list] = mapped_column(JSON)  # names of files that were attached (their bytes are not kept)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<KeptForm {self.id} {self.path}>"

    @property
    def typed(self) -> list[tuple[str, str]]:
        """The fields a person wrote into (longer text), as opposed to choices and hidden ids."""
        return [(name, value) for name, value in self.fields if len(value) > 40 or "\n" in value]


def _sent_from_our_site() -> bool:
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return False
    return urlsplit(origin).netloc == request.host


def keep_posted_form(user: User | None) -> KeptForm | None:
    """Keeps the fields of the request being refused, if it is a form from our own site with something typed."""
    if request.method != "POST" or request.path.startswith("/api/") or not _sent_from_our_site():
        return None
    fields = [[name, value] for name, value in request.form.items(multi=True)
              if name not in SECRET_FIELDS and value.strip()]
    files = [upload.filename for upload in request.files.values() if upload and upload.filename]
    if not fields or sum(len(value) for _name, value in fields) > MAX_KEPT_CHARACTERS:
        return None
    kept = KeptForm(token=secrets.token_urlsafe(32), user_id=user.id if user else None, path=request.path,
                    fields=fields, files=files)
    db.session.add(kept)
    db.session.flush()
    return kept


def kept_form_for(token: str, user: User) -> KeptForm | None:
    """The kept form behind this link, if it is this person's (one kept before anyone was known is claimed)."""
    kept = db.session.scalar(select(KeptForm).where(KeptForm.token == token))
    if kept is None:
        return None
    if kept.user_id is None:
        kept.user_id = user.id
    return kept if kept.user_id == user.id else None


# The pages anyone may use without signing in: what is typed there is short (an address, a name) or secret,
# and keeping it would send a stranger to sign in first.
NOT_KEPT_ENDPOINTS = {"accounts.login", "accounts.verify_two_factor", "accounts.logout", "accounts.reset_password",
                      "accounts.forgot_password", "accounts.confirm_email", "accounts.register",
                      "accounts.choose_language", "certificates.verify_file"}


def register_kept_forms(app) -> None:
    from flask import flash, redirect, render_template, url_for
    from flask_babel import gettext as _
    from flask_login import current_user
    from flask_wtf.csrf import CSRFError

    from lms.core.errors import json_error, wants_json
    from lms.core.transactions import keep_visit_record

    @app.errorhandler(CSRFError)
    def keep_what_was_typed(error: CSRFError):
        expired = _("This form has expired or was sent from elsewhere. Please reload the page and try again.")
        if wants_json():
            return json_error(400, str(expired))
        kept = None if request.endpoint in NOT_KEPT_ENDPOINTS else keep_posted_form(
            current_user if current_user.is_authenticated else None)
        if kept is None:
            return render_template("error.html", status=400, message=expired), 400
        keep_visit_record()  # answered before any view ran: what was typed is all this request keeps
        kept_page = url_for("accounts.show_kept_form", token=kept.token)
        if not current_user.is_authenticated:  # the session itself was lost: sign in, then see it
            flash(_("Your session had ended, so nothing was saved yet. What you typed is kept: sign in again to "
                    "see it and send it."), "info")
            return redirect(url_for("accounts.login", next=kept_page), 303)
        flash(_("Your form had expired, so nothing was saved yet. What you typed is kept below: check it and send "
                "it again."), "info")
        return redirect(kept_page, 303)
