"""The report figures of DESIGN.md: which task counts where, and the derived rates.

The store counts tasks with set-based SQL whose CASE expressions mirror `classify`
below term by term; `classify` is the readable definition and the reference the
tests hold the SQL to. Counts are additive, so the store returns them per
(lead unit, source) and `views` sums them into the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

# Raw counts, each a number of tasks.
RECEIVED_KEYS = (
    "total", "with_deadline", "without_deadline", "completed_with_deadline",
    "completed_without_deadline", "open", "cancelled", "previous_year",
)
WORKLOAD_KEYS = (
    "due_in_period", "carried_over", "total", "completed_on_time", "completed_late",
    "completed", "overdue", "in_progress", "cancelled", "extended", "reminded", "open_without_deadline",
)
RAW_KEYS = (
    "r_total", "r_with_deadline", "r_completed_with_deadline", "r_completed_without_deadline",
    "r_cancelled", "r_previous_year", "w_due_in_period", "w_carried_over", "w_completed_on_time",
    "w_completed_late", "w_overdue", "w_in_progress", "w_cancelled", "w_extended",
    "w_reminded", "w_open_without_deadline",
)


@dataclass(frozen=True)
class TaskAsOf:
    """A task's fields on the as-of day, as the journal stood."""

    state: str
    deadline: date | None
    completed_on: date | None
    assigned_on: date | None
    extended_in_period: bool = False
    reminded_in_period: bool = False


def classify(
    task: TaskAsOf, start: date, end: date, as_of: date, prev_start: date, prev_end: date
) -> dict[str, int]:
    """Which raw counts this task adds 1 to, for period [start, end] as of `as_of`."""
    out = dict.fromkeys(RAW_KEYS, 0)
    cancelled = task.state == "cancelled"
    completed = task.state == "done" and task.completed_on is not None and task.completed_on <= as_of
    received = task.assigned_on is not None and start <= task.assigned_on <= end
    if received and cancelled:
        out["r_cancelled"] = 1
    elif received:
        out["r_total"] = 1
        if task.deadline is not None:
            out["r_with_deadline"] = 1
            out["r_completed_with_deadline"] = int(completed)
        else:
            out["r_completed_without_deadline"] = int(completed)
    if not cancelled and task.assigned_on is not None and prev_start <= task.assigned_on <= prev_end:
        out["r_previous_year"] = 1
    # every task whose deadline was extended in the period, wherever its deadline now falls
    out["w_extended"] = int(task.extended_in_period and not cancelled)
    # every task a unit was urged about (đôn đốc) in the period
    out["w_reminded"] = int(task.reminded_in_period and not cancelled)
    if task.deadline is None:
        if not cancelled and not completed and (task.assigned_on is None or task.assigned_on <= end):
            out["w_open_without_deadline"] = 1
        return out
    due = start <= task.deadline <= end
    carried = task.deadline < start and not (completed and task.completed_on < start)
    if cancelled:
        out["w_cancelled"] = int(due)
        return out
    if not (due or carried):
        return out
    out["w_due_in_period"] = int(due)
    out["w_carried_over"] = int(carried)
    if completed:
        key = "w_completed_on_time" if task.completed_on <= task.deadline else "w_completed_late"
        out[key] = 1
    elif task.deadline < as_of:
        out["w_overdue"] = 1
    else:
        out["w_in_progress"] = 1
    return out


def add_counts(groups: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(RAW_KEYS, 0)
    for group in groups:
        for key in RAW_KEYS:
            total[key] += group.get(key) or 0
    return total


def completion_rate(completed: int, total: int) -> float | None:
    """completed / total as a fraction, cut (not rounded) to 3 decimals: 223/387 → 0.576.

    Cut, like the percentages, so that a report never overstates progress."""
    if total == 0:
        return None
    return (completed * 1000 // total) / 1000


def change_pct(total: int, previous: int) -> float | None:
    """(total − previous) / previous × 100, cut to one decimal: 153 vs 74 → 106.7."""
    if previous == 0:
        return None
    tenths = abs(total - previous) * 1000 // previous
    return (tenths if total >= previous else -tenths) / 10


def views(raw: Mapping[str, int]) -> dict[str, dict[str, object]]:
    """The `received` and `workload` objects of DESIGN.md from raw counts."""
    r_total = raw["r_total"]
    r_completed = raw["r_completed_with_deadline"] + raw["r_completed_without_deadline"]
    received = {
        "total": r_total,
        "with_deadline": raw["r_with_deadline"],
        "without_deadline": r_total - raw["r_with_deadline"],
        "completed_with_deadline": raw["r_completed_with_deadline"],
        "completed_without_deadline": raw["r_completed_without_deadline"],
        "open": r_total - r_completed,
        "cancelled": raw["r_cancelled"],
        "previous_year": raw["r_previous_year"],
        "change_pct": change_pct(r_total, raw["r_previous_year"]),
    }
    w_total = raw["w_due_in_period"] + raw["w_carried_over"]
    w_completed = raw["w_completed_on_time"] + raw["w_completed_late"]
    workload = {
        "due_in_period": raw["w_due_in_period"],
        "carried_over": raw["w_carried_over"],
        "total": w_total,
        "completed_on_time": raw["w_completed_on_time"],
        "completed_late": raw["w_completed_late"],
        "completed": w_completed,
        "overdue": raw["w_overdue"],
        "in_progress": raw["w_in_progress"],
        "completion_rate": completion_rate(w_completed, w_total),
        "cancelled": raw["w_cancelled"],
        "extended": raw["w_extended"],
        "reminded": raw["w_reminded"],
        "open_without_deadline": raw["w_open_without_deadline"],
    }
    return {"received": received, "workload": workload}


def breakdown(
    groups: list[Mapping[str, object]], unit_names: Mapping[int, str]
) -> dict[str, object]:
    """Totals, `by_unit` and `by_source` from the counts per (lead unit, source)."""
    from nqtrack.core.collate import sort_key

    by_unit: dict[object, list] = {}
    by_source: dict[object, list] = {}
    for group in groups:
        by_unit.setdefault(group["lead_unit_id"], []).append(group)
        by_source.setdefault(group["source"], []).append(group)

    def items(grouped: dict, key: str, name) -> list[dict[str, object]]:
        out = [{key: name(k), **views(add_counts(v))} for k, v in grouped.items()]
        out = [item for item in out if item["received"]["total"] or item["workload"]["total"]
               or item["received"]["cancelled"] or item["workload"]["cancelled"]
               or item["workload"]["open_without_deadline"]]
        return sorted(out, key=lambda item: (item[key] is None, sort_key(item[key])))

    return {
        **views(add_counts(groups)),
        "by_unit": items(by_unit, "unit", lambda k: unit_names.get(k) if k is not None else None),
        "by_source": items(by_source, "source", lambda k: k),
    }
