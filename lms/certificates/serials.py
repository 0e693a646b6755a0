"""Certificate serials: 95 random bits in Crockford base32 with a check symbol, shown as XXXX-XXXX-XXXX-XXXX-XXXX.

The check symbol makes the serial a word of a linear code over GF(32) (the Damm scheme with x∘y = 2x + y):
every single mistyped symbol and every swap of two neighbouring symbols is caught.
"""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
VALUES.update({"O": 0, "I": 1, "L": 1})  # what people mean when they type these
RANDOM_SYMBOLS = 19  # 95 bits
LENGTH = RANDOM_SYMBOLS + 1
GROUP = 4
SEPARATORS = "- \t"


class SerialMalformed(ValueError):
    """Not a serial at all: wrong length or characters outside the alphabet."""


class SerialMistyped(ValueError):
    """Shaped like a serial, but the check symbol does not match: a character was mistyped."""


def _times_two(value: int) -> int:
    """Multiplication by x in GF(32), reduced by x⁵ + x² + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _fold(values) -> int:
    interim = 0
    for value in values:
        interim = _times_two(interim) ^ value
    return interim


def check_symbol(symbols: str) -> str:
    return ALPHABET[_times_two(_fold(VALUES[symbol] for symbol in symbols))]


def grouped(compact: str) -> str:
    return "-".join(compact[i:i + GROUP] for i in range(0, len(compact), GROUP))


def new_serial() -> str:
    """A fresh random serial in its grouped form, e.g. 7KQ3-M9XF-2BTR-ZW8N-H4PC."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return grouped(random_part + check_symbol(random_part))


def compact(serial: str) -> str:
    """The serial's 20 symbols without separators."""
    return serial.replace("-", "")


def normalise_serial(text: str) -> str:
    """The grouped, upper-case form of a serial as typed (any case, with or without dashes or spaces).

    Raises SerialMalformed if it cannot be a serial and SerialMistyped if its check symbol is wrong.
    """
    symbols = "".join(ch for ch in text.upper() if ch not in SEPARATORS)
    if len(symbols) != LENGTH or any(ch not in VALUES for ch in symbols):
        raise SerialMalformed(text)
    canonical = "".join(ALPHABET[VALUES[ch]] for ch in symbols)
    if _fold(VALUES[ch] for ch in canonical) != 0:
        raise SerialMistyped(text)
    return grouped(canonical)
