"""Every certificate's Open Badges 3.0 credential and signed PDF: what they say, that they verify with our
verifier, pyHanko's validator and the offline command, and that revocation reads through the status list."""
import hashlib
import io
import json
import stat

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from config import Config
from lms.accounts.models import Role
from lms.certificates import credentials, verification
from lms.certificates.documents import stored_pdf
from lms.core.coroutines import run_to_completion
from lms.certificates.operations import CertificateRefused, issue_by_hand, issue_on_completion, revoke_certificate
from lms.certificates.signing import CREDENTIAL_FILE
from lms.credentials import dataintegrity, keys
from lms.enrolment.models import EnrolmentState
from tests.certificates.helpers import certified, enrol
from tests.conftest import csrf_token
from tests.factories import make_user


@pytest.fixture
def certificate(intake):
    return certified(intake)


def credential_of(certificate) -> dict:
    return json.loads(certificate.credential_json)


def trusted_roots():
    return [verification.load_cert_from_pemder_bytes(keys.pdf_signer_files()[1].read_bytes())]


def test_the_credential_is_an_open_badge_for_the_course_by_the_programme(app, certificate):
    credential = credential_of(certificate)
    course = certificate.enrolment.intake.course
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == keys.did() == "did:web:training.example.org"  # PUBLIC_BASE_URL's host
    assert credential["issuer"]["type"] == ["Profile"] and credential["issuer"]["name"] == certificate.programme_title
    assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == course.title and achievement["inLanguage"] == "en"
    assert achievement["related"][0]["inLanguage"] == "zh"
    assert achievement["creditsAvailable"] == course.hours
    assert f"{course.pass_mark}%" in achievement["criteria"]["narrative"]
    assert achievement["description"] and course.subject.value in achievement["tag"]
    assert "alignment" not in achievement  # the test programme sets no AQRF level
    assert credential["evidence"][0]["id"].endswith(f"/verify/{certificate.serial}")
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(certificate.id - 1)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert hashlib.sha256(certificate.credential_json.encode()).hexdigest() == certificate.credential_sha256


def test_the_recipient_is_identified_by_salted_hashes_of_e_mail_and_name_only(certificate):
    text = certificate.credential_json
    assert certificate.user.email not in text and certificate.name_latin not in text
    identifiers = {entry["identityType"]: entry for entry in credential_of(certificate)["credentialSubject"]["identifier"]}
    email, name = identifiers["emailAddress"], identifiers["name"]
    assert email["hashed"] is True and email["identityHash"] == "sha256$" + hashlib.sha256(
        (certificate.user.email.lower() + email["salt"]).encode()).hexdigest()
    assert name["identityHash"] == "sha256$" + hashlib.sha256((certificate.name_latin + name["salt"]).encode()).hexdigest()


def test_a_programme_with_an_aqrf_level_aligns_its_achievements(intake):
    intake.programme.aqrf_level = 5
    alignment = credential_of(certified(intake))["credentialSubject"]["achievement"]["alignment"][0]
    assert alignment["targetFramework"] == "ASEAN Qualifications Reference Framework"
    assert alignment["targetCode"] == "5" and alignment["targetUrl"].startswith("https://")


def test_the_issued_credential_verifies_with_the_test_vector_checked_verifier(certificate):
    check = dataintegrity.verify(credential_of(certificate), keys.public_key_for)
    assert check.is_valid, check.reason
    assert check.verification_method == keys.did_document()["assertionMethod"][0]


def test_any_changed_byte_of_the_credential_fails_verification(certificate):
    data = certificate.credential_json.encode()
    positions = range(0, len(data), max(1, len(data) // 250))  # some 250 positions spread over the whole file
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 0x01
        try:
            document = json.loads(bytes(changed).decode("utf-8"))
        except ValueError:
            continue  # no longer JSON (or UTF-8): nothing to accept
        assert not dataintegrity.verify(document, keys.public_key_for).is_valid, (position, data[position:position + 1])


def test_the_pdf_is_signed_validates_with_pyhanko_and_carries_the_same_credential(certificate):
    data = stored_pdf(certificate)
    reader = PdfFileReader(io.BytesIO(data))
    status = run_to_completion(async_validate_pdf_signature(reader.embedded_signatures[0],
                                                            ValidationContext(trust_roots=trusted_roots())))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
    spec = reader.root["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Alternative" and spec["/F"] == CREDENTIAL_FILE
    assert spec["/EF"]["/F"].get_object().data == certificate.credential_json.encode()
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/ld+json"
    metadata = reader.root["/Metadata"].get_object().data.decode()  # still PDF/A-3b, and saying the same as /Info
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    producer = str(reader.trailer_view["/Info"]["/Producer"])
    assert f'pdf:Producer="{producer}"' in metadata


def test_the_same_certificate_renders_to_the_same_signed_bytes(certificate):
    from lms.certificates.documents import render_certificate

    assert hashlib.sha256(render_certificate(certificate)).hexdigest() == certificate.pdf_sha256


def test_a_new_signer_signs_its_first_and_later_pdfs_alike(intake, own_keys):
    from lms.certificates.documents import render_certificate

    keys.init_keys()
    certificate = certified(intake)  # the first signature with these keys: pyHanko builds the CMS container
    again = render_certificate(certificate)  # built from the first one's steady parts
    assert hashlib.sha256(again).hexdigest() == certificate.pdf_sha256
    signature = PdfFileReader(io.BytesIO(again)).embedded_signatures[0]
    status = run_to_completion(async_validate_pdf_signature(signature, ValidationContext(trust_roots=trusted_roots())))
    assert status.intact and status.valid and status.trusted


def test_a_certificate_is_signed_where_an_event_loop_already_runs(certificate):
    # A process that drives a browser (Playwright's sync API) keeps a loop running in its main thread.
    # The loop runs in a thread of the test's own (with the test's app context), so this test sees a
    # running loop whether or not the browser tests left one in the main thread.
    import asyncio
    import contextvars
    import threading

    from lms.certificates.documents import render_certificate

    async def rendered_inside_a_loop() -> bytes:
        return render_certificate(certificate)

    rendered = {}

    def run_a_loop() -> None:
        rendered["pdf"] = asyncio.run(rendered_inside_a_loop())

    thread = threading.Thread(target=contextvars.copy_context().run, args=(run_a_loop,))
    thread.start()
    thread.join(timeout=120)
    assert hashlib.sha256(rendered["pdf"]).hexdigest() == certificate.pdf_sha256


def test_a_changed_pdf_no_longer_validates(certificate):
    data = bytearray(stored_pdf(certificate))
    position = data.index(b"/Type /Page") + 2
    data[position] ^= 0x01
    check = verification.check_file(bytes(data), keys.public_key_for, [keys.pdf_signer_files()[1].read_bytes()])
    assert not check.pdf_signature.is_valid and not check.is_signature_valid


def status_bit(client, certificate) -> bool:
    credential = credential_of(certificate)
    response = client.get(credential["credentialStatus"]["statusListCredential"].removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    revoked, why = verification.status_from_list(credential, response.get_json(), keys.public_key_for)
    assert revoked is not None, why
    return revoked


def test_a_revoked_credential_reads_revoked_through_the_status_list_the_app_serves(client, intake, certificate):
    other = certified(intake, full_name="Nguyen Van An", native_name=None, country_code="VN")
    assert status_bit(client, certificate) is False
    revoke_certificate(certificate, make_user(Role.PROGRAMME_COORDINATOR, country_code=None), "Exam fraud")
    assert status_bit(client, certificate) is True
    assert status_bit(client, other) is False


def test_the_status_list_is_signed_and_a_changed_list_fails(client, certificate):
    status_list = client.get("/credentials/status/1").get_json()
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert len(credentials.decode_bits(status_list["credentialSubject"]["encodedList"])) == 16 * 1024
    status_list["credentialSubject"]["encodedList"] = credentials.encode_bits([certificate.id - 1])
    revoked, why = verification.status_from_list(credential_of(certificate), status_list, keys.public_key_for)
    assert revoked is None and "signature" in why
    assert client.get("/credentials/status/2").status_code == 404


def test_the_did_document_offers_every_key_as_multikey(client, certificate):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = json.loads(response.data)
    assert document["id"] == keys.did()
    method = document["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert credential_of(certificate)["proof"]["verificationMethod"] in document["assertionMethod"]


@pytest.fixture
def own_keys(app, tmp_path, monkeypatch):
    """A keys folder of this test's own, so rotating or removing keys touches no other test."""
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "keys")
    return tmp_path / "keys"


def test_keys_init_makes_owner_only_files_outside_the_web_root(app, own_keys):
    done = keys.init_keys()
    assert len(done) == 2 and keys.init_keys() == []  # repeatable: never replaces a key
    assert stat.S_IMODE(own_keys.stat().st_mode) == 0o700
    for path in own_keys.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not str(app.config["KEYS_DIR"]).startswith(app.static_folder)
    assert Config.KEYS_DIR.is_relative_to(Config.DATA_DIR)


def test_after_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(client, intake, own_keys):
    keys.init_keys()
    before = certified(intake)
    new_key = keys.rotate_credential_key()
    after = certified(intake, full_name="Nguyen Van An", native_name=None, country_code="VN")
    document = json.loads(client.get("/.well-known/did.json").data)
    assert len(document["verificationMethod"]) == 2
    assert credential_of(after)["proof"]["verificationMethod"].endswith(new_key)
    for certificate in (before, after):
        assert dataintegrity.verify(credential_of(certificate), keys.public_key_for).is_valid
    assert len(list(own_keys.glob("credential-*.pem"))) == 1  # only the current private key is kept


def test_after_a_new_pdf_signing_certificate_is_installed_new_pdfs_are_signed_with_it(intake, own_keys, tmp_path):
    keys.init_keys()
    old_root = trusted_roots()
    before = certified(intake)
    key_pem, certificate_pem = keys._self_signed_pdf_certificate("Ministry of Digital Economy")
    (tmp_path / "ministry-key.pem").write_bytes(key_pem)
    (tmp_path / "ministry-certificate.pem").write_bytes(certificate_pem)
    keys.init_keys(pdf_key=tmp_path / "ministry-key.pem", pdf_certificate=tmp_path / "ministry-certificate.pem")
    after = certified(intake, full_name="Nguyen Van An", native_name=None, country_code="VN")
    for certificate, roots, name in ((before, old_root, keys.SIGNER_NAME),
                                     (after, trusted_roots(), "Ministry of Digital Economy")):
        signature = PdfFileReader(io.BytesIO(stored_pdf(certificate))).embedded_signatures[0]
        assert signature.signer_cert.subject.native["common_name"] == name
        status = run_to_completion(async_validate_pdf_signature(signature, ValidationContext(trust_roots=roots)))
        assert status.intact and status.valid and status.trusted
    signature = PdfFileReader(io.BytesIO(stored_pdf(after))).embedded_signatures[0]
    status = run_to_completion(async_validate_pdf_signature(signature, ValidationContext(trust_roots=old_root)))
    assert not status.trusted


def test_without_keys_nothing_is_issued_in_production_or_anywhere(app, intake, own_keys):
    coordinator = make_user(Role.PROGRAMME_COORDINATOR, country_code=None)
    with pytest.raises(CertificateRefused, match="signing keys"):
        issue_by_hand(enrol(intake, state=EnrolmentState.ACTIVE), coordinator, "Completed offline")
    assert issue_on_completion(enrol(intake, full_name="Nguyen Van An", native_name=None, country_code="VN")) is None


def test_the_api_serves_the_credential_as_issued_as_json_ld(client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.serial}/credential")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.data == certificate.credential_json.encode()
    missing = client.get("/api/v1/certificates/0000-0000-0000-0000-0000/credential")
    assert missing.status_code in (400, 404) and missing.is_json


def test_a_credential_signed_when_the_api_first_serves_it_is_kept(client, db_session, certificate):
    certificate.credential_json = certificate.credential_sha256 = None  # issued before credentials existed
    db_session.flush()
    response = client.get(f"/api/v1/certificates/{certificate.serial}/credential")
    assert response.status_code == 200 and dataintegrity.verify(response.get_json(), keys.public_key_for).is_valid
    assert certificate.credential_json == response.get_data(as_text=True)  # what a verifier got is what is kept
    assert certificate.credential_sha256 == hashlib.sha256(response.data).hexdigest()


def test_the_trainee_downloads_the_credential_and_pdf_with_the_same_serial(signed_in_client, certificate):
    client = signed_in_client(certificate.user)
    page = client.get("/").get_data(as_text=True)
    assert f"/certificates/{certificate.serial}/pdf" in page
    assert f"/certificates/{certificate.serial}/credential.jsonld" in page
    response = client.get(f"/certificates/{certificate.serial}/credential.jsonld")
    assert response.status_code == 200 and response.data == certificate.credential_json.encode()
    assert f"certificate-{certificate.serial}.jsonld" in response.headers["Content-Disposition"]


def upload(client, data: bytes, name: str):
    return client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_verification_page_checks_an_uploaded_pdf_or_credential(client, certificate):
    for data, name in ((stored_pdf(certificate), "certificate.pdf"), (certificate.credential_json.encode(), "c.jsonld")):
        page = upload(client, data, name).get_data(as_text=True)
        assert "This file is a valid certificate, exactly as issued." in page, name
        assert "Yes: its SHA-256 is the one recorded at issue." in page and certificate.serial in page


def test_the_verification_page_says_when_a_file_was_changed_or_is_not_a_certificate(client, certificate):
    changed = certificate.credential_json.replace(certificate.course_title, certificate.course_title + " (Advanced)")
    page = upload(client, changed.encode(), "c.jsonld").get_data(as_text=True)
    assert "This file does not prove a valid certificate." in page and "does not match the content" in page
    assert "No: its SHA-256 differs" in page
    response = upload(client, b"hello", "notes.txt")
    assert response.status_code == 400
    assert "neither a certificate PDF nor a credential" in response.get_data(as_text=True)
    assert upload(client, b"", "empty.pdf").status_code == 400


def test_the_verification_page_says_revoked(client, certificate):
    revoke_certificate(certificate, make_user(Role.PROGRAMME_COORDINATOR, country_code=None), "Exam fraud")
    page = upload(client, stored_pdf(certificate), "certificate.pdf").get_data(as_text=True)
    assert "revoked on" in page and "This file does not prove a valid certificate." in page


def test_flask_certificates_verify_works_offline_with_only_public_keys(app, client, certificate, tmp_path,
                                                                       monkeypatch):
    (tmp_path / "did.json").write_bytes(client.get("/.well-known/did.json").data)
    (tmp_path / "signer.pem").write_bytes(keys.pdf_signer_files()[1].read_bytes())
    (tmp_path / "status.json").write_bytes(client.get("/credentials/status/1").data)
    (tmp_path / "certificate.pdf").write_bytes(stored_pdf(certificate))
    (tmp_path / "credential.jsonld").write_text(certificate.credential_json)
    monkeypatch.setitem(app.config, "KEYS_DIR", tmp_path / "no-keys-here")  # nothing private to lean on
    runner = app.test_cli_runner()
    public = ["--did-document", str(tmp_path / "did.json"), "--pdf-certificate", str(tmp_path / "signer.pem"),
              "--status-list", str(tmp_path / "status.json")]
    result = runner.invoke(args=["certificates", "verify", str(tmp_path / "certificate.pdf"), *public])
    assert result.exit_code == 0, result.output
    assert "PDF signature: valid" in result.output and "Credential proof (eddsa-rdfc-2022): valid" in result.output
    assert "Status: not revoked" in result.output and "Result: VALID" in result.output
    multikey = json.loads((tmp_path / "did.json").read_text())["verificationMethod"][0]["publicKeyMultibase"]
    result = runner.invoke(args=["certificates", "verify", str(tmp_path / "credential.jsonld"), "--public-key", multikey])
    assert result.exit_code == 0 and "Result: VALID" in result.output, result.output
    (tmp_path / "credential.jsonld").write_text(certificate.credential_json.replace('"creditsEarned":', '"creditsEarned":1'))
    result = runner.invoke(args=["certificates", "verify", str(tmp_path / "credential.jsonld"), "--public-key", multikey])
    assert result.exit_code == 1 and "Result: NOT VALID" in result.output


def test_flask_keys_init_and_rotate_say_what_they_did(app, own_keys):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["keys", "init"])
    assert first.exit_code == 0 and "Created the credential key z6Mk" in first.output, first.output
    assert "already there" in runner.invoke(args=["keys", "init"]).output
    rotated = runner.invoke(args=["keys", "rotate"])
    assert rotated.exit_code == 0 and "1 older key(s) stay published" in rotated.output


def test_a_replaced_certificate_reads_revoked_and_its_successor_has_its_own_credential(client, certificate):
    from lms.certificates.operations import reissue_certificate

    new = reissue_certificate(certificate, make_user(Role.PROGRAMME_COORDINATOR, country_code=None),
                              "Somchai Wongsawat-Lee", None, "Name corrected")
    assert status_bit(client, certificate) is True and status_bit(client, new) is False
    assert new.credential_json != certificate.credential_json
    assert dataintegrity.verify(credential_of(new), keys.public_key_for).is_valid


def test_issue_missing_without_keys_says_so_and_issues_nothing(app, intake, own_keys):
    enrol(intake)
    result = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 1 and "signing keys are not set up" in result.output
