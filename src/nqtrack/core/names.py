"""One key for the ways offices write one unit's name.

"Sở Kế hoạch & Đầu tư", "Sở KH&ĐT" and "Sở Kế hoạch và Đầu tư" are one unit: `name_key`
folds the text (core.text.fold), spells out the abbreviations every Vietnamese office
uses for ministries and departments, reads "&" as "và" and drops punctuation, so that
two spellings of one name share a key. The fuzzy matching on top of it (near names,
"did you mean") is `nqtrack.fuzzy`.
"""

from __future__ import annotations

import re

from nqtrack.core.text import fold, lazy_pattern

# Abbreviations of ministries' and departments' names (folded; "&" and "-" as written).
ABBREVIATIONS: dict[str, str] = {
    "nn&ptnt": "nong nghiep va phat trien nong thon",
    "nnptnt": "nong nghiep va phat trien nong thon",
    "kh&dt": "ke hoach va dau tu",
    "khdt": "ke hoach va dau tu",
    "tn&mt": "tai nguyen va moi truong",
    "tnmt": "tai nguyen va moi truong",
    "ld-tb&xh": "lao dong thuong binh va xa hoi",
    "ldtb&xh": "lao dong thuong binh va xa hoi",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "vh-tt&dl": "van hoa the thao va du lich",
    "vhtt&dl": "van hoa the thao va du lich",
    "vhttdl": "van hoa the thao va du lich",
    "gd&dt": "giao duc va dao tao",
    "gddt": "giao duc va dao tao",
    "gtvt": "giao thong van tai",
    "tt&tt": "thong tin va truyen thong",
    "tttt": "thong tin va truyen thong",
    "kh&cn": "khoa hoc va cong nghe",
    "khcn": "khoa hoc va cong nghe",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
}
_ABBREVIATION = lazy_pattern(
    r"(?<![\w&-])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?![\w&])"
)
_PUNCTUATION = lazy_pattern(r"[^\w]+")


def name_key(name: str | None) -> str:
    """The key two spellings of one unit's name share ("Sở KH&ĐT" = "Sở Kế hoạch và Đầu tư")."""
    folded = fold(name)
    if not folded:
        return ""
    expanded = _ABBREVIATION.sub(lambda m: f" {ABBREVIATIONS[m.group(1)]} ", folded)
    return " ".join(_PUNCTUATION.sub(" ", expanded.replace("&", " va ")).split())
