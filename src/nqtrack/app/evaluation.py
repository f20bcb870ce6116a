"""Evaluation of units (đánh giá, xếp loại mức độ thực hiện nhiệm vụ): for a period, each
lead unit's workload in the four states, its overdue days, the extensions it was granted
and the reminders it received, scored and classed by a scheme (core.evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nqtrack.app import settings
from nqtrack.app.context import Context
from nqtrack.app.views import Printed, ReportQuery, resolve_scope
from nqtrack.core.errors import InvalidInput
from nqtrack.core.evaluation import Scheme, UnitFigures, default_scheme, evaluate, parse_scheme
from nqtrack.core.figures import add_counts, views


@dataclass
class EvaluationQuery(ReportQuery):
    """The report's period and filters, and the scheme: a TOML file, None for the default."""

    scheme: str | None = None


def read_scheme(path: str | None) -> Scheme:
    """The scheme of the TOML file at `path` (UTF-8, with or without BOM), or the default."""
    if path is None:
        return default_scheme()
    try:
        with open(path, encoding="utf-8-sig") as stream:
            text = stream.read()
    except OSError as exc:
        raise InvalidInput("cannot read the evaluation scheme {path}: {reason}", path=path,
                           reason=exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise InvalidInput("the evaluation scheme {path} is not UTF-8 text", path=path) from None
    return parse_scheme(text)


def evaluation(ctx: Context, query: EvaluationQuery) -> Printed:
    """Each lead unit with a task to carry out, received, extended or urged in the period,
    scored and classed; best class first, units in Vietnamese order within a class.

    The four states are those of the unit's workload (tasks due in the period and those
    carried over: core.figures), as of the report day; tasks without a lead unit are left out.
    The scheme is read and checked before the register is opened."""
    scheme = read_scheme(query.scheme)
    settings.check_decimals(query.decimals)  # before the register is opened
    decimals = settings.print_decimals(ctx.store, query.decimals)
    scope = resolve_scope(ctx, query)
    period, day = scope.period, scope.day
    store = ctx.store
    # no year before to compare with: an empty previous period (its end before its start)
    no_previous = (period.end + timedelta(days=1), period.start - timedelta(days=1))
    groups = store.report_counts(period.start, period.end, day, *no_previous, known_at=scope.known_at,
                                 **scope.filters)
    extra = {row["lead_unit_id"]: row for row in store.unit_evaluation_counts(
        period.start, period.end, day, known_at=scope.known_at, prepared=True, **scope.filters)}
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for group in groups:
        if group["lead_unit_id"] is not None:
            by_unit.setdefault(group["lead_unit_id"], []).append(group)
    names = store.unit_names()
    figures = []
    for unit_id in sorted(set(by_unit) | {u for u in extra if u is not None}):
        counts = views(add_counts(by_unit.get(unit_id, [])))
        workload, more = counts["workload"], extra.get(unit_id, {})
        if not (workload["total"] or counts["received"]["total"] or more.get("extensions") or more.get("reminders")):
            continue
        figures.append(UnitFigures(
            unit=names[unit_id], unit_id=unit_id,
            completed_on_time=workload["completed_on_time"], completed_late=workload["completed_late"],
            in_progress=workload["in_progress"], overdue=workload["overdue"],
            overdue_days_total=more.get("overdue_days_total", 0), overdue_days_max=more.get("overdue_days_max", 0),
            extensions=more.get("extensions", 0), reminders=more.get("reminders", 0)))
    ranked = evaluate(figures, scheme)
    classes = [*scheme.classes, scheme.not_evaluated]
    return Printed({
        **scope.head,
        "scheme": {"file": query.scheme},
        "classes": [{"class": rule.id, "name": {"vi": rule.vi, "en": rule.en},
                     "units": sum(1 for e in ranked if e.class_id == rule.id)} for rule in classes],
        # rank: the place in the ranking of the units evaluated (none for those not evaluated)
        "units": [{"rank": rank if e.class_level is not None else None, **e.as_dict()}
                  for rank, e in enumerate(ranked, start=1)],
    }, decimals)
