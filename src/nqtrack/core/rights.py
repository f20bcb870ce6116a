"""Who may do what in a register kept by many units (docs/design.md, "Many units, one register").

Three roles:

- the *secretariat* (văn phòng) does everything: assigns, corrects, voids, extends, confirms
  completions and approves extensions;
- a *leader* (lãnh đạo) reads everything and writes nothing;
- a *unit* (đơn vị) reads the tasks its unit leads or coordinates, and records on the tasks
  it leads what `UNIT_FIELDS` and `UNIT_KINDS` say: progress, notes, products, an assignee
  of its own staff, a proposed completion, a request for an extension. It never changes a
  deadline, a lead unit, a source, another unit's task, and never voids anything.

This table is what the PostgreSQL engine's row-level security enforces in the server; on
SQLite the use cases ask it too, so that the workflow and the messages are the same, but
there it protects nothing (whoever can open the file can write it): rights need the server.
A register with no user for the account at work is kept by one secretariat (`KEEPER`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from nqtrack.core.errors import N_, Forbidden, InvalidInput
from nqtrack.core.text import lazy_pattern

ROLES = ("secretariat", "leader", "unit")

# The task fields a unit records on the tasks it leads (journal kinds `updated` and
# `reassigned`, the latter for an assignee of its own staff).
UNIT_FIELDS = frozenset({"progress", "product", "assignee"})
# The journal kinds a unit writes: its changes of those fields, notes, and its requests.
UNIT_KINDS = ("updated", "reassigned", "note", "proposed", "extension_requested")

# A login is a PostgreSQL role name nqtrack can create as it is: lower case, no quoting
# needed, at most 63 bytes; the group roles and the server's own are not logins.
_LOGIN = lazy_pattern(r"[a-z_][a-z0-9_]{0,62}")
GROUP_ROLES = {role: f"nqtrack_{role}" for role in ROLES}


@dataclass(frozen=True)
class Actor:
    """The user a command runs as: a login with its role, and for a unit its unit."""

    login: str | None
    role: str
    unit_id: int | None = None
    unit: str | None = None  # the unit's name, for messages

    @property
    def is_unit(self) -> bool:
        return self.role == "unit"

    @property
    def is_secretariat(self) -> bool:
        return self.role == "secretariat"


# No registered user for the account at work: the register's one secretariat (SQLite).
KEEPER = Actor(None, "secretariat")

READS_ONLY = N_("user '{login}' is a leader: a leader reads the register and writes nothing")
SECRETARIAT_ONLY = N_("user '{login}' records for {unit} only (progress, notes, products, assignees, proposed "
                      "completions, extension requests): this is for the secretariat to do")
NOT_ITS_TASK = N_("task {task} is led by {lead}, not by {unit}: user '{login}' cannot record on it")
NOT_ITS_TASK_ANY_MORE = N_("task {task} is led by {lead} now, not by {unit}: its entries were not recorded")
NOT_VISIBLE = N_("task {task} is neither led nor coordinated by {unit}: user '{login}' cannot see it")
OWN_UNIT_ONLY = N_("user '{login}' sees the tasks of {unit} only")
NO_DEADLINE_CHANGE = N_("a unit cannot change a deadline: ask for an extension (nqtrack request-extension {task} "
                        "--to DAY --reason TEXT)")
DONE_ONLY = N_("a unit proposes a completion (--state done); the other states are for the secretariat to set")


def check_login(login: str) -> str:
    """A login as stored: lower case; refused unless it can be a PostgreSQL role as written."""
    name = (login or "").strip().lower()
    if not _LOGIN.fullmatch(name) or name.startswith("pg_") or name.startswith("nqtrack_"):
        raise InvalidInput("'{login}' cannot be a login: use lower-case letters, digits and '_', starting with a "
                           "letter, at most 63 (not 'pg_…' nor 'nqtrack_…')", login=login)
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput("unknown role '{value}'; use one of: {values}", value=role, values=", ".join(ROLES))
    return role


def check_writes(actor: Actor) -> None:
    """Anything that writes: a leader writes nothing."""
    if actor.role == "leader":
        raise Forbidden(READS_ONLY, login=actor.login)


def require_secretariat(actor: Actor) -> None:
    """What only the secretariat does (assign, correct, void, extend, confirm, approve, import…)."""
    check_writes(actor)
    if actor.is_unit:
        raise Forbidden(SECRETARIAT_ONLY, login=actor.login, unit=actor.unit)


def check_records_on(actor: Actor, task_id: int, lead_unit_id: int | None, lead: str | None) -> None:
    """A unit records only on the tasks its unit leads."""
    check_writes(actor)
    if actor.is_unit and lead_unit_id != actor.unit_id:
        if actor.login is None:  # the unit's returned sheet: made when it led the task
            raise Forbidden(NOT_ITS_TASK_ANY_MORE, task=task_id, lead=lead or "—", unit=actor.unit)
        raise Forbidden(NOT_ITS_TASK, task=task_id, lead=lead or "—", unit=actor.unit, login=actor.login)


def check_fields(actor: Actor, task_id: int, fields: Iterable[str], state: str | None = None) -> None:
    """A unit changes only UNIT_FIELDS; a state only to done (which is a proposal); never a deadline."""
    if not actor.is_unit:
        return
    fields = set(fields)
    if fields & {"deadline", "deadline_text"}:
        raise Forbidden(NO_DEADLINE_CHANGE, task=task_id)
    if state is not None and state != "done":
        raise Forbidden(DONE_ONLY)
    if fields - UNIT_FIELDS - {"state", "completed_on"}:
        raise Forbidden(SECRETARIAT_ONLY, login=actor.login, unit=actor.unit)


def check_reads(actor: Actor, task_id: int, lead_unit_id: int | None, coordinating: Collection[int]) -> None:
    """A unit sees the tasks its unit leads or coordinates."""
    if actor.is_unit and lead_unit_id != actor.unit_id and actor.unit_id not in coordinating:
        raise Forbidden(NOT_VISIBLE, task=task_id, unit=actor.unit, login=actor.login)


def own_units(actor: Actor, asked: Collection[int]) -> list[int] | None:
    """The units a view of a unit user looks at: its own (None for the others: what they asked)."""
    if not actor.is_unit:
        return None
    if any(unit != actor.unit_id for unit in asked):
        raise Forbidden(OWN_UNIT_ONLY, login=actor.login, unit=actor.unit)
    return [actor.unit_id] if actor.unit_id is not None else []
