"""Document numbers and symbols (số, ký hiệu): reading their parts and matching them.

Two conventions are in use. Party documents (Hướng dẫn 36-HD/VPTW) are written
`NUMBER-TYPE/ISSUER` ("07-NQ/ĐUK"); state documents (Nghị định 30/2020/NĐ-CP) are
`NUMBER/YEAR/TYPE-ISSUER` for legal texts ("30/2020/NĐ-CP"), `NUMBER/TYPE-ISSUER`
otherwise ("1234/QĐ-BTP") and `NUMBER/ISSUER-UNIT` for letters ("7722/VPCP-KSTT").
A symbol is never refused: one that fits no pattern is kept as written, style
"unknown", so that an import never stops on an unusual number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from nqtrack.core.text import nfc

__all__ = ["Symbol", "TYPE_NAMES", "parse_symbol", "symbol_key", "find_symbol", "find_document"]

# Type abbreviations of both conventions (HD 36-HD/VPTW, NĐ 30/2020/NĐ-CP Phụ lục III).
TYPE_NAMES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "QĐi": "Quy định",
    "QyĐ": "Quy định",
    "QC": "Quy chế",
    "TT": "Thông tri",  # party style; in state style TT is Thông tư (see _STATE_NAMES)
    "TB": "Thông báo",
    "TC": "Thông cáo",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "KH": "Kế hoạch",
    "PA": "Phương án",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "TTr": "Tờ trình",
    "HĐ": "Hợp đồng",
    "CV": "Công văn",
    "CĐ": "Công điện",
    "GN": "Bản ghi nhớ",
    "TTh": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời",
    "GGT": "Giấy giới thiệu",
    "NĐ": "Nghị định",
    "TTLT": "Thông tư liên tịch",
    "NQLT": "Nghị quyết liên tịch",
    "PL": "Pháp lệnh",
}
# Where a code means something else in state style.
_STATE_NAMES = {"TT": "Thông tư"}
_FOLDED_CODES = {code.casefold(): code for code in TYPE_NAMES}
# Codes typed without Vietnamese keyboard (D for Đ), only where that clashes with no
# other code: "QD-TTg" is a Quyết định, but "HD" stays Hướng dẫn, "DA" Dự án.
_UNACCENTED_CODES = {
    code.replace("Đ", "D").casefold(): code
    for code in TYPE_NAMES
    if "Đ" in code and code.replace("Đ", "D").casefold() not in _FOLDED_CODES
}
LETTER_CODE = "CV"

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})  # U+00D0/U+00F0, used for Đ/đ by old files

_SEG = r"[^\W_]+"  # letters and digits, any script (Đ included)
_MULTI = rf"{_SEG}(?:-{_SEG})*"  # joint issuers: BTCTU-BDVTU
_NUM = r"([0-9]+)"
_PARTY = re.compile(rf"^{_NUM}-([^\W\d_][^\W_]*)/({_MULTI})$")
_LEGAL = re.compile(rf"^{_NUM}/([0-9]{{4}})/({_MULTI})$")
_STATE = re.compile(rf"^{_NUM}/([^\W\d_][^\W_]*)(?:-({_MULTI}))?$")
_AROUND_SEPARATORS = re.compile(r"\s*([-/])\s*")

# A candidate inside longer text: a number, then segments of code letters joined by
# - or / (a space allowed either side). Segments are ASCII letters, digits and Đ only,
# so that a following Vietnamese word ("- Hà Nội") is not taken in.
_CODE_SEG = r"[A-Za-z0-9ĐđÐð]+(?![^\W_])"
_CANDIDATE = re.compile(rf"(?<![^\W_])(?<![-/])[0-9]+(?:\s?[-/\u2013]\s?{_CODE_SEG})+")


@dataclass(frozen=True)
class Symbol:
    """A document symbol as written (`text`) and its parts, where they could be read."""

    text: str  # as written, nfc-normalised and stripped
    style: str  # "party" | "state_legal" | "state" | "letter" | "unknown"
    number: str | None
    year: int | None  # only state_legal symbols carry a year
    type_code: str | None
    type_name: str | None
    issuer: str | None
    unit: str | None = None  # letters only: "KSTT" in "7722/VPCP-KSTT"

    @property
    def key(self) -> str:
        """The matching key of the text (see `symbol_key`)."""
        return symbol_key(self.text)


def _type_code(code: str) -> str | None:
    """The canonical code: exact case first, then any case, then D typed for Đ."""
    if code in TYPE_NAMES:
        return code
    folded = code.casefold()
    return _FOLDED_CODES.get(folded) or _UNACCENTED_CODES.get(folded)


def _compact(text: str) -> str:
    """One spelling for parsing: Đ for Ð, plain hyphens, no spaces around - and /."""
    return _AROUND_SEPARATORS.sub(r"\1", text.translate(_ETH).translate(_DASHES))


def parse_symbol(text: str) -> Symbol:
    """The parts of a symbol; style "unknown" (text kept) when it fits no pattern."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    written = nfc(text)
    unknown = Symbol(written, "unknown", None, None, None, None, None)
    s = _compact(written)

    m = _PARTY.match(s)
    if m:
        number, code, issuer = m.groups()
        canonical = _type_code(code)
        return Symbol(written, "party", number, None, canonical or code,
                      TYPE_NAMES.get(canonical or ""), issuer)

    m = _LEGAL.match(s)
    if m:
        number, year, rest = m.groups()
        code, _, issuer = rest.partition("-")
        if not issuer:  # a law: 59/2020/QH14
            return Symbol(written, "state_legal", number, int(year), None, None, rest)
        canonical = _type_code(code)
        name = _STATE_NAMES.get(canonical or "") or TYPE_NAMES.get(canonical or "")
        return Symbol(written, "state_legal", number, int(year), canonical or code, name, issuer)

    m = _STATE.match(s)
    if m:
        number, head, rest = m.groups()
        canonical = _type_code(head)
        if canonical:
            name = _STATE_NAMES.get(canonical) or TYPE_NAMES[canonical]
            return Symbol(written, "state", number, None, canonical, name, rest)
        return Symbol(written, "letter", number, None, LETTER_CODE, TYPE_NAMES[LETTER_CODE],
                      head, rest)
    return unknown


def symbol_key(text: str) -> str:
    """The key two spellings of one symbol share: "07 - NQ/ĐUK" and "07-nq/đuk"."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    s = "".join(nfc(text).translate(_ETH).translate(_DASHES).split())
    return unicodedata.normalize("NFC", s.casefold())


def find_symbol(text: str) -> Symbol | None:
    """The first symbol inside a longer text ("Nghị quyết số 07-NQ/ĐUK ngày…"), or None."""
    if not isinstance(text, str) or not text:
        return None
    written = nfc(text)
    for m in _CANDIDATE.finditer(written):
        candidate = m.group(0)
        # A greedy match may have run on into the next words: try shorter ones too.
        while True:
            symbol = parse_symbol(candidate)
            if symbol.style != "unknown":
                return symbol
            cut = max(candidate.rfind("-"), candidate.rfind("/"), candidate.rfind("\u2013"))
            if cut <= 0:
                break
            candidate = candidate[:cut].rstrip()
    return None


def find_document(text: str) -> tuple[Symbol | None, date | None]:
    """The symbol and the date a register's document cell names: "Thông báo số 123/TB-VPCP
    ngày 05/4/2017" → (123/TB-VPCP, 2017-04-05); "Công văn 7722/VPCP-KSTT" → (7722/VPCP-KSTT,
    None). A document is identified by both: numbers restart every year (state) or term (party)."""
    from nqtrack.core.dates import DateError, parse_date

    symbol = find_symbol(text)
    if symbol is None:
        return None, None
    rest = nfc(text).replace(symbol.text, " ", 1)
    try:
        return symbol, parse_date(rest)
    except DateError:  # no date, or one that is not a day ("năm 2017")
        return symbol, None
