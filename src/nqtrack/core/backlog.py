"""The overdue backlog on a day: what is overdue, carried over, paused, due soon.

Pure: takes the open tasks with a deadline up to `as_of + within` (as the store
gives them, fields as of that day) and sorts them into the morning view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nqtrack.core.calendar import WorkCalendar
from nqtrack.core.collate import sort_key
from nqtrack.core.states import days_overdue, is_carried_over
from nqtrack.core.text import fold


@dataclass
class UnitLine:
    unit: str | None
    overdue: int = 0
    carried_over: int = 0
    due_soon: int = 0
    paused: int = 0
    oldest_deadline: date | None = None


@dataclass
class Backlog:
    as_of: date
    within: int
    overdue: list[dict[str, Any]] = field(default_factory=list)
    paused: list[dict[str, Any]] = field(default_factory=list)
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    units: list[UnitLine] = field(default_factory=list)
    aging: list[tuple[str, int]] = field(default_factory=list)  # ("2022-09", 30), newest month first
    working_days: bool = False  # `within` and the days overdue counted in working days
    # the requests awaiting the secretariat: proposed completions and extension requests
    # (nqtrack.app.requests.AWAITING_KEYS), oldest first
    awaiting: list[dict[str, Any]] = field(default_factory=list)

    @property
    def carried_over(self) -> int:
        return sum(1 for t in self.overdue if t["carried_over"])


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def build_backlog(
    rows: Iterable[dict[str, Any]],
    as_of: date,
    within: int = 7,
    *,
    min_days: int = 0,
    assignee: str | None = None,
    calendar: WorkCalendar | None = None,
) -> Backlog:
    """Sort open tasks into overdue (by unit, most overdue first), paused and due soon.

    With the office's `calendar`, `within` and `min_days` count working days, and each
    task also says how many working days it is overdue (`working_days_overdue`: the
    working days after its deadline, up to `as_of`)."""
    backlog = Backlog(as_of, within, working_days=calendar is not None)
    due_until = calendar.add_working_days(as_of, within) if calendar else as_of + timedelta(days=within)
    wanted_assignee = fold(assignee) if assignee else None
    units: dict[str | None, UnitLine] = {}
    for row in rows:
        if wanted_assignee and wanted_assignee not in fold(row.get("assignee")):
            continue
        deadline = _as_date(row["deadline"])
        if deadline is None or deadline > due_until:
            continue
        original = _as_date(row.get("original_deadline"))
        task = dict(row)
        task["deadline"] = deadline
        task["original_deadline"] = original
        task["extended"] = original is not None and original != deadline
        task["days_overdue"] = days_overdue(deadline, as_of)
        task["working_days_overdue"] = calendar.working_days_between(deadline, as_of) if calendar else None
        task["carried_over"] = is_carried_over(deadline, as_of)
        line = units.setdefault(row.get("lead_unit"), UnitLine(row.get("lead_unit")))
        if deadline >= as_of:
            backlog.due_soon.append(task)
            line.due_soon += 1
            continue
        if (task["working_days_overdue"] if calendar else task["days_overdue"]) < min_days:
            continue
        if row["state"] == "paused":
            backlog.paused.append(task)
            line.paused += 1
            continue
        backlog.overdue.append(task)
        line.overdue += 1
        line.carried_over += int(task["carried_over"])
        if line.oldest_deadline is None or deadline < line.oldest_deadline:
            line.oldest_deadline = deadline
    backlog.overdue.sort(key=lambda t: (sort_key(t.get("lead_unit")), -t["days_overdue"], t["id"]))
    backlog.paused.sort(key=lambda t: (-t["days_overdue"], t["id"]))
    backlog.due_soon.sort(key=lambda t: (t["deadline"], t["id"]))
    backlog.units = sorted(
        (u for u in units.values() if u.overdue or u.due_soon or u.paused),
        key=lambda u: (-u.overdue, -u.due_soon, sort_key(u.unit)),
    )
    months: dict[str, int] = {}
    for task in backlog.overdue:
        key = task["deadline"].strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    backlog.aging = sorted(months.items(), reverse=True)
    return backlog


GROUPS = ("unit", "month", "document", "none")


def group_tasks(tasks: list[dict[str, Any]], by: str) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Tasks in groups (by lead unit, deadline month, document, or one group), most overdue first."""
    if by == "none":
        return [(None, sorted(tasks, key=lambda t: (-t["days_overdue"], t["id"])))]
    if by == "month":
        key = lambda t: t["deadline"].strftime("%m/%Y")  # noqa: E731
        order = lambda name: min(t["deadline"] for t in groups[name])  # noqa: E731
    else:
        column = "lead_unit" if by == "unit" else "document"
        key = lambda t: t.get(column) or ""  # noqa: E731
        order = sort_key
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        groups.setdefault(key(task), []).append(task)
    return [
        (name, sorted(groups[name], key=lambda t: (-t["days_overdue"], t["id"])))
        for name in sorted(groups, key=order)
    ]


def overdue_by_month(tasks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many overdue tasks have their deadline in each month, oldest month first."""
    months: dict[str, int] = {}
    for task in tasks:
        key = _as_date(task["deadline"]).strftime("%Y-%m")  # type: ignore[union-attr]
        months[key] = months.get(key, 0) + 1
    return [{"month": month, "overdue": count} for month, count in sorted(months.items())]


def overdue_by_unit(tasks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overdue backlog of each lead unit: how many, how many carried over from earlier
    months, the oldest deadline; the largest backlog first."""
    units: dict[str | None, dict[str, Any]] = {}
    for task in tasks:
        deadline = _as_date(task["deadline"])
        line = units.setdefault(task.get("lead_unit"), {"unit": task.get("lead_unit"), "overdue": 0,
                                                        "carried_over": 0, "oldest_deadline": deadline})
        line["overdue"] += 1
        line["carried_over"] += int(bool(task.get("carried_over")))
        if deadline is not None and (line["oldest_deadline"] is None or deadline < line["oldest_deadline"]):
            line["oldest_deadline"] = deadline
    return sorted(units.values(), key=lambda u: (-u["overdue"], sort_key(u["unit"])))
