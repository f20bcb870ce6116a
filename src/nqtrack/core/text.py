"""Text folding for matching what people type against what is stored.

People type Vietnamese without accents on English keyboards, and old files mix
precomposed and combining accents and the old and new tone placement (hoà/hòa).
`fold` maps all of these to one key: lower case, no accents, đ → d, single spaces.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ carry no combining mark, so NFD leaves them alone; Ð (U+00D0, Icelandic eth)
# is what many old files use in place of Đ.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(text: str) -> str:
    """Canonical composed form, trimmed, with inner runs of white space made single."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """The accent-, case- and spacing-insensitive key of a text ("Đảng ủy" → "dang uy")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTER_MAP))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.casefold()).strip()
