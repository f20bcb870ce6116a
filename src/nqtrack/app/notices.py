"""Reminders (đôn đốc): one notice per unit about its overdue and soon-due tasks, each
task urged recorded in the journal (and counted by the report)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from nqtrack.app.context import Context
from nqtrack.app.lookup import unit_ids
from nqtrack.core.backlog import build_backlog
from nqtrack.core.errors import UserError
from nqtrack.core.notices import Notice, build_notices, urged_tasks
from nqtrack.core.rules import check_number

DEFAULT_PLACE = "Hà Nội"


@dataclass
class RemindQuery:
    units: Sequence[str] = ()
    within: int = 7
    dry_run: bool = False


MAX_WITHIN = 3660  # days: ten years ahead is as far as anyone plans


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


def notices(ctx: Context, query: RemindQuery) -> list[Notice]:
    """The notices of today, without recording anything."""
    check_number(query.within, "--within", 0, MAX_WITHIN)
    store, today = ctx.store, ctx.today
    wanted = unit_ids(store, query.units)
    backlog = build_backlog(store.overdue_rows(today, today + timedelta(days=query.within)), today, query.within)
    return build_notices(backlog, {u.id: u for u in store.list_units()}, office=store.get_setting("office") or "",
                         place=store.get_setting("place") or DEFAULT_PLACE, only=wanted)


def remind(ctx: Context, query: RemindQuery, deliver: Callable[[list[Notice]], list[Notice]]) -> Reminded:
    """Build today's notices, hand them to `deliver` (the edge writes or sends them and
    returns those it delivered), and journal a 'reminded' event for each task of the
    notices delivered, and of those only — nothing on a dry run. When delivery stopped part
    of the way (DeliveryFailed), what went out is journaled, then its error raised."""
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
