"""flask certificates render: many PDFs on every core, the same bytes as issued, and resumable."""
import hashlib

from lms.accounts.models import Role
from lms.certificates import documents
from tests.certificates.helpers import certified
from tests.conftest import post_form
from tests.factories import make_intake


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rendering_an_intake_writes_each_valid_certificate_once(app, intake, tmp_path, signed_in_client):
    first, second = certified(intake), certified(intake, full_name="Suda Srisuk", native_name="สุดา ศรีสุข")
    revoked = certified(intake, full_name="Revoked Rattanakul", native_name=None)
    elsewhere = certified(make_intake(intake.programme))
    client = signed_in_client(Role.PROGRAMME_COORDINATOR)
    post_form(client, f"/certificates/{revoked.serial}/revoke", {"reason": "Issued in error."})
    runner = app.test_cli_runner()

    result = runner.invoke(args=["certificates", "render", "--intake", str(intake.id), "--out", str(tmp_path),
                                 "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Rendered 2 certificate(s) and skipped 0 already up to date" in result.output
    files = {path.name: path for path in tmp_path.glob("*.pdf")}
    assert set(files) == {documents.file_name(first), documents.file_name(second)}
    # Rendered elsewhere, on other processes: still the very bytes issued.
    assert sha256_of(files[documents.file_name(first)]) == first.pdf_sha256
    assert sha256_of(files[documents.file_name(second)]) == second.pdf_sha256
    assert documents.file_name(elsewhere) not in files

    # Resumable: what is up to date is skipped, a damaged file is rendered again.
    files[documents.file_name(second)].write_bytes(b"%PDF-1.7 cut short")
    again = runner.invoke(args=["certificates", "render", "--intake", str(intake.id), "--out", str(tmp_path),
                                "--workers", "1"])
    assert "Rendered 1 certificate(s) and skipped 1 already up to date" in again.output
    assert sha256_of(files[documents.file_name(second)]) == second.pdf_sha256


def test_render_needs_an_intake_or_all(app):
    result = app.test_cli_runner().invoke(args=["certificates", "render"])
    assert result.exit_code != 0 and "Give either --intake ID or --all." in result.output


def test_rendering_all_restores_the_store(app, intake):
    certificate = certified(intake)
    stored = documents.pdf_dir() / documents.file_name(certificate)
    stored.unlink()
    result = app.test_cli_runner().invoke(args=["certificates", "render", "--all", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert sha256_of(stored) == certificate.pdf_sha256


def test_a_certificate_whose_pdf_failed_at_issue_gets_its_file_and_sha256(app, intake, monkeypatch):
    monkeypatch.setattr(documents, "store_pdf", lambda certificate: 1 / 0)
    certificate = certified(intake)
    monkeypatch.undo()
    assert certificate.pdf_name is None and certificate.pdf_sha256 is None
    result = app.test_cli_runner().invoke(args=["certificates", "render", "--intake", str(intake.id),
                                                "--workers", "1"])
    assert "Rendered 1 certificate(s)" in result.output
    assert certificate.pdf_name == documents.store_name(certificate)
    assert sha256_of(documents.pdf_dir() / documents.file_name(certificate)) == certificate.pdf_sha256
