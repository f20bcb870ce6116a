"""Reminder notices (đôn đốc): which unit is urged about which tasks.

Pure: from the morning backlog (core.backlog) and the units, one `Notice` per unit that
leads an overdue or soon-due task or coordinates one; the renderers write it as a letter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from nqtrack.core.backlog import Backlog
from nqtrack.core.collate import sort_key
from nqtrack.core.letterhead import Letterhead


@dataclass
class NoticeTask:
    """One task as a notice shows it; `days_overdue` is 0 for tasks not yet due."""

    id: int
    code: str | None
    title: str
    document: str | None
    deadline: date | None
    days_overdue: int
    lead_unit: str | None
    extended: bool = False
    original_deadline: date | None = None


@dataclass
class Notice:
    """Everything one unit's notice says; `coordinating` holds the overdue or soon-due
    tasks that other units lead and this unit only helps with."""

    unit: str
    unit_code: str | None
    email: str | None
    day: date  # the notice's date
    within: int  # due-soon window in days
    head: Letterhead = field(default_factory=Letterhead)  # the issuing office, place, number, signer
    overdue: list[NoticeTask] = field(default_factory=list)
    due_soon: list[NoticeTask] = field(default_factory=list)
    coordinating: list[NoticeTask] = field(default_factory=list)
    unit_id: int | None = None
    working_days: bool = False  # `within` counts working days

    def task_ids(self) -> list[int]:
        return [t.id for t in self.overdue + self.due_soon + self.coordinating]


class UnitLike(Protocol):
    id: int
    name: str
    code: str | None
    email: str | None


def _notice_task(task: Mapping[str, Any]) -> NoticeTask:
    return NoticeTask(
        id=task["id"], code=task["code"], title=task["title"], document=task["document"], deadline=task["deadline"],
        days_overdue=task["days_overdue"], lead_unit=task["lead_unit"], extended=task["extended"],
        original_deadline=task["original_deadline"],
    )


def build_notices(
    backlog: Backlog,
    units: Mapping[int, UnitLike],
    *,
    head: Letterhead,
    only: Iterable[int] = (),
) -> list[Notice]:
    """One notice per unit with something to urge (paused tasks are not urged), in
    Vietnamese order of the unit names; `only` keeps the units named."""
    sections: dict[int, dict[str, list[Mapping[str, Any]]]] = {}

    def section(unit_id: int, name: str) -> list[Mapping[str, Any]]:
        return sections.setdefault(unit_id, {"overdue": [], "due_soon": [], "coordinating": []})[name]

    for name, tasks in (("overdue", backlog.overdue), ("due_soon", backlog.due_soon)):
        for task in tasks:
            if task["lead_unit_id"] is not None:
                section(task["lead_unit_id"], name).append(task)
            for other in (task.get("coordinating_unit_ids") or "").split(","):
                if other:
                    section(int(other), "coordinating").append(task)
    wanted = set(only)
    notices = []
    for unit_id in sorted(sections, key=lambda u: sort_key(units[u].name)):
        if wanted and unit_id not in wanted:
            continue
        unit, found = units[unit_id], sections[unit_id]
        notices.append(Notice(
            unit=unit.name, unit_code=unit.code, email=unit.email, head=head, day=backlog.as_of,
            within=backlog.within, overdue=[_notice_task(t) for t in found["overdue"]],
            due_soon=[_notice_task(t) for t in found["due_soon"]],
            coordinating=[_notice_task(t) for t in found["coordinating"]], unit_id=unit_id,
            working_days=backlog.working_days,
        ))
    return notices


def urged_tasks(notices: Iterable[Notice]) -> dict[int, str]:
    """Each task urged by these notices, with the names of the units urged about it."""
    urged: dict[int, list[str]] = {}
    for notice in notices:
        for task_id in notice.task_ids():
            urged.setdefault(task_id, []).append(notice.unit)
    return {task_id: "; ".join(names) for task_id, names in urged.items()}
