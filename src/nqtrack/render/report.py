"""Rendering the statistical report: table, markdown, CSV and JSON, to any stream.

JSON and CSV carry the figures as they are, rates as exact fractions; the table and
markdown are for people: rates as per cents cut (never rounded up) to `decimals`
places (core.numbers), each labelled with what it divides by.
"""

from __future__ import annotations

from typing import Any, TextIO

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
from nqtrack.i18n import _, language
from nqtrack.render.tables import csv_text, json_text, markdown_table, show_day

RECEIVED_ALL = RECEIVED_KEYS + ("change_pct",)
WORKLOAD_ALL = WORKLOAD_KEYS + ("completion_rate",)
# The CSV's columns added with the four states, after the first ones (so that those keep their place).
RECEIVED_STATES_ALL = RECEIVED_STATE_KEYS + RECEIVED_RATE_KEYS + RECEIVED_CHANGE_KEYS[1:]
WORKLOAD_STATE_PARTS = ("due_in_period_states", "carried_over_states")


def rate_percent(rate: float | None, decimals: int = 1) -> str:
    """A rate (a fraction) for people: 98,62 % in Vietnamese, 98.62 % in English, cut to
    `decimals` places, never rounded up; '—' when undefined."""
    return format_percent(rate, decimals, language())


def percent(value: float | None, sign: bool = False) -> str:
    """A value already in per cent and cut to one decimal (a change on last year, a
    document's share done) for people: 106,7 % in Vietnamese, 106.7 % in English, with its
    sign when asked (+106,7 %); '—' when undefined."""
    if value is None:
        return NO_VALUE
    text = cut(value, 1)
    return ("+" if sign and not text.startswith("-") else "") + localize(text, language()) + " %"


def change_percent(value: float | None) -> str:
    """A change on last year, with its sign: +106,7 %."""
    return percent(value, sign=True)


def count(value: int) -> str:
    """A count as an office writes it in a sentence: 16.274 in Vietnamese, 16,274 in English."""
    return localize(str(value), language())


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


def _received_rows(r: dict[str, Any], decimals: int = 1) -> list[dict[str, Any]]:
    return [
        {"label": _("Tasks received"), "value": r["total"]},
        {"label": "  " + _("with a deadline"), "value": r["with_deadline"]},
        {"label": "  " + _("without a deadline"), "value": r["without_deadline"]},
        {"label": _("Completed"), "value": r["completed"]},
        {"label": "  " + _("on time"), "value": r["completed_on_time"]},
        {"label": "  " + _("late"), "value": r["completed_late"]},
        {"label": _("Completed, with a deadline"), "value": r["completed_with_deadline"]},
        {"label": _("Completed, without a deadline"), "value": r["completed_without_deadline"]},
        {"label": _("Still being carried out"), "value": r["open"]},
        {"label": "  " + _("within the deadline"), "value": r["in_progress"]},
        {"label": "  " + _("overdue"), "value": r["overdue"]},
        {"label": _("Tasks fallen due (completed or overdue)"), "value": r["due"]},
        {"label": _("Completion rate of the tasks fallen due (completed / fallen due)"),
         "value": rate_percent(r["completion_rate_of_due"], decimals)},
        {"label": _("Overdue rate (overdue / tasks received)"), "value": rate_percent(r["overdue_rate"], decimals)},
        {"label": _("Cancelled"), "value": r["cancelled"]},
    ]


def _year_on_year_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": _("Tasks received"), "now": r["total"], "before": r["previous_year"],
         "change": change_percent(r["change_pct"])},
        {"label": _("Completed"), "now": r["completed"], "before": r["previous_year_completed"],
         "change": change_percent(r["change_pct_completed"])},
        {"label": _("Overdue"), "now": r["overdue"], "before": r["previous_year_overdue"],
         "change": change_percent(r["change_pct_overdue"])},
    ]


def _year_on_year_columns() -> list[tuple[str, str]]:
    return [("label", _("Compared with the same period last year")), ("now", _("This period")),
            ("before", _("Same period last year, as of the same day")), ("change", _("Change on last year"))]


def _workload_rows(w: dict[str, Any], decimals: int = 1) -> list[dict[str, Any]]:
    return [
        {"label": _("Tasks to carry out"), "value": w["total"]},
        {"label": "  " + _("due in the period"), "value": w["due_in_period"]},
        {"label": "  " + _("carried over from earlier periods"), "value": w["carried_over"]},
        {"label": _("Completed"), "value": w["completed"]},
        {"label": "  " + _("on time"), "value": w["completed_on_time"]},
        {"label": "  " + _("late"), "value": w["completed_late"]},
        {"label": _("Overdue, not completed"), "value": w["overdue"]},
        {"label": _("In progress, within the deadline"), "value": w["in_progress"]},
        {"label": _("Completion rate (completed / tasks to carry out)"),
         "value": rate_percent(w["completion_rate"], decimals)},
        {"label": _("Deadlines extended in the period"), "value": w["extended"]},
        {"label": _("Tasks urged (đôn đốc) in the period"), "value": w["reminded"]},
        {"label": _("Open tasks without a deadline"), "value": w["open_without_deadline"]},
        {"label": _("Cancelled"), "value": w["cancelled"]},
    ]


def _workload_state_rows(w: dict[str, Any]) -> list[dict[str, Any]]:
    parts = [(_("Due in the period"), w["due_in_period_states"]),
             (_("Carried over from earlier periods"), w["carried_over_states"]),
             (_("Tasks to carry out"), {key: w[key] for key in STATE_KEYS})]
    return [{"label": label, **states, "total": sum(states.values())} for label, states in parts]


def _state_columns(first: str) -> list[tuple[str, str]]:
    return [("label", first), ("completed_on_time", _("Completed on time")), ("completed_late", _("Completed late")),
            ("in_progress", _("In progress, within the deadline")), ("overdue", _("Overdue")), ("total", _("Total"))]


def _breakdown_received_rows(items: list[dict[str, Any]], key: str, decimals: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "name": item[key] or "—",
            "received": item["received"]["total"],
            **{state: item["received"][state] for state in STATE_KEYS},
            "rate_of_due": rate_percent(item["received"]["completion_rate_of_due"], decimals),
            "overdue_rate": rate_percent(item["received"]["overdue_rate"], decimals),
        }
        for item in items
    ]


def _breakdown_received_columns(first: str) -> list[tuple[str, str]]:
    return [("name", first), ("received", _("Received")), ("completed_on_time", _("Completed on time")),
            ("completed_late", _("Completed late")), ("in_progress", _("Within the deadline")),
            ("overdue", _("Overdue")), ("rate_of_due", _("Completed / fallen due")),
            ("overdue_rate", _("Overdue / received"))]


def _breakdown_rows(items: list[dict[str, Any]], key: str, decimals: int = 1) -> list[dict[str, Any]]:
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
            "rate": rate_percent(item["workload"]["completion_rate"], decimals),
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
        ("rate", _("Completed / to carry out")),
    ]
    return columns + [("bar", "")] if with_bar else columns


def _trend_rows(report: dict[str, Any], decimals: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "month": f"{m['month'][5:]}/{m['month'][:4]}",
            "total": m["total"],
            "completed": m["completed"],
            "rate": rate_percent(m["completion_rate"], decimals),
            "bar": bar(m["completion_rate"]),
        }
        for m in report["trend"]
    ]


def _trend_columns(with_bar: bool) -> list[tuple[str, str]]:
    columns = [("month", _("Month")), ("total", _("To carry out")), ("completed", _("Completed")),
               ("rate", _("Completed / to carry out"))]
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


# A report for people is a list of blocks that the markdown and the table both write:
# ("h2" | "h3" | "text", text), ("figures", rows) for a figure/number listing, or
# ("table", rows, columns).
Block = tuple[Any, ...]


def blocks(report: dict[str, Any], decimals: int = 1, with_bar: bool = False) -> list[Block]:
    """Sections I–VI: the tasks received (the Government's sentence, then the tables), the
    tasks to carry out, per lead unit, per source, the trend and the overdue tasks."""
    out: list[Block] = [
        ("h2", f"I. {_('Tasks received in the period')}"),
        ("text", sentence(report["received"], decimals)),
        ("figures", _received_rows(report["received"], decimals)),
        ("table", _year_on_year_rows(report["received"]), _year_on_year_columns()),
        ("h2", f"II. {_('Tasks to carry out in the period')}"),
        ("figures", _workload_rows(report["workload"], decimals)),
        ("table", _workload_state_rows(report["workload"]), _state_columns(_("Tasks to carry out, by state"))),
    ]
    for number, key, first, heading in (("III", "unit", _("Lead unit"), _("By lead unit")),
                                        ("IV", "source", _("Source"), _("By source"))):
        items = report["by_" + key]
        out += [
            ("h2", f"{number}. {heading}"),
            ("h3", _("Tasks received")),
            ("table", _breakdown_received_rows(items, key, decimals), _breakdown_received_columns(first)),
            ("h3", _("Tasks to carry out")),
            ("table", _breakdown_rows(items, key, decimals), _breakdown_columns(first, with_bar)),
        ]
    out += [
        ("h2", f"V. {_('Completion rate, last 12 months')}"),
        ("table", _trend_rows(report, decimals), _trend_columns(with_bar)),
        ("h2", f"VI. {_('Overdue tasks on {day}', day=show_day(report['period']['as_of']))}"),
    ]
    rows = _overdue_rows(report)
    out.append(("table", rows, _overdue_columns()) if rows else ("text", _("None.")))
    return out


def markdown(report: dict[str, Any], decimals: int = 1) -> str:
    return markdown_document(title(report), subtitle(report), blocks(report, decimals))


def markdown_document(heading: str, lead: str, body: list[Block]) -> str:
    """A title, a lead paragraph and the blocks, in markdown."""
    parts = [f"# {heading}", "", lead, ""]
    for block in body:
        kind = block[0]
        if kind == "h2":
            parts.append(f"## {block[1]}")
        elif kind == "h3":
            parts.append(f"### {block[1]}")
        elif kind == "text":
            parts.append(block[1])
        elif kind == "figures":
            parts.append(markdown_table(block[1], [("label", _("Figure")), ("value", _("Number"))]))
        else:
            parts.append(markdown_table(block[1], block[2]))
        parts.append("")
    return "\n".join(parts)


# The machine CSV: the JSON flattened, one row for the total, each unit and each source;
# English keys, exact values (rates as fractions, like the JSON), in either language.
CSV_KEYS = (["scope", "name"] + [f"received.{k}" for k in RECEIVED_ALL] + [f"workload.{k}" for k in WORKLOAD_ALL]
            + [f"received.{k}" for k in RECEIVED_STATES_ALL]
            + [f"workload.{part}.{k}" for part in WORKLOAD_STATE_PARTS for k in STATE_KEYS])


def csv(report: dict[str, Any]) -> str:
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
    return csv_text(rows, CSV_KEYS)


_TEXT_COLUMNS = ("label", "name", "month", "bar", "title", "document", "lead_unit", "ref", "deadline", "class")


def print_table(report: dict[str, Any], stream: TextIO | None = None, decimals: int = 1) -> None:
    print_document(title(report), subtitle(report), blocks(report, decimals, with_bar=True), stream)


def print_document(heading: str, lead: str, body: list[Block], stream: TextIO | None = None) -> None:
    """A title, a lead paragraph and the blocks as Rich tables; `stream` None: standard output."""
    from rich.table import Table
    from rich.text import Text

    from nqtrack.render.tables import console

    out = console() if stream is None else _file_console(stream)

    def table(rows, columns, show_header=True):
        t = Table(show_header=show_header)
        cells = [[str(row.get(key, "")) for key, _ in columns] for row in rows]
        for number, (key, label) in enumerate(columns):
            text = key in _TEXT_COLUMNS
            # a number is never cut or folded: its column is at least as wide as its widest
            # number, and a long heading wraps over it instead
            widest = max((len(row[number]) for row in cells), default=0)
            t.add_column(
                label,
                justify="left" if text else "right",
                no_wrap=False,
                overflow="ellipsis" if key == "title" else "fold",
                ratio=1 if key == "title" else None,
                min_width=None if text else widest,
            )
        for row in cells:
            t.add_row(*(Text(cell) for cell in row))
        return t

    out.print(Text(heading, style="bold"))
    out.print(Text(lead))
    for block in body:
        kind = block[0]
        if kind == "h2":
            out.print()
            out.print(Text(block[1], style="bold"))
        elif kind == "h3":
            out.print(Text(block[1], style="italic"))
        elif kind == "text":
            out.print(Text(block[1]))
        elif kind == "figures":
            out.print(table(block[1], [("label", ""), ("value", "")], show_header=False))
        else:
            out.print(table(block[1], block[2]))


def _file_console(stream: TextIO):
    from rich.console import Console

    return Console(file=stream, no_color=True, color_system=None, width=160, highlight=False, markup=False, emoji=False)


def render(report: dict[str, Any], fmt: str, stream: TextIO | None = None, decimals: int = 1) -> None:
    """Write the report; `stream` None means standard output (Rich decides colour).
    `decimals`: of the per cents people read (table, markdown); JSON and CSV are exact."""
    import sys

    if fmt == "table":
        print_table(report, stream, decimals)
        return
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json_text(report))
    elif fmt == "csv":
        stream.write(csv(report))
    elif fmt == "markdown":
        stream.write(markdown(report, decimals) + "\n")
