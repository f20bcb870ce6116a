"""Rendering the statistical report: table, markdown, CSV and JSON, to any stream."""

from __future__ import annotations

from typing import Any, TextIO

from nqtrack.core.dates import format_long_date
from nqtrack.core.figures import RECEIVED_KEYS, WORKLOAD_KEYS
from nqtrack.core.text import inert
from nqtrack.i18n import _, language
from nqtrack.render.tables import csv_text, json_text, markdown_table, markdown_text, show_day

RECEIVED_ALL = RECEIVED_KEYS + ("change_pct",)
WORKLOAD_ALL = WORKLOAD_KEYS + ("completion_rate",)


def percent(value: float | None, sign: bool = False) -> str:
    """57.6 % in Vietnamese (decimal comma), 57.6% in English; '—' when undefined."""
    if value is None:
        return "—"
    text = f"{value:+.1f}" if sign else f"{value:.1f}"
    return text.replace(".", ",") + " %" if language() == "vi" else text + "%"


def rate_percent(rate: float | None) -> str:
    return percent(None if rate is None else round(rate * 100, 1))


def bar(rate: float | None, width: int = 10) -> str:
    if rate is None:
        return ""
    filled = int(rate * width)
    return "█" * filled + "░" * (width - filled)




def title(report: dict[str, Any]) -> str:
    period = report["period"]
    kind, label = period["kind"], period["label"]
    if kind == "month":
        return _("Report on the implementation of tasks, month {label}", label=label)
    if kind == "quarter":
        return _("Report on the implementation of tasks, quarter {label}", label=label)
    if kind == "year":
        return _("Report on the implementation of tasks, year {label}", label=label)
    return _(
        "Report on the implementation of tasks from {start} to {end}",
        start=show_day(period["from"]),
        end=show_day(period["to"]),
    )


def subtitle(report: dict[str, Any]) -> str:
    period = report["period"]
    text = _(
        "Period {start} – {end}; figures as of {as_of}.",
        start=show_day(period["from"]),
        end=show_day(period["to"]),
        as_of=format_long_date(period["as_of"], language()),
    )
    if period.get("known_on"):
        text += " " + _("Journal as recorded by the end of {day}.", day=show_day(period["known_on"]))
    labels = {"units": _("Lead unit"), "sources": _("Source"), "documents": _("Document")}
    filters = [f"{labels[key]}: {', '.join(values)}" for key, values in report.get("filters", {}).items() if values]
    if filters:
        text += " " + _("Filters: {filters}.", filters="; ".join(filters))
    return text


def _received_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": _("Tasks received"), "value": r["total"]},
        {"label": "  " + _("with a deadline"), "value": r["with_deadline"]},
        {"label": "  " + _("without a deadline"), "value": r["without_deadline"]},
        {"label": _("Completed, with a deadline"), "value": r["completed_with_deadline"]},
        {"label": _("Completed, without a deadline"), "value": r["completed_without_deadline"]},
        {"label": _("Still being carried out"), "value": r["open"]},
        {"label": _("Cancelled"), "value": r["cancelled"]},
        {"label": _("Same period last year"), "value": r["previous_year"]},
        {"label": _("Change on last year"), "value": percent(r["change_pct"], sign=True)},
    ]


def _workload_rows(w: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": _("Tasks to carry out"), "value": w["total"]},
        {"label": "  " + _("due in the period"), "value": w["due_in_period"]},
        {"label": "  " + _("carried over from earlier periods"), "value": w["carried_over"]},
        {"label": _("Completed"), "value": w["completed"]},
        {"label": "  " + _("on time"), "value": w["completed_on_time"]},
        {"label": "  " + _("late"), "value": w["completed_late"]},
        {"label": _("Overdue, not completed"), "value": w["overdue"]},
        {"label": _("In progress, within the deadline"), "value": w["in_progress"]},
        {"label": _("Completion rate"), "value": rate_percent(w["completion_rate"])},
        {"label": _("Deadlines extended in the period"), "value": w["extended"]},
        {"label": _("Tasks urged (đôn đốc) in the period"), "value": w["reminded"]},
        {"label": _("Open tasks without a deadline"), "value": w["open_without_deadline"]},
        {"label": _("Cancelled"), "value": w["cancelled"]},
    ]


def _breakdown_rows(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [
        {
            "name": item[key] or "—",
            "received": item["received"]["total"],
            "total": item["workload"]["total"],
            "carried_over": item["workload"]["carried_over"],
            "completed": item["workload"]["completed"],
            "late": item["workload"]["completed_late"],
            "overdue": item["workload"]["overdue"],
            "in_progress": item["workload"]["in_progress"],
            "rate": rate_percent(item["workload"]["completion_rate"]),
            "bar": bar(item["workload"]["completion_rate"]),
        }
        for item in items
    ]


def _breakdown_columns(first: str, with_bar: bool) -> list[tuple[str, str]]:
    columns = [
        ("name", first),
        ("received", _("Received")),
        ("total", _("To carry out")),
        ("carried_over", _("Carried over")),
        ("completed", _("Completed")),
        ("late", _("of which late")),
        ("overdue", _("Overdue")),
        ("in_progress", _("In progress")),
        ("rate", _("Rate")),
    ]
    return columns + [("bar", "")] if with_bar else columns


def _trend_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "month": f"{m['month'][5:]}/{m['month'][:4]}",
            "total": m["total"],
            "completed": m["completed"],
            "rate": rate_percent(m["completion_rate"]),
            "bar": bar(m["completion_rate"]),
        }
        for m in report["trend"]
    ]


def _trend_columns(with_bar: bool) -> list[tuple[str, str]]:
    columns = [("month", _("Month")), ("total", _("To carry out")), ("completed", _("Completed")), ("rate", _("Rate"))]
    return columns + [("bar", "")] if with_bar else columns


def _overdue_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "ref": t["code"] or f"#{t['id']}",
            "title": t["title"],
            "document": t["document"] or "",
            "lead_unit": t["lead_unit"] or "",
            "deadline": show_day(t["deadline"]),
            "days": t["days_overdue"],
        }
        for t in report["overdue_tasks"]
    ]


def _overdue_columns() -> list[tuple[str, str]]:
    return [
        ("ref", _("No.")),
        ("title", _("Title")),
        ("document", _("Document")),
        ("lead_unit", _("Lead unit")),
        ("deadline", _("Deadline")),
        ("days", _("Days overdue")),
    ]


def markdown(report: dict[str, Any]) -> str:
    kv = [("label", _("Figure")), ("value", _("Number"))]
    parts = [
        f"# {title(report)}",
        "",
        markdown_text(subtitle(report)),
        "",
        f"## I. {_('Tasks received in the period')}",
        "",
        markdown_table(_received_rows(report["received"]), kv),
        "",
        f"## II. {_('Tasks to carry out in the period')}",
        "",
        markdown_table(_workload_rows(report["workload"]), kv),
        "",
        f"## III. {_('By lead unit')}",
        "",
        markdown_table(_breakdown_rows(report["by_unit"], "unit"), _breakdown_columns(_("Lead unit"), False)),
        "",
        f"## IV. {_('By source')}",
        "",
        markdown_table(_breakdown_rows(report["by_source"], "source"), _breakdown_columns(_("Source"), False)),
        "",
        f"## V. {_('Completion rate, last 12 months')}",
        "",
        markdown_table(_trend_rows(report), _trend_columns(False)),
        "",
        f"## VI. {_('Overdue tasks on {day}', day=show_day(report['period']['as_of']))}",
        "",
    ]
    rows = _overdue_rows(report)
    parts += [markdown_table(rows, _overdue_columns()) if rows else _("None."), ""]
    return "\n".join(parts)


CSV_KEYS = ["scope", "name"] + [f"received.{k}" for k in RECEIVED_ALL] + [f"workload.{k}" for k in WORKLOAD_ALL]


def csv(report: dict[str, Any]) -> str:
    def flat(scope: str, name: str | None, item: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"scope": scope, "name": name}
        row.update({f"received.{k}": item["received"][k] for k in RECEIVED_ALL})
        row.update({f"workload.{k}": item["workload"][k] for k in WORKLOAD_ALL})
        return row

    rows = [flat("total", None, report)]
    rows += [flat("unit", item["unit"], item) for item in report["by_unit"]]
    rows += [flat("source", item["source"], item) for item in report["by_source"]]
    return csv_text(rows, CSV_KEYS)


def print_table(report: dict[str, Any], stream: TextIO | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    from nqtrack.render.tables import console

    out = console() if stream is None else _file_console(stream)

    def table(rows, columns, heading, show_header=True):
        t = Table(title=heading, title_justify="left", show_header=show_header)
        for key, label in columns:
            numeric = key not in ("label", "name", "month", "bar", "title", "document", "lead_unit", "ref", "deadline")
            t.add_column(
                label,
                justify="right" if numeric else "left",
                no_wrap=key != "title",
                overflow="ellipsis" if key == "title" else "fold",
                ratio=1 if key == "title" else None,
            )
        for row in rows:
            t.add_row(*(Text(inert(str(row.get(key, "")))) for key, _ in columns))
        return t

    out.print(Text(title(report), style="bold"))
    out.print(Text(subtitle(report)))
    kv = [("label", ""), ("value", "")]
    out.print(table(_received_rows(report["received"]), kv, f"I. {_('Tasks received in the period')}", False))
    out.print(table(_workload_rows(report["workload"]), kv, f"II. {_('Tasks to carry out in the period')}", False))
    out.print(
        table(
            _breakdown_rows(report["by_unit"], "unit"),
            _breakdown_columns(_("Lead unit"), True),
            f"III. {_('By lead unit')}",
        )
    )
    out.print(
        table(
            _breakdown_rows(report["by_source"], "source"),
            _breakdown_columns(_("Source"), True),
            f"IV. {_('By source')}",
        )
    )
    out.print(table(_trend_rows(report), _trend_columns(True), f"V. {_('Completion rate, last 12 months')}"))
    heading = f"VI. {_('Overdue tasks on {day}', day=show_day(report['period']['as_of']))}"
    rows = _overdue_rows(report)
    if rows:
        out.print(table(rows, _overdue_columns(), heading))
    else:
        out.print(Text(f"{heading}: {_('None.')}"))


def _file_console(stream: TextIO):
    from rich.console import Console

    return Console(file=stream, no_color=True, color_system=None, width=160, highlight=False, markup=False, emoji=False)


def render(report: dict[str, Any], fmt: str, stream: TextIO | None = None) -> None:
    """Write the report; `stream` None means standard output (Rich decides colour)."""
    import sys

    if fmt == "table":
        print_table(report, stream)
        return
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json_text(report))
    elif fmt == "csv":
        stream.write(csv(report))
    elif fmt == "markdown":
        stream.write(markdown(report) + "\n")
