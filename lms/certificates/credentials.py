"""A certificate's Open Badges 3.0 credential, its revocation status list, and checking either offline.

The credential is built and signed once, at issue, from the certificate's enrolment, and kept as
issued (its exact bytes): the PDF carries the same bytes, the API and the trainee's download serve
them, and their SHA-256 tells a verifier that a file is the one issued. Revoking or replacing a
certificate sets its bit in the BitstringStatusList the app serves (index: the certificate's id - 1).
"""
import base64
import gzip
import hashlib
import json
import secrets
import unicodedata

from flask import current_app

from lms.certificates.models import Certificate
from lms.credentials import dataintegrity, keys
from lms.credentials.jsonld import CREDENTIALS_V2, OPEN_BADGES_V3

STATUS_LIST_BITS = 131_072  # 16 KB, the minimum the specification asks for, so no index stands out
STATUS_LIST_NAME = "1"
MEDIA_TYPE = "application/ld+json"


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _public_url(endpoint: str, **values) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return _base() + path


def _moment(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_hash(identity: str, salt: str) -> str:
    """OB 3.0's hashed identity: "sha256$" and the hex SHA-256 of the identity followed by the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def status_index(certificate: Certificate) -> int:
    return certificate.id - 1


def status_list_url() -> str:
    return _public_url("certificates.show_status_list", name=STATUS_LIST_NAME)


def credential_url(serial: str) -> str:
    return _public_url("api.show_certificate_credential", serial=serial)


def issuer_profile(programme_title: str, programme_title_zh: str) -> dict:
    return {"id": keys.did(), "type": ["Profile"], "name": programme_title,
            "description": programme_title_zh, "url": _base() + "/"}


def _achievement(certificate: Certificate) -> dict:
    course = certificate.enrolment.intake.course
    programme = certificate.enrolment.intake.programme
    achievement_id = _public_url("catalogue.show_course", slug=course.slug)
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.course_title,
        "inLanguage": "en",
        "description": course.summary.strip() or certificate.course_title,
        "criteria": {"narrative": (
            f"Complete every required lesson of the course and reach its pass mark of {course.pass_mark}% in the "
            "weighted grade of its assessments" + (", with the attendance required for face-to-face sessions"
                                                    if certificate.delivery_mode != "online" else "") + ".")},
        "creditsAvailable": float(certificate.course_hours),
        "fieldOfStudy": str(course.subject.value),
        "tag": [course.subject.value, course.area.value],
        "related": [{"id": achievement_id + "?lang=zh", "type": ["Related"], "inLanguage": "zh",
                     "version": str(course.version)}],
        "version": str(course.version),
    }
    if programme.aqrf_level:
        achievement["alignment"] = [{
            "type": ["Alignment"], "targetType": "CFItem", "targetFramework": "ASEAN Qualifications Reference Framework",
            "targetCode": str(programme.aqrf_level), "targetName": f"AQRF level {programme.aqrf_level}",
            "targetUrl": current_app.config["AQRF_URL"]}]
    return achievement


def build_credential(certificate: Certificate) -> dict:
    """The unsigned credential of a flushed certificate (it needs the id for its status entry)."""
    from lms.certificates.documents import verification_url

    salt = secrets.token_hex(16)
    user = certificate.user
    list_url = status_list_url()
    index = status_index(certificate)
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": credential_url(certificate.serial),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title} · {certificate.course_title_zh}",
        "issuer": issuer_profile(certificate.programme_title, certificate.programme_title_zh),
        "validFrom": _moment(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": salt,
                 "identityHash": identity_hash(normalise_email(user.email), salt)},
                {"type": "IdentityObject", "identityType": "name", "hashed": True, "salt": salt,
                 "identityHash": identity_hash(normalise_name(certificate.name_latin), salt)},
            ],
            "creditsEarned": float(certificate.course_hours),
            "achievement": _achievement(certificate),
        },
        "evidence": [{"id": verification_url(certificate.serial), "type": ["Evidence"],
                      "name": "Public verification page of certificate " + certificate.serial,
                      "narrative": "The programme's page that tells whether this certificate is valid."}],
        "credentialStatus": {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(index),
                             "statusListCredential": list_url},
    }


def serialise(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def sign(document: dict, created) -> dict:
    method, private_key = keys.current_signing_key()
    return dataintegrity.sign(document, private_key, dataintegrity.proof_options(method, _moment(created)))


def issue_credential(certificate: Certificate) -> str:
    """Builds, signs and keeps the certificate's credential (once); returns its JSON as issued."""
    if certificate.credential_json:
        return certificate.credential_json
    text = serialise(sign(build_credential(certificate), certificate.issued_at))
    certificate.credential_json = text
    certificate.credential_sha256 = hashlib.sha256(text.encode()).hexdigest()
    return text


def encode_bits(set_indexes) -> str:
    """A BitstringStatusList's encodedList: multibase base64url (no padding) of the GZIP of the bits,
    index 0 being the most significant bit of the first byte."""
    indexes = list(set_indexes)
    size = max(STATUS_LIST_BITS, -(-(max(indexes, default=0) + 1) // STATUS_LIST_BITS) * STATUS_LIST_BITS)
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return index // 8 < len(bits) and bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(set_indexes, now) -> dict:
    """The signed BitstringStatusListCredential: bits set for revoked and replaced certificates."""
    list_url = status_list_url()
    document = {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.did(),
        "validFrom": _moment(now),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode_bits(set_indexes)},
    }
    return sign(document, now)
