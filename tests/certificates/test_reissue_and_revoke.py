"""Re-issuing after a name correction (new serial, old one superseded) and revoking with a reason."""
import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.audit.models import AuditEntry
from lms.certificates.models import Certificate
from lms.certificates.queries import certificates_to_render
from lms.enrolment.models import EnrolmentState
from lms.extensions import db
from lms.notifications.models import OutboxMail
from tests.certificates.helpers import certified, enrol
from tests.conftest import csrf_token, post_form
from tests.job_runner import run_queued_jobs


def audit_of(action: str, certificate) -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action,
                                                      AuditEntry.object_id == certificate.id))


def test_reissuing_after_a_name_correction_gives_a_new_serial_and_supersedes_the_old(
        programme_coordinator_client, intake):
    coordinator = programme_coordinator_client.user
    old = certified(intake, full_name="Somchai Wongsawad")
    page = programme_coordinator_client.get(f"/certificates/{old.serial}/reissue").get_data(as_text=True)
    assert 'value="Somchai Wongsawad"' in page  # the form starts from the name as it is

    response = post_form(programme_coordinator_client, f"/certificates/{old.serial}/reissue", {
        "name_latin": "Somchai Wongsawat", "name_native": "สมชาย วงศ์สวัสดิ์",
        "reason": "The family name was misspelt at registration."})
    assert response.status_code == 302
    run_queued_jobs()
    new = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == old.enrolment_id,
                                                      Certificate.superseded_at.is_(None)))
    assert new.serial != old.serial and new.name_latin == "Somchai Wongsawat"
    assert new.issued_by == coordinator and new.issue_reason == "The family name was misspelt at registration."
    assert new.course_title == old.course_title and new.completed_on == old.completed_on
    assert old.is_superseded and old.superseded_by == new and not old.is_valid and new.is_valid
    assert old.user.full_name == "Somchai Wongsawat"  # later certificates are right too
    entry = audit_of("certificate.reissued", new)
    assert entry.before["serial"] == old.serial and entry.after["name_latin"] == "Somchai Wongsawat"
    assert new.mailed_at is not None

    verdict = programme_coordinator_client.get(f"/api/v1/certificates/{old.serial}").get_json()
    assert verdict["status"] == "superseded" and verdict["superseded_by"] == new.serial
    assert programme_coordinator_client.get(f"/api/v1/certificates/{new.serial}").get_json()["status"] == "valid"
    page = programme_coordinator_client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert "This certificate was replaced on" in page and f"/verify/{new.serial}" in page
    # Re-issuing the replaced one again is refused.
    response = post_form(programme_coordinator_client, f"/certificates/{old.serial}/reissue",
                         {"name_latin": "X", "reason": "again"}, form_url=f"/certificates/{new.serial}/reissue")
    assert response.status_code == 409 and "already replaced" in response.get_data(as_text=True)


def test_revoking_needs_a_reason_and_is_audited(programme_coordinator_client, intake):
    coordinator = programme_coordinator_client.user
    certificate = certified(intake)
    response = post_form(programme_coordinator_client, f"/certificates/{certificate.serial}/revoke", {"reason": ""})
    assert response.status_code == 400 and not certificate.is_revoked

    response = post_form(programme_coordinator_client, f"/certificates/{certificate.serial}/revoke",
                         {"reason": "Completion was recorded for the wrong trainee."})
    assert response.status_code == 302
    assert certificate.is_revoked and not certificate.is_valid
    assert certificate.revoked_by == coordinator
    assert certificate.revocation_reason == "Completion was recorded for the wrong trainee."
    entry = audit_of("certificate.revoked", certificate)
    assert entry.actor == coordinator and entry.reason == "Completion was recorded for the wrong trainee."
    assert entry.before["revoked_at"] is None and entry.after["revoked_at"] is not None
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == certificate.user.email,
                                                      OutboxMail.subject == "Your certificate has been revoked"))
    # It stops counting: only valid certificates are rendered, exported or counted.
    assert certificate not in certificates_to_render(intake.id)

    response = post_form(programme_coordinator_client, f"/certificates/{certificate.serial}/revoke",
                         {"reason": "Twice"})
    assert response.status_code == 409 and "already revoked" in response.get_data(as_text=True)
    assert post_form(programme_coordinator_client, f"/certificates/{certificate.serial}/reissue",
                     {"name_latin": "Somchai", "reason": "fix"}).status_code == 409


def test_revocation_keeps_the_serial_and_verification_says_why(programme_coordinator_client, intake):
    certificate = certified(intake)
    serial = certificate.serial
    post_form(programme_coordinator_client, f"/certificates/{serial}/revoke", {"reason": "Issued in error."})
    assert certificate.serial == serial
    verdict = programme_coordinator_client.get(f"/api/v1/certificates/{serial}").get_json()
    assert verdict["status"] == "revoked"
    assert verdict["revoked_on"] == certificate.revoked_at.date().isoformat()
    assert verdict["revocation_reason"] == "Issued in error."
    page = programme_coordinator_client.get(f"/verify/{serial}").get_data(as_text=True)
    assert "This certificate was revoked on" in page and "Issued in error." in page


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR, Role.COUNTRY_COORDINATOR, Role.ADMIN])
def test_only_programme_coordinators_issue_reissue_and_revoke(signed_in_client, intake, role):
    certificate = certified(intake)
    client = signed_in_client(role)
    for path in (f"/enrolments/{certificate.enrolment_id}/certificate", f"/certificates/{certificate.serial}/reissue",
                 f"/certificates/{certificate.serial}/revoke"):
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"reason": "x", "csrf_token": csrf_token(client, "/")}).status_code == 403, path
    assert certificate.is_valid


def test_the_intake_page_offers_the_programme_coordinator_each_action(programme_coordinator_client, intake):
    certificate = certified(intake)
    pending = enrol(intake, state=EnrolmentState.ACTIVE, full_name="Niran Chaiyaporn")
    page = programme_coordinator_client.get(f"/intakes/{intake.id}/certificates").get_data(as_text=True)
    assert certificate.serial in page and "Niran Chaiyaporn" in page
    assert f"/certificates/{certificate.serial}/revoke" in page
    assert f"/certificates/{certificate.serial}/reissue" in page
    assert f"/enrolments/{pending.id}/certificate" in page
