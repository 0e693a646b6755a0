"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa): Ed25519 over RDFC-1.0.

The proof signs SHA-256(canonical proof options) || SHA-256(canonical document), so a verifier
anywhere, with any conformant library and only the public key, reaches the same answer.
"""
import copy
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials import multibase
from lms.credentials.jsonld import canonical_nquads

CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True)
class ProofCheck:
    """The answer of a proof check: is_valid, and why not."""

    is_valid: bool
    reason: str = ""
    verification_method: str | None = None


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = copy.deepcopy(unsecured["@context"])
    return (hashlib.sha256(canonical_nquads(options).encode()).digest()
            + hashlib.sha256(canonical_nquads(unsecured).encode()).digest())


def proof_options(verification_method: str, created: str) -> dict:
    return {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created,
            "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}


def sign(document: dict, private_key: Ed25519PrivateKey, options: dict) -> dict:
    """The document with a proof added; `options` as from proof_options()."""
    signature = private_key.sign(_hash_data(document, options))
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return {**unsecured, "proof": {**options, "proofValue": multibase.encode(signature)}}


def verify(document: dict, public_key_for) -> ProofCheck:
    """Checks the document's proof; `public_key_for(verification_method)` gives the raw 32-byte key or None."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if not isinstance(proof, dict):
        return ProofCheck(False, "no single proof")
    method = proof.get("verificationMethod")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, "not an eddsa-rdfc-2022 Data Integrity proof", method)
    if proof.get("proofPurpose") != "assertionMethod":
        return ProofCheck(False, "the proof is not for assertion", method)
    if "@context" not in document:
        return ProofCheck(False, "no @context")
    raw_key = public_key_for(method) if isinstance(method, str) else None
    if raw_key is None:
        return ProofCheck(False, "the signing key is not one of the issuer's", method)
    try:
        signature = multibase.decode(proof.get("proofValue"))
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, _hash_data(document, proof))
    except InvalidSignature:
        return ProofCheck(False, "the signature does not match the content", method)
    except Exception as error:  # a malformed document: the proof cannot hold
        return ProofCheck(False, f"the document cannot be checked ({type(error).__name__}: {str(error)[:120]})",
                          method)
    return ProofCheck(True, "", method)
