"""Text folding for matching what people type against what is stored.

People type Vietnamese without accents on English keyboards, and old files mix
precomposed and combining accents and the old and new tone placement (hoà/hòa).
`fold` maps all of these to one key: lower case, no accents, đ → d, single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any, cast


class _LazyPattern:
    """A regular expression compiled where it is first used (lazy_pattern)."""

    _METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "pattern", "flags",
                "groups", "groupindex")

    def __init__(self, source: str, flags: int) -> None:
        self._source, self._flags = source, flags

    def __getattr__(self, name: str) -> Any:
        # called only for what the instance lacks: compiled once, the pattern's own methods
        # are then found on the instance, as fast as on the pattern
        if name.startswith("_"):  # a probe for a protocol (copy, pickle…), or _source before __init__
            raise AttributeError(name)
        compiled = re.compile(self._source, self._flags)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def lazy_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile(source, flags), compiled at its first use rather than at import: the
    modules every command imports hold dozens of patterns (the deadline texts, the
    recurrences), which only some commands use, and compiling them cost ~7 ms of each
    start (issue 20). It has the methods and attributes of a compiled pattern; pass
    `.pattern`, not it, where the re module's functions take a pattern."""
    return cast("re.Pattern[str]", _LazyPattern(source, flags))


# đ/Đ carry no combining mark, so NFD leaves them alone; Ð (U+00D0, Icelandic eth)
# is what many old files use in place of Đ.
_LETTERS = {"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"}  # fold() counts on each being d


def _strip_table() -> dict[int, str]:
    """Every precomposed Latin letter → its base letter, built once (a translate
    table is an order of magnitude faster than decomposing text by text)."""
    table = {ord(k): v for k, v in _LETTERS.items()}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(start, end):
            char = chr(code)
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            if base != char and code not in table:
                table[code] = base
    return table


_strip = cache(_strip_table)  # built at the first text outside fold's fast path (~1 ms of every start)


def nfc(text: str) -> str:
    """Canonical composed form, trimmed, with inner runs of white space made single."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# The marks NFD splits a Latin letter into (every combining mark of their block)
_MARKS = "".join(chr(code) for code in range(0x0300, 0x0370) if unicodedata.combining(chr(code)))
_ASCII_AND_MARKS = lazy_pattern(f"[\\x00-\\x7f{_MARKS}]*")


def fold(text: str | None) -> str:
    """The accent-, case- and spacing-insensitive key of a text ("Đảng ủy" → "dang uy").
    What _fold_by_table gives, twice as fast on a Vietnamese title (check folds every title,
    the import every title and code): a text whose NFD is ASCII letters and marks (with
    đ/Đ as d) loses its marks as bytes, and a text already spaced as the key is not split."""
    if not text:
        return ""
    if not text.isascii():
        bare = text
        for letter in _LETTERS:  # all four are d
            bare = bare.replace(letter, "d")
        decomposed = unicodedata.normalize("NFD", bare)
        if _ASCII_AND_MARKS.fullmatch(decomposed) is None:  # letters outside Latin, other marks
            return _fold_by_table(text)
        text = decomposed.encode("ascii", "ignore").decode("ascii")
    text = text.lower()  # ASCII: what casefold() gives
    # printable: no white space but the space
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _fold_by_table(text: str) -> str:
    """fold() of any text: each precomposed Latin letter by the table, then whatever is left
    decomposed and stripped of its combining marks."""
    bare = unicodedata.normalize("NFC", text).translate(_strip())
    if not bare.isascii():
        # combining marks NFC could not compose, or letters outside the table
        bare = "".join(c for c in unicodedata.normalize("NFD", bare) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


# Characters a terminal obeys rather than shows (C0 but tab and line break, DEL, C1), and
# lone surrogates (bytes that were not UTF-8, as Python passes them on from the command line).
_UNSHOWABLE = lazy_pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_control_characters(text: str) -> bool:
    """Does `text` hold a control character, a line break or a tab (what one line of a
    setting must not)?"""
    return bool(_UNSHOWABLE.search(text)) or any(c in text for c in "\n\t\u2028\u2029")


def inert(text: str, *, one_line: bool = False) -> str:
    """`text` with each control character (but tab and line break) written out as `\\x1b`:
    printed on a terminal, in a file or a letter, it is shown, never obeyed (ESC [2J does
    not clear the screen, ESC ]0; does not retitle the window), and it is valid XML.
    `one_line` writes line breaks out too (`\\n`), for a message that is one line."""
    if _UNSHOWABLE.search(text):
        text = _UNSHOWABLE.sub(_shown, text)
    return text.replace("\n", "\\n") if one_line else text
