"""证书编号 of the 电子职称证书: made by applications, read back by anyone who verifies one (the
gateway's verification page and the QR code it draws).

Format: ``FJZC`` (福建职称) + the year obtained (4 digits) + 10 symbols of Crockford's base32
drawn with ``secrets`` (50 random bits) + 1 check symbol (Luhn mod 32 over year and random part),
19 characters in all, e.g. ``FJZC20267KQ2M9XRTAC``. Random, so one number tells nothing of
another and a guess hits a certificate about once in 10^10 tries per 100,000 issued a year; the
check symbol catches a mistyped symbol before any database is asked. Uniqueness is the issuer's
database constraint (a collision draws again)."""
from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
PREFIX = "FJZC"
RANDOM_SYMBOLS = 10
LENGTH = len(PREFIX) + 4 + RANDOM_SYMBOLS + 1
_FORMAT = re.compile(rf"{PREFIX}(\d{{4}}[{ALPHABET}]{{{RANDOM_SYMBOLS}}})([{ALPHABET}])")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})  # Crockford's reading rules


def check_symbol(body: str) -> str:
    """Luhn mod 32: catches every single wrong symbol and most swaps of neighbours."""
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * ALPHABET.index(symbol)
        total += addend // 32 + addend % 32
        factor = 3 - factor
    return ALPHABET[-total % 32]


def new_number(year: int) -> str:
    body = f"{year:04d}" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return PREFIX + body + check_symbol(body)


def normalise(raw: str) -> str | None:
    """A number as a person may type it (lower case, spaces, hyphens, O for 0): its one written
    form, or None when it cannot be a 证书编号 (malformed, or a check symbol that does not match)."""
    number = raw.strip().upper().translate(_READ_AS)
    found = _FORMAT.fullmatch(number)
    return number if found and check_symbol(found[1]) == found[2] else None
