"""eddsa-rdfc-2022 against the W3C vc-di-eddsa test vector and 1EdTech's Open Badges 3.0 example."""
import copy
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials import dataintegrity, multibase
from lms.credentials.jsonld import ContextRefused, canonical_nquads

# W3C vc-di-eddsa, TestVectors/keyPair.json and TestVectors/eddsa-rdfc-2022/*.
W3C_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_UNSECURED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_METHOD = "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_CREATED = "2023-02-24T23:36:38Z"
W3C_PROOF_VALUE = "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
W3C_PROOF_CANON = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .\n'
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> "
    "<https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .\n"
)

# 1EdTech Open Badges 3.0, examples/basicOpenBadgeCredential ("Sample OpenBadgeCredential").
OB_BASIC = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.com/issuers/876543", "type": ["Profile"], "name": "Example Corp"},
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {"narrative": "Team members are nominated for this badge by their peers and recognized upon "
                                      "review by Example Corp management."},
            "description": "This badge recognizes the development of the capacity to collaborate within a group "
                           "environment.",
            "name": "Teamwork",
        },
    },
}


def w3c_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(multibase.private_key_from_multibase(W3C_PRIVATE_KEY))


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_the_w3c_key_pair_round_trips_through_multikey():
    assert multibase.public_key_multibase(raw_public(w3c_key())) == W3C_PUBLIC_KEY


def test_canonical_proof_options_match_the_w3c_vector():
    options = {**dataintegrity.proof_options(W3C_METHOD, W3C_CREATED), "@context": W3C_UNSECURED["@context"]}
    assert canonical_nquads(options) == W3C_PROOF_CANON


def test_re_signing_the_w3c_vector_reproduces_its_proof_value():
    signed = dataintegrity.sign(W3C_UNSECURED, w3c_key(), dataintegrity.proof_options(W3C_METHOD, W3C_CREATED))
    assert signed["proof"]["proofValue"] == W3C_PROOF_VALUE
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_the_w3c_signed_document_verifies_with_the_public_key_only():
    signed = {**W3C_UNSECURED, "proof": {**dataintegrity.proof_options(W3C_METHOD, W3C_CREATED),
                                         "proofValue": W3C_PROOF_VALUE}}
    public = multibase.public_key_from_multibase(W3C_PUBLIC_KEY)
    assert dataintegrity.verify(signed, lambda method: public if method == W3C_METHOD else None).is_valid
    assert not dataintegrity.verify(signed, lambda method: None).is_valid  # an unknown key proves nothing


@pytest.mark.parametrize("change", [
    lambda d: d["credentialSubject"].update(alumniOf="The School of Exampler"),
    lambda d: d.update(validFrom="2023-01-01T00:00:01Z"),
    lambda d: d.update(issuer="https://vc.example/issuers/5679"),
    lambda d: d["proof"].update(created="2023-02-24T23:36:39Z"),
    lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-1] + "8"),
    lambda d: d["type"].append("UniversityDegreeCredential"),
])
def test_any_change_to_the_w3c_signed_document_fails(change):
    signed = {**copy.deepcopy(W3C_UNSECURED), "proof": {**dataintegrity.proof_options(W3C_METHOD, W3C_CREATED),
                                                        "proofValue": W3C_PROOF_VALUE}}
    change(signed)
    public = multibase.public_key_from_multibase(W3C_PUBLIC_KEY)
    assert not dataintegrity.verify(signed, lambda method: public).is_valid


def test_the_1edtech_example_expands_with_the_shipped_contexts_and_round_trips():
    quads = canonical_nquads(OB_BASIC)
    assert ("<https://example.com/achievements/21st-century-skills/teamwork> "
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .") in quads
    assert "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential>" in quads
    key = Ed25519PrivateKey.generate()
    signed = dataintegrity.sign(OB_BASIC, key, dataintegrity.proof_options(
        "https://example.com/issuers/876543#key-1", "2010-01-01T19:23:24Z"))
    assert dataintegrity.verify(signed, lambda method: raw_public(key)).is_valid
    tampered = json.loads(json.dumps(signed).replace("Teamwork Badge", "Teamwork Badgf"))
    assert not dataintegrity.verify(tampered, lambda method: raw_public(key)).is_valid


def test_a_context_not_shipped_is_refused_never_fetched():
    document = {**W3C_UNSECURED, "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"]}
    with pytest.raises(ContextRefused):
        canonical_nquads(document)
    key = w3c_key()
    signed = {**document, "proof": {**dataintegrity.proof_options(W3C_METHOD, W3C_CREATED),
                                    "proofValue": W3C_PROOF_VALUE}}
    check = dataintegrity.verify(signed, lambda method: raw_public(key))
    assert not check.is_valid and "ContextRefused" in check.reason
