"""Convert Vietnamese typed in the legacy TCVN3 (ABC) and VNI encodings to Unicode.

Older office files were typed with .VnTime (TCVN3) or VNI-Times fonts: the bytes are
one-byte codes that only look Vietnamese in those fonts, so in Excel or in a file read
as cp1252 they show up as "Hµ Néi" (TCVN3) or "Haø Noäi" (VNI) for "Hà Nội".  No
maintained library converts them, hence the tables below.

Detection has to be careful, because real Unicode Vietnamese also uses Latin-1 letters
(à á â ã è é ê ì í ò ó ô õ ù ú ý), and so do names such as "José" or "Müller".  A text is
only called legacy when converting it turns words that are *not* Vietnamese syllables
into words that are (see `detect_legacy`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

__all__ = [
    "tcvn3_to_unicode",
    "vni_to_unicode",
    "detect_legacy",
    "to_unicode",
    "convert_as",
    "has_unicode_vietnamese",
    "is_vietnamese_syllable",
]

# --------------------------------------------------------------------------------------
# TCVN3 (ABC): one code per letter.  Lower case only, plus the seven dedicated capitals;
# other capitals were typed with the .VnTimeH fonts, which reuse the lower-case codes.
# The codes are checked against glibc's TCVN5712-1 table (its upper half equals ABC's
# lower-case letters).  Shown here as the characters cp1252/Latin-1 gives those bytes.
# --------------------------------------------------------------------------------------
_TCVN3_PAIRS = (
    # dedicated capitals
    "¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ "
    # base letters with a shape mark
    "¨ă ©â ªê «ô ¬ơ \u00adư ®đ "
    # a ă â
    "µà ¶ả ·ã ¸á ¹ạ »ằ ¼ẳ ½ẵ ¾ắ Æặ Çầ Èẩ Éẫ Êấ Ëậ "
    # e ê
    "Ìè Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ "
    # i
    "×ì Øỉ Üĩ Ýí Þị "
    # o ô ơ
    "ßò áỏ âõ ãó äọ åồ æổ çỗ èố éộ êờ ëở ìỡ íớ îợ "
    # u ư
    "ïù ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự "
    # y
    "úỳ ûỷ üỹ ýý þỵ"
)
TCVN3_TABLE: dict[str, str] = {pair[0]: pair[1] for pair in _TCVN3_PAIRS.split(" ")}

# --------------------------------------------------------------------------------------
# VNI: a base letter followed by one mark character (lower-case marks after lower-case
# letters, upper-case after capitals); i, ỵ, ơ, ư, đ have single codes.
# --------------------------------------------------------------------------------------
_TONE_MARKS = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRCUMFLEX_MARKS = {"â": "", "à": "\u0300", "á": "\u0301", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE_MARKS = {"ê": "", "è": "\u0300", "é": "\u0301", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE_LOWER = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "î": "ỵ",
    "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
}


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """Pairs (base + mark) and single codes of VNI, both cases."""

    def compose(base: str, marks: str) -> str:
        return unicodedata.normalize("NFC", base + marks)

    pairs: dict[str, str] = {}
    groups: list[tuple[str, str, dict[str, str], str]] = []
    for base in "aeouy":
        groups.append((base, base, _TONE_MARKS, ""))
    for vni_base, letter in (("ô", "ơ"), ("ö", "ư")):
        groups.append((vni_base, letter, _TONE_MARKS, ""))
    for base in "aeo":
        groups.append((base, base, _CIRCUMFLEX_MARKS, "\u0302"))
    groups.append(("a", "a", _BREVE_MARKS, "\u0306"))
    for vni_base, letter, marks, shape in groups:
        for mark, tone in marks.items():
            lower = compose(letter, shape + tone)
            upper = lower.upper()
            # the mark normally follows the case of its base; accept either, the base decides
            for m in (mark, mark.upper()):
                pairs[vni_base + m] = lower
                pairs[vni_base.upper() + m] = upper
    singles: dict[str, str] = {}
    for code, letter in _VNI_SINGLE_LOWER.items():
        singles[code] = letter
        singles[code.upper()] = letter.upper()
    return pairs, singles


VNI_PAIRS, VNI_SINGLES = _build_vni()

# Characters that can start a legacy reading at all: a text without any is left alone fast.
_TCVN3_CHARS = frozenset(TCVN3_TABLE)
_VNI_CHARS = frozenset(VNI_SINGLES) | frozenset(k[1] for k in VNI_PAIRS)
# Non-letters that TCVN3 uses as letters (µ is a letter to Python, ¸ § ¬ … are not).
_TCVN3_WORD_SYMBOLS = frozenset(ch for ch in _TCVN3_CHARS if not ch.isalpha())


def tcvn3_to_unicode(text: str) -> str:
    """Map TCVN3 (ABC, .VnTime) codes to Unicode letters.

    A text typed with the all-capitals .VnTimeH font has no lower-case ASCII letters; there
    the lower-case codes stand for capitals, so they are upper-cased ("TØNH" → "TỈNH").
    """
    caps = _looks_all_caps(text)
    out = []
    for ch in text:
        mapped = TCVN3_TABLE.get(ch)
        if mapped is None:
            out.append(ch)
        else:
            out.append(mapped.upper() if caps else mapped)
    return "".join(out)


def vni_to_unicode(text: str) -> str:
    """Map VNI (VNI-Times) base-plus-mark sequences to precomposed Unicode letters."""
    out = []
    i, n = 0, len(text)
    while i < n:
        pair = VNI_PAIRS.get(text[i : i + 2])
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        ch = text[i]
        out.append(VNI_SINGLES.get(ch, ch))
        i += 1
    return "".join(out)


def _looks_all_caps(text: str) -> bool:
    upper = lower = 0
    for ch in text:
        if "a" <= ch <= "z":
            lower += 1
        elif "A" <= ch <= "Z":
            upper += 1
    return lower == 0 and upper >= 2


# --------------------------------------------------------------------------------------
# Vietnamese syllable check, used to judge whether a conversion makes sense
# --------------------------------------------------------------------------------------
_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}
_ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_CODAS = ("ch", "ng", "nh", "c", "k", "m", "n", "p", "t", "")  # k: Đắk, Lắk
_OPEN_NUCLEI = frozenset(  # may stand with or without a final consonant
    "a e ê i o ô ơ u ư y oa oe uê uy uơ oo".split()
)
_CLOSED_NUCLEI = frozenset(  # need a final consonant
    "ă â iê yê uâ uô ươ oă uyê".split()
)
_FINAL_NUCLEI = frozenset(  # end in a glide or are open diphthongs: no final consonant
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu "
    "oai oao oay oeo uây uôi uya uyu ươi ươu iêu yêu".split()
)
_STOP_CODAS = frozenset({"c", "ch", "k", "p", "t"})


@lru_cache(maxsize=16384)  # words repeat a lot across the cells of a file
def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` is spelled like one Vietnamese syllable (structure and tone only)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [_TONES[c] for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    tone = tones[0] if tones else None
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if not base or not all(c.isalpha() for c in base):
        return False
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rest = base[len(onset) :]
        for coda in _CODAS:
            if coda and not rest.endswith(coda):
                continue
            nucleus = rest[: len(rest) - len(coda)]
            if not nucleus:
                continue
            if coda:
                if nucleus not in _OPEN_NUCLEI and nucleus not in _CLOSED_NUCLEI:
                    continue
                if coda in _STOP_CODAS and tone not in (None, "acute", "dot"):
                    continue
                if coda in ("ch", "nh") and nucleus[-1] not in "aêiy":
                    continue
            elif nucleus not in _OPEN_NUCLEI and nucleus not in _FINAL_NUCLEI:
                continue
            if onset in ("k", "gh", "ngh") and nucleus[0] not in "ieêy":
                continue
            if onset == "c" and nucleus[0] in "ieêy":
                continue
            if onset == "qu" and nucleus[0] == "u":
                continue
            return True
    return False


# --------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------
def _is_vietnamese_only(ch: str) -> bool:
    """Letters (or combining tone marks) that Unicode Vietnamese has and legacy text cannot."""
    cp = ord(ch)
    return (
        0x1EA0 <= cp <= 0x1EF9
        or ch in "ĂăĐđĨĩŨũƠơƯư"
        or 0x0300 <= cp <= 0x0323
    )


def has_unicode_vietnamese(text: str) -> bool:
    """Whether `text` holds a letter only Unicode Vietnamese has (so it is not legacy text)."""
    return any(_is_vietnamese_only(ch) for ch in text)


def _words(text: str) -> list[str]:
    """Runs of letters, counting the TCVN3 codes that Python does not call letters."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalpha() or ch in _TCVN3_WORD_SYMBOLS:
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


@dataclass
class _Score:
    changed: int = 0  # words (of 2+ characters) the conversion changes
    gained: int = 0  # ... that were not a syllable and become one
    lost: int = 0  # ... that were a syllable and stop being one
    valid_after: int = 0  # ... that are a syllable after conversion

    @property
    def net(self) -> int:
        return self.gained - self.lost


def _score(text: str, convert: Callable[[str], str]) -> _Score:
    score = _Score()
    for word in _words(text):
        if len(word) < 2:  # "½", "§", "ô" alone prove nothing either way
            continue
        if len(word) == 2 and word[0] == "µ" and word[1].isascii():
            continue  # a micro unit (µm, µg), not TCVN3 "à" + consonant
        converted = convert(word)
        if converted == word:
            continue
        before = is_vietnamese_syllable(word)
        after = is_vietnamese_syllable(converted)
        score.changed += 1
        score.valid_after += after
        score.gained += after and not before
        score.lost += before and not after
    return score


_CONVERTERS: dict[str, Callable[[str], str]] = {
    "tcvn3": tcvn3_to_unicode,
    "vni": vni_to_unicode,
}


def _candidates(text: str) -> dict[str, _Score]:
    """Scores of the legacy readings worth considering for `text` (none for plain text)."""
    if not text or text.isascii():
        return {}
    if has_unicode_vietnamese(text):
        return {}  # already Unicode Vietnamese (legacy text cannot contain these)
    chars = set(text)
    scores: dict[str, _Score] = {}
    if chars & _TCVN3_CHARS:
        scores["tcvn3"] = _score(text, tcvn3_to_unicode)
    if chars & _VNI_CHARS:
        scores["vni"] = _score(text, vni_to_unicode)
    return scores


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" when `text` reads as that legacy encoding, else None.

    Rule: only texts with no Vietnamese-only Unicode letter qualify.  For each encoding,
    look at the words (2+ characters) the conversion changes: it must turn more of them
    from non-syllables into Vietnamese syllables than the reverse (net gain ≥ 1), and at
    least half of them must be syllables afterwards.  Real Unicode Vietnamese words are
    already syllables, so they can only lose; the best net gain wins, TCVN3 on a tie.
    """
    best: str | None = None
    best_key = (0, 0)
    for name, score in _candidates(text).items():
        if score.net < 1 or score.valid_after * 2 < score.changed:
            continue
        key = (score.net, score.valid_after)
        if best is None or key > best_key:
            best, best_key = name, key
    return best


@lru_cache(maxsize=4096)  # cells repeat (unit names, sources, statuses)
def to_unicode(text: str, prefer: str | None = None) -> tuple[str, bool]:
    """(NFC text, converted?) — legacy TCVN3/VNI text converted, anything else as given.

    `prefer` ("tcvn3" or "vni") is for callers that already know the rest of the file is
    in that encoding: a cell whose reading is ambiguous (every word it changes is a valid
    syllable both before and after, like "Bé" = "Bộ") is then converted too.
    """
    encoding = detect_legacy(text)
    if encoding is None and prefer in _CONVERTERS:
        score = _candidates(text).get(prefer)
        if score is not None and score.changed and score.lost == 0 and score.valid_after == score.changed:
            encoding = prefer
    if encoding is None:
        return text, False
    return unicodedata.normalize("NFC", _CONVERTERS[encoding](text)), True


def convert_as(text: str, encoding: str) -> str:
    """Convert unconditionally (the whole file is known to be TCVN3 or VNI)."""
    return unicodedata.normalize("NFC", _CONVERTERS[encoding](text))
