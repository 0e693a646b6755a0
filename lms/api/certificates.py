"""API: certificate verification, for ministries and employers checking a serial.

The answer has the serial and its status (valid, revoked, superseded or unknown) and, for a known serial,
what the certificate says; a serial that cannot be read (a typing mistake caught by its check character,
or not a serial at all) is a 400 with a stable error code (serial_mistyped, serial_malformed).
"""
from flask import Response, jsonify
from flask_babel import gettext as _

from lms.api import bp
from lms.certificates import verification_limit
from lms.certificates.credentials import MEDIA_TYPE, issue_credential
from lms.certificates.queries import Problem, Verification, get_certificate, verify
from lms.core.errors import json_error
from lms.core.transactions import keep_visit_record


def _day(moment) -> str | None:
    return moment.date().isoformat() if moment else None


def verification_json(result: Verification) -> dict:
    """What a verifier needs and nothing more: never an e-mail address or a grade."""
    body = {"serial": result.serial, "status": result.status.value}
    certificate = result.certificate
    if certificate is None:
        return body
    return {
        **body,
        "name": certificate.name_latin,
        "name_native": certificate.name_native,
        "course": certificate.course_title,
        "course_zh": certificate.course_title_zh,
        "completed_on": certificate.completed_on.isoformat(),
        "issued_on": _day(certificate.issued_at),
        "issuer": certificate.programme_title,
        "issuer_zh": certificate.programme_title_zh,
        "revoked_on": _day(certificate.revoked_at),
        "revocation_reason": certificate.revocation_reason,
        "superseded_on": _day(certificate.superseded_at),
        "superseded_by": certificate.superseded_by.serial if certificate.superseded_by else None,
    }


PROBLEMS = {
    Problem.MISTYPED: lambda: _("The serial has a typing mistake: its check character (the last one) does not "
                                "match the others. Please compare it with the certificate."),
    Problem.MALFORMED: lambda: _("This is not a certificate serial: a serial has 20 letters and digits in five "
                                 "groups of four."),
}


@bp.route("/certificates/<serial>")
@verification_limit
def verify_certificate(serial: str):
    result = verify(serial)
    if result.problem:
        error = {"code": result.problem.value, "message": PROBLEMS[result.problem]()}
        return jsonify({**verification_json(result), "error": error}), 400
    return jsonify(verification_json(result))


@bp.route("/certificates/<serial>/credential")
@verification_limit
def show_certificate_credential(serial: str):
    """The certificate's signed Open Badges 3.0 credential, byte for byte as issued (and as in its PDF)."""
    certificate = get_certificate(serial)
    if certificate is None:
        return json_error(404, _("No certificate has this serial."))
    if not certificate.credential_json:  # issued before credentials: signed now, once, and kept
        issue_credential(certificate)
        keep_visit_record()
    response = Response(certificate.credential_json, mimetype=MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
