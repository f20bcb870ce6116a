"""The report figures' core: the four timing classes on their edges, the views built
from raw counts, the Government's sentence, and the printing of rates."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nqtrack.core.figures import (
    RAW_KEYS,
    STATE_KEYS,
    TREND_KEYS,
    GovernmentSentence,
    TaskAsOf,
    add_counts,
    breakdown,
    classify,
    completion_rate,
    government_sentence,
    timing_class,
    trend_workload,
    views,
)
from nqtrack.core.numbers import cut, cut_percent, format_percent, localize

START, END = date(2024, 3, 1), date(2024, 3, 31)
AS_OF = date(2024, 3, 20)
PREV_START, PREV_END = date(2023, 3, 1), date(2023, 3, 31)
PREV_AS_OF = date(2023, 3, 20)
DAY = timedelta(days=1)


def counts(task: TaskAsOf, as_of: date = AS_OF) -> dict[str, int]:
    return classify(task, START, END, as_of, PREV_START, PREV_END)


def received_state(task: TaskAsOf) -> str | None:
    """The one received state the task counts in (None if in none)."""
    found = [key for key in STATE_KEYS if counts(task)["r_" + key]]
    assert len(found) <= 1
    return found[0] if found else None


def task(state: str = "new", deadline: date | None = END, completed_on: date | None = None,
         assigned_on: date | None = date(2024, 3, 5), **more: Any) -> TaskAsOf:
    return TaskAsOf(state, deadline, completed_on, assigned_on, **more)


# -- the four timing classes on their edges ------------------------------------------

@pytest.mark.parametrize(("deadline", "completed_on", "expected"), [
    (AS_OF - 5 * DAY, AS_OF - 5 * DAY, "completed_on_time"),  # completed on the deadline day
    (AS_OF - 5 * DAY, AS_OF - 4 * DAY, "completed_late"),  # the day after the deadline
    (AS_OF, AS_OF, "completed_on_time"),  # completed on A, due on A
    (AS_OF - DAY, AS_OF, "completed_late"),  # completed on A, a day late
    (None, AS_OF - 30 * DAY, "completed_on_time"),  # no deadline: never late
    (AS_OF + 10 * DAY, AS_OF - 3 * DAY, "completed_on_time"),
], ids=["on-deadline-day", "day-after-deadline", "on-A", "on-A-late", "no-deadline", "early"])
def test_done_by_the_as_of_day(deadline, completed_on, expected):
    assert timing_class(deadline, completed_on, AS_OF) == expected
    assert received_state(task("done", deadline, completed_on)) == expected


@pytest.mark.parametrize(("deadline", "expected"), [
    (AS_OF - DAY, "overdue"),  # deadline the day before A
    (AS_OF, "in_progress"),  # deadline A itself: still within it
    (AS_OF + DAY, "in_progress"),
    (None, "in_progress"),  # no deadline: never overdue
])
def test_completed_the_day_after_the_as_of_day_is_not_completed(deadline, expected):
    later = task("done", deadline, AS_OF + DAY)
    assert received_state(later) == expected
    assert received_state(task("in_progress", deadline)) == expected
    assert counts(later)["r_completed_with_deadline"] == counts(later)["r_completed_without_deadline"] == 0


def test_cancelled_is_in_no_state_but_its_own_line():
    raw = counts(task("cancelled", AS_OF - DAY))
    assert raw["r_cancelled"] == 1 and raw["w_cancelled"] == 1
    assert all(raw["r_" + k] == raw["w_" + k] == raw["w_due_" + k] == 0 for k in STATE_KEYS)
    assert raw["r_total"] == raw["r_previous_year"] == 0


@pytest.mark.parametrize("state", ["new", "done", "cancelled", "paused"])
def test_voided_counts_nowhere(state):
    voided = task(state, AS_OF - DAY, AS_OF - 2 * DAY if state == "done" else None, voided=True,
                  extended_in_period=True, reminded_in_period=True)
    assert set(counts(voided).values()) == {0}
    assert set(classify(task(state, None, assigned_on=date(2023, 3, 5), voided=True), START, END, AS_OF,
                        PREV_START, PREV_END).values()) == {0}


def test_an_extended_deadline_is_the_one_that_counts():
    # first due on 10 March, extended in the period to 10 April: within the deadline on 20 March
    extended = task("in_progress", date(2024, 4, 10), extended_in_period=True)
    raw = counts(extended)
    assert raw["r_in_progress"] == 1 and raw["r_overdue"] == 0
    assert raw["w_extended"] == 1
    assert raw["w_due_in_period"] == 0  # no longer due in March
    # completed after the original deadline but before the extended one: on time
    assert received_state(task("done", date(2024, 4, 10), date(2024, 3, 15), extended_in_period=True)) == (
        "completed_on_time")


def test_workload_states_split_due_and_carried_over():
    due = counts(task("new", AS_OF - DAY))
    assert (due["w_due_in_period"], due["w_overdue"], due["w_due_overdue"]) == (1, 1, 1)
    carried = counts(task("new", START - DAY, assigned_on=date(2024, 1, 5)))
    assert (carried["w_carried_over"], carried["w_overdue"], carried["w_due_overdue"]) == (1, 1, 0)
    assert carried["r_total"] == 0  # received before the period
    done_before = counts(task("done", START - 5 * DAY, START - DAY, assigned_on=date(2024, 1, 5)))
    assert done_before["w_carried_over"] == 0  # completed before the period: not carried over
    done_late_in_period = counts(task("done", START - 5 * DAY, START + DAY, assigned_on=date(2024, 1, 5)))
    assert (done_late_in_period["w_carried_over"], done_late_in_period["w_completed_late"]) == (1, 1)


def test_previous_year_states_are_as_of_the_same_day_a_year_earlier():
    assigned = date(2023, 3, 10)
    # done now, but on 20 March 2023 it was open and past its deadline of 18 March 2023
    late = task("done", date(2023, 3, 18), date(2023, 3, 25), assigned,
                previous_year_deadline=date(2023, 3, 18), previous_year_completed_on=None)
    raw = counts(late)
    assert (raw["r_previous_year"], raw["r_previous_year_completed"], raw["r_previous_year_overdue"]) == (1, 0, 1)
    done = task("done", date(2023, 3, 18), date(2023, 3, 15), assigned,
                previous_year_deadline=date(2023, 3, 18), previous_year_completed_on=date(2023, 3, 15))
    assert (counts(done)["r_previous_year_completed"], counts(done)["r_previous_year_overdue"]) == (1, 0)
    # a completion after the previous as-of day does not count then, whatever the fields say
    after = task("done", date(2023, 3, 30), date(2023, 3, 21), assigned,
                 previous_year_deadline=date(2023, 3, 30), previous_year_completed_on=date(2023, 3, 21))
    assert (counts(after)["r_previous_year_completed"], counts(after)["r_previous_year_overdue"]) == (0, 0)
    # an explicit previous as-of day overrides the default
    explicit = classify(late, START, END, AS_OF, PREV_START, PREV_END, previous_as_of=date(2023, 3, 17))
    assert explicit["r_previous_year_overdue"] == 0


def test_previous_as_of_day_of_29_february():
    leap = classify(task("new", assigned_on=date(2023, 2, 10), previous_year_deadline=date(2023, 2, 27)),
                    date(2024, 2, 1), date(2024, 2, 29), date(2024, 2, 29), date(2023, 2, 1), date(2023, 2, 28))
    assert leap["r_previous_year_overdue"] == 1  # as of 28 February 2023


days = st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2024, 6, 30)))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["new", "in_progress", "done", "paused", "cancelled"]), days, days, days, days, days,
       st.booleans(), st.dates(date(2024, 2, 1), date(2024, 5, 31)))
def test_every_task_received_is_in_exactly_one_state(state, deadline, completed_on, assigned_on, prev_deadline,
                                                     prev_completed_on, voided, as_of):
    t = TaskAsOf(state, deadline, completed_on, assigned_on, voided=voided,
                 previous_year_deadline=prev_deadline, previous_year_completed_on=prev_completed_on)
    raw = classify(t, START, END, as_of, PREV_START, PREV_END)
    assert set(raw) == set(RAW_KEYS)
    assert sum(raw["r_" + k] for k in STATE_KEYS) == raw["r_total"]
    assert sum(raw["w_" + k] for k in STATE_KEYS) == raw["w_due_in_period"] + raw["w_carried_over"]
    assert sum(raw["w_due_" + k] for k in STATE_KEYS) == raw["w_due_in_period"]
    assert raw["r_completed_on_time"] + raw["r_completed_late"] == (
        raw["r_completed_with_deadline"] + raw["r_completed_without_deadline"])
    assert raw["r_previous_year_completed"] + raw["r_previous_year_overdue"] <= raw["r_previous_year"]
    if voided:
        assert set(raw.values()) == {0}


# -- views ------------------------------------------------------------------------------

def design_raw() -> dict[str, int]:
    """The example of DESIGN.md: 153 tasks from the Government, 387 due in nine months."""
    raw = dict.fromkeys(RAW_KEYS, 0)
    raw.update(r_total=153, r_with_deadline=85, r_completed_with_deadline=74, r_completed_without_deadline=41,
               r_completed_on_time=105, r_completed_late=10, r_in_progress=30, r_overdue=8,
               r_previous_year=74, r_previous_year_completed=50, r_previous_year_overdue=10,
               w_due_in_period=387, w_completed_on_time=200, w_completed_late=23, w_overdue=164, w_in_progress=0,
               w_due_completed_on_time=200, w_due_completed_late=23, w_due_overdue=164)
    return raw


def test_received_view_keys_and_sums():
    received = views(design_raw())["received"]
    assert list(received) == [
        "total", "with_deadline", "without_deadline", "completed_with_deadline", "completed_without_deadline",
        "open", "cancelled", "previous_year", "change_pct",
        "completed_on_time", "completed_late", "in_progress", "overdue", "completed", "due",
        "completion_rate_of_due", "overdue_rate",
        "previous_year_completed", "previous_year_overdue", "change_pct_completed", "change_pct_overdue",
    ]
    assert (received["completed"], received["due"], received["open"]) == (115, 123, 38)
    assert received["in_progress"] + received["overdue"] == received["open"]
    assert received["completion_rate_of_due"] == 115 / 123
    assert received["overdue_rate"] == 8 / 153
    assert received["change_pct"] == 106.7
    assert (received["change_pct_completed"], received["change_pct_overdue"]) == (130.0, -20.0)


def test_workload_view_states_and_exact_rate():
    workload = views(design_raw())["workload"]
    assert workload["completion_rate"] == 0.5762273901808785  # 223/387, unrounded
    assert workload["due_in_period_states"] == {
        "completed_on_time": 200, "completed_late": 23, "in_progress": 0, "overdue": 164}
    assert workload["carried_over_states"] == dict.fromkeys(STATE_KEYS, 0)
    assert cut_percent(workload["completion_rate"]) == "57.6"


def test_rates_are_none_without_a_denominator():
    received = views(dict.fromkeys(RAW_KEYS, 0))["received"]
    assert received["completion_rate_of_due"] is None and received["overdue_rate"] is None
    assert received["change_pct_completed"] is None and received["change_pct_overdue"] is None
    assert completion_rate(0, 0) is None and completion_rate(2, 3) == 2 / 3


def test_carried_over_states_from_classified_tasks():
    tasks = [
        task("new", AS_OF - DAY),  # due, overdue
        task("done", START + DAY, START + DAY),  # due, on time
        task("new", START - 10 * DAY, assigned_on=date(2024, 1, 2)),  # carried, overdue
        task("done", START - 10 * DAY, START + 2 * DAY, assigned_on=date(2024, 1, 2)),  # carried, late
        task("new", END + 10 * DAY),  # received, not in the workload
    ]
    workload = views(add_counts(counts(t) for t in tasks))["workload"]
    assert workload["due_in_period_states"] == {
        "completed_on_time": 1, "completed_late": 0, "in_progress": 0, "overdue": 1}
    assert workload["carried_over_states"] == {
        "completed_on_time": 0, "completed_late": 1, "in_progress": 0, "overdue": 1}
    assert (workload["due_in_period"], workload["carried_over"]) == (2, 2)


def test_breakdown_items_have_the_same_keys_and_add_up():
    groups = []
    for unit, source, t in [
        (1, "Chính phủ", task("done", END, START + DAY)),
        (1, "Lãnh đạo Bộ", task("new", AS_OF - DAY)),
        (2, "Chính phủ", task("new", AS_OF + DAY)),
        (2, "Chính phủ", task("done", START + DAY, START + 3 * DAY)),
        (None, "Chính phủ", task("done", None, START + DAY)),
    ]:
        groups.append({"lead_unit_id": unit, "source": source, **counts(t)})
    report = breakdown(groups, {1: "Vụ Pháp chế", 2: "Cục Kiểm soát"})
    assert [item["unit"] for item in report["by_unit"]] == ["Cục Kiểm soát", "Vụ Pháp chế", None]
    for item in report["by_unit"] + report["by_source"]:
        assert list(item["received"]) == list(report["received"])
        assert list(item["workload"]) == list(report["workload"])
    for key in (*STATE_KEYS, "completed", "due"):
        assert sum(item["received"][key] for item in report["by_unit"]) == report["received"][key]
        assert sum(item["received"][key] for item in report["by_source"]) == report["received"][key]
    assert [report["received"][key] for key in STATE_KEYS] == [2, 1, 1, 1]


def test_government_sentence():
    sentence = government_sentence(views(design_raw())["received"])
    assert sentence == GovernmentSentence(
        total=153, completed=115, completed_on_time=105, completed_late=10,
        completion_rate_of_due=115 / 123, not_completed=38, in_progress=30, overdue=8)
    assert sentence.completed + sentence.not_completed == sentence.total
    assert format_percent(sentence.completion_rate_of_due, 2, "vi") == "93,49 %"


# -- printing rates ------------------------------------------------------------------

@pytest.mark.parametrize(("rate", "decimals", "expected"), [
    (57 / 100, 1, "57.0"),  # 0.56999999999999995… in binary
    (57 / 100, 2, "57.00"),
    (16051 / 16274, 2, "98.62"),
    (16051 / 16274, 1, "98.6"),
    (223 / 387, 1, "57.6"),
    (223 / 387, 0, "57"),
    (2 / 3, 3, "66.666"),  # cut, not rounded to 66.667
    (0.29, 1, "29.0"),  # 28.999999999999996 in floats
    (1.0, 1, "100.0"),
    (0.0, 2, "0.00"),
    (1 / 1_000_000, 4, "0.0001"),
    (9999 / 10000, 1, "99.9"),  # never rounded up to 100
    (Fraction(1, 3), 6, "33.333333"),
    (1, 0, "100"),
    (-0.5166, 1, "-51.6"),  # toward zero, like change_pct
    (None, 1, None),
])
def test_cut_percent(rate, decimals, expected):
    assert cut_percent(rate, decimals) == expected


@pytest.mark.parametrize(("rate", "decimals", "lang", "expected"), [
    (16051 / 16274, 2, "vi", "98,62 %"),
    (16051 / 16274, 2, "en", "98.62 %"),
    (0.57, 1, "vi", "57,0 %"),
    (12.3456, 1, "vi", "1.234,5 %"),
    (12.3456, 1, "en", "1,234.5 %"),
    (0.5, 0, "vi", "50 %"),
    (None, 2, "vi", "—"),
    (None, 1, "en", "—"),
])
def test_format_percent(rate, decimals, lang, expected):
    assert format_percent(rate, decimals, lang) == expected


def test_localize_and_cut():
    assert localize("-1234567.25", "vi") == "-1.234.567,25"
    assert localize("999", "en") == "999"
    assert cut(106.75, 1) == "106.7"
    assert cut(-0.05, 1) == "0.0"  # no "-0.0"


@pytest.mark.parametrize("bad", [-1, 7])
def test_decimals_out_of_range(bad):
    with pytest.raises(ValueError):
        cut_percent(0.5, bad)


def test_not_finite():
    with pytest.raises(ValueError):
        cut_percent(math.nan)


def exact_cut_percent(numerator: int, denominator: int, decimals: int) -> str:
    units = Fraction(numerator, denominator) * 100 * 10**decimals
    whole, fraction = divmod(math.floor(units), 10**decimals)
    return f"{whole}.{fraction:0{decimals}d}" if decimals else str(whole)


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 10_000_000).flatmap(lambda q: st.tuples(st.integers(0, 2 * q), st.just(q))),
       st.integers(0, 6))
def test_cut_percent_of_a_quotient_is_exact(pair, decimals):
    numerator, denominator = pair
    assert cut_percent(numerator / denominator, decimals) == exact_cut_percent(numerator, denominator, decimals)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 6))
def test_cut_percent_of_a_decimal_boundary(units, decimals):
    """Rates that are exactly on a printed boundary (like 0.57) print as that boundary."""
    rate_text = f"{Fraction(units, 100 * 10**decimals)}"
    numerator, _, denominator = rate_text.partition("/")
    rate = int(numerator) / int(denominator or 1)
    assert cut_percent(rate, decimals) == exact_cut_percent(units, 100 * 10**decimals, decimals)


# -- the trend's months in one pass ---------------------------------------------------------


def _month_index(day: date, months: list[tuple[date, date, date]]) -> int:
    """The month a day falls in as the store's grouping numbers it (-1 before, len after)."""
    if day < months[0][0]:
        return -1
    return next((i for i, (_, end, _) in enumerate(months) if day <= end), len(months))


trend_task = st.tuples(st.sampled_from(["new", "in_progress", "paused", "done"]),
                       st.integers(-90, 420), st.one_of(st.none(), st.integers(-120, 450)))


@settings(max_examples=300, deadline=None)
@given(st.lists(trend_task, max_size=25), st.lists(st.integers(1, 40), min_size=1, max_size=13),
       st.integers(0, 40))
@example([("done", 58, 55), ("done", 5, 60), ("new", -3, None)], [31, 29], 10)  # done after the last as-of day
def test_trend_workload_spreads_grouped_tasks_as_classify_counts_each(tasks, lengths, last_short):
    """Tasks grouped by the months of their deadline and completion, spread over consecutive
    months by trend_workload, give classify's counts of each task in each month (the last
    month taken as of a day of its own, possibly before its end)."""
    origin = date(2024, 1, 1)
    months, start = [], origin
    for length in lengths:
        end = start + timedelta(days=length - 1)
        months.append((start, end, end))
        start = end + DAY
    last_start, last_end, _ = months[-1]
    months[-1] = (last_start, last_end, max(last_start, last_end - timedelta(days=last_short)))
    groups: dict[tuple[int, int | None], dict[str, Any]] = {}
    expected = [dict.fromkeys(TREND_KEYS, 0) for _ in months]
    for state, deadline_day, completed_day in tasks:
        deadline = origin + timedelta(days=deadline_day)
        completed_on = origin + timedelta(days=completed_day) if state == "done" and completed_day is not None else None
        if completed_on is None and state == "done":
            continue  # done without a day: the store counts it month by month (trend_counts)
        task = TaskAsOf(state, deadline, completed_on, None)
        for index, (start, end, as_of) in enumerate(months):
            raw = classify(task, start, end, as_of, start, end)
            for key in TREND_KEYS:
                expected[index][key] += raw[key]
        if deadline > months[-1][1] or (completed_on is not None and completed_on < months[0][0] > deadline):
            continue  # never in a month's workload: the store does not read it
        done = _month_index(completed_on, months) if completed_on is not None else None
        group = groups.setdefault((_month_index(deadline, months), done),
                                  {"tasks": 0, "on_time": 0, "by_last": 0, "by_last_on_time": 0})
        on_time = completed_on is not None and completed_on <= deadline
        by_last = completed_on is not None and completed_on <= months[-1][2]
        group["tasks"] += 1
        group["on_time"] += on_time
        group["by_last"] += by_last
        group["by_last_on_time"] += by_last and on_time
    rows = [{"due": due, "done": done, **counts} for (due, done), counts in groups.items()]
    assert trend_workload(rows, len(months)) == expected
