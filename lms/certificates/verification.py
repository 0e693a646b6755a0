"""Checking a certificate file someone holds: a signed PDF or its credential, with or without our server.

Each check is a pure function of the file and the public material (our public keys, our PDF signing
certificate, a status list); the verification page adds what only the database knows (the SHA-256
recorded at issue and the current status), and `flask certificates verify` needs no database at all.
"""
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from lms.certificates import credentials
from lms.certificates.signing import CREDENTIAL_FILE
from lms.core.coroutines import run_to_completion
from lms.credentials import dataintegrity

SERIAL_IN_URL = re.compile(r"/certificates/([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})/credential$")
MAX_CREDENTIAL_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class NotACertificateFile(ValueError):
    """Neither a PDF nor a JSON credential, or one that cannot be read; the message is for people."""


@dataclass
class PdfSignatureCheck:
    is_signed: bool
    is_intact: bool = False  # the bytes the signature covers are unchanged and the whole file is covered
    is_trusted: bool = False  # signed by the programme's certificate (or a CA given as trusted)
    signer: str = ""
    signed_at: str = ""
    reason: str = ""

    @property
    def is_valid(self) -> bool:
        return self.is_signed and self.is_intact and self.is_trusted


@dataclass
class FileCheck:
    kind: str  # "pdf" or "credential"
    sha256: str
    credential: dict | None = None
    credential_text: str | None = None
    proof: dataintegrity.ProofCheck | None = None
    pdf_signature: PdfSignatureCheck | None = None
    serial: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def is_signature_valid(self) -> bool:
        proof_ok = self.proof is not None and self.proof.is_valid
        if self.kind == "pdf":
            return proof_ok and self.pdf_signature is not None and self.pdf_signature.is_valid
        return proof_ok


def _embedded_credential(reader: PdfFileReader) -> bytes | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    for position in range(0, len(names) - 1, 2):
        if str(names[position]) == CREDENTIAL_FILE:
            return names[position + 1].get_object()["/EF"]["/F"].get_object().data
    return None


def check_pdf_signature(reader: PdfFileReader, trusted_pem: list[bytes]) -> PdfSignatureCheck:
    signatures = reader.embedded_signatures
    if not signatures:
        return PdfSignatureCheck(False, reason=_l("the PDF is not signed"))
    signature = signatures[-1]
    roots = [load_cert_from_pemder_bytes(pem) for pem in trusted_pem]
    status = run_to_completion(async_validate_pdf_signature(
        signature, ValidationContext(trust_roots=roots, allow_fetching=False)))
    covers_all = status.coverage.name == "ENTIRE_FILE"
    check = PdfSignatureCheck(True, is_intact=bool(status.intact and status.valid and covers_all),
                              is_trusted=bool(status.trusted), signer=status.signing_cert.subject.human_friendly,
                              signed_at=signature.self_reported_timestamp.isoformat()
                              if signature.self_reported_timestamp else "")
    if not status.intact or not status.valid:
        check.reason = _l("the PDF was changed after it was signed")
    elif not covers_all:
        check.reason = _l("something was added to the PDF after it was signed")
    elif not status.trusted:
        check.reason = _l("the PDF was not signed with the programme's certificate")
    return check


def load_cert_from_pemder_bytes(pem: bytes):
    from asn1crypto import pem as asn1_pem, x509

    if asn1_pem.detect(pem):
        _, _, pem = asn1_pem.unarmor(pem)
    return x509.Certificate.load(pem)


def _read_credential(data: bytes) -> tuple[dict, str]:
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise NotACertificateFile("The file is too large to be a credential.")
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise NotACertificateFile("The file is neither a PDF nor a JSON credential.") from None
    if not isinstance(document, dict):
        raise NotACertificateFile("The file is JSON but not a credential.")
    return document, text


def serial_of(credential: dict) -> str | None:
    match = SERIAL_IN_URL.search(str(credential.get("id", "")))
    return match.group(1) if match else None


def check_file(data: bytes, public_key_for, trusted_pem: list[bytes]) -> FileCheck:
    """Checks a signed PDF (its signature and the credential inside) or a credential file (its proof)."""
    check = FileCheck("pdf" if data.lstrip()[:5] == b"%PDF-" else "credential", hashlib.sha256(data).hexdigest())
    if check.kind == "pdf":
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            check.pdf_signature = check_pdf_signature(reader, trusted_pem)
            embedded = _embedded_credential(reader)
        except Exception as error:  # a damaged PDF: say so, never a stack trace
            raise NotACertificateFile(f"The PDF cannot be read ({type(error).__name__}).") from None
        if embedded is None:
            check.problems.append(_l("the PDF carries no credential"))
            return check
        check.credential, check.credential_text = _read_credential(embedded)
    else:
        check.credential, check.credential_text = _read_credential(data)
    check.proof = dataintegrity.verify(check.credential, public_key_for)
    check.serial = serial_of(check.credential)
    return check


def status_from_list(credential: dict, status_list: dict, public_key_for) -> tuple[bool | None, str]:
    """(revoked?, why) from a BitstringStatusListCredential: None when the list does not answer for it."""
    entry = credential.get("credentialStatus") or {}
    if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusListCredential") != status_list.get("id"):
        return None, "the status list is not the one the credential names"
    if not dataintegrity.verify(status_list, public_key_for).is_valid:
        return None, "the status list's signature is not valid"
    bits = credentials.decode_bits(status_list["credentialSubject"]["encodedList"])
    return credentials.bit_is_set(bits, int(entry["statusListIndex"])), ""
