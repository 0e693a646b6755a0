"""Pages of the certificates domain: public verification, downloads, and the programme coordinators' actions."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import Role
from lms.certificates import bp, operations, queries, verification_limit
from lms.certificates.documents import stored_pdf, zip_of
from lms.certificates.forms import IssueForm, ReissueForm, RevokeForm
from lms.certificates.operations import CertificateRefused
from lms.certificates.serials import normalise_serial
from lms.core.permissions import COORDINATOR_ROLES, role_required
from lms.enrolment.models import Enrolment, Intake
from lms.extensions import db


# --- The public ---------------------------------------------------------------------------------

@bp.route("/verify")
def verify_form():
    typed = request.args.get("serial", "").strip()[:60]
    if not typed:
        return render_template("certificates/verify.html", result=None)
    try:
        normalise_serial(typed)
    except ValueError:  # mistyped or malformed: said here (a typed "/" would not reach the serial's page)
        return render_template("certificates/verify.html", result=queries.verify(typed), Status=queries.Status,
                               Problem=queries.Problem), 400
    return redirect(url_for("certificates.verify_certificate", serial=typed))


@bp.route("/verify/<serial>")
@verification_limit
def verify_certificate(serial: str):
    result = queries.verify(serial)
    status = 400 if result.problem else 404 if result.certificate is None else 200
    return render_template("certificates/verify.html", result=result, Status=queries.Status,
                           Problem=queries.Problem), status


# --- Downloads ----------------------------------------------------------------------------------

def _file_response(data: bytes, download_name: str, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates/<serial>/pdf")
@login_required
def download_certificate(serial: str):
    certificate = queries.get_downloadable_certificate_or_404(serial, current_user)
    data = stored_pdf(certificate)
    db.session.commit()  # keeps a PDF stored for the first time
    return _file_response(data, f"certificate-{certificate.serial}.pdf", "application/pdf")


@bp.route("/intakes/<int:intake_id>/certificates.zip")
@role_required(*COORDINATOR_ROLES)
def download_intake_certificates(intake_id: int):
    intake = db.session.get(Intake, intake_id) or abort(404)
    certificates = queries.valid_certificates_of_intake(intake, current_user)
    if not certificates:
        flash(_("No valid certificate to download in this intake."), "info")
        return redirect(url_for("certificates.list_intake_certificates", intake_id=intake.id))
    data = zip_of(certificates)
    db.session.commit()  # keeps any PDF stored for the first time
    return _file_response(data, f"certificates-intake-{intake.id}.zip", "application/zip")


# --- Coordinators -------------------------------------------------------------------------------

@bp.route("/certificates")
@role_required(*COORDINATOR_ROLES)
def list_certificate_intakes():
    return render_template("certificates/intakes.html", rows=queries.intakes_with_certificates(current_user))


@bp.route("/intakes/<int:intake_id>/certificates")
@role_required(*COORDINATOR_ROLES)
def list_intake_certificates(intake_id: int):
    intake = db.session.get(Intake, intake_id) or abort(404)
    return render_template("certificates/intake.html", intake=intake, rows=queries.intake_rows(intake, current_user),
                           can_act=current_user.role is Role.PROGRAMME_COORDINATOR, status_of=queries.status_of)


def _act(form, action, done_message, intake_id: int, template: str, **context):
    """A programme coordinator's certificate action: run it once the form is valid, commit, and go back
    to the intake's certificates; a refusal is shown next to the reason and nothing is kept."""
    if form.validate_on_submit():
        try:
            certificate = action()
            db.session.commit()
        except CertificateRefused as refused:
            db.session.rollback()
            form.reason.errors = [refused.message]
        else:
            flash(done_message(certificate), "success")
            return redirect(url_for("certificates.list_intake_certificates", intake_id=intake_id))
    return render_template(template, form=form, **context), 400 if form.errors else 200


@bp.route("/enrolments/<int:enrolment_id>/certificate", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_COORDINATOR)
def issue_certificate(enrolment_id: int):
    enrolment = db.session.get(Enrolment, enrolment_id) or abort(404)
    form = IssueForm()
    return _act(form, lambda: operations.issue_by_hand(enrolment, current_user, form.reason.data),
                lambda new: _("Certificate %(serial)s issued to %(name)s.", serial=new.serial, name=new.name_latin),
                enrolment.intake_id, "certificates/issue.html", enrolment=enrolment)


def _certificate_or_404(serial: str):
    return queries.get_certificate(serial) or abort(404)


@bp.route("/certificates/<serial>/reissue", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_COORDINATOR)
def reissue_certificate(serial: str):
    certificate = _certificate_or_404(serial)
    form = ReissueForm(data={"name_latin": certificate.user.full_name, "name_native": certificate.user.native_name})
    return _act(form, lambda: operations.reissue_certificate(certificate, current_user, form.name_latin.data,
                                                            form.name_native.data, form.reason.data),
                lambda new: _("Certificate %(new)s issued; %(old)s is now marked as replaced.", new=new.serial,
                              old=certificate.serial),
                certificate.enrolment.intake_id, "certificates/reissue.html", certificate=certificate)


@bp.route("/certificates/<serial>/revoke", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_COORDINATOR)
def revoke_certificate(serial: str):
    certificate = _certificate_or_404(serial)
    form = RevokeForm()
    return _act(form, lambda: operations.revoke_certificate(certificate, current_user, form.reason.data),
                lambda revoked: _("Certificate %(serial)s is revoked.", serial=revoked.serial),
                certificate.enrolment.intake_id, "certificates/revoke.html", certificate=certificate)
