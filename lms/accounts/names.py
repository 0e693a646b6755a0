"""What a person's names may hold: the name in Latin script (as in the passport) and the name in their own script.

Both are printed on certificates. The Latin name takes Latin letters with any accents ("Nguyễn Thị Hương"),
spaces, hyphens, apostrophes and full stops; the name in the person's own script takes any script. Neither
takes emoji or other symbols; control and invisible characters are lms.core.forms.no_hidden_characters's.
"""
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

LATIN_NAME_HINT = _l("As in your passport, in Latin letters: it is printed on your certificate.")
NATIVE_NAME_HINT = _l("In your own script, for example ภาษาไทย, ខ្មែរ, ລາວ, မြန်မာ or 中文: it is printed under "
                      "the Latin name.")
LATIN_NAME_HINT_STAFF = _l("As in the person's passport, in Latin letters: it is printed on their certificates.")
NATIVE_NAME_HINT_STAFF = _l("In the person's own script, for example ภาษาไทย, ខ្មែរ, ລາວ, မြန်မာ or 中文: it is "
                            "printed under the Latin name.")

NAME_PUNCTUATION = frozenset(" -\u2010'\u2019\u02bc.")  # hyphens, apostrophes (typed, typographic, modifier)
# Parts of emoji that are not symbols themselves: the emoji presentation selector, the keycap, skin tones.
EMOJI_PARTS = frozenset({"\ufe0f", "\u20e3", *map(chr, range(0x1F3FB, 0x1F400))})


def is_symbol(ch: str) -> bool:
    """Emoji and other pictures, which no name holds; also private-use and unassigned code points."""
    return ch in EMOJI_PARTS or unicodedata.category(ch) in ("So", "Cs", "Co", "Cn")


def is_latin(ch: str) -> bool:
    """A Latin letter (with or without its accents), an accent written after one, or a name's punctuation."""
    if ch in NAME_PUNCTUATION:
        return True
    if "\u0300" <= ch <= "\u036f":  # the combining accents of Latin letters, left when text is not composed
        return True
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN ")


def name_problem(text: str | None, *, latin: bool) -> str | None:
    """Why `text` cannot be this kind of name, or None if it can."""
    text = unicodedata.normalize("NFC", text or "")
    symbol = next((ch for ch in text if is_symbol(ch)), None)
    if symbol is not None:
        return _l("A name cannot hold emoji or symbols (here “%(character)s”).", character=symbol)
    if latin:
        other = next((ch for ch in text if not is_latin(ch)), None)
        if other is not None:
            return _l("Please write this name in Latin letters (“%(character)s” is not one); accents are fine. "
                      "A name in another script goes in its own field.", character=other)
    return None


def latin_name(form, field) -> None:
    """WTForms validator of a name in Latin script."""
    problem = name_problem(field.data, latin=True)
    if problem:
        raise ValidationError(problem)


def native_name(form, field) -> None:
    """WTForms validator of a name in the person's own script."""
    problem = name_problem(field.data, latin=False)
    if problem:
        raise ValidationError(problem)
