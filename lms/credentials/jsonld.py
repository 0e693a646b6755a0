"""JSON-LD processing with only the contexts shipped under contexts/: nothing is ever fetched.

A credential naming any other context is refused (ContextRefused), so what a verifier computes never
depends on the network or on whoever answers at a context's URL.
"""
import json
from functools import lru_cache
from pathlib import Path

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"  # used by the W3C test vectors
SHIPPED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-3.0.3.jsonld",
    EXAMPLES_V2: "examples-v2.jsonld",
}


class ContextRefused(ValueError):
    """A document names a JSON-LD context that is not shipped with the app."""


@lru_cache(maxsize=None)
def _context(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / SHIPPED[url]).read_text(encoding="utf-8"))


def load_document(url: str, options=None) -> dict:
    """pyld's document loader: a shipped context, or a refusal."""
    if url not in SHIPPED:
        raise ContextRefused(f"refused to load the JSON-LD context {url[:120]!r}: only shipped contexts are used")
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonical_nquads(document: dict) -> str:
    """The RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of a JSON-LD document, as N-Quads."""
    try:
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": load_document, "safe": True})
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:  # pyld wraps the loader's refusal in its own errors
            if isinstance(cause, ContextRefused):
                raise cause from None
            cause = cause.__cause__ or cause.__context__
        raise
