"""Rendering the statistical report: table, markdown, CSV and JSON, to any stream; the
workbook, the Word document and the dashboard build on the same tables (`report_tables`).

The lines of sections I and II, the year-on-year comparison and the columns of the
breakdowns are data (`RECEIVED_LINES`, `YEAR_ON_YEAR`, `WORKLOAD_LINES`,
`WORKLOAD_STATE_ROWS`, `BREAKDOWN_COLUMNS`, `BREAKDOWN_RECEIVED_COLUMNS`): a new figure of
the report is a new line there, and every format shows it.

JSON and the machine CSV carry the figures as they are, rates as exact fractions; every
format a person reads (table, markdown, the CSV for people, Excel, Word, the dashboard)
shows rates as per cents cut (never rounded up) to `decimals` places (core.numbers), each
labelled with what it divides by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from nqtrack.core.dates import format_long_date
from nqtrack.core.figures import (
    RECEIVED_CHANGE_KEYS,
    RECEIVED_KEYS,
    RECEIVED_RATE_KEYS,
    RECEIVED_STATE_KEYS,
    STATE_KEYS,
    WORKLOAD_KEYS,
    government_sentence,
)
from nqtrack.core.numbers import NO_VALUE, cut, format_percent, localize
from nqtrack.core.text import inert
from nqtrack.i18n import N_, _, language
from nqtrack.render.tables import KIND_BY_KEY, csv_text, json_text, markdown_table, markdown_text, show_day

if TYPE_CHECKING:
    from rich.console import Console

    from nqtrack.core.letterhead import Letterhead
    from nqtrack.render.output import Output

RECEIVED_ALL = RECEIVED_KEYS + ("change_pct",)
WORKLOAD_ALL = WORKLOAD_KEYS + ("completion_rate",)
# The CSV's columns added with the four states, after the first ones (so that those keep their place).
RECEIVED_STATES_ALL = RECEIVED_STATE_KEYS + RECEIVED_RATE_KEYS + RECEIVED_CHANGE_KEYS[1:]
WORKLOAD_STATE_PARTS = ("due_in_period_states", "carried_over_states")
CHANGE_DECIMALS = 1  # a change on last year is computed to one decimal (core.figures.change_pct)

# (key in the report's `received` / `workload` object, label, indent level)
RECEIVED_LINES: tuple[tuple[str, str, int], ...] = (
    ("total", N_("Tasks received"), 0),
    ("with_deadline", N_("with a deadline"), 1),
    ("without_deadline", N_("without a deadline"), 1),
    ("completed", N_("Completed"), 0),
    ("completed_on_time", N_("on time"), 1),
    ("completed_late", N_("late"), 1),
    ("completed_with_deadline", N_("Completed, with a deadline"), 0),
    ("completed_without_deadline", N_("Completed, without a deadline"), 0),
    ("open", N_("Still being carried out"), 0),
    ("in_progress", N_("within the deadline"), 1),
    ("overdue", N_("overdue"), 1),
    ("due", N_("Tasks fallen due (completed or overdue)"), 0),
    ("completion_rate_of_due", N_("Completion rate of the tasks fallen due (completed / fallen due)"), 0),
    ("overdue_rate", N_("Overdue rate (overdue / tasks received)"), 0),
    ("cancelled", N_("Cancelled"), 0),
)
# (label, this period's key, the same period last year's key, the change's key), all in `received`
YEAR_ON_YEAR: tuple[tuple[str, str, str, str], ...] = (
    (N_("Tasks received"), "total", "previous_year", "change_pct"),
    (N_("Completed"), "completed", "previous_year_completed", "change_pct_completed"),
    (N_("Overdue"), "overdue", "previous_year_overdue", "change_pct_overdue"),
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
    ("completion_rate", N_("Completion rate (completed / tasks to carry out)"), 0),
    ("extended", N_("Deadlines extended in the period"), 0),
    ("reminded", N_("Tasks urged (đôn đốc) in the period"), 0),
    ("open_without_deadline", N_("Open tasks without a deadline"), 0),
    ("cancelled", N_("Cancelled"), 0),
)
# the four states of the Government's tracking system, in the order charts stack them
STATES: tuple[tuple[str, str], ...] = (
    ("completed_on_time", N_("Completed on time")),
    ("completed_late", N_("Completed late")),
    ("in_progress", N_("In progress, within the deadline")),
    ("overdue", N_("Overdue, not completed")),
)
# the rows of section II's table of states: (key in `workload` of an object of the four
# states, "" for the workload's own four keys; label)
WORKLOAD_STATE_ROWS: tuple[tuple[str, str], ...] = (
    ("due_in_period_states", N_("Due in the period")),
    ("carried_over_states", N_("Carried over from earlier periods")),
    ("", N_("Tasks to carry out")),
)
# (path "view.key" in a by_unit / by_source item, label): the tasks to carry out ...
BREAKDOWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received.total", N_("Received")),
    ("workload.total", N_("To carry out")),
    ("workload.carried_over", N_("Carried over")),
    ("workload.completed", N_("Completed")),
    ("workload.completed_on_time", N_("of which on time")),
    ("workload.completed_late", N_("of which late")),
    ("workload.overdue", N_("Overdue")),
    ("workload.in_progress", N_("In progress")),
    ("workload.completion_rate", N_("Completed / to carry out")),
)
# ... and the tasks received, in the four states, with both rates of the received view
BREAKDOWN_RECEIVED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received.total", N_("Received")),
    ("received.completed_on_time", N_("Completed on time")),
    ("received.completed_late", N_("Completed late")),
    ("received.in_progress", N_("Within the deadline")),
    ("received.overdue", N_("Overdue")),
    ("received.completion_rate_of_due", N_("Completed / fallen due")),
    ("received.overdue_rate", N_("Overdue / received")),
)
NARROW = 100  # below this many columns the per-unit tables become one block per unit


def kind_of(key: str) -> str:
    """rate, signed or count: what a figure of the report is ("workload.completion_rate" → rate)."""
    kind = KIND_BY_KEY.get(key.rsplit(".", 1)[-1])
    return kind if kind in ("rate", "signed") else "count"


def rate_percent(rate: float | None, decimals: int = 1) -> str:
    """A rate (a fraction) for people: 98,62 % in Vietnamese, 98.62 % in English, cut to
    `decimals` places, never rounded up; '—' when undefined."""
    return format_percent(rate, decimals, language())


def percent(value: float | None, sign: bool = False, decimals: int = 1) -> str:
    """A value already in per cent (a change on last year, a document's share done) for
    people, cut to `decimals` places: 106,7 % in Vietnamese, 106.7 % in English, with its
    sign when asked (+106,7 %); '—' when undefined."""
    if value is None:
        return NO_VALUE
    text = cut(value, decimals)
    return ("+" if sign and not text.startswith("-") else "") + localize(text, language()) + " %"


def change_percent(value: float | None) -> str:
    """A change on last year, with its sign and one decimal: +106,7 %."""
    return percent(value, sign=True, decimals=CHANGE_DECIMALS)


def decimal_text(value: float | None, decimals: int = 1) -> str:
    """A number that is not a rate (a score) cut to `decimals` places: 8,7 in Vietnamese."""
    return NO_VALUE if value is None else localize(cut(value, decimals), language())


def count(value: int) -> str:
    """A count as an office writes it in a sentence: 16.274 in Vietnamese, 16,274 in English."""
    return localize(str(value), language())


def value_text(key: str, value: Any, decimals: int = 1) -> str:
    kind = kind_of(key)
    if kind == "rate":
        return rate_percent(value, decimals)
    if kind == "signed":
        return change_percent(value)
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


def sentence(received: dict[str, Any], decimals: int = 1) -> str:
    """The Government's sentence on the tasks received (Quyết định 42/2014/QĐ-TTg's reports):
    total, completed on time and late, the share of the tasks fallen due, and the rest
    within or past the deadline."""
    s = government_sentence(received)
    numbers = {"total": count(s.total), "completed": count(s.completed), "on_time": count(s.completed_on_time),
               "late": count(s.completed_late), "open": count(s.not_completed), "in_time": count(s.in_progress),
               "overdue": count(s.overdue)}
    if s.completion_rate_of_due is None:
        return _("In total {total} tasks were received; {completed} completed ({on_time} on time, {late} late), "
                 "no task having fallen due yet; {open} being carried out ({in_time} within the deadline, "
                 "{overdue} overdue).", **numbers)
    return _("In total {total} tasks were received; {completed} completed ({on_time} on time, {late} late), "
             "{rate} of the tasks that fell due; {open} being carried out ({in_time} within the deadline, "
             "{overdue} overdue).", rate=rate_percent(s.completion_rate_of_due, decimals), **numbers)


# -- the tables every format shows -----------------------------------------------------------------


@dataclass
class ReportTable:
    """One table of the report (or of another document: the evaluation) as typed values
    (counts, fractions, ISO dates). A section (I … VI) has one table or several."""

    number: str  # I … VI
    heading: str  # the section's
    sheet: str  # the name of the section's tab in the workbook
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    kinds: dict[str, str] = field(default_factory=dict)
    key_value: bool = False  # a list of figures (label, value) rather than a grid
    name: str = ""  # what the table is, for the renderers that treat one apart ("unit_workload")
    lead: str = ""  # a paragraph before the table (section I: the Government's sentence)
    caption: str = ""  # the table's own heading within its section
    bar: str | None = None  # the rate drawn as a bar beside each row on the terminal
    none_when_empty: bool = False  # no rows: "None." instead of an empty grid
    blocks_when_narrow: bool = False  # on a narrow terminal: one block of figures per row

    @property
    def numbered_heading(self) -> str:
        return f"{self.number}. {self.heading}"


def figure_rows(lines: tuple[tuple[str, str, int], ...], view: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "label": _(label), "value": view[key], "_level": level, "_kinds": {"value": kind_of(key)}}
            for key, label, level in lines if key in view]


def year_on_year_rows(received: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"label": _(label), "now": received[now], "before": received[before], "change_pct": received[change]}
            for label, now, before, change in YEAR_ON_YEAR]


def year_on_year_columns() -> list[tuple[str, str]]:
    return [("label", _("Compared with the same period last year")), ("now", _("This period")),
            ("before", _("Same period last year, as of the same day")), ("change_pct", _("Change on last year"))]


def workload_state_rows(workload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, label in WORKLOAD_STATE_ROWS:
        states = workload[key] if key else {state: workload[state] for state in STATE_KEYS}
        rows.append({"label": _(label), **{state: states[state] for state in STATE_KEYS},
                     "total": sum(states[state] for state in STATE_KEYS)})
    return rows


def workload_state_columns() -> list[tuple[str, str]]:
    return ([("label", _("Tasks to carry out, by state"))] + [(key, _(label)) for key, label in STATES]
            + [("total", _("Total"))])


def breakdown_rows(items: list[dict[str, Any]], key: str,
                   columns: tuple[tuple[str, str], ...] = BREAKDOWN_COLUMNS) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row: dict[str, Any] = {"name": item[key] or "—"}
        for path, _label in columns:
            view, name = path.split(".")
            row[path] = item[view][name]
        rows.append(row)
    return rows


def breakdown_columns(first: str, columns: tuple[tuple[str, str], ...] = BREAKDOWN_COLUMNS) -> list[tuple[str, str]]:
    return [("name", first)] + [(path, _(label)) for path, label in columns]


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


def report_tables(report: dict[str, Any], decimals: int = 1) -> list[ReportTable]:
    """Sections I–VI of the report: I. the tasks received (the Government's sentence, the
    figures with both rates, the year-on-year table), II. the tasks to carry out (the
    figures, the four states due in the period and carried over), III. per lead unit and
    IV. per source (the tasks to carry out, the tasks received in the four states), V. the
    trend, VI. the overdue tasks."""
    figures = [("label", _("Figure")), ("value", _("Number"))]
    received, workload = report["received"], report["workload"]
    received_heading, workload_heading = _("Tasks received in the period"), _("Tasks to carry out in the period")
    tables = [
        ReportTable("I", received_heading, _("Received"), figures, figure_rows(RECEIVED_LINES, received),
                    key_value=True, name="received", lead=sentence(received, decimals)),
        ReportTable("I", received_heading, _("Received"), year_on_year_columns(), year_on_year_rows(received),
                    {"change_pct": "signed"}, name="year_on_year"),
        ReportTable("II", workload_heading, _("To carry out"), figures, figure_rows(WORKLOAD_LINES, workload),
                    key_value=True, name="workload"),
        ReportTable("II", workload_heading, _("To carry out"), workload_state_columns(),
                    workload_state_rows(workload), name="workload_states"),
    ]
    workload_kinds = {path: kind_of(path) for path, _label in BREAKDOWN_COLUMNS}
    received_kinds = {path: kind_of(path) for path, _label in BREAKDOWN_RECEIVED_COLUMNS}
    for number, key, first, heading in (("III", "unit", _("Lead unit"), _("By lead unit")),
                                        ("IV", "source", _("Source"), _("By source"))):
        items = report["by_" + key]
        tables += [
            ReportTable(number, heading, heading, breakdown_columns(first), breakdown_rows(items, key),
                        workload_kinds, name=f"{key}_workload", caption=_("Tasks to carry out"),
                        bar="workload.completion_rate", blocks_when_narrow=True),
            ReportTable(number, heading, heading, breakdown_columns(first, BREAKDOWN_RECEIVED_COLUMNS),
                        breakdown_rows(items, key, BREAKDOWN_RECEIVED_COLUMNS), received_kinds,
                        name=f"{key}_received", caption=_("Tasks received"), blocks_when_narrow=True),
        ]
    tables += [
        ReportTable("V", _("Completion rate, last 12 months"), _("Trend"),
                    [("month", _("Month")), ("total", _("To carry out")), ("completed", _("Completed")),
                     ("completion_rate", _("Completed / to carry out"))], trend_rows(report),
                    {"completion_rate": "rate"}, name="trend", bar="completion_rate"),
        ReportTable("VI", overdue_heading(report), _("Overdue"), overdue_columns(), overdue_rows(report),
                    name="overdue", none_when_empty=True),
    ]
    return tables


def display_value(value: Any, kind: str | None, decimals: int = 1) -> Any:
    """A typed value as people read it: per cents cut, a change with its sign, dates in the language."""
    if kind == "rate":
        return rate_percent(value, decimals)
    if kind == "signed":
        return change_percent(value)
    if kind == "decimal":
        return decimal_text(value, decimals)
    if kind == "date":
        return show_day(value)
    return "" if value is None else value


def display_rows(table: ReportTable, decimals: int = 1, with_bar: bool = False) -> list[dict[str, Any]]:
    """The table's rows as people read them: per cents, dates in the language, sub-rows indented."""
    shown = []
    for row in table.rows:
        kinds = {**table.kinds, **row.get("_kinds", {})}
        out = {key: display_value(row.get(key), kinds.get(key) or KIND_BY_KEY.get(key), decimals)
               for key, _label in table.columns}
        if row.get("_level"):
            out["label"] = "  " * row["_level"] + out["label"]
        if with_bar and table.bar:
            out["bar"] = bar(row.get(table.bar))
        shown.append(out)
    return shown


# -- markdown, CSV ---------------------------------------------------------------------------------


def markdown(report: dict[str, Any], decimals: int = 1) -> str:
    return markdown_document(title(report), subtitle(report), report_tables(report, decimals), decimals)


def markdown_document(heading: str, lead: str, tables: Sequence[ReportTable], decimals: int = 1) -> str:
    """A title, a lead paragraph and the tables under their sections' headings, in markdown."""
    parts = [f"# {markdown_text(heading)}", "", markdown_text(lead), ""]
    section = None
    for table in tables:
        if table.number != section:
            section = table.number
            parts += [f"## {table.numbered_heading}", ""]
        if table.lead:
            parts += [markdown_text(table.lead), ""]
        if table.caption:
            parts += [f"### {markdown_text(table.caption)}", ""]
        rows = display_rows(table, decimals)
        numeric = [key for key, kind in table.kinds.items() if kind in ("rate", "signed", "decimal")]
        parts += [markdown_table(rows, table.columns, numeric) if rows or not table.none_when_empty else _("None."),
                  ""]
    return "\n".join(parts)


# The machine CSV: the JSON flattened, one row for the total, each unit and each source;
# English keys, exact values (rates as fractions, like the JSON), in either language.
CSV_KEYS = (["scope", "name"] + [f"received.{k}" for k in RECEIVED_ALL] + [f"workload.{k}" for k in WORKLOAD_ALL]
            + [f"received.{k}" for k in RECEIVED_STATES_ALL]
            + [f"workload.{part}.{k}" for part in WORKLOAD_STATE_PARTS for k in STATE_KEYS])


def _flat_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    def flat(scope: str, name: str | None, item: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"scope": scope, "name": name}
        row.update({f"received.{k}": item["received"][k] for k in RECEIVED_ALL + RECEIVED_STATES_ALL})
        row.update({f"workload.{k}": item["workload"][k] for k in WORKLOAD_ALL})
        row.update({f"workload.{part}.{k}": item["workload"][part][k] for part in WORKLOAD_STATE_PARTS
                    for k in STATE_KEYS})
        return row

    rows = [flat("total", None, report)]
    rows += [flat("unit", item["unit"], item) for item in report["by_unit"]]
    rows += [flat("source", item["source"], item) for item in report["by_source"]]
    return rows


def csv(report: dict[str, Any]) -> str:
    return csv_text(_flat_rows(report), CSV_KEYS)


def _line_headers(number: str, view: str, lines: tuple[tuple[str, str, int], ...]) -> list[tuple[str, str]]:
    """A section's lines as CSV columns; a sub-row's header names its row ("I. Đã hoàn thành: quá hạn")."""
    columns, parent = [], ""
    for key, label, level in lines:
        parent = parent if level else _(label)
        columns.append((f"{view}.{key}", f"{number}. {parent}: {_(label)}" if level else f"{number}. {_(label)}"))
    return columns


def people_csv_columns() -> list[tuple[str, str]]:
    """The CSV for people's columns: (key of `_flat_rows`, header): the figures of sections I
    and II in the order the report gives them, the year before and the four states included."""
    columns = [("scope", _("Scope")), ("name", _("Name"))]
    columns += _line_headers("I", "received", RECEIVED_LINES)
    for label, _now, before, change in YEAR_ON_YEAR:
        columns += [(f"received.{before}", f"I. {_('Same period last year, as of the same day')}: {_(label)}"),
                    (f"received.{change}", f"I. {_('Change on last year')}: {_(label)}")]
    columns += _line_headers("II", "workload", WORKLOAD_LINES)
    for part, part_label in WORKLOAD_STATE_ROWS:
        if part:
            columns += [(f"workload.{part}.{key}", f"II. {_(part_label)}: {_(label)}") for key, label in STATES]
    return columns


def people_csv(report: dict[str, Any], decimals: int = 1) -> str:
    """The CSV for people: the figures of sections I and II for the total, each unit and each
    source, headed by their labels, rates as per cents cut to `decimals` places."""
    scopes = {"total": _("Total"), "unit": _("Lead unit"), "source": _("Source")}
    columns = people_csv_columns()
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
        items = [f"{label} {row[key]}" for key, label in table.columns if key != "name" and row[key] != ""]
        if row.get("bar") and items:
            items[-1] += " " + row["bar"]
        lines += pack_items(items, width)
    return lines


def print_table(report: dict[str, Any], stream: TextIO | None = None, screen: Console | None = None,
                decimals: int = 1) -> None:
    print_document(title(report), subtitle(report), report_tables(report, decimals), stream, screen, decimals)


def print_document(heading: str, lead: str, tables: Sequence[ReportTable], stream: TextIO | None = None,
                   screen: Console | None = None, decimals: int = 1) -> None:
    """A title, a lead paragraph and the tables under their sections' headings, laid out to
    fit the terminal (render/layout.py); `stream` None: standard output."""
    from rich.text import Text

    from nqtrack.render.layout import fit_table
    from nqtrack.render.tables import console

    out = screen or (console() if stream is None else _file_console(stream))
    width = out.width
    out.print(Text(inert(heading), style="bold"))
    out.print(Text(inert(lead)))
    section = None
    for table in tables:
        if table.number != section:
            section = table.number
            if table.none_when_empty and not table.rows:
                out.print(Text(f"{table.numbered_heading}: {_('None.')}"))
                continue
            out.print()
            out.print(Text(table.numbered_heading, style="bold"))
        if table.lead:
            out.print(Text(inert(table.lead)))
        if table.caption:
            out.print(Text(inert(table.caption), style="italic"))
        if table.blocks_when_narrow and width < NARROW:
            for line in unit_blocks(table, width, decimals):
                out.print(Text(inert(line)), no_wrap=True, overflow="ellipsis", crop=True)
            continue
        with_bar = table.bar is not None
        rows = display_rows(table, decimals, with_bar)
        columns = table.columns + ([("bar", "")] if with_bar else [])
        out.print(fit_table(rows, columns, width, show_header=not table.key_value))


def _file_console(stream: TextIO) -> Console:
    from rich.console import Console

    return Console(file=stream, no_color=True, color_system=None, width=160, highlight=False, markup=False, emoji=False)


def render(report: dict[str, Any], out: Output | str, stream: TextIO | None = None, *,
           head: Letterhead | None = None, issued_on: date | None = None) -> None:
    """Write the report; `stream` None means standard output (Rich decides colour). The rates
    people read are cut to `out.decimals` places; JSON and the machine CSV are exact. The
    Word document takes its heading and signature from `head`, its date from `issued_on`."""
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
        from nqtrack.core.letterhead import Letterhead
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
