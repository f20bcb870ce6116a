from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.symbols import TYPE_NAMES, Symbol, find_symbol, parse_symbol, symbol_key
from nqtrack.core.text import nfc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # party style: NUMBER-TYPE/ISSUER
        ("07-NQ/ĐUK", Symbol("07-NQ/ĐUK", "party", "07", None, "NQ", "Nghị quyết", "ĐUK")),
        ("08-QĐi/TW", Symbol("08-QĐi/TW", "party", "08", None, "QĐi", "Quy định", "TW")),
        ("15-NQ/TW", Symbol("15-NQ/TW", "party", "15", None, "NQ", "Nghị quyết", "TW")),
        ("82-KL/TW", Symbol("82-KL/TW", "party", "82", None, "KL", "Kết luận", "TW")),
        (
            "05-QC/BTCTU-BDVTU",
            Symbol("05-QC/BTCTU-BDVTU", "party", "05", None, "QC", "Quy chế", "BTCTU-BDVTU"),
        ),
        ("36-HD/VPTW", Symbol("36-HD/VPTW", "party", "36", None, "HD", "Hướng dẫn", "VPTW")),
        ("12-TT/TW", Symbol("12-TT/TW", "party", "12", None, "TT", "Thông tri", "TW")),
        ("05-CT/TW", Symbol("05-CT/TW", "party", "05", None, "CT", "Chỉ thị", "TW")),
        ("10-QyĐ/TU", Symbol("10-QyĐ/TU", "party", "10", None, "QyĐ", "Quy định", "TU")),
        # tolerated spellings: spaces, Ð (U+00D0), lower case
        ("07 - NQ/ĐUK", Symbol("07 - NQ/ĐUK", "party", "07", None, "NQ", "Nghị quyết", "ĐUK")),
        ("07 - NQ / ÐUK", Symbol("07 - NQ / ÐUK", "party", "07", None, "NQ", "Nghị quyết", "ĐUK")),
        ("07-nq/đuk", Symbol("07-nq/đuk", "party", "07", None, "NQ", "Nghị quyết", "đuk")),
        ("08-qđi/TW", Symbol("08-qđi/TW", "party", "08", None, "QĐi", "Quy định", "TW")),
        ("08-QÐi/TW", Symbol("08-QÐi/TW", "party", "08", None, "QĐi", "Quy định", "TW")),
        ("  07-NQ/ĐUK  ", Symbol("07-NQ/ĐUK", "party", "07", None, "NQ", "Nghị quyết", "ĐUK")),
        # state legal: NUMBER/YEAR/TYPE-ISSUER
        (
            "30/2020/NĐ-CP",
            Symbol("30/2020/NĐ-CP", "state_legal", "30", 2020, "NĐ", "Nghị định", "CP"),
        ),
        (
            "42/2014/QĐ-TTg",
            Symbol("42/2014/QĐ-TTg", "state_legal", "42", 2014, "QĐ", "Quyết định", "TTg"),
        ),
        (
            "09/2019/NĐ-CP",
            Symbol("09/2019/NĐ-CP", "state_legal", "09", 2019, "NĐ", "Nghị định", "CP"),
        ),
        (
            "01/2021/TT-BTP",
            Symbol("01/2021/TT-BTP", "state_legal", "01", 2021, "TT", "Thông tư", "BTP"),
        ),
        (
            "30 / 2020 / NĐ - CP",
            Symbol("30 / 2020 / NĐ - CP", "state_legal", "30", 2020, "NĐ", "Nghị định", "CP"),
        ),
        ("59/2020/QH14", Symbol("59/2020/QH14", "state_legal", "59", 2020, None, None, "QH14")),
        # state: NUMBER/TYPE-ISSUER
        ("1270/BC-TCTTTg", Symbol("1270/BC-TCTTTg", "state", "1270", None, "BC", "Báo cáo", "TCTTTg")),
        ("1234/QĐ-BTP", Symbol("1234/QĐ-BTP", "state", "1234", None, "QĐ", "Quyết định", "BTP")),
        ("25/CT-TTg", Symbol("25/CT-TTg", "state", "25", None, "CT", "Chỉ thị", "TTg")),
        ("15/TT-BTP", Symbol("15/TT-BTP", "state", "15", None, "TT", "Thông tư", "BTP")),
        ("123/QD-TTg", Symbol("123/QD-TTg", "state", "123", None, "QĐ", "Quyết định", "TTg")),
        # letter: NUMBER/ISSUER-UNIT
        (
            "7722/VPCP-KSTT",
            Symbol("7722/VPCP-KSTT", "letter", "7722", None, "CV", "Công văn", "VPCP", "KSTT"),
        ),
        (
            "123/UBND-KT-TH",
            Symbol("123/UBND-KT-TH", "letter", "123", None, "CV", "Công văn", "UBND", "KT-TH"),
        ),
        # unknown: kept verbatim
        ("Số 5", Symbol("Số 5", "unknown", None, None, None, None, None)),
        ("abc", Symbol("abc", "unknown", None, None, None, None, None)),
        ("", Symbol("", "unknown", None, None, None, None, None)),
        ("21/10/2022", Symbol("21/10/2022", "unknown", None, None, None, None, None)),
        ("07-NQ", Symbol("07-NQ", "unknown", None, None, None, None, None)),
    ],
)
def test_parse_symbol(text: str, expected: Symbol) -> None:
    assert parse_symbol(text) == expected


def test_type_names() -> None:
    expected = {
        "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "KL": "Kết luận",
        "QĐi": "Quy định", "QyĐ": "Quy định", "QC": "Quy chế", "TT": "Thông tri",
        "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
        "BC": "Báo cáo", "TTr": "Tờ trình", "ĐA": "Đề án", "CV": "Công văn",
        "CĐ": "Công điện", "NĐ": "Nghị định",
    }
    for code, name in expected.items():
        assert TYPE_NAMES[code] == name


@pytest.mark.parametrize(
    ("code", "style", "name"),
    [
        ("TB", "party", "Thông báo"),
        ("CTr", "party", "Chương trình"),
        ("KH", "state", "Kế hoạch"),
        ("TTr", "state", "Tờ trình"),
        ("ĐA", "state", "Đề án"),
        ("CĐ", "state", "Công điện"),
        ("ctr", "party", "Chương trình"),
        ("ttr", "state", "Tờ trình"),
    ],
)
def test_type_codes(code: str, style: str, name: str) -> None:
    text = f"12-{code}/TU" if style == "party" else f"12/{code}-UBND"
    symbol = parse_symbol(text)
    assert (symbol.style, symbol.type_name) == (style, name)
    assert symbol.type_code is not None and symbol.type_code.casefold() == code.casefold()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("07-NQ/ĐUK", "07 - NQ/ĐUK"),
        ("07-NQ/ĐUK", "07-nq/đuk"),
        ("07-NQ/ĐUK", "07-NQ/ÐUK"),
        ("07-NQ/ĐUK", " 07 -  NQ / ĐUK "),
        ("30/2020/NĐ-CP", "30/2020/nđ-cp"),
    ],
)
def test_symbol_key_matches_spellings(a: str, b: str) -> None:
    assert symbol_key(a) == symbol_key(b)


def test_symbol_key_value() -> None:
    assert symbol_key("07 - NQ/ÐUK") == "07-nq/đuk"
    assert parse_symbol("07-NQ/ĐUK").key == "07-nq/đuk"
    assert symbol_key("07-NQ/ĐUK") != symbol_key("08-NQ/ĐUK")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nghị quyết số 07-NQ/ĐUK ngày 31/8/2017 của Đảng ủy Khối", "07-NQ/ĐUK"),
        ("Nghị định 30/2020/NĐ-CP về công tác văn thư", "30/2020/NĐ-CP"),
        ("Luật số 59/2020/QH14.", "59/2020/QH14"),
        ("Quyết định 1234/QĐ-BTP - Hà Nội", "1234/QĐ-BTP"),
        ("theo Công văn 7722/VPCP-KSTT ngày 1/1/2022", "7722/VPCP-KSTT"),
        ("Kết luận số 82 - KL/TW", "82 - KL/TW"),
        ("07-NQ/ĐUK", "07-NQ/ĐUK"),
    ],
)
def test_find_symbol(text: str, expected: str) -> None:
    found = find_symbol(text)
    assert found is not None
    assert found == parse_symbol(expected)


def test_find_symbol_fields() -> None:
    found = find_symbol("Nghị quyết số 07-NQ/ĐUK ngày 31/8/2017 của Đảng ủy Khối")
    assert found == Symbol("07-NQ/ĐUK", "party", "07", None, "NQ", "Nghị quyết", "ĐUK")


@pytest.mark.parametrize(
    "text", ["", "Số 5", "ngày 21/10/2022", "giai đoạn 2021-2025", "Đảng ủy Khối", "abc/def"]
)
def test_find_symbol_none(text: str) -> None:
    assert find_symbol(text) is None


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parse_symbol_never_raises_and_keeps_text(text: str) -> None:
    symbol = parse_symbol(text)
    assert symbol.text == nfc(text)
    assert symbol.style in {"party", "state_legal", "state", "letter", "unknown"}
    find_symbol(text)
    symbol_key(text)


@given(st.text(alphabet="0123456789-/ NQĐÐTWquđkCP", max_size=20))
@settings(max_examples=200, deadline=None)
def test_parse_symbol_on_symbol_like_text(text: str) -> None:
    symbol = parse_symbol(text)
    assert symbol.text == nfc(text)
    if symbol.style == "unknown":
        assert symbol.number is None
    else:
        assert symbol.number is not None
