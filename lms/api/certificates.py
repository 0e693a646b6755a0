"""API: certificate verification, for ministries and employers checking a serial.

Every answer has the serial and its status (valid, revoked, superseded or unknown); an unknown or
unreadable serial also has an error with a stable code (unknown_serial, serial_mistyped, serial_malformed).
"""
from flask import jsonify
from flask_babel import gettext as _

from lms.api import bp
from lms.certificates import verification_limit
from lms.certificates.models import Certificate
from lms.certificates.queries import Problem, Status, Verification, verify


def _day(moment) -> str | None:
    return moment.date().isoformat() if moment else None


def certificate_json(certificate: Certificate) -> dict:
    """What a verifier needs and nothing more: never an e-mail address or a grade."""
    return {
        "name": certificate.name_latin,
        "native_name": certificate.name_native,
        "course": {"title": certificate.course_title, "title_zh": certificate.course_title_zh,
                   "hours": certificate.course_hours},
        "issued_on": _day(certificate.issued_at),
        "issuer": {"programme": certificate.programme_title, "programme_zh": certificate.programme_title_zh},
    }


def verification_json(result: Verification) -> dict:
    body = {"serial": result.serial, "status": result.status.value}
    certificate = result.certificate
    if certificate is None:
        return body
    body["certificate"] = certificate_json(certificate)
    if result.status is Status.REVOKED:
        body["revoked"] = {"on": _day(certificate.revoked_at), "reason": certificate.revocation_reason}
    elif result.status is Status.SUPERSEDED:
        body["superseded"] = {"on": _day(certificate.superseded_at),
                              "by": certificate.superseded_by.serial if certificate.superseded_by else None}
    return body


def _error_message(result: Verification) -> tuple[int, str, str]:
    if result.problem is Problem.MISTYPED:
        return 400, result.problem.value, _("The serial has a typing mistake: its last character does not match "
                                            "the others. Please compare it with the certificate.")
    if result.problem is Problem.MALFORMED:
        return 400, result.problem.value, _("This is not a certificate serial: a serial has 20 letters and digits "
                                            "in five groups of four.")
    return 404, "unknown_serial", _("No certificate has the serial %(serial)s.", serial=result.serial)


@bp.route("/certificates/<serial>")
@verification_limit
def verify_certificate(serial: str):
    result = verify(serial)
    if result.certificate is None:
        status, code, message = _error_message(result)
        return jsonify({**verification_json(result), "error": {"code": code, "message": message}}), status
    return jsonify(verification_json(result))
