"""A trainee asks for her names to be corrected; a coordinator of her country approves (her certificates are
issued again with the new names) or refuses with a reason; requests are kept with their decision."""
import pytest
from sqlalchemy import func, select

from lms.accounts.correction_operations import request_name_correction
from lms.accounts.models import CorrectionState, NameCorrection, NameCorrectionRefused, Role, User
from lms.audit.models import AuditEntry
from lms.certificates.documents import stored_pdf
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.notifications.models import Notification, OutboxMail
from tests.certificates.helpers import certified
from tests.certificates.pdf_checks import text_of
from tests.conftest import post_form
from tests.factories import make_intake, make_programme, make_user
from tests.job_runner import run_queued_jobs

REASON = "My family name is misspelt; my passport says Wongsawat."


@pytest.fixture
def certificate(db_session):
    from lms.enrolment.models import DeliveryMode

    return certified(make_intake(make_programme(), mode=DeliveryMode.FACE_TO_FACE), full_name="Somchai Wongsawad",
                     native_name="สมชาย วงศ์สวัสดิ")


def ask(client, **overrides):
    """The trainee signed in on `client` asks for her names to be corrected."""
    data = {"full_name": "Somchai Wongsawat", "native_name": "สมชาย วงศ์สวัสดิ์", "reason": REASON, **overrides}
    return post_form(client, "/profile/name", data)


def decide(client, correction, decision, reason=""):
    """The coordinator signed in on `client` decides."""
    return post_form(client, f"/name-corrections/{correction.id}", {"decision": decision, "reason": reason})


def only_correction() -> NameCorrection:
    return db.session.scalars(select(NameCorrection)).one()


def test_an_approved_correction_changes_the_names_and_issues_her_certificates_again(client, signed_in_client,
                                                                                    certificate):
    trainee = certificate.user
    page = client.get("/profile/name", follow_redirects=False)
    assert page.status_code == 302  # signed in first
    as_trainee = signed_in_client(trainee)
    form = as_trainee.get("/profile/name").get_data(as_text=True)
    assert 'value="Somchai Wongsawad"' in form  # she starts from her names as they are
    assert "printed on your certificate" in form and "printed under the Latin name" in form

    assert ask(as_trainee).status_code == 302
    correction = only_correction()
    assert correction.is_pending and correction.old_full_name == "Somchai Wongsawad"
    assert trainee.full_name == "Somchai Wongsawad"  # nothing changes before a coordinator decides
    assert "a coordinator of your country will decide" in as_trainee.get("/profile").get_data(as_text=True)

    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    as_coordinator = signed_in_client(coordinator)
    assert 'href="/name-corrections"' in as_coordinator.get("/").get_data(as_text=True)  # from her home and the menu
    listing = as_coordinator.get("/name-corrections").get_data(as_text=True)
    assert f'href="/name-corrections/{correction.id}"' in listing and "Somchai Wongsawat" in listing
    response = decide(as_coordinator, correction, "approve")
    assert response.status_code == 302
    run_queued_jobs()  # the new certificate's PDF and the mails, after the commit
    db.session.expire_all()

    assert (trainee.full_name, trainee.native_name) == ("Somchai Wongsawat", "สมชาย วงศ์สวัสดิ์")
    assert correction.state is CorrectionState.APPROVED and correction.decided_by == coordinator
    new = db.session.scalar(select(Certificate).where(Certificate.user_id == trainee.id,
                                                      Certificate.superseded_at.is_(None)))
    assert new.serial != certificate.serial and certificate.is_superseded and certificate.superseded_by == new
    assert new.name_latin == "Somchai Wongsawat" and new.issue_reason == REASON
    text = text_of(stored_pdf(new))
    assert "Somchai Wongsawat" in text and "Wongsawad" not in text
    assert "Wongsawad" in text_of(stored_pdf(certificate))  # the old one stays as it was issued
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.name_corrected"))
    assert entry.actor == coordinator and entry.before["full_name"] == "Somchai Wongsawad"
    assert entry.after["full_name"] == "Somchai Wongsawat"
    notice = db.session.scalar(select(Notification).where(Notification.user_id == trainee.id,
                                                          Notification.message.contains("corrected")))
    assert new.serial in notice.message
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == trainee.email,
                                                      OutboxMail.subject == "Your name is corrected"))
    # Kept with its decision, and decided once.
    assert decide(as_coordinator, correction, "refuse", "again").status_code == 409
    assert correction.state is CorrectionState.APPROVED


def test_an_approval_refused_half_way_keeps_nothing_of_it(signed_in_client, app, certificate, tmp_path, monkeypatch):
    from lms.accounts.correction_operations import approve_name_correction
    from lms.certificates.operations import CertificateRefused

    trainee = certificate.user
    ask(signed_in_client(trainee))
    correction = only_correction()
    coordinator = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    # Her names change first; re-issuing her certificate is then refused for want of the signing keys.
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "no-keys-here")

    def nothing_kept():
        assert db.session.scalar(select(User.full_name).where(User.id == trainee.id)) == "Somchai Wongsawad"
        assert db.session.scalar(select(NameCorrection.state)) is CorrectionState.PENDING
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "user.name_corrected")) == 0
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1

    response = decide(signed_in_client(coordinator), correction, "approve")
    assert response.status_code == 409 and "signing keys are not set up" in response.get_data(as_text=True)
    nothing_kept()
    # A caller that goes on after the refusal (and commits what else it did) keeps nothing of it either.
    with pytest.raises(CertificateRefused):
        approve_name_correction(correction, coordinator)
    nothing_kept()
    assert correction.is_pending and certificate.is_valid


def test_a_refused_correction_changes_nothing_and_tells_her_why(signed_in_client, certificate):
    trainee = certificate.user
    as_trainee = signed_in_client(trainee)
    ask(as_trainee)
    correction = only_correction()
    as_coordinator = signed_in_client(Role.PROGRAMME_COORDINATOR)
    response = decide(as_coordinator, correction, "refuse")
    assert response.status_code == 400 and "Please tell the trainee why" in response.get_data(as_text=True)
    assert correction.is_pending

    assert decide(as_coordinator, correction, "refuse", "The passport scan shows Wongsawad.").status_code == 302
    db.session.expire_all()
    assert correction.state is CorrectionState.REFUSED
    assert correction.decision_reason == "The passport scan shows Wongsawad."
    assert trainee.full_name == "Somchai Wongsawad" and certificate.is_valid
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == trainee.email,
                                                      OutboxMail.subject == "Your name correction was refused"))
    assert "The passport scan shows Wongsawad." in mail.body
    assert "The passport scan shows Wongsawad." in as_trainee.get("/profile").get_data(as_text=True)
    # She may ask again; the refused request is kept.
    assert ask(as_trainee, reason="Here is my passport number.").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 2


def test_one_request_waits_at_a_time(signed_in_client, certificate):
    trainee = certificate.user
    as_trainee = signed_in_client(trainee)
    assert ask(as_trainee).status_code == 302
    response = ask(as_trainee, full_name="Somchai Wongsawatt")
    assert response.status_code == 409 and "You asked on" in response.get_data(as_text=True)
    with pytest.raises(NameCorrectionRefused):
        request_name_correction(trainee, full_name="Somchai W", native_name=None, reason="again")
    assert only_correction().full_name == "Somchai Wongsawat"


def test_asking_for_the_names_she_has_is_refused(signed_in_client, certificate):
    response = ask(signed_in_client(certificate.user), full_name="Somchai Wongsawad", native_name="สมชาย วงศ์สวัสดิ")
    assert response.status_code == 409 and "These are your names as they are now" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NameCorrection)) == 0


def test_a_coordinator_of_another_country_neither_sees_nor_decides(signed_in_client, certificate):
    ask(signed_in_client(certificate.user))
    correction = only_correction()
    other = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="VN")
    assert "Somchai" not in other.get("/name-corrections").get_data(as_text=True)
    assert other.get(f"/name-corrections/{correction.id}").status_code == 404
    assert decide(other, correction, "approve").status_code == 404
    db.session.expire_all()
    assert correction.is_pending and certificate.user.full_name == "Somchai Wongsawad"


def test_only_who_may_correct_her_names_re_issues_her_certificates(certificate):
    from lms.certificates.operations import reissue_certificate

    for outsider in (make_user(Role.COUNTRY_COORDINATOR, country_code="VN"), make_user(Role.INSTRUCTOR),
                     make_user(Role.ADMIN)):
        with pytest.raises(PermissionError):
            reissue_certificate(certificate, outsider, "Somchai Wongsawat", None, "Misspelt")
    own = make_user(Role.COUNTRY_COORDINATOR, country_code="TH")
    assert reissue_certificate(certificate, own, "Somchai Wongsawat", None, "Misspelt").name_latin == "Somchai Wongsawat"
