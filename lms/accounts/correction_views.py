"""Name corrections: the trainee's request from her profile, the coordinators' list and decision."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import bp
from lms.accounts.correction_operations import (approve_name_correction, refuse_name_correction,
                                                request_name_correction)
from lms.accounts.forms import NameCorrectionForm, NameDecisionForm
from lms.accounts.models import NameCorrection, NameCorrectionRefused, Role
from lms.accounts.queries import corrections_for, pending_correction
from lms.certificates.operations import CertificateRefused
from lms.core.permissions import DECIDERS, role_required
from lms.core.transactions import tell_refusal
from lms.extensions import db

DECIDED_SHOWN = 20


def _correction_or_404(correction_id: int) -> NameCorrection:
    correction = db.session.get(NameCorrection, correction_id)
    if correction is None or not current_user.can_correct_names_of(correction.user):
        abort(404)
    return correction


@bp.route("/profile/name", methods=["GET", "POST"])
@role_required(Role.TRAINEE)
def ask_for_name_correction():
    user = current_user._get_current_object()
    pending = pending_correction(user)
    form = NameCorrectionForm(data={"full_name": user.full_name, "native_name": user.native_name or ""})
    status = 200
    if pending is None and form.validate_on_submit():
        try:
            request_name_correction(user, full_name=form.full_name.data, native_name=form.native_name.data,
                                    reason=form.reason.data)
        except NameCorrectionRefused as refused:
            form.full_name.errors = [tell_refusal(refused)]
            status = 409
        else:
            flash(_("Your request is sent to your country's coordinator. You will be told of the decision."),
                  "success")
            return redirect(url_for("accounts.show_profile"))
    elif pending is not None and form.is_submitted():
        status = 409
    elif form.errors:
        status = 400
    return render_template("accounts/name_correction.html", form=form, pending=pending), status


@bp.route("/name-corrections")
@role_required(*DECIDERS)
def list_name_corrections():
    user = current_user._get_current_object()
    return render_template("accounts/name_corrections.html", pending=corrections_for(user, pending=True),
                           decided=corrections_for(user, pending=False, limit=DECIDED_SHOWN))


@bp.route("/name-corrections/<int:correction_id>", methods=["GET", "POST"])
@role_required(*DECIDERS)
def decide_name_correction(correction_id: int):
    correction = _correction_or_404(correction_id)
    form = NameDecisionForm()
    status = 200
    if correction.is_pending and form.validate_on_submit():
        by = current_user._get_current_object()
        try:
            if form.decision.data == "approve":
                approve_name_correction(correction, by, form.reason.data or None)
            else:
                refuse_name_correction(correction, by, form.reason.data)
        except (NameCorrectionRefused, CertificateRefused) as refused:
            form.decision.errors = [tell_refusal(refused)]
            status = 409
        else:
            flash(_("Approved: %(name)s's names are corrected.", name=correction.full_name)
                  if form.decision.data == "approve" else
                  _("Refused: %(name)s is told why.", name=correction.old_full_name), "success")
            return redirect(url_for("accounts.list_name_corrections"))
    elif form.errors:
        status = 400
    elif form.is_submitted():
        status = 409  # decided already
    return render_template("accounts/decide_name_correction.html", form=form, correction=correction), status
