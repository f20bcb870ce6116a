"""Issue 15: a register of the Government's kind (ministries and provinces as lead units, tasks
from the Government and from the Prime Minister, three years of them, with extensions,
completions recorded late, cancellations and reminders). The tests compute the four states
from the planned rows themselves, and the report and the evaluation must give the same, in
total, per unit and per source, for a year to date as of a day inside it and for quarters."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import pytest
from typer.testing import CliRunner

from nqtrack.cli import app
from nqtrack.store import open_store

UNITS = ("Bộ Tư pháp", "Bộ Tài chính", "Bộ Y tế", "Bộ Xây dựng", "UBND tỉnh Đắk Lắk", "UBND thành phố Hải Phòng",
         "UBND tỉnh Quảng Ninh")
SOURCES = ("Chính phủ", "Thủ tướng Chính phủ")
STATES = ("completed_on_time", "completed_late", "in_progress", "overdue")
FIRST, LAST = date(2022, 1, 1), date(2024, 9, 30)


@dataclass
class Row:
    """One planned task: what the register is built from, and what the expectations are computed from."""

    unit: str
    source: str
    assigned_on: date
    deadline: date | None
    extended_on: date | None = None  # an extension granted that day…
    extended_to: date | None = None  # …to this deadline
    completed_on: date | None = None
    recorded_late_by: int = 0  # days between the completion and its recording
    cancelled_on: date | None = None
    reminded_on: tuple[date, ...] = ()

    def deadline_on(self, day: date) -> date | None:
        return self.extended_to if self.extended_on and self.extended_on <= day else self.deadline

    def cancelled(self, day: date) -> bool:
        return self.cancelled_on is not None and self.cancelled_on <= day

    def completed(self, day: date) -> bool:
        return self.completed_on is not None and self.completed_on <= day

    def state_on(self, day: date) -> str:
        """The Government's four states on `day` (the row not cancelled)."""
        deadline = self.deadline_on(day)
        if self.completed(day):
            assert self.completed_on is not None
            return "completed_on_time" if deadline is None or self.completed_on <= deadline else "completed_late"
        return "overdue" if deadline is not None and deadline < day else "in_progress"


def plan(seed: int = 15, n: int = 420) -> list[Row]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        assigned = FIRST + timedelta(days=rng.randint(0, (LAST - FIRST).days))
        deadline = None if rng.random() < 0.2 else assigned + timedelta(days=rng.randint(5, 150))
        row = Row(rng.choice(UNITS), rng.choice(SOURCES), assigned, deadline)
        if deadline and rng.random() < 0.2:
            row.extended_on = assigned + timedelta(days=rng.randint(1, 120))
            row.extended_to = max(deadline, row.extended_on) + timedelta(days=rng.randint(10, 90))
        if rng.random() < 0.65:
            row.completed_on = assigned + timedelta(days=rng.randint(1, 220))
            row.recorded_late_by = rng.choice((0, 0, 0, 3, 20))
            if row.extended_on and row.extended_on >= row.completed_on:
                row.extended_on = row.extended_to = None
        elif rng.random() < 0.1:
            row.cancelled_on = assigned + timedelta(days=rng.randint(1, 100))
            if row.extended_on and row.extended_on >= row.cancelled_on:
                row.extended_on = row.extended_to = None
        if rng.random() < 0.25:
            row.reminded_on = tuple(sorted(assigned + timedelta(days=rng.randint(1, 200))
                                           for _ in range(rng.randint(1, 2))))
        rows.append(row)
    return rows


ROWS = plan()


def stamp(day: date, seq: int) -> str:
    return f"{day.isoformat()}T09:00:00.{seq:06d}+00:00"


@pytest.fixture(scope="module")
def register(module_register) -> str:
    path = module_register()
    store = open_store(path)
    with store.transaction():
        ids = {name: store.add_unit(name).id for name in UNITS}
        for seq, row in enumerate(ROWS):
            task = store.create_task(
                {"title": f"Nhiệm vụ {seq + 1}", "source": row.source, "lead_unit_id": ids[row.unit],
                 "assigned_on": row.assigned_on, "deadline": row.deadline, "state": "new"},
                [], effective_on=row.assigned_on, by="test", kind="imported", recorded_at=stamp(row.assigned_on, seq))
            if row.extended_on:
                store.change_task(task, {"deadline": row.extended_to}, effective_on=row.extended_on, by="test",
                                  kind="extended", note="Chờ ý kiến", recorded_at=stamp(row.extended_on, seq))
            if row.completed_on:
                recorded = row.completed_on + timedelta(days=row.recorded_late_by)
                store.change_task(task, {"state": "done", "completed_on": row.completed_on},
                                  effective_on=row.completed_on, by="test", kind="completed",
                                  recorded_at=stamp(recorded, seq))
            if row.cancelled_on:
                store.change_task(task, {"state": "cancelled"}, effective_on=row.cancelled_on, by="test",
                                  recorded_at=stamp(row.cancelled_on, seq))
            for day in row.reminded_on:
                store.record_reminders({task: row.unit}, day=day, by="test", recorded_at=stamp(day, seq),
                                       batch_id=f"remind-{seq}")
    store.close()
    return path


def run(register: str, *args: str, today: str, lang: str = "en"):
    result = CliRunner().invoke(app, ["--db", str(register), "--lang", lang, "--today", today, *args],
                                env={"NQTRACK_TEST_CLOCK": today, "NO_COLOR": "1"})
    return result


def report(register: str, *args: str, today: str) -> dict:
    result = run(register, "report", "--format", "json", *args, today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- what the rows say -------------------------------------------------------------------------


def one_year_earlier(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else day.replace(year=day.year - 1, day=28)


def expected(start: date, end: date, as_of: date, key=lambda row: None) -> dict:
    """The received view's four states (with the previous year's completed and overdue)
    and the workload's states, due in the period and carried over, grouped by `key`."""
    groups: dict = {}

    def group(row: Row) -> dict:
        return groups.setdefault(key(row), {"received": Counter(), "due": Counter(), "carried": Counter()})

    before, prev_start, prev_end = one_year_earlier(as_of), one_year_earlier(start), one_year_earlier(end)
    for row in ROWS:
        if row.cancelled(as_of):
            continue
        g = group(row)
        if start <= row.assigned_on <= end:
            g["received"][row.state_on(as_of)] += 1
            g["received"]["total"] += 1
        if prev_start <= row.assigned_on <= prev_end:
            then = row.state_on(before)
            g["received"]["previous_year_completed"] += then.startswith("completed")
            g["received"]["previous_year_overdue"] += then == "overdue"
        deadline = row.deadline_on(as_of)
        if deadline is None:
            continue
        if start <= deadline <= end:
            g["due"][row.state_on(as_of)] += 1
        elif deadline < start and not (row.completed(as_of) and row.completed_on < start):
            g["carried"][row.state_on(as_of)] += 1
    return groups


def states(counter: Counter) -> dict[str, int]:
    return {state: counter[state] for state in STATES}


def check(data: dict, start: date, end: date, as_of: date) -> None:
    """The report's figures equal the rows' in total, per unit and per source."""
    assert (data["period"]["from"], data["period"]["to"], data["period"]["as_of"]) == (
        start.isoformat(), end.isoformat(), as_of.isoformat())
    scopes = [(expected(start, end, as_of)[None], data)]
    by_unit = {item["unit"]: item for item in data["by_unit"]}
    by_source = {item["source"]: item for item in data["by_source"]}
    scopes += [(figures, by_unit[unit]) for unit, figures in expected(start, end, as_of, lambda r: r.unit).items()
               if unit in by_unit]
    scopes += [(figures, by_source[source])
               for source, figures in expected(start, end, as_of, lambda r: r.source).items()]
    assert len(scopes) == 1 + len(UNITS) + len(SOURCES), "every unit and source has figures in these periods"
    for figures, item in scopes:
        received, workload = item["received"], item["workload"]
        r = figures["received"]
        assert states(received) == states(r)
        assert received["total"] == r["total"]
        completed = r["completed_on_time"] + r["completed_late"]
        due = completed + r["overdue"]
        assert (received["completed"], received["due"]) == (completed, due)
        assert received["completion_rate_of_due"] == (completed / due if due else None)
        assert received["overdue_rate"] == (r["overdue"] / r["total"] if r["total"] else None)
        assert (received["previous_year_completed"], received["previous_year_overdue"]) == (
            r["previous_year_completed"], r["previous_year_overdue"])
        assert workload["due_in_period_states"] == states(figures["due"])
        assert workload["carried_over_states"] == states(figures["carried"])
        assert states(workload) == states(figures["due"] + figures["carried"])
        assert workload["completion_rate"] == (
            workload["completed"] / workload["total"] if workload["total"] else None)


# -- the report ----------------------------------------------------------------------------------


def test_the_rows_reach_every_state():
    """The plan is rich enough: every state, due and carried over, in the periods tested."""
    figures = expected(date(2024, 1, 1), date(2024, 12, 31), date(2024, 8, 15))[None]
    for part in ("received", "due"):
        assert all(figures[part][state] for state in STATES), (part, figures[part])
    # a task carried over was due before the period and not completed before it: completed
    # since then, it is late; not completed, it is overdue
    assert set(figures["carried"]) == {"completed_late", "overdue"}
    assert figures["received"]["previous_year_completed"] and figures["received"]["previous_year_overdue"]


def test_year_to_date_as_of_a_day_inside_it(register):
    data = report(register, "--year", "2024", today="2024-08-15")
    check(data, date(2024, 1, 1), date(2024, 12, 31), date(2024, 8, 15))


@pytest.mark.parametrize(("quarter", "today", "as_of"), [
    ("2024-Q2", "2024-08-15", None),  # a quarter closed: as of its last day
    ("2023-Q4", "2024-08-15", "2023-11-20"),  # as of a day inside it
    ("2022-Q3", "2024-08-15", None),  # no year before in the register
])
def test_a_quarter(register, quarter, today, as_of):
    from nqtrack.core.periods import parse_quarter

    period = parse_quarter(quarter)
    data = report(register, "--quarter", quarter, *(["--as-of", as_of] if as_of else []), today=today)
    check(data, period.start, period.end, date.fromisoformat(as_of) if as_of else period.end)


def test_the_governments_sentence_in_vietnamese_and_english(register):
    r = expected(date(2024, 1, 1), date(2024, 12, 31), date(2024, 8, 15))[None]["received"]
    completed = r["completed_on_time"] + r["completed_late"]
    due = completed + r["overdue"]
    # the share of the tasks fallen due, cut (never rounded) to two decimals of a per cent
    hundredths = Fraction(completed * 10000, due).__floor__()
    vi_rate, en_rate = f"{hundredths // 100},{hundredths % 100:02d} %", f"{hundredths // 100}.{hundredths % 100:02d} %"
    numbers = {"total": r["total"], "completed": completed, "on_time": r["completed_on_time"],
               "late": r["completed_late"], "open": r["in_progress"] + r["overdue"], "in_time": r["in_progress"],
               "overdue": r["overdue"]}
    vi = run(register, "report", "--year", "2024", "--format", "markdown", "--decimals", "2", today="2024-08-15",
             lang="vi").stdout
    assert ("Tổng số {total} nhiệm vụ được giao; đã hoàn thành {completed} nhiệm vụ ({on_time} đúng hạn, {late} quá "
            "hạn), chiếm {rate} số nhiệm vụ đến hạn; đang thực hiện {open} nhiệm vụ ({in_time} trong hạn, {overdue} "
            "quá hạn).").format(rate=vi_rate, **numbers) in vi.splitlines()
    en = run(register, "report", "--year", "2024", "--format", "markdown", "--decimals", "2", today="2024-08-15").stdout
    assert ("In total {total} tasks were received; {completed} completed ({on_time} on time, {late} late), {rate} of "
            "the tasks that fell due; {open} being carried out ({in_time} within the deadline, {overdue} "
            "overdue).").format(rate=en_rate, **numbers) in en.splitlines()
    # the sentence comes first in section I, the tables after it
    section = vi[vi.index("## I. "):vi.index("## II. ")].splitlines()
    assert section[2].startswith("Tổng số ") and section[4].startswith("| Chỉ tiêu")


# -- the evaluation ----------------------------------------------------------------------------


def test_evaluation_figures_are_the_rows(register):
    """Each unit's four states, overdue days, extensions and reminders in the evaluation are
    the rows' own, for the year to date as of a day inside it."""
    start, end, as_of = date(2024, 1, 1), date(2024, 12, 31), date(2024, 8, 15)
    result = run(register, "evaluate", "--year", "2024", "--format", "json", today="2024-08-15")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    figures = expected(start, end, as_of, lambda r: r.unit)
    for name in UNITS:
        rows = [r for r in ROWS if r.unit == name and not r.cancelled(as_of)]
        workload = figures[name]["due"] + figures[name]["carried"]
        overdue_days = [(as_of - r.deadline_on(as_of)).days for r in rows
                        if r.deadline_on(as_of) and r.deadline_on(as_of) <= end and r.state_on(as_of) == "overdue"]
        extensions = sum(1 for r in rows if r.extended_on and start <= r.extended_on <= as_of)
        reminders = sum(1 for r in rows for day in r.reminded_on if start <= day <= as_of)
        got = units[name]
        assert states(got) == states(workload), name
        assert (got["overdue_days_total"], got["overdue_days_max"]) == (sum(overdue_days), max(overdue_days, default=0))
        assert (got["extensions"], got["reminders"]) == (extensions, reminders), name
    assert set(units) == set(UNITS)
