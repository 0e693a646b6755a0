"""Which characters text typed by people may hold: no control characters, no invisible format characters.

Bidi overrides (U+202E prints a name reversed on a certificate), zero-width spaces and the like are refused;
the zero-width non-joiner and joiner stay, since Persian, Indic and Southeast Asian scripts need them.
"""
import unicodedata

KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ


def is_hidden_character(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch not in KEPT_FORMAT_CHARACTERS
    return category in ("Cc", "Zl", "Zp")  # controls (tab, CR, LF included), line and paragraph separators


def first_hidden_character(text: str | None) -> str | None:
    """The first character of `text` no one would see or that changes how the rest is shown, if any."""
    return next((ch for ch in text or "" if is_hidden_character(ch)), None)


def masked_email(address: str) -> str:
    """Enough of an address for its owner to recognise it, not enough to read it off a shared screen:
    "sokha.chan@example.org" -> "so•••@example.org"."""
    name, _at, domain = address.partition("@")
    return f"{name[:2]}•••@{domain}"
