"""Re-importing a spreadsheet never undoes newer work (docs/design.md, "Import").

The register remembers, per task and field, the value the last import of that row brought.
For each field of a row matched to a task, three values meet: the file's now, the file's
last time, and the register's now:

- the file's equals the register's: nothing to do;
- the file's has not changed since the last import, the register's has (an extension, a
  completion recorded since): the register's stays (*kept*);
- the file's has changed, the register's has not: the file's is taken (*applied*);
- both changed, or the register never imported this row: a *conflict*, listed; the
  register's stays unless the file is preferred (`--prefer file`).

Fields that move together are decided together: the deadline with its text and recurrence,
the state with its completion date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Fields decided together; any other field is a group of its own.
GROUPS: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "deadline_text", "recurring"),
    "state": ("state", "completed_on"),
}

Values = Mapping[str, str | None]  # journal text (store.base.journal_value), coordinating units "3,7"


@dataclass
class Decision:
    applied: list[str] = field(default_factory=list)  # groups the file's values are taken for
    kept: list[str] = field(default_factory=list)  # groups the register changed since the last import
    conflicts: list[str] = field(default_factory=list)  # groups both changed (or never imported)


def groups_of(fields: list[str]) -> dict[str, tuple[str, ...]]:
    """The groups the file's fields make, in the order given."""
    found: dict[str, tuple[str, ...]] = {}
    for name in fields:
        group = next((g for g, members in GROUPS.items() if name in members), name)
        members = GROUPS.get(group, (name,))
        found.setdefault(group, tuple(m for m in members if m in fields))
    return found


def reconcile(file: Values, last: Values | None, current: Values, *, prefer_file: bool = False) -> Decision:
    """What a re-import does with each group of the file's fields (see the module doc).
    `last` is None when the register never imported this task."""
    decision = Decision()
    for group, members in groups_of(list(file)).items():
        now = tuple(file[m] for m in members)
        here = tuple(current.get(m) for m in members)
        if now == here:
            continue
        before = tuple(last.get(m) for m in members) if last is not None and all(m in last for m in members) else None
        if before == now:
            decision.kept.append(group)
        elif before is not None and before == here:
            decision.applied.append(group)
        else:
            decision.conflicts.append(group)
            if prefer_file:
                decision.applied.append(group)
    return decision
