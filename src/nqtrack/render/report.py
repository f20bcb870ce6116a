"""Rendering the statistical report: table, markdown, CSV and JSON, to any stream; the
workbook, the Word document and the dashboard build on the same tables (`report_tables`).

The lines of sections I and II and the columns of the breakdowns are data (`RECEIVED_LINES`,
`WORKLOAD_LINES`, `BREAKDOWN_COLUMNS`): a new figure of the report is a new line there, and
every format shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any, TextIO

from nqtrack.core.dates import format_long_date
from nqtrack.core.figures import RECEIVED_KEYS, WORKLOAD_KEYS
from nqtrack.core.letterhead import Letterhead
from nqtrack.i18n import N_, _, language
from nqtrack.render.tables import KIND_BY_KEY, csv_text, json_text, markdown_table, show_day

if TYPE_CHECKING:
    from rich.console import Console

    from nqtrack.render.output import Output

RECEIVED_ALL = RECEIVED_KEYS + ("change_pct",)
WORKLOAD_ALL = WORKLOAD_KEYS + ("completion_rate",)

# (key in the report's `received` / `workload` object, label, indent level)
RECEIVED_LINES: tuple[tuple[str, str, int], ...] = (
    ("total", N_("Tasks received"), 0),
    ("with_deadline", N_("with a deadline"), 1),
    ("without_deadline", N_("without a deadline"), 1),
    ("completed_with_deadline", N_("Completed, with a deadline"), 0),
    ("completed_without_deadline", N_("Completed, without a deadline"), 0),
    ("open", N_("Still being carried out"), 0),
    ("cancelled", N_("Cancelled"), 0),
    ("previous_year", N_("Same period last year"), 0),
    ("change_pct", N_("Change on last year"), 0),
)
WORKLOAD_LINES: tuple[tuple[str, str, int], ...] = (
    ("total", N_("Tasks to carry out"), 0),
    ("due_in_period", N_("due in the period"), 1),
    ("carried_over", N_("carried over from earlier periods"), 1),
    ("completed", N_("Completed"), 0),
    ("completed_on_time", N_("on time"), 1),
    ("completed_late", N_("late"), 1),
    ("overdue", N_("Overdue, not completed"), 0),
    ("in_progress", N_("In progress, within the deadline"), 0),
    ("completion_rate", N_("Completion rate"), 0),
    ("extended", N_("Deadlines extended in the period"), 0),
    ("reminded", N_("Tasks urged (đôn đốc) in the period"), 0),
    ("open_without_deadline", N_("Open tasks without a deadline"), 0),
    ("cancelled", N_("Cancelled"), 0),
)
# (path "view.key" in a by_unit / by_source item, label)
BREAKDOWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received.total", N_("Received")),
    ("workload.total", N_("To carry out")),
    ("workload.carried_over", N_("Carried over")),
    ("workload.completed", N_("Completed")),
    ("workload.completed_on_time", N_("of which on time")),
    ("workload.completed_late", N_("of which late")),
    ("workload.overdue", N_("Overdue")),
    ("workload.in_progress", N_("In progress")),
    ("workload.completion_rate", N_("Rate")),
)
# the four states of the Government's tracking system, in the order charts stack them
STATES: tuple[tuple[str, str], ...] = (
    ("completed_on_time", N_("Completed on time")),
    ("completed_late", N_("Completed late")),
    ("in_progress", N_("In progress, within the deadline")),
    ("overdue", N_("Overdue, not completed")),
)
NARROW = 100  # below this many columns the per-unit tables become one block per unit


def kind_of(key: str) -> str:
    """rate, signed or count: what a figure of the report is ("workload.completion_rate" → rate)."""
    kind = KIND_BY_KEY.get(key.rsplit(".", 1)[-1])
    return kind if kind in ("rate", "signed") else "count"


def cut_percent(value: float, decimals: int) -> Decimal:
    """A per cent cut toward zero (never rounded up) to `decimals` digits."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)


def percent(value: float | None, sign: bool = False, decimals: int = 1) -> str:
    """57,6 % in Vietnamese (decimal comma), 57.6% in English; '—' when undefined."""
    if value is None:
        return "—"
    number = cut_percent(value, decimals)
    text = f"{number:+.{decimals}f}" if sign else f"{number:.{decimals}f}"
    return text.replace(".", ",") + " %" if language() == "vi" else text + "%"


def rate_percent(rate: float | None, decimals: int = 1) -> str:
    return percent(None if rate is None else float(Decimal(repr(rate)) * 100), decimals=decimals)


def value_text(key: str, value: Any, decimals: int = 1) -> str:
    kind = kind_of(key)
    if kind == "rate":
        return rate_percent(value, decimals)
    if kind == "signed":
        return percent(value, sign=True, decimals=decimals)
    return "" if value is None else str(value)


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
        as_of=format_long_date(_day(period["as_of"]), language()),
    )
    if period.get("known_on"):
        text += " " + _("Journal as recorded by the end of {day}.", day=show_day(period["known_on"]))
    labels = {"units": _("Lead unit"), "sources": _("Source"), "documents": _("Document")}
    filters = [f"{labels[key]}: {', '.join(values)}" for key, values in report.get("filters", {}).items() if values]
    if filters:
        text += " " + _("Filters: {filters}.", filters="; ".join(filters))
    return text


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


# -- the tables every format shows -----------------------------------------------------------------


@dataclass
class ReportTable:
    """One section of the report as a table of typed values (counts, fractions, ISO dates)."""

    number: str  # I … VI
    heading: str
    sheet: str  # the name of its tab in the workbook
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    kinds: dict[str, str] = field(default_factory=dict)
    key_value: bool = False  # a list of figures (label, value) rather than a grid

    @property
    def numbered_heading(self) -> str:
        return f"{self.number}. {self.heading}"


def figure_rows(lines: tuple[tuple[str, str, int], ...], view: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "label": _(label), "value": view[key], "_level": level, "_kinds": {"value": kind_of(key)}}
            for key, label, level in lines if key in view]


def breakdown_rows(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row: dict[str, Any] = {"name": item[key] or "—"}
        for path, _label in BREAKDOWN_COLUMNS:
            view, name = path.split(".")
            row[path] = item[view][name]
        rows.append(row)
    return rows


def breakdown_columns(first: str) -> list[tuple[str, str]]:
    return [("name", first)] + [(path, _(label)) for path, label in BREAKDOWN_COLUMNS]


def trend_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"month": f"{m['month'][5:]}/{m['month'][:4]}", "total": m["total"], "completed": m["completed"],
             "completion_rate": m["completion_rate"]} for m in report["trend"]]


def overdue_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"ref": t["code"] or f"#{t['id']}", "title": t["title"], "document": t["document"] or "",
             "lead_unit": t["lead_unit"] or "", "deadline": t["deadline"], "days_overdue": t["days_overdue"]}
            for t in report["overdue_tasks"]]


def overdue_columns() -> list[tuple[str, str]]:
    return [("ref", _("No.")), ("title", _("Title")), ("document", _("Document")), ("lead_unit", _("Lead unit")),
            ("deadline", _("Deadline")), ("days_overdue", _("Days overdue"))]


def overdue_heading(report: dict[str, Any]) -> str:
    return _("Overdue tasks on {day}", day=show_day(report["period"]["as_of"]))


def report_tables(report: dict[str, Any]) -> list[ReportTable]:
    """Sections I–VI of the report."""
    figures = [("label", _("Figure")), ("value", _("Number"))]
    breakdown_kinds = {path: kind_of(path) for path, _label in BREAKDOWN_COLUMNS}
    return [
        ReportTable("I", _("Tasks received in the period"), _("Received"), figures,
                    figure_rows(RECEIVED_LINES, report["received"]), key_value=True),
        ReportTable("II", _("Tasks to carry out in the period"), _("To carry out"), figures,
                    figure_rows(WORKLOAD_LINES, report["workload"]), key_value=True),
        ReportTable("III", _("By lead unit"), _("By lead unit"), breakdown_columns(_("Lead unit")),
                    breakdown_rows(report["by_unit"], "unit"), breakdown_kinds),
        ReportTable("IV", _("By source"), _("By source"), breakdown_columns(_("Source")),
                    breakdown_rows(report["by_source"], "source"), breakdown_kinds),
        ReportTable("V", _("Completion rate, last 12 months"), _("Trend"),
                    [("month", _("Month")), ("total", _("To carry out")), ("completed", _("Completed")),
                     ("completion_rate", _("Rate"))], trend_rows(report), {"completion_rate": "rate"}),
        ReportTable("VI", overdue_heading(report), _("Overdue"), overdue_columns(), overdue_rows(report)),
    ]


def display_rows(table: ReportTable, decimals: int = 1, with_bar: bool = False) -> list[dict[str, Any]]:
    """The table's rows as people read them: per cents, dates in the language, sub-rows indented."""
    shown = []
    for row in table.rows:
        kinds = {**table.kinds, **row.get("_kinds", {})}
        out: dict[str, Any] = {}
        for key, _label in table.columns:
            value = row.get(key)
            kind = kinds.get(key) or KIND_BY_KEY.get(key)
            if kind == "rate":
                out[key] = rate_percent(value, decimals)
            elif kind == "signed":
                out[key] = percent(value, sign=True, decimals=decimals)
            elif kind == "date":
                out[key] = show_day(value)
            else:
                out[key] = "" if value is None else value
        if row.get("_level"):
            out["label"] = "  " * row["_level"] + out["label"]
        rate_key = next((k for k in table.columns if kinds.get(k[0]) == "rate"), None)
        if with_bar and rate_key:
            out["bar"] = bar(row.get(rate_key[0]))
        shown.append(out)
    return shown


# -- markdown, CSV ---------------------------------------------------------------------------------


def markdown(report: dict[str, Any], decimals: int = 1) -> str:
    parts = [f"# {title(report)}", "", subtitle(report), ""]
    for table in report_tables(report):
        parts += [f"## {table.numbered_heading}", ""]
        rows = display_rows(table, decimals)
        parts += [markdown_table(rows, table.columns) if rows or table.number != "VI" else _("None."), ""]
    return "\n".join(parts)


CSV_KEYS = ["scope", "name"] + [f"received.{k}" for k in RECEIVED_ALL] + [f"workload.{k}" for k in WORKLOAD_ALL]


def _flat_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    def flat(scope: str, name: str | None, item: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"scope": scope, "name": name}
        row.update({f"received.{k}": item["received"][k] for k in RECEIVED_ALL})
        row.update({f"workload.{k}": item["workload"][k] for k in WORKLOAD_ALL})
        return row

    rows = [flat("total", None, report)]
    rows += [flat("unit", item["unit"], item) for item in report["by_unit"]]
    rows += [flat("source", item["source"], item) for item in report["by_source"]]
    return rows


def csv(report: dict[str, Any]) -> str:
    return csv_text(_flat_rows(report), CSV_KEYS)


def people_csv(report: dict[str, Any], decimals: int = 1) -> str:
    """The CSV for people: the figures of sections I and II for the total, each unit and each
    source, headed by their labels, rates as per cents."""
    scopes = {"total": _("Total"), "unit": _("Lead unit"), "source": _("Source")}
    columns = [("scope", _("Scope")), ("name", _("Name"))]
    columns += [(f"received.{key}", f"I. {_(label)}") for key, label, _level in RECEIVED_LINES]
    columns += [(f"workload.{key}", f"II. {_(label)}") for key, label, _level in WORKLOAD_LINES]
    rows = [{key: scopes[value] if key == "scope" else value if key == "name" else value_text(key, value, decimals)
             for key, value in row.items()} for row in _flat_rows(report)]
    return csv_text(rows, [key for key, _label in columns], [label for _key, label in columns])


# -- the terminal ----------------------------------------------------------------------------------


def unit_blocks(table: ReportTable, width: int, decimals: int = 1) -> list[str]:
    """A breakdown for a narrow terminal: the name on its line, then its figures packed
    into lines, each figure kept whole ("Quá hạn 3")."""
    from nqtrack.render.layout import pack_items

    lines: list[str] = []
    for row in display_rows(table, decimals, with_bar=True):
        lines.append(str(row["name"]))
        items = [f"{label} {row[key]}" for key, label in table.columns[1:]]
        if row.get("bar"):
            items[-1] += " " + row["bar"]
        lines += pack_items(items, width)
    return lines


def print_table(report: dict[str, Any], stream: TextIO | None = None, screen: Console | None = None,
                decimals: int = 1) -> None:
    from rich.text import Text

    from nqtrack.render.layout import fit_table
    from nqtrack.render.tables import console

    out = screen or (console() if stream is None else _file_console(stream))
    width = out.width
    out.print(Text(title(report), style="bold"))
    out.print(Text(subtitle(report)))
    for table in report_tables(report):
        heading = table.numbered_heading
        if table.number == "VI" and not table.rows:
            out.print(Text(f"{heading}: {_('None.')}"))
            continue
        if table.number in ("III", "IV") and width < NARROW:
            out.print(Text(heading, style="italic"))
            for line in unit_blocks(table, width, decimals):
                out.print(Text(line), no_wrap=True, overflow="ellipsis", crop=True)
            continue
        with_bar = table.number in ("III", "IV", "V")
        rows = display_rows(table, decimals, with_bar)
        columns = table.columns + ([("bar", "")] if with_bar else [])
        out.print(fit_table(rows, columns, width, heading, show_header=not table.key_value))


def _file_console(stream: TextIO):
    from rich.console import Console

    return Console(file=stream, no_color=True, color_system=None, width=160, highlight=False, markup=False, emoji=False)


def render(report: dict[str, Any], out: Output | str, stream: TextIO | None = None, *,
           head: Letterhead | None = None, issued_on: date | None = None) -> None:
    """Write the report; `stream` None means standard output (Rich decides colour). The Word
    document takes its heading and signature from `head`, its date from `issued_on`."""
    import sys

    from nqtrack.render.tables import as_output

    out = as_output(out)
    fmt, decimals = out.fmt, out.decimals
    if fmt == "table":
        print_table(report, stream, decimals=decimals)
        return
    if fmt == "xlsx":
        from nqtrack.render.report_xlsx import workbook

        out.write_bytes(workbook(report, decimals))
        return
    if fmt == "docx":
        from nqtrack.render.report_docx import docx_bytes

        out.write_bytes(docx_bytes(report, head or Letterhead(), issued_on or _day(report["period"]["as_of"]),
                                   decimals))
        return
    if fmt == "html":
        from nqtrack.render.dashboard import html_page

        (stream or sys.stdout).write(html_page(report, decimals, issued_on))
        return
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json_text(report))
    elif fmt == "csv":
        stream.write(people_csv(report, decimals) if out.labels else csv(report))
    elif fmt == "markdown":
        stream.write(markdown(report, decimals) + "\n")


# -- the charts (dashboard, Word) ---------------------------------------------------------------------


def report_subject(report: dict[str, Any]) -> str:
    """The subject under "BÁO CÁO" in the Word report ("Tình hình thực hiện nhiệm vụ tháng 10/2022")."""
    period = report["period"]
    kind, label = period["kind"], period["label"]
    if kind == "month":
        return _("On the implementation of tasks, month {label}", label=label)
    if kind == "quarter":
        return _("On the implementation of tasks, quarter {label}", label=label)
    if kind == "year":
        return _("On the implementation of tasks, year {label}", label=label)
    return _("On the implementation of tasks from {start} to {end}", start=show_day(period["from"]),
             end=show_day(period["to"]))


@dataclass
class Charts:
    trend: str
    states: str
    backlog: str


def chart_svgs(report: dict[str, Any], decimals: int = 1, font: str | None = None) -> Charts:
    """The report's three charts as SVG, drawn from its JSON: the 12-month trend, the four
    states per lead unit, the overdue backlog by month of deadline."""
    from nqtrack.render import charts

    font = font or charts.SANS
    points = [(f"{m['month'][5:]}/{m['month'][2:4]}", m["completion_rate"]) for m in report["trend"]]
    trend = charts.trend_svg(points, _("Completion rate, last 12 months"),
                             lambda rate: rate_percent(rate, decimals), font=font)
    units = [(item["unit"] or "—", {key: item["workload"][key] for key, _label in STATES})
             for item in report["by_unit"] if item["workload"]["total"]]
    states = charts.states_svg(units, [(key, _(label)) for key, label in STATES],
                               _("Tasks to carry out by state, per lead unit"), font=font)
    months = [(f"{m['month'][5:]}/{m['month'][:4]}", m["overdue"]) for m in report["overdue_by_month"]]
    backlog = charts.backlog_svg(months, _("Overdue tasks by month of deadline"), font=font)
    return Charts(trend, states, backlog)
