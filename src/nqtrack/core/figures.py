"""The report figures of DESIGN.md: which task counts where, and the derived rates.

The store counts tasks with set-based SQL whose CASE expressions mirror `classify`
below term by term; `classify` is the readable definition and the reference the
tests hold the SQL to. Counts are additive, so the store returns them per
(lead unit, source) and `views` sums them into the totals.

Every view reports in the Government's four timing classes (DESIGN.md, "Task
states"): completed on time, completed late, in progress (not completed, within
the deadline) and overdue. Rates are exact fractions (completed / total as a
float, unrounded); a person reads them through `core.numbers`, which cuts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nqtrack.core.periods import one_year_earlier

# The four timing classes, in the order the Government's reports give them.
COMPLETED_ON_TIME = "completed_on_time"
COMPLETED_LATE = "completed_late"
IN_PROGRESS = "in_progress"
OVERDUE = "overdue"
STATE_KEYS = (COMPLETED_ON_TIME, COMPLETED_LATE, IN_PROGRESS, OVERDUE)

# The count columns of each view that the report's CSV carries (its first columns;
# the keys added with the four states are listed apart so that the CSV stays stable).
RECEIVED_KEYS = (
    "total", "with_deadline", "without_deadline", "completed_with_deadline",
    "completed_without_deadline", "open", "cancelled", "previous_year",
)
WORKLOAD_KEYS = (
    "due_in_period", "carried_over", "total", "completed_on_time", "completed_late",
    "completed", "overdue", "in_progress", "cancelled", "extended", "reminded", "open_without_deadline",
)
# Counts and rates of the received view in the four states, and the year before.
RECEIVED_STATE_KEYS = (*STATE_KEYS, "completed", "due", "previous_year_completed", "previous_year_overdue")
RECEIVED_RATE_KEYS = ("completion_rate_of_due", "overdue_rate")
RECEIVED_CHANGE_KEYS = ("change_pct", "change_pct_completed", "change_pct_overdue")

RAW_KEYS = (
    "r_total", "r_with_deadline", "r_completed_with_deadline", "r_completed_without_deadline",
    "r_cancelled", "r_previous_year", "w_due_in_period", "w_carried_over", "w_completed_on_time",
    "w_completed_late", "w_overdue", "w_in_progress", "w_cancelled", "w_extended",
    "w_reminded", "w_open_without_deadline",
    # the four states (see `classify` for the exact condition of each)
    "r_completed_on_time", "r_completed_late", "r_in_progress", "r_overdue",
    "r_previous_year_completed", "r_previous_year_overdue",
    "w_due_completed_on_time", "w_due_completed_late", "w_due_in_progress", "w_due_overdue",
)


@dataclass(frozen=True)
class TaskAsOf:
    """A task's fields on the as-of day, as the journal stood.

    `previous_year_deadline` and `previous_year_completed_on` are the deadline and
    the completion day as the journal stood on the previous as-of day (one year
    before the as-of day); the completion day is None unless the task was done then.
    A voided task (entered in error) counts nowhere.
    """

    state: str
    deadline: date | None
    completed_on: date | None
    assigned_on: date | None
    extended_in_period: bool = False
    reminded_in_period: bool = False
    voided: bool = False
    previous_year_deadline: date | None = None
    previous_year_completed_on: date | None = None


def timing_class(deadline: date | None, completed_on: date | None, as_of: date) -> str:
    """Which of the four states a task is in on day `as_of` (DESIGN.md, "Task states").

    `completed_on` is the completion day of a done task, None for a task not done.
    Completion after `as_of` does not count: the task was not yet done that day.
    """
    if completed_on is not None and completed_on <= as_of:
        return COMPLETED_ON_TIME if deadline is None or completed_on <= deadline else COMPLETED_LATE
    return OVERDUE if deadline is not None and deadline < as_of else IN_PROGRESS


def classify(
    task: TaskAsOf,
    start: date,
    end: date,
    as_of: date,
    prev_start: date,
    prev_end: date,
    previous_as_of: date | None = None,
) -> dict[str, int]:
    """Which raw counts this task adds 1 to, for period [start, end] as of `as_of`.

    `previous_as_of` is the as-of day of the year before, by default the same day
    one year earlier (29 February → 28 February): the previous year's states are
    the states of the tasks received in [prev_start, prev_end] on that day.

    A voided task adds to no count. Otherwise, with
      cancelled = state is cancelled (as of `as_of`),
      completed = state is done and completed_on ≤ as_of,
      received  = start ≤ assigned_on ≤ end,
      received_before = prev_start ≤ assigned_on ≤ prev_end,
      due       = start ≤ deadline ≤ end,
      carried   = deadline < start and not (completed and completed_on < start),
      workload  = not cancelled and (due or carried),
    the keys of the four states are:
      r_completed_on_time: received, not cancelled, completed, and deadline is null or completed_on ≤ deadline
      r_completed_late:    received, not cancelled, completed, and completed_on > deadline
      r_in_progress:       received, not cancelled, not completed, and deadline is null or deadline ≥ as_of
      r_overdue:           received, not cancelled, not completed, and deadline < as_of
      r_previous_year_completed: received_before, not cancelled, and previous_year_completed_on ≤ previous_as_of
      r_previous_year_overdue:   received_before, not cancelled, previous_year_completed_on is null or
                                 > previous_as_of, and previous_year_deadline < previous_as_of
      w_due_completed_on_time: workload, due, completed, and completed_on ≤ deadline
      w_due_completed_late:    workload, due, completed, and completed_on > deadline
      w_due_in_progress:       workload, due, not completed, and deadline ≥ as_of
      w_due_overdue:           workload, due, not completed, and deadline < as_of
    (the carried-over states are the workload's states less those of the tasks due).
    """
    out = dict.fromkeys(RAW_KEYS, 0)
    if task.voided:
        return out
    cancelled = task.state == "cancelled"
    completed = task.state == "done" and task.completed_on is not None and task.completed_on <= as_of
    completion = task.completed_on if completed else None
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
        out["r_" + timing_class(task.deadline, completion, as_of)] = 1
    if not cancelled and task.assigned_on is not None and prev_start <= task.assigned_on <= prev_end:
        out["r_previous_year"] = 1
        day_before = previous_as_of or one_year_earlier(as_of)
        before = timing_class(task.previous_year_deadline, task.previous_year_completed_on, day_before)
        out["r_previous_year_completed"] = int(before in (COMPLETED_ON_TIME, COMPLETED_LATE))
        out["r_previous_year_overdue"] = int(before == OVERDUE)
    # every task whose deadline was extended in the period, wherever its deadline now falls
    out["w_extended"] = int(task.extended_in_period and not cancelled)
    # every task a unit was urged about (đôn đốc) in the period
    out["w_reminded"] = int(task.reminded_in_period and not cancelled)
    if task.deadline is None:
        if not cancelled and not completed and (task.assigned_on is None or task.assigned_on <= end):
            out["w_open_without_deadline"] = 1
        return out
    due = start <= task.deadline <= end
    carried = task.deadline < start and not (completion is not None and completion < start)
    if cancelled:
        out["w_cancelled"] = int(due)
        return out
    if not (due or carried):
        return out
    out["w_due_in_period"] = int(due)
    out["w_carried_over"] = int(carried)
    state = timing_class(task.deadline, completion, as_of)
    out["w_" + state] = 1
    if due:
        out["w_due_" + state] = 1
    return out


TREND_KEYS = ("w_due_in_period", "w_carried_over", "w_completed_on_time", "w_completed_late")


def trend_workload(groups: Iterable[Mapping[str, Any]], months: int) -> list[dict[str, int]]:
    """The TREND_KEYS counts of `classify` for each of `months` consecutive months, each
    taken as of its last day but the last month, taken as of a day of its own.

    Each group is a count of tasks with a deadline, neither cancelled nor voided, whose
    fields are the same on every one of those days, by
      due:  the month their deadline falls in (0 the first; -1 before the first);
      done: the month they were completed in (-1 before the first, `months` or more
            after the last), None for a task not done (or done without a day);
    with `tasks` (how many), `on_time` (completed by their deadline), `by_last` (completed
    by the last month's as-of day) and `by_last_on_time` (both). As in `classify`, a task
    is due in its deadline's month, carried over in each later month until the month it
    was completed in, and completed in a month when completed by its as-of day.
    """
    out = [dict.fromkeys(TREND_KEYS, 0) for _ in range(months)]
    last = months - 1
    for group in groups:
        due, done, tasks = group["due"], group["done"], group["tasks"]
        for month in range(max(due, 0), months):
            if month != due and done is not None and done < month:
                break  # completed before this month: in no later month's workload
            counts = out[month]
            counts["w_due_in_period" if month == due else "w_carried_over"] += tasks
            if month < last:
                completed = tasks if done is not None and done <= month else 0
                on_time = group["on_time"] if completed else 0
            else:
                completed, on_time = group["by_last"], group["by_last_on_time"]
            counts["w_completed_on_time"] += on_time
            counts["w_completed_late"] += completed - on_time
    return out


def add_counts(groups: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(RAW_KEYS, 0)
    for group in groups:
        for key in RAW_KEYS:
            total[key] += group.get(key) or 0
    return total


def rate(part: int, whole: int) -> float | None:
    """part / whole as an exact fraction (a float, unrounded); None when whole is 0.

    Never rounded here: a person reads rates through `core.numbers.cut_percent`,
    which cuts them exactly, so that a report never overstates progress."""
    if whole == 0:
        return None
    return part / whole


def completion_rate(completed: int, total: int) -> float | None:
    """completed / total as a fraction, unrounded: 223/387 → 0.5762273901808785."""
    return rate(completed, total)


def change_pct(total: int, previous: int) -> float | None:
    """(total − previous) / previous × 100, cut to one decimal: 153 vs 74 → 106.7."""
    if previous == 0:
        return None
    tenths = abs(total - previous) * 1000 // previous
    return (tenths if total >= previous else -tenths) / 10


def _states(raw: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {key: raw[prefix + key] for key in STATE_KEYS}


def views(raw: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """The `received` and `workload` objects of DESIGN.md from raw counts.

    received.previous_year_completed and received.previous_year_overdue count the
    tasks received in the same period one year earlier, in their states as of the
    same day one year earlier; change_pct_completed and change_pct_overdue compare
    this year's completed and overdue with them as change_pct compares the totals.
    """
    r_total = raw["r_total"]
    r_completed = raw["r_completed_on_time"] + raw["r_completed_late"]
    r_due = r_completed + raw["r_overdue"]
    received: dict[str, Any] = {
        "total": r_total,
        "with_deadline": raw["r_with_deadline"],
        "without_deadline": r_total - raw["r_with_deadline"],
        "completed_with_deadline": raw["r_completed_with_deadline"],
        "completed_without_deadline": raw["r_completed_without_deadline"],
        "open": r_total - raw["r_completed_with_deadline"] - raw["r_completed_without_deadline"],
        "cancelled": raw["r_cancelled"],
        "previous_year": raw["r_previous_year"],
        "change_pct": change_pct(r_total, raw["r_previous_year"]),
        **_states(raw, "r_"),
        "completed": r_completed,
        "due": r_due,
        "completion_rate_of_due": rate(r_completed, r_due),
        "overdue_rate": rate(raw["r_overdue"], r_total),
        "previous_year_completed": raw["r_previous_year_completed"],
        "previous_year_overdue": raw["r_previous_year_overdue"],
        "change_pct_completed": change_pct(r_completed, raw["r_previous_year_completed"]),
        "change_pct_overdue": change_pct(raw["r_overdue"], raw["r_previous_year_overdue"]),
    }
    w_total = raw["w_due_in_period"] + raw["w_carried_over"]
    w_completed = raw["w_completed_on_time"] + raw["w_completed_late"]
    due_states = _states(raw, "w_due_")
    # due in the period and carried over are disjoint (deadline in P, or before it)
    carried_states = {key: raw["w_" + key] - due_states[key] for key in STATE_KEYS}
    workload: dict[str, Any] = {
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
        "due_in_period_states": due_states,
        "carried_over_states": carried_states,
    }
    return {"received": received, "workload": workload}


@dataclass(frozen=True)
class GovernmentSentence:
    """The numbers of the Government's summary sentence, for the message catalog:

    "Tổng số N nhiệm vụ được giao; đã hoàn thành A nhiệm vụ (B đúng hạn, C quá hạn),
    chiếm X % số nhiệm vụ đến hạn; đang thực hiện D nhiệm vụ (E trong hạn, F quá hạn)".
    X is a fraction (None when no task fell due), to be printed cut.
    """

    total: int  # N
    completed: int  # A
    completed_on_time: int  # B
    completed_late: int  # C
    completion_rate_of_due: float | None  # X
    not_completed: int  # D
    in_progress: int  # E
    overdue: int  # F


def government_sentence(received: Mapping[str, Any]) -> GovernmentSentence:
    """The numbers of the Government's sentence from a `received` object of `views`."""
    return GovernmentSentence(
        total=received["total"],
        completed=received["completed"],
        completed_on_time=received["completed_on_time"],
        completed_late=received["completed_late"],
        completion_rate_of_due=received["completion_rate_of_due"],
        not_completed=received["in_progress"] + received["overdue"],
        in_progress=received["in_progress"],
        overdue=received["overdue"],
    )


def breakdown(groups: Sequence[Mapping[str, Any]], unit_names: Mapping[int, str]) -> dict[str, Any]:
    """Totals, `by_unit` and `by_source` from the counts per (lead unit, source)."""
    from nqtrack.core.collate import sort_key

    by_unit: dict[Any, list[Mapping[str, Any]]] = {}
    by_source: dict[Any, list[Mapping[str, Any]]] = {}
    for group in groups:
        by_unit.setdefault(group["lead_unit_id"], []).append(group)
        by_source.setdefault(group["source"], []).append(group)

    def items(grouped: dict[Any, list[Mapping[str, Any]]], key: str, name: Any) -> list[dict[str, Any]]:
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
