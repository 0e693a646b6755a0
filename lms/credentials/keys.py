"""The programme's signing keys: Ed25519 for credentials, RSA with an X.509 certificate for PDF signatures.

They live in KEYS_DIR (under LMS_DATA_DIR, outside the web root and the repository), owner-only (0700
folder, 0600 files). keyring.json lists every credential public key ever used, so after a rotation the
DID document still offers the old keys and older credentials still verify; only the current private key
is kept. Without keys nothing is issued (KeysMissing).
"""
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from flask import current_app

from lms.core import clock
from lms.credentials import multibase

KEYRING = "keyring.json"
PDF_KEY = "pdf-signing-key.pem"
PDF_CERTIFICATE = "pdf-signing-certificate.pem"
PDF_CHAIN = "pdf-signing-chain.pem"
SIGNER_NAME = "ASEAN-China Telecom Training Programme"


class KeysMissing(RuntimeError):
    """The signing keys are not set up: run `flask keys init`."""


@dataclass(frozen=True)
class CredentialKey:
    public_key_multibase: str
    created: str
    retired: str | None = None


def keys_dir() -> Path:
    return Path(current_app.config["KEYS_DIR"])


def _write_private(path: Path, data: bytes) -> None:
    """Creates the file owner-only from the start: never readable by others, even for a moment."""
    temporary = path.with_suffix(path.suffix + ".part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _ensure_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def did() -> str:
    """did:web on PUBLIC_BASE_URL's host (with its port, encoded as did:web requires)."""
    netloc = urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc
    return "did:web:" + quote(netloc, safe="")


def method_id(public_key_multibase: str) -> str:
    return f"{did()}#{public_key_multibase}"


def _private_key_file(public_key_multibase: str) -> Path:
    return keys_dir() / f"credential-{public_key_multibase}.pem"


def read_keyring(folder: Path | None = None) -> dict:
    path = (folder or keys_dir()) / KEYRING
    if not path.is_file():
        raise KeysMissing("no credential keys: run `flask keys init`")
    return json.loads(path.read_text())


def credential_keys() -> list[CredentialKey]:
    """Every credential key, current first."""
    ring = read_keyring()
    keys = [CredentialKey(k["publicKeyMultibase"], k["created"], k.get("retired")) for k in ring["keys"]]
    return sorted(keys, key=lambda k: k.public_key_multibase != ring["current"])


def _new_credential_key(ring: dict) -> str:
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public = multibase.public_key_multibase(raw)
    _write_private(_private_key_file(public), private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    ring["keys"].append({"publicKeyMultibase": public, "created": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")})
    ring["current"] = public
    return public


def _save_keyring(ring: dict) -> None:
    _write_private(keys_dir() / KEYRING, json.dumps(ring, indent=2).encode())


def _self_signed_pdf_certificate(name: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)])
    now = clock.now()
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            certificate.public_bytes(serialization.Encoding.PEM))


def init_keys(pdf_key: Path | None = None, pdf_certificate: Path | None = None, pdf_chain: Path | None = None,
              name: str = SIGNER_NAME) -> list[str]:
    """Creates whatever key is missing (never replaces one); returns what it did, for people."""
    folder = keys_dir()
    _ensure_dir(folder)
    done = []
    if not (folder / KEYRING).is_file():
        ring = {"current": None, "keys": []}
        public = _new_credential_key(ring)
        _save_keyring(ring)
        done.append(f"created the credential key {public}")
    if pdf_key and pdf_certificate:  # a certificate from a ministry's CA, with its key
        _write_private(folder / PDF_KEY, Path(pdf_key).read_bytes())
        _write_private(folder / PDF_CERTIFICATE, Path(pdf_certificate).read_bytes())
        if pdf_chain:
            _write_private(folder / PDF_CHAIN, Path(pdf_chain).read_bytes())
        done.append(f"installed the PDF signing certificate {pdf_certificate}")
    elif not (folder / PDF_KEY).is_file():
        key_pem, certificate_pem = _self_signed_pdf_certificate(name)
        _write_private(folder / PDF_KEY, key_pem)
        _write_private(folder / PDF_CERTIFICATE, certificate_pem)
        done.append(f"created a self-signed PDF signing certificate for {name!r}")
    return done


def rotate_credential_key() -> str:
    """A new current credential key; the old public key stays in the keyring (and DID document), its private key goes."""
    ring = read_keyring()
    old = ring["current"]
    public = _new_credential_key(ring)
    for entry in ring["keys"]:
        if entry["publicKeyMultibase"] == old:
            entry["retired"] = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    _save_keyring(ring)
    _private_key_file(old).unlink(missing_ok=True)
    return public


_cache: dict = {}


def _cached(path: Path, load):
    """A key file parsed once per process, again if the file changed (a rotation)."""
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise KeysMissing(f"missing {path.name}: run `flask keys init`") from None
    hit = _cache.get(path)
    if hit is None or hit[0] != stamp:
        hit = _cache[path] = (stamp, load(path))
    return hit[1]


def current_signing_key() -> tuple[str, ed25519.Ed25519PrivateKey]:
    """(verification method id, private key) of the current credential key."""
    ring = _cached(keys_dir() / KEYRING, lambda path: json.loads(path.read_text()))
    public = ring["current"]
    key = _cached(_private_key_file(public),
                  lambda path: serialization.load_pem_private_key(path.read_bytes(), password=None))
    return method_id(public), key


def public_key_for(verification_method: str) -> bytes | None:
    """The raw Ed25519 key of one of our verification methods (current or retired), or None."""
    prefix = did() + "#"
    if not verification_method.startswith(prefix):
        return None
    wanted = verification_method[len(prefix):]
    for key in credential_keys():
        if key.public_key_multibase == wanted:
            return multibase.public_key_from_multibase(wanted)
    return None


def pdf_signer_files() -> tuple[Path, Path, Path | None]:
    folder = keys_dir()
    key, certificate, chain = folder / PDF_KEY, folder / PDF_CERTIFICATE, folder / PDF_CHAIN
    if not key.is_file() or not certificate.is_file():
        raise KeysMissing("no PDF signing key: run `flask keys init`")
    return key, certificate, chain if chain.is_file() else None


def require_keys() -> None:
    """Raises KeysMissing unless both the credential key and the PDF signing key are there."""
    current_signing_key()
    pdf_signer_files()


def did_document() -> dict:
    """The DID document served at /.well-known/did.json: every credential key, current and retired, as Multikey."""
    subject = did()
    methods = [{"id": method_id(key.public_key_multibase), "type": "Multikey", "controller": subject,
                "publicKeyMultibase": key.public_key_multibase} for key in credential_keys()]
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": subject, "verificationMethod": methods,
            "assertionMethod": [method["id"] for method in methods]}
