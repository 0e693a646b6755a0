"""Who may download a certificate's PDF, the trainee's home page, and an intake's ZIP for coordinators."""
import hashlib
import io
import zipfile

import pytest

from lms.accounts.models import Role
from tests.certificates.helpers import certified, enrol
from tests.conftest import post_form


@pytest.fixture
def certificate(intake):
    return certified(intake)  # a trainee of Thailand


def download(client, certificate):
    return client.get(f"/certificates/{certificate.serial}/pdf")


def test_the_owner_downloads_the_pdf_as_issued_as_an_attachment(signed_in_client, certificate):
    client = signed_in_client(certificate.user)
    response = download(client, certificate)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=certificate-{certificate.serial}.pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert hashlib.sha256(response.data).hexdigest() == certificate.pdf_sha256


@pytest.mark.parametrize("role, country, allowed", [
    (Role.COUNTRY_COORDINATOR, "TH", True),
    (Role.COUNTRY_COORDINATOR, "VN", False),
    (Role.PROGRAMME_COORDINATOR, None, True),
    (Role.ADMIN, None, True),
    (Role.INSTRUCTOR, None, False),
    (Role.TRAINEE, "TH", False),  # another trainee, even of the same country
])
def test_coordinators_of_the_trainees_country_may_download_and_nobody_else(signed_in_client, certificate, role,
                                                                           country, allowed):
    client = signed_in_client(role, country_code=country)
    assert download(client, certificate).status_code == (200 if allowed else 404)


def test_visitors_who_are_not_signed_in_are_sent_to_sign_in(client, certificate):
    response = download(client, certificate)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_trainees_find_their_certificates_on_their_home_page(signed_in_client, intake, certificate):
    client = signed_in_client(certificate.user)
    page = client.get("/").get_data(as_text=True)
    assert "Your certificates" in page and f"/certificates/{certificate.serial}/pdf" in page
    assert certificate.serial in page


def test_a_revoked_certificate_is_shown_with_its_reason_and_no_longer_downloaded_by_its_owner(
        certificate, programme_coordinator_client, signed_in_client):
    post_form(programme_coordinator_client, f"/certificates/{certificate.serial}/revoke",
              {"reason": "Recorded in error."})
    owner = signed_in_client(certificate.user)
    page = owner.get("/").get_data(as_text=True)
    assert "Revoked" in page and "Recorded in error." in page
    assert f"/certificates/{certificate.serial}/pdf" not in page
    assert download(owner, certificate).status_code == 404
    assert download(programme_coordinator_client, certificate).status_code == 200  # kept for the record


def zip_members(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name) for name in archive.namelist()}


def test_coordinators_download_an_intakes_certificates_as_a_zip(signed_in_client, intake, certificate):
    other = certified(intake, country_code="VN", full_name="Nguyen Van Hung", native_name="Nguyễn Văn Hùng")
    enrol(intake, country_code="TH", full_name="Not Certified")  # completed, certificate not issued

    client = signed_in_client(Role.PROGRAMME_COORDINATOR)
    response = client.get(f"/intakes/{intake.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    members = zip_members(response)
    assert set(members) == {f"Somchai-Wongsawat-{certificate.serial}.pdf", f"Nguyen-Van-Hung-{other.serial}.pdf"}
    assert hashlib.sha256(members[f"Nguyen-Van-Hung-{other.serial}.pdf"]).hexdigest() == other.pdf_sha256

    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="VN")
    assert set(zip_members(client.get(f"/intakes/{intake.id}/certificates.zip"))) == {
        f"Nguyen-Van-Hung-{other.serial}.pdf"}
    page = client.get(f"/intakes/{intake.id}/certificates").get_data(as_text=True)
    assert "Nguyen Van Hung" in page and "Somchai" not in page
    assert "/revoke" not in page  # country coordinators see, programme coordinators act


def test_an_intake_without_valid_certificates_has_nothing_to_zip(signed_in_client, intake):
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="LA")
    response = client.get(f"/intakes/{intake.id}/certificates.zip", follow_redirects=True)
    assert "No valid certificate to download in this intake." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.INSTRUCTOR])
def test_trainees_and_instructors_get_no_zip_or_intake_list(signed_in_client, intake, certificate, role):
    client = signed_in_client(role)
    for path in (f"/intakes/{intake.id}/certificates.zip", f"/intakes/{intake.id}/certificates", "/certificates"):
        assert client.get(path).status_code == 403, path


def test_the_list_of_intakes_counts_completions_and_valid_certificates(signed_in_client, intake, certificate):
    enrol(intake, full_name="Waiting Wichai")
    client = signed_in_client(Role.COUNTRY_COORDINATOR, country_code="TH")
    page = client.get("/certificates").get_data(as_text=True)
    assert f"/intakes/{intake.id}/certificates" in page
    row = page[page.index(f"/intakes/{intake.id}/certificates"):]
    assert '<td class="num">2</td><td class="num">1</td>' in row


def test_a_pdf_that_failed_at_issue_is_stored_at_its_first_download(signed_in_client, certificate, db_session):
    certificate.pdf_name = certificate.pdf_sha256 = None  # as when rendering failed at issue
    db_session.flush()
    client = signed_in_client(certificate.user)
    first = download(client, certificate)
    assert first.status_code == 200
    db_session.refresh(certificate)
    assert certificate.pdf_sha256 == hashlib.sha256(first.data).hexdigest()
    assert download(client, certificate).data == first.data
