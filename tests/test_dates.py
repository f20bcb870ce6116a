from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.dates import (
    DateError,
    Deadline,
    format_date,
    format_long_date,
    parse_date,
    parse_deadline,
    parse_iso,
)
from nqtrack.core.text import nfc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/10/2022", date(2022, 10, 21)),
        ("21-10-2022", date(2022, 10, 21)),
        ("21.10.2022", date(2022, 10, 21)),
        ("1/2/2022", date(2022, 2, 1)),
        ("21/10/22", date(2022, 10, 21)),
        ("01/02/99", date(2099, 2, 1)),
        ("2022-10-21", date(2022, 10, 21)),
        ("2022-10-21 00:00:00", date(2022, 10, 21)),
        ("2022-10-21T08:30:00", date(2022, 10, 21)),
        ("2022-1-5", date(2022, 1, 5)),
        ("03/04/2022", date(2022, 4, 3)),
        ("  21/10/2022  ", date(2022, 10, 21)),
        ("21 / 10 / 2022", date(2022, 10, 21)),
        ("ngày 21 tháng 10 năm 2022", date(2022, 10, 21)),
        ("Hà Nội, ngày 31 tháng 8 năm 2017", date(2017, 8, 31)),
        ("ngay 21 thang 10 nam 2022", date(2022, 10, 21)),
        ("NGÀY 21 THÁNG 10 NĂM 2022", date(2022, 10, 21)),
        ("21 tháng 10 năm 2022", date(2022, 10, 21)),
        ("ngày 21/10/2022", date(2022, 10, 21)),
        ("ngày 05 tháng 02 năm 2022", date(2022, 2, 5)),
        ("29/02/2024", date(2024, 2, 29)),
        ("29/02/2000", date(2000, 2, 29)),
        ("01/01/1900", date(1900, 1, 1)),
        ("31/12/2199", date(2199, 12, 31)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_passes_date_objects_through() -> None:
    assert parse_date(date(2022, 10, 21)) == date(2022, 10, 21)
    result = parse_date(datetime(2022, 10, 21, 8, 30))
    assert result == date(2022, 10, 21)
    assert type(result) is date


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2022",
        "29/02/2023",
        "29/02/1900",
        "abc",
        "",
        "   ",
        "32/1/2022",
        "2022-13-01",
        "0/1/2022",
        "21/10/1899",
        "21/10/2200",
        "21/10-2022",
        "2022",
        "10/2022",
        "21/10/022",
        "ngày 31 tháng 2 năm 2022",
        "từ ngày 1/1/2022 đến ngày 31/12/2022",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert str(info.value) == f"'{nfc(text)}' is not a date"


def test_parse_date_rejects_other_types() -> None:
    with pytest.raises(DateError, match="None is not a date"):
        parse_date(None)  # type: ignore[arg-type]


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parse_date_only_raises_date_error(text: str) -> None:
    try:
        result = parse_date(text)
    except DateError:
        return
    assert isinstance(result, date)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    st.sampled_from(
        [
            "{d:02d}/{m:02d}/{y}",
            "{d}/{m}/{y}",
            "{d:02d}-{m:02d}-{y}",
            "{d:02d}.{m:02d}.{y}",
            "{y}-{m:02d}-{d:02d}",
            "ngày {d} tháng {m} năm {y}",
            "Hà Nội, ngày {d} tháng {m} năm {y}",
        ]
    ),
)
@settings(max_examples=200, deadline=None)
def test_format_then_parse_round_trips(day: date, pattern: str) -> None:
    text = pattern.format(d=day.day, m=day.month, y=day.year)
    assert parse_date(text) == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_own_formats_round_trip(day: date) -> None:
    assert parse_date(format_date(day)) == day
    assert parse_date(format_date(day, "en")) == day
    assert parse_date(format_long_date(day)) == day
    assert parse_iso(format_date(day, "en")) == day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, Deadline(None, None, False)),
        ("", Deadline(None, None, False)),
        ("   ", Deadline(None, None, False)),
        ("Không thời hạn", Deadline(None, "Không thời hạn", False)),
        ("không có thời hạn", Deadline(None, "không có thời hạn", False)),
        ("Khong thoi han", Deadline(None, "Khong thoi han", False)),
        ("-", Deadline(None, "-", False)),
        ("  Không   thời hạn ", Deadline(None, "Không thời hạn", False)),
        ("Thường xuyên", Deadline(None, "Thường xuyên", True)),
        ("Hằng năm", Deadline(None, "Hằng năm", True)),
        ("Hàng năm", Deadline(None, "Hàng năm", True)),
        ("Hằng quý", Deadline(None, "Hằng quý", True)),
        ("Hàng quý", Deadline(None, "Hàng quý", True)),
        ("Hằng tháng", Deadline(None, "Hằng tháng", True)),
        ("Hàng tháng", Deadline(None, "Hàng tháng", True)),
        ("Định kỳ", Deadline(None, "Định kỳ", True)),
        ("Liên tục", Deadline(None, "Liên tục", True)),
        ("Hằng tuần", Deadline(None, "Hằng tuần", True)),
        ("thuong xuyen", Deadline(None, "thuong xuyen", True)),
        ("Thường xuyên, hằng năm", Deadline(None, "Thường xuyên, hằng năm", True)),
        ("21/10/2022", Deadline(date(2022, 10, 21), "21/10/2022")),
        ("2026-06-30 00:00:00", Deadline(date(2026, 6, 30), "2026-06-30 00:00:00")),
        ("ngày 21 tháng 10 năm 2022", Deadline(date(2022, 10, 21), "ngày 21 tháng 10 năm 2022")),
        (
            "trước ngày 15 tháng 9 năm 2026",
            Deadline(date(2026, 9, 15), "trước ngày 15 tháng 9 năm 2026"),
        ),
        ("Trước 30/6/2026", Deadline(date(2026, 6, 30), "Trước 30/6/2026")),
        ("Chậm nhất ngày 15/9/2026", Deadline(date(2026, 9, 15), "Chậm nhất ngày 15/9/2026")),
        ("trong ngày 15/9/2026", Deadline(date(2026, 9, 15), "trong ngày 15/9/2026")),
        ("Hoàn thành trước 31/12/2026", Deadline(date(2026, 12, 31), "Hoàn thành trước 31/12/2026")),
        ("truoc ngay 15/9/2026", Deadline(date(2026, 9, 15), "truoc ngay 15/9/2026")),
        ("Tháng 6/2026", Deadline(date(2026, 6, 30), "Tháng 6/2026")),
        ("tháng 6 năm 2026", Deadline(date(2026, 6, 30), "tháng 6 năm 2026")),
        ("T6/2026", Deadline(date(2026, 6, 30), "T6/2026")),
        ("06/2026", Deadline(date(2026, 6, 30), "06/2026")),
        ("Tháng 2/2024", Deadline(date(2024, 2, 29), "Tháng 2/2024")),
        ("Tháng 2/2026", Deadline(date(2026, 2, 28), "Tháng 2/2026")),
        ("Tháng 12/2199", Deadline(date(2199, 12, 31), "Tháng 12/2199")),
        ("Trong tháng 6/2026", Deadline(date(2026, 6, 30), "Trong tháng 6/2026")),
        ("Quý II/2026", Deadline(date(2026, 6, 30), "Quý II/2026")),
        ("Quý 2/2026", Deadline(date(2026, 6, 30), "Quý 2/2026")),
        ("quý II năm 2026", Deadline(date(2026, 6, 30), "quý II năm 2026")),
        ("Q2/2026", Deadline(date(2026, 6, 30), "Q2/2026")),
        ("Q2-2026", Deadline(date(2026, 6, 30), "Q2-2026")),
        ("Quý I/2026", Deadline(date(2026, 3, 31), "Quý I/2026")),
        ("Quý III/2026", Deadline(date(2026, 9, 30), "Quý III/2026")),
        ("Quý IV/2026", Deadline(date(2026, 12, 31), "Quý IV/2026")),
        ("6 tháng đầu năm 2026", Deadline(date(2026, 6, 30), "6 tháng đầu năm 2026")),
        ("6 tháng cuối năm 2026", Deadline(date(2026, 12, 31), "6 tháng cuối năm 2026")),
        ("Năm 2026", Deadline(date(2026, 12, 31), "Năm 2026")),
        ("2026", Deadline(date(2026, 12, 31), "2026")),
        ("2025-2026", Deadline(date(2026, 12, 31), "2025-2026")),
        ("2025 - 2026", Deadline(date(2026, 12, 31), "2025 - 2026")),
        ("giai đoạn 2021-2025", Deadline(date(2025, 12, 31), "giai đoạn 2021-2025")),
        ("Trong năm 2026", Deadline(date(2026, 12, 31), "Trong năm 2026")),
    ],
)
def test_parse_deadline(value: str | None, expected: Deadline) -> None:
    assert parse_deadline(value) == expected


def test_parse_deadline_of_date_objects_has_no_text() -> None:
    assert parse_deadline(date(2026, 6, 30)) == Deadline(date(2026, 6, 30), None, False)
    assert parse_deadline(datetime(2026, 6, 30, 0, 0)) == Deadline(date(2026, 6, 30), None, False)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "sớm",
        "trước ngày 31/02/2022",
        "31/02/2022",
        "Tháng 13/2026",
        "Quý V/2026",
        "Q5/2026",
        "2026-2025",
        "Năm 1899",
        "trước",
        "ngày 15/9",
    ],
)
def test_parse_deadline_rejects(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_deadline(text)
    assert str(info.value).startswith(f"'{text}' is not a deadline")


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_parse_deadline_only_raises_date_error(text: str) -> None:
    try:
        result = parse_deadline(text)
    except DateError:
        return
    assert isinstance(result, Deadline)
    assert result.text == (nfc(text) or None)


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2022, 10, 21), "vi", "21/10/2022"),
        (date(2022, 2, 5), "vi", "05/02/2022"),
        (date(2022, 10, 21), "en", "2022-10-21"),
        (None, "vi", ""),
        (None, "en", ""),
    ],
)
def test_format_date(day: date | None, lang: str, expected: str) -> None:
    assert format_date(day, lang) == expected


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2022, 10, 21), "vi", "ngày 21 tháng 10 năm 2022"),
        (date(2022, 2, 5), "vi", "ngày 05 tháng 02 năm 2022"),
        (date(2017, 8, 31), "vi", "ngày 31 tháng 8 năm 2017"),
        (date(2022, 10, 21), "en", "21 October 2022"),
        (date(2022, 2, 5), "en", "5 February 2022"),
    ],
)
def test_format_long_date(day: date, lang: str, expected: str) -> None:
    assert format_long_date(day, lang) == expected


def test_parse_iso() -> None:
    assert parse_iso("2022-10-21") == date(2022, 10, 21)
    assert parse_iso(" 2024-02-29 ") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["21/10/2022", "2022-1-5", "2022-02-30", "2022-13-01", "", "today", "2022-10-21T00:00"]
)
def test_parse_iso_rejects(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_iso(text)
    assert str(info.value) == f"'{text.strip()}' is not a date in the form YYYY-MM-DD"
