from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.recurrence import (
    Occurrence,
    Recurrence,
    RecurrenceError,
    describe,
    first_occurrence,
    occurrence_for,
    occurrences,
    parse_recurrence,
    period_label,
    recurrence_from_options,
    rule_from_json,
    rule_to_json,
)
from nqtrack.holidays_vn import work_calendar

MONTHLY_20 = Recurrence("month", day=20)
QUARTERLY_15_LAST_MONTH = Recurrence("quarter", day=15, month_of_period=3)
HALF_15_6_15_12 = Recurrence("half", dates=((15, 6), (15, 12)))
YEARLY_15_12 = Recurrence("year", dates=((15, 12),))
YEARLY_29_2 = Recurrence("year", dates=((29, 2),))  # in 2025: 28/2


@cache
def vietnam() -> WorkCalendar:
    """The national calendar from the installed `holidays` package (no network)."""
    return work_calendar(range(2019, 2033))


# --- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hằng tháng, trước ngày 20", MONTHLY_20),
        ("Hàng tháng, trước ngày 20", MONTHLY_20),
        ("trước ngày 20 hằng tháng", MONTHLY_20),
        ("Trước ngày 20 hàng tháng.", MONTHLY_20),
        ("hang thang truoc ngay 20", MONTHLY_20),
        ("Định kỳ hằng tháng, báo cáo trước ngày 20", MONTHLY_20),
        ("Hằng tháng (trước ngày 20)", MONTHLY_20),
        ("Hằng tháng, chậm nhất ngày 20", MONTHLY_20),
        ("Hằng tháng, trước ngày 5 tháng sau", Recurrence("month", day=5, month_of_period=2)),
        ("Hằng quý, trước ngày 15 của tháng cuối quý", QUARTERLY_15_LAST_MONTH),
        ("định kỳ hằng quý, trước ngày 15 của tháng cuối quý", QUARTERLY_15_LAST_MONTH),
        ("Hằng quý, trước ngày 15 tháng cuối quý", QUARTERLY_15_LAST_MONTH),
        ("Hằng quý, trước ngày 15", QUARTERLY_15_LAST_MONTH),  # a bare day: the period's last month
        ("Hằng quý, trước ngày 10 tháng đầu quý", Recurrence("quarter", day=10, month_of_period=1)),
        ("Hằng quý, trước ngày 10 tháng giữa quý", Recurrence("quarter", day=10, month_of_period=2)),
        ("Hằng quý, trước ngày 10 tháng thứ hai của quý", Recurrence("quarter", day=10, month_of_period=2)),
        ("Hằng quý, trước ngày 20 tháng đầu quý sau", Recurrence("quarter", day=20, month_of_period=4)),
        ("6 tháng, trước 15/6 và 15/12", HALF_15_6_15_12),
        ("Định kỳ 6 tháng (trước ngày 15/6 và ngày 15/12)", HALF_15_6_15_12),
        ("6 tháng một lần, trước 15/6, 15/12", HALF_15_6_15_12),
        ("Hằng năm, trước ngày 15/12", YEARLY_15_12),
        ("Hằng năm, trước ngày 15 tháng 12", YEARLY_15_12),
        ("hằng năm trước 15-12", YEARLY_15_12),
        ("Hằng năm, trước ngày 15", Recurrence("year", day=15, month_of_period=12)),
        (
            "Hằng quý, trước 15/3, 15/6, 15/9 và 15/12",
            Recurrence("quarter", dates=((15, 3), (15, 6), (15, 9), (15, 12))),
        ),
        # no day, or words not read: recurring work without a deadline, as before
        ("Thường xuyên", None),
        ("Hằng tháng", None),
        ("Hằng quý", None),
        ("Hằng năm", None),
        ("Định kỳ", None),
        ("Thường xuyên, hằng năm", None),
        ("Hằng tháng, trước ngày 20 và hằng quý, trước ngày 15", None),  # two periods
        ("Hằng năm, trước ngày 15/12/2026", None),  # a dated day is not a yearly rule
        ("Hằng tháng, trước ngày 15 tháng cuối quý", None),  # words that do not fit the period
        # other deadlines are not periodic
        ("6 tháng đầu năm 2026", None),
        ("trong 6 tháng", None),
        ("chậm nhất sau 6 tháng", None),
        ("Tháng 6/2026", None),
        ("trước ngày 20", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_recurrence(text: str | None, expected: Recurrence | None) -> None:
    assert parse_recurrence(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hằng tháng, trước ngày 32", "no day 32"),
        ("trước ngày 0 hằng tháng", "no day 0"),
        ("Hằng năm, trước ngày 30/2", "no day 30/02"),
        ("Hằng năm, trước 15/6 và 15/12", "exactly one day in each year"),
        ("6 tháng, trước 15/6", "exactly one day in each half"),
        ("6 tháng, trước 15/3 và 15/6", "exactly one day in each half"),
    ],
)
def test_parse_recurrence_rejects_rules_that_cannot_be(text: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        parse_recurrence(text)


@pytest.mark.parametrize(
    ("every", "day", "expected"),
    [
        ("month", 20, MONTHLY_20),
        ("quarter", 15, QUARTERLY_15_LAST_MONTH),
        ("half", 15, Recurrence("half", day=15, month_of_period=6)),
        ("year", 15, Recurrence("year", day=15, month_of_period=12)),
        ("Quý", 15, QUARTERLY_15_LAST_MONTH),
        ("tháng", 20, MONTHLY_20),
    ],
)
def test_recurrence_from_options(every: str, day: int, expected: Recurrence) -> None:
    assert recurrence_from_options(every, day) == expected


@pytest.mark.parametrize(("every", "day"), [("week", 1), ("month", 0), ("month", 32), ("", 5)])
def test_recurrence_from_options_rejects(every: str, day: int) -> None:
    with pytest.raises(RecurrenceError):
        recurrence_from_options(every, day)


@pytest.mark.parametrize(
    "arguments",
    [
        {"frequency": "week", "day": 1},
        {"frequency": "month"},
        {"frequency": "month", "day": 1, "dates": ((1, 1),)},
        {"frequency": "quarter", "day": 1, "month_of_period": 5},
        {"frequency": "quarter", "day": 1, "month_of_period": 0},
        {"frequency": "year", "dates": ((15, 12),), "month_of_period": 12},
    ],
)
def test_impossible_rules(arguments: dict[str, object]) -> None:
    with pytest.raises(RecurrenceError):
        Recurrence(**arguments)  # type: ignore[arg-type]


def test_rules_are_hashable_and_equal_by_meaning() -> None:
    assert Recurrence("quarter", day=15) == QUARTERLY_15_LAST_MONTH
    assert hash(Recurrence("quarter", day=15)) == hash(QUARTERLY_15_LAST_MONTH)
    assert len({MONTHLY_20, Recurrence("month", day=20, month_of_period=1), YEARLY_15_12}) == 2


# --- occurrences -------------------------------------------------------------------------


def months(year: int, *numbers: int, day: int = 20) -> list[tuple[date, date]]:
    """(period start, deadline) of the given months."""
    return [(date(year, m, 1), date(year, m, day)) for m in numbers]


def starts_and_deadlines(found: list[Occurrence]) -> list[tuple[date, date]]:
    return [(o.period_start, o.deadline) for o in found]


def test_monthly_series_created_mid_january() -> None:
    rule = parse_recurrence("trước ngày 20 hằng tháng")
    assert rule is not None
    found = occurrences(rule, date(2024, 1, 15), date(2024, 5, 31))
    assert starts_and_deadlines(found) == months(2024, 1, 2, 3, 4, 5)
    assert [o.period_end for o in found] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31),
    ]


def test_monthly_series_with_the_calendar_moves_deadlines_off_days_off() -> None:
    found = occurrences(MONTHLY_20, date(2024, 1, 15), date(2024, 5, 31), vietnam())
    assert [o.deadline for o in found] == [
        date(2024, 1, 22),  # 20/01/2024 is a Saturday
        date(2024, 2, 20),
        date(2024, 3, 20),
        date(2024, 4, 22),  # 20/04/2024 is a Saturday
        date(2024, 5, 20),
    ]
    # the periods do not move
    assert [o.period_start for o in found] == [date(2024, m, 1) for m in range(1, 6)]


def test_a_series_started_after_the_periods_deadline_begins_with_the_next_period() -> None:
    assert starts_and_deadlines(occurrences(MONTHLY_20, date(2024, 1, 25), date(2024, 3, 31))) == months(2024, 2, 3)
    # on the deadline itself the period still counts
    assert starts_and_deadlines(occurrences(MONTHLY_20, date(2024, 1, 20), date(2024, 2, 1))) == months(2024, 1, 2)


def test_a_series_ended_on_a_given_day() -> None:
    # no occurrence whose period starts after the end day; the period holding it stays
    assert starts_and_deadlines(occurrences(MONTHLY_20, date(2024, 1, 15), date(2024, 4, 10))) == months(
        2024, 1, 2, 3, 4
    )
    assert starts_and_deadlines(occurrences(MONTHLY_20, date(2024, 1, 15), date(2024, 4, 30))) == months(
        2024, 1, 2, 3, 4
    )
    assert occurrences(MONTHLY_20, date(2024, 1, 15), date(2024, 1, 14)) == []
    assert occurrences(MONTHLY_20, date(2024, 1, 25), date(2024, 1, 31)) == []


def test_quarterly_series() -> None:
    rule = parse_recurrence("định kỳ hằng quý, trước ngày 15 của tháng cuối quý")
    assert rule is not None
    # started mid-quarter after 15/03: the second, third and fourth quarters
    found = occurrences(rule, date(2024, 3, 20), date(2024, 12, 31))
    assert [(o.period_start, o.period_end, o.deadline) for o in found] == [
        (date(2024, 4, 1), date(2024, 6, 30), date(2024, 6, 15)),
        (date(2024, 7, 1), date(2024, 9, 30), date(2024, 9, 15)),
        (date(2024, 10, 1), date(2024, 12, 31), date(2024, 12, 15)),
    ]
    moved = occurrences(rule, date(2024, 3, 20), date(2024, 12, 31), vietnam())
    assert [o.deadline for o in moved] == [date(2024, 6, 17), date(2024, 9, 16), date(2024, 12, 16)]


def test_quarterly_report_due_in_the_next_quarter() -> None:
    rule = Recurrence("quarter", day=20, month_of_period=4)
    found = occurrences(rule, date(2024, 10, 1), date(2025, 3, 31))
    assert [(o.period_start, o.period_end, o.deadline) for o in found] == [
        (date(2024, 10, 1), date(2024, 12, 31), date(2025, 1, 20)),
        (date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 20)),
    ]


def test_half_yearly_series() -> None:
    found = occurrences(HALF_15_6_15_12, date(2024, 1, 1), date(2025, 12, 31))
    assert [(o.period_start, o.period_end, o.deadline) for o in found] == [
        (date(2024, 1, 1), date(2024, 6, 30), date(2024, 6, 15)),
        (date(2024, 7, 1), date(2024, 12, 31), date(2024, 12, 15)),
        (date(2025, 1, 1), date(2025, 6, 30), date(2025, 6, 15)),
        (date(2025, 7, 1), date(2025, 12, 31), date(2025, 12, 15)),
    ]


def test_yearly_series() -> None:
    found = occurrences(YEARLY_15_12, date(2024, 5, 2), date(2026, 6, 30), vietnam())
    assert [(o.period_start, o.period_end, o.deadline) for o in found] == [
        (date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 16)),  # 15/12/2024 is a Sunday
        (date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 15)),
        (date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 15)),
    ]


@pytest.mark.parametrize(
    ("rule", "day", "start", "end", "deadline"),
    [
        (Recurrence("month", day=31), date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29), date(2024, 2, 29)),
        (Recurrence("month", day=31), date(2023, 4, 30), date(2023, 4, 1), date(2023, 4, 30), date(2023, 4, 30)),
        (YEARLY_29_2, date(2025, 7, 1), date(2025, 1, 1), date(2025, 12, 31), date(2025, 2, 28)),
        (YEARLY_29_2, date(2024, 7, 1), date(2024, 1, 1), date(2024, 12, 31), date(2024, 2, 29)),
        (Recurrence("half", day=10), date(2024, 8, 1), date(2024, 7, 1), date(2024, 12, 31), date(2024, 12, 10)),
        (QUARTERLY_15_LAST_MONTH, date(2024, 11, 30), date(2024, 10, 1), date(2024, 12, 31), date(2024, 12, 15)),
    ],
)
def test_occurrence_for(rule: Recurrence, day: date, start: date, end: date, deadline: date) -> None:
    assert occurrence_for(rule, day) == Occurrence(start, end, deadline)


# --- properties --------------------------------------------------------------------------

RULES = st.one_of(
    st.builds(
        Recurrence,
        frequency=st.sampled_from(["month", "quarter", "half", "year"]),
        day=st.integers(min_value=1, max_value=31),
    ),
    st.sampled_from([HALF_15_6_15_12, YEARLY_15_12, Recurrence("month", day=5, month_of_period=2)]),
)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(RULES, DAYS, st.integers(min_value=0, max_value=800), st.integers(min_value=0, max_value=800))
@settings(max_examples=200, deadline=None)
def test_occurrences_are_stable_and_contiguous(rule: Recurrence, start: date, span: int, more: int) -> None:
    until = start + timedelta(days=span)
    found = occurrences(rule, start, until)
    longer = occurrences(rule, start, until + timedelta(days=more))
    assert longer[: len(found)] == found  # listing again, or further, changes nothing already listed
    for before, after in zip(found, found[1:], strict=False):
        assert after.period_start == before.period_end + timedelta(days=1)
    for occurrence in found:
        assert occurrence.period_start <= until
        assert occurrence.period_start <= occurrence.deadline
        assert occurrence.deadline >= start
        assert occurrence_for(rule, occurrence.period_start) == occurrence
        assert occurrence_for(rule, occurrence.period_end) == occurrence
    if found:
        assert found[0].period_start <= start + timedelta(days=31 * rule.months)


@given(RULES, DAYS)
@settings(max_examples=200, deadline=None)
def test_with_a_calendar_deadlines_are_working_days(rule: Recurrence, start: date) -> None:
    calendar = vietnam()
    for occurrence in occurrences(rule, start, start + timedelta(days=400), calendar):
        assert calendar.is_working_day(occurrence.deadline)
        nominal = occurrence_for(rule, occurrence.period_start).deadline
        assert occurrence.deadline == calendar.working_day_on_or_after(nominal)


# --- a series made from options: its text, its label, how it is stored ---------------------------

_LAST_MONTH_AFTER = {"month": 2, "quarter": 4, "half": 7, "year": 13}  # the month after the period
ALL_RULES = st.one_of(
    st.sampled_from(["month", "quarter", "half", "year"]).flatmap(
        lambda f: st.builds(lambda day, month: Recurrence(f, day=day, month_of_period=month),
                            st.integers(min_value=1, max_value=31),
                            st.integers(min_value=1, max_value=_LAST_MONTH_AFTER[f]))),
    st.sampled_from([HALF_15_6_15_12, YEARLY_15_12, Recurrence("quarter", dates=((1, 2), (3, 5), (1, 9), (31, 12)))]),
)


@given(ALL_RULES, DAYS)
@settings(max_examples=300, deadline=None)
def test_the_text_of_a_rule_reads_back_to_the_same_deadlines(rule: Recurrence, start: date) -> None:
    text = describe(rule)
    again = parse_recurrence(text)
    assert again is not None, text
    until = start + timedelta(days=800)
    assert occurrences(again, start, until) == occurrences(rule, start, until), text
    assert rule_from_json(rule_to_json(rule)) == rule


@pytest.mark.parametrize(
    "rule, text",
    [
        (recurrence_from_options("month", 20), "Hằng tháng, trước ngày 20"),
        (recurrence_from_options("quarter", 15), "Hằng quý, trước ngày 15 của tháng cuối quý"),
        (recurrence_from_options("half", 15), "6 tháng, trước ngày 15 của tháng cuối kỳ"),
        (recurrence_from_options("year", 15), "Hằng năm, trước ngày 15/12"),
        (HALF_15_6_15_12, "6 tháng, trước 15/6 và 15/12"),
    ],
)
def test_describe(rule: Recurrence, text: str) -> None:
    assert describe(rule) == text


@pytest.mark.parametrize(
    "rule, day, label",
    [
        (recurrence_from_options("month", 20), date(2024, 3, 1), "2024-03"),
        (recurrence_from_options("quarter", 15), date(2024, 10, 1), "2024-Q4"),
        (HALF_15_6_15_12, date(2024, 7, 1), "2024-H2"),
        (YEARLY_15_12, date(2024, 1, 1), "2024"),
    ],
)
def test_period_label(rule: Recurrence, day: date, label: str) -> None:
    assert period_label(rule, day) == label


def test_first_occurrence_skips_a_period_whose_deadline_has_passed() -> None:
    rule = recurrence_from_options("month", 20)
    assert first_occurrence(rule, date(2024, 1, 15)).period_start == date(2024, 1, 1)
    assert first_occurrence(rule, date(2024, 1, 25)).period_start == date(2024, 2, 1)
