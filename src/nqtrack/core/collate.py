"""Vietnamese dictionary order for lists of units, documents and tasks.

Code-point order (what `sorted` does) puts "ăn" after "cắt" and "Đ" after "Z", so
lists look unsorted to Vietnamese readers. `sort_key` gives the order used by
Vietnamese dictionaries and TCVN 6909, in pure Python (no PyICU to install):

1. letters, case-insensitive, over the whole text, in the alphabet
   a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z);
   a run of white space is one separator that sorts before everything else,
   then digit runs (compared as numbers: 7 < 15), then letters; other letters
   (ü, ç, CJK, …) come after z by code point; punctuation is ignored here;
2. tones, syllable by syllable from the left, in the common dictionary order
   ngang < huyền (`) < hỏi (?) < ngã (~) < sắc (´) < nặng (.)
   (some dictionaries put sắc before hỏi; we do not);
3. case, letter by letter, lower before upper;
4. what the levels above ignore (punctuation, leading zeros, a doubled tone),
   only so that distinct texts rarely tie.

NFC and NFD input and the old and new tone placement (hoà/hòa, thuỷ/thủy) give
identical keys: the text is decomposed, and the tone marks are read apart from
the marks that make letters (breve, circumflex, horn) and counted per syllable.
Each level of the key is a `str`, so keys compare in C and always totally.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

__all__ = ["sort_key", "sorted_vi"]

T = TypeVar("T")

Key = tuple[str, str, str, str]

# Level 1 codes. Separator < digit run < letters < other letters: the letters
# use 0x21.., and every other letter, lower-cased, is at U+0061 or above.
_SEP = "\x01"
_NUMBER = "\x02"
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_CODE = {letter: chr(0x21 + i) for i, letter in enumerate(_ALPHABET)}
_VOWELS = frozenset("aăâeêioôơuưy")

# Tone marks after NFD, in dictionary order (ngang = 0).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a letter, not a tone: breve, circumflex, horn.
_MAKE_LETTER = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_QUALITY = frozenset(mark for _, mark in _MAKE_LETTER)

# Ð/ð (Icelandic eth) stand for Đ/đ in many old files (as in `core.text`).
_BASES = {"đ": "đ", "Đ": "đ", "Ð": "đ", "ð": "đ"}

_EMPTY: Key = ("", "", "", "")

# Character classes, cached per character.
_LETTER, _DIGIT, _MARK, _OTHER = range(4)


@lru_cache(maxsize=4096)
def _char_class(char: str) -> int:
    """Class of one character; cached because `unicodedata.category` is the slow part."""
    category = unicodedata.category(char)
    if category[0] == "M":
        return _MARK
    if char.isdecimal():
        return _DIGIT
    if category[0] in "LN":  # letters, and numbers like ² or Ⅻ, placed as letters
        return _LETTER
    return _OTHER


def _letter(base: str, marks: str) -> tuple[str, bool, int] | None:
    """(Vietnamese letter, is upper, tone) of a base with its marks, or None if foreign."""
    lower = base.lower()
    letter = _BASES.get(base, lower)
    if letter not in _LETTER_CODE:
        return None
    tone = 0
    for mark in marks:
        if mark in _QUALITY:
            letter = _MAKE_LETTER.get((letter, mark), "")
            if not letter:
                return None
        elif mark in _TONES and not tone:
            tone = _TONES[mark]
        else:  # a second tone, or a mark Vietnamese does not use (ü, ç, ñ…)
            return None
    if tone and letter not in _VOWELS:
        return None
    return letter, base != lower, tone


@lru_cache(maxsize=8192)
def _cluster(cluster: str) -> tuple[str, str, int]:
    """(level-1 code, case flag, tone) of a letter with its marks; cached because
    a title reuses a few hundred of them."""
    found = _letter(cluster[0], cluster[1:])
    if found is not None:
        letter, upper, tone = found
        return _LETTER_CODE[letter], "1" if upper else "0", tone
    composed = unicodedata.normalize("NFC", cluster)
    lower = composed.lower()
    # Other letters: after z, by code point (lower-cased so case stays level 3).
    return lower, "1" if lower != composed else "0", 0


def _number(digits: list[str]) -> tuple[str, str]:
    """Level-1 code of a digit run (by value: length, then digits) and its leading zeros."""
    values = [unicodedata.decimal(d) for d in digits]
    zeros = 0
    while zeros < len(values) and values[zeros] == 0:
        zeros += 1
    significant = values[zeros:]
    length = chr(min(len(significant), 0x10FFFF))
    return _NUMBER + length + "".join(chr(0x30 + v) for v in significant), "".join(digits[:zeros])


def _fast_tables() -> tuple[frozenset[str], dict[int, str], dict[int, str], dict[int, str]]:
    """Per-character tables for precomposed Vietnamese letters, built once, so the
    usual NFC word is keyed by `str.translate` in C instead of a Python loop."""
    letters: set[str] = set()
    primary: dict[int, str] = {}
    tones: dict[int, str] = {}
    cases: dict[int, str] = {}
    candidates = [chr(c) for c in range(0x41, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]
    for char in candidates:
        decomposed = unicodedata.normalize("NFD", char)
        if _char_class(char) != _LETTER or any(_char_class(m) != _MARK for m in decomposed[1:]):
            continue
        found = _letter(decomposed[0], decomposed[1:])
        if found is None:
            continue
        letter, upper, tone = found
        letters.add(char)
        primary[ord(char)] = _LETTER_CODE[letter]
        tones[ord(char)] = chr(0x30 + tone)
        cases[ord(char)] = "1" if upper else "0"
    return frozenset(letters), primary, tones, cases


_FAST_LETTERS, _FAST_PRIMARY, _FAST_TONES, _FAST_CASES = _fast_tables()
_ASCII_DIGITS = frozenset("0123456789")


@lru_cache(maxsize=65536)
def _token_key(token: str) -> Key:
    """The four levels of one space-free token; cached because titles repeat words."""
    if _FAST_LETTERS.issuperset(token):  # one precomposed syllable: all in C
        tones = token.translate(_FAST_TONES).replace("0", "")
        if len(tones) <= 1:
            return token.translate(_FAST_PRIMARY), tones or "0", token.translate(_FAST_CASES), ""
    elif _ASCII_DIGITS.issuperset(token):
        code, zeros = _number(list(token))
        return code, "", "", "\x01" + zeros if zeros else ""
    return _slow_token_key(token)


def _slow_token_key(token: str) -> Key:
    """`_token_key` for any text: decomposes it and reads it letter by letter."""
    text = unicodedata.normalize("NFD", token)
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    extra: list[str] = []
    syllable_tone = -1  # -1: not inside a syllable
    digits: list[str] = []

    def position() -> str:
        return chr(min(len(primary) + 1, 0x10FFFF))

    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _char_class(text[j]) == _MARK:
            j += 1
        kind = _char_class(text[i])
        if kind != _LETTER and syllable_tone >= 0:  # a syllable ends at any non-letter
            tones.append(chr(0x30 + syllable_tone))
            syllable_tone = -1
        if kind == _DIGIT:
            digits.append(text[i])
            if j > i + 1:  # marks on a digit: the digit counts, the marks only break ties
                extra.append(position() + text[i + 1 : j])
            i = j
            continue
        if digits:
            code, zeros = _number(digits)
            if zeros:
                extra.append(position() + zeros)
            primary.append(code)
            digits = []
        if kind == _LETTER:
            code, case, tone = _cluster(text[i:j])
            if syllable_tone < 0:
                syllable_tone = 0
            if tone:
                if syllable_tone == 0:
                    syllable_tone = tone
                else:  # "hóá": keep the second tone only as a tie-breaker
                    extra.append(position() + chr(0x30 + tone))
            primary.append(code)
            cases.append(case)
        else:  # punctuation, symbols, marks with no letter: ignored at level 1
            extra.append(position() + text[i:j])
        i = j
    if digits:
        code, zeros = _number(digits)
        if zeros:
            extra.append(position() + zeros)
        primary.append(code)
    if syllable_tone >= 0:
        tones.append(chr(0x30 + syllable_tone))
    return "".join(primary), "".join(tones), "".join(cases), "".join(extra)


def sort_key(text: str | None) -> Key:
    """Key for `sorted(..., key=sort_key)` in Vietnamese dictionary order (module doc).

    None and "" sort first. Leading, trailing and repeated white space do not count.
    """
    tokens = text.split() if text else None
    if not tokens:
        return _EMPTY
    primary, tones, cases, extra = zip(*map(_token_key, tokens), strict=True)
    return (
        _SEP.join([p for p in primary if p]),
        "".join(tones),
        "".join(cases),
        "\x00".join(extra),
    )


def sorted_vi(items: Iterable[T], key: Callable[[T], Any] | None = None) -> list[T]:
    """`items` in Vietnamese dictionary order, of `key(item)` if given (stable)."""
    if key is None:
        return sorted(items, key=sort_key)  # type: ignore[arg-type]
    return sorted(items, key=lambda item: sort_key(key(item)))
