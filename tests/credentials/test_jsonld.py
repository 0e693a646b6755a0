"""Canonicalisation keeps the shipped contexts processed between documents, and the answer stays pyld's own."""
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from lms.credentials.jsonld import CREDENTIALS_V2, OPEN_BADGES_V3, canonical_nquads, load_document
from tests.credentials.test_data_integrity import OB_BASIC, W3C_UNSECURED

# An Open Badges credential with every type the programme's credentials use, each with its scoped context.
OB_FULL = {
    "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
    "id": "https://lms.example/api/v1/certificates/ACT-1/credential",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Universal Service",
    "issuer": {"id": "did:web:lms.example", "type": ["Profile"], "name": "Programme", "url": "https://lms.example/"},
    "validFrom": "2027-04-02T09:30:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "ab",
                        "identityHash": "sha256$00"}],
        "creditsEarned": 40.0,
        "achievement": {
            "id": "https://lms.example/courses/universal-service", "type": ["Achievement"],
            "achievementType": "Certificate", "name": "Universal Service", "description": "Rural telecoms.",
            "criteria": {"narrative": "Pass."}, "tag": ["regulation"],
            "related": [{"id": "https://lms.example/courses/universal-service?lang=zh", "type": ["Related"],
                         "inLanguage": "zh", "version": "1"}],
            "alignment": [{"type": ["Alignment"], "targetType": "CFItem", "targetName": "AQRF level 5",
                           "targetUrl": "https://aqrf.example/"}],
        },
    },
    "evidence": [{"id": "https://lms.example/verify/ACT-1", "type": ["Evidence"], "name": "Verification page"}],
    "credentialStatus": {"id": "https://lms.example/status/1#0", "type": "BitstringStatusListEntry",
                         "statusPurpose": "revocation", "statusListIndex": "0",
                         "statusListCredential": "https://lms.example/status/1"},
}


def uncached_nquads(document: dict) -> str:
    """pyld's plain processor with a cache of its own, empty: every context processed from scratch."""
    return jsonld.JsonLdProcessor().normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": load_document, "safe": True,
        "contextResolver": ContextResolver({}, load_document)})


def test_canonical_quads_are_those_of_a_processor_that_caches_nothing():
    for document in (W3C_UNSECURED, OB_BASIC, OB_FULL, OB_BASIC, OB_FULL):
        assert canonical_nquads(document) == uncached_nquads(document)
    quads = canonical_nquads(OB_FULL)
    assert '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash> "sha256$00"' in quads
    assert "<https://schema.org/AlignmentObject>" in quads


def test_a_documents_own_scoped_context_counts_for_that_document_only():
    def document(vocabulary: str) -> dict:
        return {"@context": {"@vocab": "https://base.example/", "Thing": {
                    "@id": "https://base.example/Thing", "@context": {"label": vocabulary + "label"}}},
                "@id": "https://thing.example/1", "@type": "Thing", "label": "one"}

    for _ in range(3):
        for vocabulary in ("https://first.example/", "https://second.example/"):
            assert f"<{vocabulary}label>" in canonical_nquads(document(vocabulary))
