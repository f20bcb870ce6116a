from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.calendar import WorkCalendar, add_months
from nqtrack.holidays_vn import national_days, work_calendar


@cache
def vietnam() -> WorkCalendar:
    """The national calendar from the installed `holidays` package (no network)."""
    return work_calendar(range(2019, 2032))


# --- the national days, as `holidays` gives them ----------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Tết 2024: Thursday 8 to Wednesday 14 February off (29 Tết to mùng 5)
        (date(2024, 2, 7), True),
        (date(2024, 2, 8), False),
        (date(2024, 2, 12), False),
        (date(2024, 2, 14), False),
        (date(2024, 2, 15), True),
        # Giỗ Tổ Hùng Vương: 10/3 âm lịch, a different solar day each year
        (date(2024, 4, 18), False),
        (date(2025, 4, 7), False),
        (date(2026, 4, 27), False),  # 26/4/2026 is a Sunday: compensatory Monday
        # 2024: Monday 29/4 off, swapped with Saturday 4/5 worked
        (date(2024, 4, 29), False),
        (date(2024, 5, 4), True),
        # 2025: Friday 2/5 off, swapped with Saturday 26/4 worked
        (date(2025, 5, 2), False),
        (date(2025, 4, 26), True),
        # 2026: Monday 31/8 off, swapped with Saturday 22/8 worked; Ngày Văn hóa Việt Nam
        (date(2026, 8, 31), False),
        (date(2026, 8, 22), True),
        (date(2026, 11, 24), False),
        # compensatory days off ("nghỉ bù")
        (date(2023, 1, 2), False),
        (date(2023, 5, 2), False),
        (date(2023, 5, 3), False),
        (date(2023, 9, 4), False),
        # Tết 2023, 2025, 2026
        (date(2023, 1, 20), False),
        (date(2023, 1, 26), False),
        (date(2023, 1, 27), True),
        (date(2025, 1, 27), False),
        (date(2025, 1, 31), False),
        (date(2025, 2, 3), True),
        (date(2026, 2, 16), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        # plain days
        (date(2024, 3, 9), False),  # Saturday
        (date(2024, 3, 10), False),  # Sunday
        (date(2024, 3, 11), True),
    ],
)
def test_vietnamese_working_days(day: date, working: bool) -> None:
    assert vietnam().is_working_day(day) is working


def test_national_days_keep_to_the_years_asked() -> None:
    days = national_days([2024])
    assert days.years == frozenset({2024})
    assert all(day.year == 2024 for day in days.days_off | days.working_days)
    assert days.working_days == frozenset({date(2024, 5, 4)})
    assert national_days(range(2023, 2027)).working_days == frozenset(
        {date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)}
    )


def test_calendar_says_which_years_it_knows() -> None:
    calendar = work_calendar(range(2024, 2026))
    assert calendar.covers(date(2025, 12, 31))
    assert not calendar.covers(date(2026, 1, 1))
    assert not WorkCalendar().covers(date(2024, 1, 1))


# --- the acceptance cases of issue 16 ---------------------------------------------------


@pytest.mark.parametrize(
    ("event_day", "count", "unit", "expected"),
    [
        # across Tết 2024: not 19/02 as without holidays
        (date(2024, 2, 5), 10, "working_days", date(2024, 2, 26)),
        # across 30/4–1/5 2025, with the swapped Friday 2/5 and the Saturday 26/4 worked
        (date(2025, 4, 25), 5, "working_days", date(2025, 5, 6)),
        # across the swapped day off of 2024 (Monday 29/4), ending on the Saturday worked
        (date(2024, 4, 26), 3, "working_days", date(2024, 5, 4)),
        # across a year end
        (date(2024, 12, 27), 5, "working_days", date(2025, 1, 6)),
        # 15 days from 20/12/2024 end on Saturday 4/1/2025: the period ends on Monday 6/1
        (date(2024, 12, 20), 15, "days", date(2025, 1, 6)),
        # 5 days from 5/2/2024 end on 10/2, Tết: the next working day is 15/2
        (date(2024, 2, 5), 5, "days", date(2024, 2, 15)),
        (date(2024, 3, 1), 10, "days", date(2024, 3, 11)),
        # months: same day number; 31/1 → 29/2 (leap year); 30/4/2025 is a holiday → 5/5
        (date(2024, 1, 31), 1, "months", date(2024, 2, 29)),
        (date(2025, 3, 31), 1, "months", date(2025, 5, 5)),
        (date(2024, 8, 15), 6, "months", date(2025, 2, 17)),  # 15/2/2025 is a Saturday
    ],
)
def test_periods_across_holidays(event_day: date, count: int, unit: str, expected: date) -> None:
    assert vietnam().period_end(event_day, count, unit) == expected  # type: ignore[arg-type]


def test_an_office_make_up_working_day_changes_the_result() -> None:
    national = vietnam()
    assert national.add_working_days(date(2024, 2, 5), 10) == date(2024, 2, 26)
    office = work_calendar(range(2019, 2032), office_working_days=[date(2024, 2, 17)])
    assert office.is_working_day(date(2024, 2, 17))
    assert office.add_working_days(date(2024, 2, 5), 10) == date(2024, 2, 23)


def test_an_office_day_off_changes_the_result() -> None:
    office = work_calendar(range(2019, 2032), office_days_off=[date(2024, 2, 15)])
    assert office.add_working_days(date(2024, 2, 5), 10) == date(2024, 2, 27)


def test_working_days_overdue_skip_tet() -> None:
    # due Wednesday 7/2/2024, as of Friday 16/2: only 15 and 16 February were working days
    assert vietnam().working_days_between(date(2024, 2, 7), date(2024, 2, 16)) == 2


# --- the calendar's own rules, on a small hand-made calendar ----------------------------

HOLIDAY = date(2024, 3, 13)  # a Wednesday
SATURDAY_WORKED = date(2024, 3, 16)


def small() -> WorkCalendar:
    return WorkCalendar(public_holidays={HOLIDAY}, make_up_working_days={SATURDAY_WORKED})


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        (WorkCalendar(), date(2024, 3, 11), True),
        (WorkCalendar(), date(2024, 3, 16), False),
        (small(), HOLIDAY, False),
        (small(), SATURDAY_WORKED, True),
        (small(), date(2024, 3, 17), False),
        # the office's own days win over the national ones
        (WorkCalendar({HOLIDAY}, office_working_days={HOLIDAY}), HOLIDAY, True),
        (WorkCalendar(office_days_off={date(2024, 3, 12)}), date(2024, 3, 12), False),
        (
            WorkCalendar(office_days_off={SATURDAY_WORKED}, make_up_working_days={SATURDAY_WORKED}),
            SATURDAY_WORKED,
            False,
        ),
        (WorkCalendar(office_working_days={date(2024, 3, 17)}), date(2024, 3, 17), True),
    ],
)
def test_is_working_day(calendar: WorkCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_a_day_cannot_be_both_office_day_off_and_working_day() -> None:
    with pytest.raises(ValueError, match="13/03/2024"):
        WorkCalendar(office_days_off={HOLIDAY}, office_working_days={HOLIDAY})


def test_calendars_compare_by_their_days() -> None:
    assert small() == WorkCalendar([HOLIDAY], make_up_working_days=[SATURDAY_WORKED])
    assert hash(small()) == hash(WorkCalendar([HOLIDAY], make_up_working_days=[SATURDAY_WORKED]))
    assert small() != WorkCalendar([HOLIDAY])


@pytest.mark.parametrize(
    ("day", "after", "on_or_after"),
    [
        (date(2024, 3, 11), date(2024, 3, 12), date(2024, 3, 11)),
        (date(2024, 3, 12), date(2024, 3, 14), date(2024, 3, 12)),  # skips the holiday
        (HOLIDAY, date(2024, 3, 14), date(2024, 3, 14)),
        (date(2024, 3, 15), SATURDAY_WORKED, date(2024, 3, 15)),
        (SATURDAY_WORKED, date(2024, 3, 18), SATURDAY_WORKED),
        (date(2024, 3, 17), date(2024, 3, 18), date(2024, 3, 18)),
    ],
)
def test_next_working_day(day: date, after: date, on_or_after: date) -> None:
    assert small().next_working_day(day) == after
    assert small().working_day_on_or_after(day) == on_or_after


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2024, 3, 11), 0, date(2024, 3, 11)),
        (date(2024, 3, 11), 1, date(2024, 3, 12)),
        (date(2024, 3, 11), 2, date(2024, 3, 14)),
        (date(2024, 3, 11), 4, SATURDAY_WORKED),
        (date(2024, 3, 11), 5, date(2024, 3, 18)),
        (HOLIDAY, 1, date(2024, 3, 14)),  # counted from a day off: its next working day is the first
        (date(2024, 3, 17), 1, date(2024, 3, 18)),
        (date(2024, 3, 14), -1, date(2024, 3, 12)),
        (date(2024, 3, 18), -1, SATURDAY_WORKED),
        (date(2024, 3, 18), -3, date(2024, 3, 14)),
    ],
)
def test_add_working_days(day: date, count: int, expected: date) -> None:
    assert small().add_working_days(day, count) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 3, 11), date(2024, 3, 11), 0),
        (date(2024, 3, 12), date(2024, 3, 11), 0),
        (date(2024, 3, 11), date(2024, 3, 12), 1),
        (date(2024, 3, 11), date(2024, 3, 13), 1),  # the holiday is not counted
        (date(2024, 3, 11), date(2024, 3, 17), 4),  # Saturday 16 worked, Sunday 17 not
        (date(2024, 3, 8), date(2024, 3, 11), 1),  # weekend then Monday
        (date(2024, 3, 9), date(2024, 3, 10), 0),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert small().working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 31), 0, date(2024, 5, 31)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("event_day", "count", "unit", "expected"),
    [
        (date(2024, 3, 11), 2, "days", date(2024, 3, 14)),  # 13 is the holiday
        (date(2024, 3, 11), 5, "days", SATURDAY_WORKED),
        (date(2024, 3, 11), 6, "days", date(2024, 3, 18)),  # Sunday → Monday
        (date(2024, 3, 11), 2, "working_days", date(2024, 3, 14)),
        (date(2024, 2, 13), 1, "months", date(2024, 3, 14)),
    ],
)
def test_period_end(event_day: date, count: int, unit: str, expected: date) -> None:
    assert small().period_end(event_day, count, unit) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("count", "unit"), [(0, "days"), (-1, "working_days"), (1, "weeks")])
def test_period_end_rejects(count: int, unit: str) -> None:
    with pytest.raises(ValueError):
        small().period_end(date(2024, 3, 11), count, unit)  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def brute_force_between(calendar: WorkCalendar, start: date, end: date) -> int:
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(1 for day in days if calendar.is_working_day(day))


@given(DAYS, DAYS, st.sets(DAYS, max_size=30), st.sets(DAYS, max_size=30))
@settings(max_examples=200, deadline=None)
def test_working_days_between_counts_day_by_day(
    start: date, end: date, days_off: set[date], working: set[date]
) -> None:
    calendar = WorkCalendar(days_off, make_up_working_days=working)
    assert calendar.working_days_between(start, end) == brute_force_between(calendar, start, end)


@given(DAYS, st.integers(min_value=1, max_value=60))
@settings(max_examples=200, deadline=None)
def test_add_working_days_lands_on_the_nth_working_day(day: date, count: int) -> None:
    calendar = vietnam()
    end = calendar.add_working_days(day, count)
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(day, end) == count
    back = calendar.add_working_days(end, -count)
    # counting back lands on `day` itself if it is a working day, else on the one before it
    assert back == day if calendar.is_working_day(day) else back == calendar.add_working_days(day, -1)


@given(DAYS, st.integers(min_value=1, max_value=60), st.sampled_from(["days", "working_days", "months"]))
@settings(max_examples=200, deadline=None)
def test_a_period_ends_on_a_working_day_after_the_event(day: date, count: int, unit: str) -> None:
    end = vietnam().period_end(day, count, unit)  # type: ignore[arg-type]
    assert end > day
    assert vietnam().is_working_day(end)
