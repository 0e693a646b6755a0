"""JSON-LD processing with only the contexts shipped under contexts/: nothing is ever fetched.

A credential naming any other context is refused (ContextRefused), so what a verifier computes never
depends on the network or on whoever answers at a context's URL.
"""
import json
import threading
from functools import lru_cache
from pathlib import Path

from cachetools import LRUCache
from frozendict import frozendict
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
    # "static": pyld keeps the resolved context across documents instead of resolving it again for each.
    return {"contextUrl": None, "documentUrl": url, "document": _context(url), "tag": "static"}


@lru_cache(maxsize=None)
def _shipped_objects() -> frozenset[int]:
    """The ids of every object and array in the shipped contexts, which live as long as the process."""
    found = set()

    def walk(value):
        if isinstance(value, (dict, list)):
            found.add(id(value))
            for item in value.values() if isinstance(value, dict) else value:
                walk(item)

    for url in SHIPPED:
        walk(_context(url))
    return frozenset(found)


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, remembering the scoped contexts it has applied.

    pyld keeps a processed context by the active context it was applied to, but it applies a type-scoped
    context (OB 3.0 has one per type) to a fresh copy of the active context, so it processes it again, term
    by term, for every node of every document. Here the result is kept by the active context (frozen, with
    its own identifier) and the scoped context, when that is one of the shipped contexts' own objects:
    nothing a document brings is kept.
    """

    _processed = LRUCache(maxsize=256)
    _lock = threading.Lock()  # cachetools' caches are not thread-safe; pages render in threads

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False, propagate=True,
                         validate_scoped=True, cycles=None):
        key = None
        if (cycles is None and isinstance(active_ctx, frozendict) and "_uuid" in active_ctx
                and id(local_ctx) in _shipped_objects()):
            key = (active_ctx["_uuid"], id(local_ctx), override_protected, propagate, validate_scoped,
                   options.get("base"), options.get("processingMode"))
            with self._lock:
                hit = self._processed.get(key)
            if hit is not None:
                return hit
        result = super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                          validate_scoped, cycles)
        if key is not None and isinstance(result, frozendict):
            with self._lock:
                self._processed[key] = result
        return result


def canonical_nquads(document: dict) -> str:
    """The RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of a JSON-LD document, as N-Quads."""
    try:
        return _Processor().normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": load_document, "safe": True})
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:  # pyld wraps the loader's refusal in its own errors
            if isinstance(cause, ContextRefused):
                raise cause from None
            cause = cause.__cause__ or cause.__context__
        raise
