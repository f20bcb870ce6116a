"""What the secretariat looks at: the morning overdue view, the statistical report, the
review of documents. Each reads the register as of a day (from the journal) and returns
plain data for the renderers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from nqtrack.app import settings
from nqtrack.app.calendar import working_calendar
from nqtrack.app.context import Context, end_of_day_utc
from nqtrack.app.lookup import resolve_filters, unit_ids
from nqtrack.app.series import open_before_reading
from nqtrack.core import rights
from nqtrack.core.backlog import GROUPS, Backlog, build_backlog, overdue_by_month, overdue_by_unit
from nqtrack.core.errors import InvalidInput, UserError
from nqtrack.core.rules import MAX_COUNT, MAX_DAYS, MAX_WITHIN, check_number
from nqtrack.core.text import fold

if TYPE_CHECKING:
    from nqtrack.core.periods import Period

ROLES = ("lead", "coordinating", "any")

# -- the morning view ------------------------------------------------------------------------


@dataclass
class OverdueQuery:
    within: int = 7
    units: Sequence[str] = ()
    sources: Sequence[str] = ()
    documents: Sequence[str] = ()
    role: str | None = None  # with units: lead (default), coordinating or any; a unit user's own: any
    assignee: str | None = None
    min_days: int = 0
    group: str = "unit"
    limit: int | None = None
    working_days: bool = False  # --within, --min-days and the days overdue in working days


def check_overdue_query(query: OverdueQuery) -> None:
    if query.group not in GROUPS:
        raise InvalidInput("unknown group '{value}'; use one of: {values}", value=query.group,
                           values=", ".join(GROUPS))
    if query.role is not None and query.role not in ROLES:
        raise InvalidInput("unknown role '{value}'; use one of: {values}", value=query.role, values=", ".join(ROLES))
    check_number(query.within, "--within", 0, MAX_WITHIN)
    check_number(query.min_days, "--min-days", 0, MAX_DAYS)
    check_number(query.limit, "--limit", 1, MAX_COUNT)


def overdue(ctx: Context, query: OverdueQuery) -> Backlog:
    """Overdue tasks per unit, carried over, paused, and due within `within` days, today
    (working days, on the office's calendar, with `working_days`)."""
    check_overdue_query(query)
    today = ctx.today
    open_before_reading(ctx, today)
    filters = resolve_filters(ctx.store, query.units, query.sources, query.documents)
    role = query.role or "lead"
    own = rights.own_units(ctx.actor, filters.unit_ids)  # a unit user: its own tasks, led or coordinated
    if own is not None:
        filters.unit_ids, role = own, query.role or "any"
    calendar = working_calendar(ctx, today, query.within) if query.working_days else None
    due_until = calendar.due_until if calendar else today + timedelta(days=query.within)
    rows = ctx.store.overdue_rows(today, due_until, role=role, **filters.as_kwargs())
    backlog = build_backlog(rows, today, query.within, min_days=query.min_days, assignee=query.assignee,
                            calendar=calendar.for_rows(rows) if calendar else None)
    from nqtrack.app import requests  # the morning view's alone (a report does without it)

    backlog.awaiting = requests.awaiting(ctx, today, filters, role)
    return backlog


# -- the report --------------------------------------------------------------------------------


@dataclass
class PeriodChoice:
    """The period options as given: exactly one of a month, a quarter, a year or a range."""

    month: str | None = None
    quarter: str | None = None
    year: str | None = None
    start: date | None = None
    end: date | None = None


def resolve_period(choice: PeriodChoice, today: date, cutoff: int | None) -> Period:
    from nqtrack.core.periods import PeriodError, parse_month, parse_quarter, parse_year, range_period

    given = [x for x in (choice.month, choice.quarter, choice.year, choice.start or choice.end) if x]
    if len(given) != 1 or (choice.start is None) != (choice.end is None):
        raise InvalidInput("give one period: --month, --quarter, --year, or --from with --to")
    try:
        if choice.month:
            return parse_month(choice.month, today, cutoff)
        if choice.quarter:
            return parse_quarter(choice.quarter, cutoff)
        if choice.year:
            return parse_year(choice.year, cutoff)
        assert choice.start is not None and choice.end is not None
        return range_period(choice.start, choice.end)
    except PeriodError as exc:
        raise InvalidInput("bad period: {reason}", reason=str(exc)) from None


@dataclass
class ReportQuery:
    period: PeriodChoice
    cutoff: int | None = None  # None: the stored setting
    as_of: date | None = None
    known_on: date | None = None
    units: Sequence[str] = ()
    include_subunits: bool = False
    sources: Sequence[str] = ()
    documents: Sequence[str] = ()
    decimals: int | None = None  # None: the stored setting, else one
    fresh: bool = False  # count every figure again (and keep the new counts), not read the ones kept


@dataclass
class Printed:
    """What a view gives the renderers: its data (the JSON, rates exact) and how many
    decimals of a per cent people read the rates with (cut, never rounded)."""

    data: dict[str, Any]
    decimals: int


REPORT_TASK_KEYS = ("id", "code", "title", "document", "lead_unit", "assignee", "deadline", "original_deadline",
                    "days_overdue", "carried_over", "state")


@dataclass
class Scope:
    """A report's period, as-of day, known-at moment and filters, resolved."""

    period: Period
    day: date
    known_at: str | None
    filters: dict[str, Any]
    head: dict[str, Any]  # the JSON's "period" and "filters"


def resolve_scope(ctx: Context, query: ReportQuery) -> Scope:
    """The period (with the stored cut-off), the as-of day (the earlier of the period's end
    and today, unless given), the known-at moment and the filters of a report's options."""
    store = ctx.store
    cutoff = settings.check_cutoff(query.cutoff if query.cutoff is not None else settings.stored_cutoff(store))
    period = resolve_period(query.period, ctx.today, None if cutoff in (None, 1) else cutoff)
    day = query.as_of or min(period.end, ctx.today)
    open_before_reading(ctx, day)
    known_at = end_of_day_utc(query.known_on) if query.known_on else None
    chosen = resolve_filters(store, query.units, query.sources, query.documents,
                             include_subunits=query.include_subunits)
    own = rights.own_units(ctx.actor, unit_ids(store, query.units))
    if own is not None:  # a unit user: the report of its own tasks
        chosen.unit_ids = own
    names = store.unit_names()
    head = {
        "period": {"from": period.start, "to": period.end, "as_of": day, "known_on": query.known_on,
                   "kind": period.kind, "label": period.label(), "cutoff": cutoff if period.kind != "range" else None},
        "filters": {
            "units": [names[u] for u in chosen.unit_ids],
            "sources": chosen.sources if query.sources else [],
            "documents": [store.document(d).symbol for d in chosen.document_ids],
        },
    }
    return Scope(period, day, known_at, chosen.as_kwargs(), head)


def report(ctx: Context, query: ReportQuery) -> Printed:
    """The statistical report of docs/design.md ("Report figures"): totals, per unit and per
    source, the 12-month trend and the overdue tasks on the report day."""
    from nqtrack.core.figures import breakdown  # the report's alone, not the morning view's
    from nqtrack.core.periods import previous_year

    settings.check_decimals(query.decimals)  # before the register is opened
    decimals = settings.print_decimals(ctx.store, query.decimals)
    scope = resolve_scope(ctx, query)
    period, day, known_at, filters = scope.period, scope.day, scope.known_at, scope.filters
    previous = previous_year(period)
    scope_key = {"known_at": known_at, **{name: sorted(values) for name, values in filters.items()}}
    # one view of the register for all three reads; the trend first, since the journal's
    # later changes it collects from its first month serve the period's day too
    with ctx.store.snapshot():
        kept = KeptFigures(ctx.store, fresh=query.fresh)
        trend = _trend(ctx, kept, period, day, known_at, filters, scope_key)
        groups = kept.get(
            "period", day, {"from": period.start, "to": period.end, "previous": [previous.start, previous.end],
                            **scope_key},
            lambda: ctx.store.report_counts(period.start, period.end, day, previous.start, previous.end,
                                            known_at=known_at, **filters))
        # the overdue list names each task by today's title, code, assignee and units: any
        # change, whatever its day, makes it count again. Kept as the report prints it (sorted,
        # days overdue counted), not as the store's rows: sorting a large list again was most
        # of a kept report's own time
        overdue_tasks = _with_days(kept.get("overdue", day, scope_key, lambda: _overdue_on(day, ctx.store.overdue_rows(
            day, day - timedelta(days=1), known_at=known_at, with_coordinating=False, **filters)),
            changed_by=date.max))
    kept.keep(ctx)
    return Printed({
        **scope.head,
        **breakdown(groups, ctx.store.unit_names()),
        "trend": trend,
        "overdue_tasks": overdue_tasks,
        # the backlog of the overdue list by month of deadline and by lead unit (charts, dashboard)
        "overdue_by_month": overdue_by_month(overdue_tasks),
        "overdue_by_unit": overdue_by_unit(overdue_tasks),
    }, decimals)


def _trend(ctx: Context, kept: KeptFigures, period: Period, day: date, known_at: str | None,
           filters: dict[str, Any], scope_key: dict[str, Any]) -> list[dict]:
    """Each of the 12 months to the period's end: its workload completion rate as of its end
    (or the report day); the months whose counts are kept are read, the others counted."""
    from nqtrack.core.figures import add_counts, views
    from nqtrack.core.periods import trend_months

    months = [m for m in trend_months(period) if m.start <= day]
    keys = [kept.key("trend", min(m.end, day), {"from": m.start, "to": m.end, **scope_key}) for m in months]
    found = kept.look_up(keys)
    missing = [(m, key) for m, key in zip(months, keys, strict=True) if key not in found]
    if missing:
        counted = ctx.store.trend_counts([(m.start, m.end, min(m.end, day)) for m, _key in missing],
                                         known_at=known_at, **filters)
        for (month, key), month_counts in zip(missing, counted, strict=True):
            # a month's counts summed: the trend shows the whole only
            found[key] = kept.add(key, min(month.end, day), add_counts(month_counts))
    counts = [found[key] for key in keys]
    trend = []
    for month, month_counts in zip(months, counts, strict=True):
        workload = views(month_counts)["workload"]
        trend.append({"month": f"{month.year}-{month.number:02d}", "from": month.start, "to": month.end,
                      "as_of": min(month.end, day), "total": workload["total"], "completed": workload["completed"],
                      "completion_rate": workload["completion_rate"]})
    return trend


# Raised whenever what a report counts changes (a figure's definition, a column of the
# overdue list): the counts kept under another revision are never read.
# 2: the overdue list kept as printed, each trend month's counts summed.
FIGURES_REVISION = 2


@dataclass
class KeptFigures:
    """A report's counts kept in the register (store.sql, "the figures kept"), read inside
    the report's snapshot, the new ones kept after it: a closed month is read, not counted
    again, until a late entry reaches back into it. Sessions that do not see every row
    (a unit's, on PostgreSQL) count everything; `fresh` counts everything and keeps it."""

    store: Any
    fresh: bool = False
    seen: int | None = None  # the last change to the register the snapshot sees; None: nothing kept is read
    new: list[tuple[str, date, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.store.may_read_figures():
            self.seen = self.store.figures_seen()

    @staticmethod
    def key(kind: str, as_of: date, parts: dict[str, Any]) -> str:
        return json.dumps({"kind": kind, "revision": FIGURES_REVISION, "as_of": as_of, **parts}, sort_keys=True,
                          default=str, ensure_ascii=False)

    def look_up(self, keys: Sequence[str]) -> dict[str, Any]:
        if self.seen is None or self.fresh:
            return {}
        return {key: json.loads(figures) for key, figures in self.store.kept_figures(keys).items()}

    def add(self, key: str, changed_by: date, figures: Any) -> Any:
        """Keep `figures` (after the snapshot), good until a change effective on `changed_by`
        or earlier, and return them as they will be read back (the store's counts and rows:
        numbers, text and None, which JSON gives back as they were; days as ISO text)."""
        text = json.dumps(figures, ensure_ascii=False, default=date.isoformat)
        if self.seen is not None:
            self.new.append((key, changed_by, text))
        return json.loads(text)

    def get(self, kind: str, as_of: date, parts: dict[str, Any], count: Callable[[], Any],
            changed_by: date | None = None) -> Any:
        """The figures of `kind` as of `as_of` (read, or counted and kept); `changed_by`: the
        last day a change can be effective on and change them (default `as_of`)."""
        key = self.key(kind, as_of, parts)
        found = self.look_up([key])
        return found[key] if key in found else self.add(key, changed_by or as_of, count())

    def keep(self, ctx: Context) -> None:
        """Keep the new counts in a short transaction of their own, when this session may;
        skipped, not waited for, when another writer holds the register (they are kept
        next time)."""
        if not self.new or self.seen is None or not self.store.may_keep_figures():
            return
        try:
            with self.store.transaction(wait=False):
                self.store.keep_figures(self.new, self.seen, ctx.recorded_at)
        except UserError:
            pass


def _overdue_on(day: date, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's overdue list from the store's rows of the tasks due before `day`."""
    backlog = build_backlog(rows, day, 0)
    tasks = sorted(backlog.overdue + backlog.paused, key=lambda t: (-t["days_overdue"], t["id"]))
    return [{k: t.get(k) for k in REPORT_TASK_KEYS} for t in tasks]


def _with_days(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overdue list as read back from its JSON, its deadlines days again (as counted)."""
    for task in tasks:
        for key in ("deadline", "original_deadline"):
            if task[key] is not None:
                task[key] = date.fromisoformat(task[key])
    return tasks


# -- the review of documents ---------------------------------------------------------------------


@dataclass
class ReviewQuery:
    issuers: Sequence[str] = ()
    types: Sequence[str] = ()
    issued_from: date | None = None
    issued_to: date | None = None


def _wanted(row: dict[str, Any], query: ReviewQuery) -> bool:
    issuers = {fold(i) for i in query.issuers}
    types = {fold(t) for t in query.types}
    issued = row["issued_on"]
    return not (
        (issuers and fold(row["issuer"]) not in issuers)
        or (types and fold(row["doc_type"]) not in types)
        or (query.issued_from and (not issued or issued < query.issued_from.isoformat()))
        or (query.issued_to and (not issued or issued > query.issued_to.isoformat()))
    )


def review(ctx: Context, query: ReviewQuery) -> dict[str, Any]:
    """Every document with its tasks by how far they are today; implementing documents
    rolled up under the one they implement; totals per issuer and per type."""
    open_before_reading(ctx, ctx.today)
    from nqtrack.core.review import build_review, flatten, totals_by

    roots = build_review(row for row in ctx.store.review_counts(ctx.today) if _wanted(row, query))
    documents = flatten(roots)
    parents: dict[int | None, str] = {d.id: d.symbol for d in documents}
    rows = [
        {"id": d.id, "symbol": d.symbol, "parent": parents.get(d.parent_id), "depth": d.depth, "type": d.doc_type,
         "issuer": d.issuer, "issued_on": d.issued_on, "title": d.title, **d.counts, "done": d.done,
         "percent_done": d.percent_done, "status": d.status}
        for d in documents
    ]
    return {"as_of": ctx.today, "documents": rows, "by_issuer": totals_by(roots, "issuer"),
            "by_type": totals_by(roots, "doc_type")}
