"""Reminders (đôn đốc): one notice per unit about its overdue and soon-due tasks, each
task urged recorded in the journal (and counted by the report)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from nqtrack.app import settings
from nqtrack.app.calendar import working_calendar
from nqtrack.app.context import Context
from nqtrack.app.lookup import unit_ids
from nqtrack.app.series import open_before_reading
from nqtrack.core import rights
from nqtrack.core.backlog import build_backlog
from nqtrack.core.errors import UserError
from nqtrack.core.letterhead import missing
from nqtrack.core.notices import Notice, build_notices, urged_tasks
from nqtrack.core.rules import MAX_WITHIN, check_number


@dataclass
class RemindQuery:
    units: Sequence[str] = ()
    within: int = 7
    dry_run: bool = False
    working_days: bool = False  # the due-soon window in working days




class DeliveryFailed(Exception):
    """Raised by a deliverer that stopped part of the way: `delivered` went out (and is
    journaled), `error` says why the rest did not."""

    def __init__(self, delivered: list[Notice], error: UserError) -> None:
        super().__init__(str(error))
        self.delivered, self.error = delivered, error


@dataclass
class Reminded:
    notices: list[Notice] = field(default_factory=list)
    delivered: list[Notice] = field(default_factory=list)
    tasks_urged: int = 0


def check_query(query: RemindQuery) -> None:
    """What the query itself can be refused for, before anything is opened or said."""
    check_number(query.within, "--within", 0, MAX_WITHIN)


def notices(ctx: Context, query: RemindQuery) -> list[Notice]:
    """The notices of today, without recording anything."""
    check_query(query)
    store, today = ctx.store, ctx.today
    open_before_reading(ctx, today)
    wanted = unit_ids(store, query.units)
    window = working_calendar(ctx, today, query.within) if query.working_days else None
    rows = store.overdue_rows(today, window.due_until if window else today + timedelta(days=query.within))
    backlog = build_backlog(rows, today, query.within, calendar=window.for_rows(rows) if window else None)
    return build_notices(backlog, {u.id: u for u in store.list_units()}, head=settings.letterhead(ctx), only=wanted)


def unset_settings(ctx: Context) -> list[str]:
    """The settings of the letters' heading and signature that are not set (no default is
    made up for them: the letters leave them blank)."""
    return missing(settings.letterhead(ctx))


def remind(ctx: Context, query: RemindQuery, deliver: Callable[[list[Notice]], list[Notice]]) -> Reminded:
    """Build today's notices, hand them to `deliver` (the edge writes or sends them and
    returns those it delivered), and journal a 'reminded' event for each task of the
    notices delivered, and of those only — nothing on a dry run. When delivery stopped part
    of the way (DeliveryFailed), what went out is journaled, then its error raised."""
    if not query.dry_run:
        rights.require_secretariat(ctx.actor)
    result = Reminded(notices(ctx, query))
    if not result.notices:
        return result
    failure = None
    try:
        result.delivered = deliver(result.notices)
    except DeliveryFailed as stopped:
        result.delivered, failure = stopped.delivered, stopped.error
    urged = urged_tasks(result.delivered)
    if urged and not query.dry_run:
        with ctx.store.transaction():
            ctx.store.record_reminders(urged, day=ctx.today, by=ctx.by, recorded_at=ctx.recorded_at,
                                       batch_id=f"remind-{uuid.uuid4().hex[:8]}")
        result.tasks_urged = len(urged)
    if failure is not None:
        raise failure
    return result
