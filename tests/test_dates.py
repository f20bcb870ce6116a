from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.dates import (
    DateError,
    Deadline,
    RelativeDeadline,
    format_date,
    format_long_date,
    parse_date,
    parse_deadline,
    parse_iso,
    resolve_relative,
)
from nqtrack.core.recurrence import Recurrence
from nqtrack.core.text import nfc
from nqtrack.holidays_vn import work_calendar


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


# --- relative deadlines ------------------------------------------------------------------


@cache
def vietnam() -> WorkCalendar:
    """The national calendar from the installed `holidays` package (no network)."""
    return work_calendar(range(2019, 2032))


def relative(count: int, unit: str, counted_from: str = "assigned") -> RelativeDeadline:
    return RelativeDeadline(count, unit, counted_from)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("trong 10 ngày làm việc kể từ ngày nhận được văn bản", relative(10, "working_days", "received")),
        ("Trong 05 ngày làm việc, kể từ ngày nhận được văn bản này.", relative(5, "working_days", "received")),
        ("trong 10 ngày làm việc kể từ ngày tiếp nhận hồ sơ", relative(10, "working_days", "received")),
        ("trong 10 ngày sau khi nhận được văn bản", relative(10, "days", "received")),
        ("trong 10 ngày làm việc kể từ ngày giao", relative(10, "working_days")),
        ("trong 10 ngày làm việc (kể từ ngày được giao nhiệm vụ)", relative(10, "working_days")),
        ("10 ngày làm việc kể từ ngày giao", relative(10, "working_days")),
        ("trong 10 ngày làm việc", relative(10, "working_days")),
        ("trong thời hạn 15 ngày kể từ ngày ký", relative(15, "days", "signed")),
        ("trong 15 ngày kể từ ngày ký ban hành", relative(15, "days", "signed")),
        ("trong 30 ngày kể từ ngày ban hành Kế hoạch", relative(30, "days", "signed")),
        ("trong 10 ngày kể từ ngày Ủy ban nhân dân tỉnh ký", relative(10, "days", "signed")),  # "nhân dân"
        ("trong 15 ngày", relative(15, "days")),
        ("trong vòng 3 tháng", relative(3, "months")),
        ("Trong vòng 03 tháng kể từ ngày ký", relative(3, "months", "signed")),
        ("chậm nhất sau 30 ngày", relative(30, "days")),
        ("không quá 20 ngày", relative(20, "days")),
        ("tối đa 5 ngày làm việc", relative(5, "working_days")),
        ("trong thời gian 2 tuần", relative(14, "days")),
        ("trong 01 năm kể từ ngày ký", relative(12, "months", "signed")),
        ("TRONG 10 NGAY LAM VIEC KE TU NGAY NHAN", relative(10, "working_days", "received")),
    ],
)
def test_parse_relative_deadline(text: str, rule: RelativeDeadline) -> None:
    assert parse_deadline(text) == Deadline(None, nfc(text), relative=rule)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Hằng tháng, trước ngày 20", Recurrence("month", day=20)),
        ("trước ngày 20 hằng tháng", Recurrence("month", day=20)),
        ("Hằng quý, trước ngày 15 của tháng cuối quý", Recurrence("quarter", day=15, month_of_period=3)),
        ("định kỳ hằng quý, trước ngày 15 của tháng cuối quý", Recurrence("quarter", day=15, month_of_period=3)),
        ("6 tháng, trước 15/6 và 15/12", Recurrence("half", dates=((15, 6), (15, 12)))),
        ("Hằng năm, trước ngày 15/12", Recurrence("year", dates=((15, 12),))),
    ],
)
def test_parse_periodic_deadline(text: str, rule: Recurrence) -> None:
    assert parse_deadline(text) == Deadline(None, text, recurring=True, recurrence=rule)


@pytest.mark.parametrize(
    "text", ["Thường xuyên", "Hằng năm", "Hằng tháng", "Hằng quý", "Định kỳ", "Thường xuyên, hằng năm"]
)
def test_recurring_work_without_a_period_keeps_no_rule(text: str) -> None:
    assert parse_deadline(text) == Deadline(None, text, recurring=True)
    assert parse_deadline(text).recurrence is None
    assert parse_deadline(text).relative is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("trong 0 ngày", "a period of length 0"),
        ("trong 15 ngày kể từ ngày có hiệu lực", "counts from a day nqtrack does not know"),
        ("Hằng tháng, trước ngày 32", "no day 32"),
        ("Hằng năm, trước 15/6 và 15/12", "exactly one day in each year"),
        ("10 ngày", ""),  # a number of days and nothing that makes it a period
        ("trong ngày", ""),
    ],
)
def test_parse_deadline_rejects_relative_and_periodic(text: str, reason: str) -> None:
    with pytest.raises(DateError) as info:
        parse_deadline(text)
    assert str(info.value).startswith(f"'{text}' is not a deadline")
    assert reason in str(info.value)


def test_deadlines_stay_hashable_for_the_importers_cache() -> None:
    cached = lru_cache(maxsize=8)(parse_deadline)
    for text in ["trong 10 ngày làm việc", "Hằng năm, trước ngày 15/12", "Quý II/2026"]:
        assert cached(text) is cached(text)
        assert hash(cached(text)) == hash(parse_deadline(text))


@pytest.mark.parametrize(
    ("text", "assigned_on", "expected"),
    [
        # the example: across Tết 2024, not 19/02
        ("trong 10 ngày làm việc kể từ ngày giao", date(2024, 2, 5), date(2024, 2, 26)),
        # across 30/4–1/5 2025 (Friday 2/5 swapped, Saturday 26/4 worked)
        ("trong 5 ngày làm việc", date(2025, 4, 25), date(2025, 5, 6)),
        # across the swapped Monday 29/4/2024; ends on the Saturday 4/5 worked in exchange
        ("trong 3 ngày làm việc", date(2024, 4, 26), date(2024, 5, 4)),
        # across a year end
        ("trong 5 ngày làm việc", date(2024, 12, 27), date(2025, 1, 6)),
        ("trong 15 ngày", date(2024, 12, 20), date(2025, 1, 6)),  # 4/1/2025 is a Saturday
        # calendar days ending in Tết end on the next working day
        ("trong 5 ngày", date(2024, 2, 5), date(2024, 2, 15)),
        ("trong vòng 1 tháng", date(2024, 1, 31), date(2024, 2, 29)),
        ("trong vòng 1 tháng", date(2025, 3, 31), date(2025, 5, 5)),  # 30/4–4/5 off
        ("trong 2 tuần", date(2024, 3, 1), date(2024, 3, 15)),
        # a deadline with its own date stays that date
        ("Quý II/2026", date(2024, 2, 5), date(2026, 6, 30)),
    ],
)
def test_resolve_relative(text: str, assigned_on: date, expected: date) -> None:
    assert resolve_relative(parse_deadline(text), vietnam(), assigned_on=assigned_on) == expected


def test_resolve_relative_counts_from_the_day_the_text_names() -> None:
    days = {"assigned_on": date(2024, 2, 5), "signed_on": date(2024, 1, 31), "received_on": date(2024, 2, 7)}
    calendar = vietnam()
    assert resolve_relative(parse_deadline("trong 10 ngày làm việc"), calendar, **days) == date(2024, 2, 26)
    assert resolve_relative(parse_deadline("trong 10 ngày làm việc kể từ ngày ký"), calendar, **days) == date(
        2024, 2, 21
    )
    assert resolve_relative(
        parse_deadline("trong 10 ngày làm việc kể từ ngày nhận được văn bản"), calendar, **days
    ) == date(2024, 2, 28)


def test_an_office_make_up_working_day_changes_the_deadline() -> None:
    deadline = parse_deadline("trong 10 ngày làm việc kể từ ngày giao")
    office = work_calendar(range(2019, 2032), office_working_days=[date(2024, 2, 17)])
    assert resolve_relative(deadline, vietnam(), assigned_on=date(2024, 2, 5)) == date(2024, 2, 26)
    assert resolve_relative(deadline, office, assigned_on=date(2024, 2, 5)) == date(2024, 2, 23)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("trong 10 ngày làm việc kể từ ngày nhận được văn bản", {"assigned_on": date(2024, 2, 5)}),
        ("trong 15 ngày kể từ ngày ký", {"received_on": date(2024, 2, 5)}),
        ("trong 15 ngày", {}),
        ("Thường xuyên", {"assigned_on": date(2024, 2, 5)}),
        ("Hằng tháng, trước ngày 20", {"assigned_on": date(2024, 2, 5)}),
        ("", {"assigned_on": date(2024, 2, 5)}),
    ],
)
def test_resolve_relative_without_the_day_it_counts_from(text: str, days: dict[str, date]) -> None:
    assert resolve_relative(parse_deadline(text), vietnam(), **days) is None


_WORDS = [
    "trong", "vòng", "thời hạn", "chậm nhất", "sau", "không quá", "tối đa", "kể từ", "tính từ", "sau khi",
    "ngày", "làm việc", "tuần", "tháng", "năm", "quý", "hằng", "hàng", "định kỳ", "trước", "của", "cuối",
    "đầu", "giữa", "thứ", "hai", "ký", "ban hành", "nhận", "nhận được", "giao", "nhân dân", "văn bản",
    "và", ",", "(", ")", ".", "/", "-", "0", "1", "5", "6", "10", "12", "15", "20", "31", "32", "99",
    "999", "15/12", "15/6", "30/2", "2026", "Quý II/2026", "Thường xuyên",
]


@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join)))
@settings(max_examples=500, deadline=None)
def test_relative_and_periodic_parsing_only_raises_date_error(text: str) -> None:
    try:
        result = parse_deadline(text)
    except DateError:
        return
    assert isinstance(result, Deadline)
    assert result.text == (nfc(text) or None)
    assert hash(result) == hash(parse_deadline(text))
    if result.relative is not None:
        assert result.date is None and result.recurrence is None and not result.recurring
        assert result.relative.count >= 1
    if result.recurrence is not None:
        assert result.date is None and result.recurring


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(
        [
            ("trong {n} ngày làm việc kể từ ngày giao", "assigned_on"),
            ("trong {n} ngày làm việc", "assigned_on"),
            ("Trong {n:02d} ngày làm việc, kể từ ngày nhận được văn bản", "received_on"),
            ("trong thời hạn {n} ngày làm việc kể từ ngày ký", "signed_on"),
            ("{n} ngày làm việc kể từ ngày ban hành", "signed_on"),
        ]
    ),
)
@settings(max_examples=300, deadline=None)
def test_working_days_always_end_on_a_working_day(start: date, count: int, form: tuple[str, str]) -> None:
    pattern, counted_from = form
    deadline = parse_deadline(pattern.format(n=count))
    calendar = vietnam()
    end = resolve_relative(deadline, calendar, **{counted_from: start})
    assert end is not None
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == count
