"""Multibase base58btc ("z…") and Multikey encodings of Ed25519 keys, as Data Integrity documents write them."""
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
ED25519_PUBLIC = b"\xed\x01"  # multicodec ed25519-pub, as an unsigned varint
ED25519_PRIVATE = b"\x80\x26"  # multicodec ed25519-priv


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(ALPHABET[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for symbol in text:
        if symbol not in _VALUES:
            raise ValueError("not base58btc")
        number = number * 58 + _VALUES[symbol]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    """Multibase base58btc: "z" then base58."""
    return "z" + b58encode(data)


def decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not a multibase base58btc value")
    return b58decode(text[1:])


def public_key_multibase(raw: bytes) -> str:
    return encode(ED25519_PUBLIC + raw)


def public_key_from_multibase(text: str) -> bytes:
    data = decode(text)
    if not data.startswith(ED25519_PUBLIC) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]


def private_key_from_multibase(text: str) -> bytes:
    data = decode(text)
    if not data.startswith(ED25519_PRIVATE) or len(data) != 34:
        raise ValueError("not an Ed25519 private Multikey")
    return data[2:]
