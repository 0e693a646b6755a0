"""Pages of the certificates domain: public verification, downloads, and the programme coordinators' actions."""
import io
import json

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import Role
from lms.certificates import bp, credentials, operations, queries, verification, verification_limit
from lms.certificates.documents import stored_pdf, zip_of
from lms.certificates.forms import IssueForm, ReissueForm, RevokeForm
from lms.certificates.operations import CertificateRefused
from lms.certificates.serials import normalise_serial
from lms.core import clock
from lms.core.permissions import COORDINATOR_ROLES, role_required
from lms.core.transactions import keep_visit_record, tell_refusal
from lms.credentials import keys
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


@bp.route("/verify", methods=["POST"])
@verification_limit
def verify_file():
    """A certificate PDF or credential file someone holds: is the signature valid, are the bytes those
    issued, and what is the certificate's status now."""
    upload = request.files.get("file")
    data = upload.read(verification.MAX_UPLOAD_BYTES + 1) if upload else b""
    error, check, certificate, matches = None, None, None, None
    if not data:
        error = _("Please choose a certificate PDF or credential file to check.")
    elif len(data) > verification.MAX_UPLOAD_BYTES:
        error = _("The file is too large to be a certificate (at most 5 MB).")
    else:
        try:
            check = verification.check_file(data, keys.public_key_for, [keys.pdf_signer_files()[1].read_bytes()])
        except verification.NotACertificateFile:
            error = _("This file is neither a certificate PDF nor a credential issued by the programme.")
        else:
            certificate = queries.get_certificate(check.serial) if check.serial else None
            if certificate is not None:
                issued = certificate.pdf_sha256 if check.kind == "pdf" else certificate.credential_sha256
                matches = check.sha256 == issued
    return render_template("certificates/verify_file.html", error=error, check=check, certificate=certificate,
                           matches=matches, status=queries.status_of(certificate) if certificate else None,
                           Status=queries.Status), 400 if error else 200


@bp.route("/.well-known/did.json")
def show_did_document():
    """The issuer's DID document (did:web): every credential key, current and retired, so any verifier
    can check any credential the programme issued."""
    return _json_ld(keys.did_document(), "application/did+ld+json", max_age=300)


@bp.route("/credentials/status/<name>")
def show_status_list(name: str):
    """The signed revocation list: the bit of every revoked or replaced certificate is set."""
    if name != credentials.STATUS_LIST_NAME:
        abort(404)
    document = credentials.status_list_credential(queries.status_list_indexes(), clock.now())
    return _json_ld(document, credentials.MEDIA_TYPE, max_age=60)


def _json_ld(document: dict, mimetype: str, max_age: int) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in a browser, anywhere
    return response


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
    keep_visit_record()  # a PDF stored on its first download: the bytes served are the bytes kept
    return _file_response(data, f"certificate-{certificate.serial}.pdf", "application/pdf")


@bp.route("/certificates/<serial>/credential.jsonld")
@login_required
def download_credential(serial: str):
    """The signed Open Badges credential, the same bytes as in the PDF, for a wallet or a verifier."""
    certificate = queries.get_downloadable_certificate_or_404(serial, current_user)
    stored_pdf(certificate)  # a certificate issued before credentials gets its credential and PDF now
    keep_visit_record()
    return _file_response(certificate.credential_json.encode(), f"certificate-{certificate.serial}.jsonld",
                          credentials.MEDIA_TYPE)


@bp.route("/intakes/<int:intake_id>/certificates.zip")
@role_required(*COORDINATOR_ROLES)
def download_intake_certificates(intake_id: int):
    intake = db.session.get(Intake, intake_id) or abort(404)
    certificates = queries.valid_certificates_of_intake(intake, current_user)
    if not certificates:
        flash(_("No valid certificate to download in this intake."), "info")
        return redirect(url_for("certificates.list_intake_certificates", intake_id=intake.id))
    data = zip_of(certificates)
    keep_visit_record()  # any PDF stored on its first download
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
    """A programme coordinator's certificate action: run it once the form is valid and go back to the
    intake's certificates; a refusal is shown next to the reason and nothing is kept."""
    if form.validate_on_submit():
        try:
            certificate = action()
        except CertificateRefused as refused:
            form.reason.errors = [tell_refusal(refused)]
            return render_template(template, form=form, **context), 409
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
