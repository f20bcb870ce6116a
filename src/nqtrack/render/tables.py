"""Renderers at the edge: Rich tables, markdown (tabulate), CSV, JSON and Excel.

Rows are dicts with machine keys; `columns` pairs each key with its (translated)
label. CSV and JSON use the machine keys, so they do not change with the language;
the CSV for people (`--labels`) and Excel use the labels.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from nqtrack.core.text import inert, lazy_pattern
from nqtrack.render.output import LISTING_FORMATS, Output

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = LISTING_FORMATS
Columns = Sequence[tuple[str, str]]

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# What a machine key holds, where its values alone do not tell (dates come as ISO text,
# rates as fractions, per cents as numbers): the one place the typed formats (Excel) and
# the layouts (alignment, what is never cut) read it from. Others are told by their values.
KIND_BY_KEY = {
    **dict.fromkeys(("deadline", "original_deadline", "assigned_on", "completed_on", "issued_on", "received_on",
                     "oldest_deadline", "effective_on", "as_of", "from", "to", "day"), "date"),
    **dict.fromkeys(("title", "note", "product", "deadline_text", "task"), "wide"),
    **dict.fromkeys(("completion_rate", "completion_rate_of_due", "overdue_rate"), "rate"),
    "percent_done": "percent",
    **dict.fromkeys(("change_pct", "change_pct_completed", "change_pct_overdue"), "signed"),
    **dict.fromkeys(("carried_over", "extended", "recurring"), "flag"),
    "id": "number",  # a task's number: no thousands separator
}


def column_kind(key: str, values: Iterable[Any] = ()) -> str:
    """date, wide (long text), rate (a fraction), percent (a per cent), signed (a per cent
    change), flag (yes/no), count, number or text."""
    if key in KIND_BY_KEY:
        return KIND_BY_KEY[key]
    found = {type(v) for v in values if v is not None and v != ""}
    if found and found <= {bool}:
        return "flag"
    if found and found <= {int}:
        return "count"
    if found and found <= {int, float}:
        return "number"
    if found and found <= {date}:
        return "date"
    return "text"


def neutralise(value: str) -> str:
    """Make a text cell inert in Excel/LibreOffice (CSV formula injection)."""
    if value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def show_day(value: date | str | None) -> str:
    """A day as the chosen language writes it (21/10/2022, or 2022-10-21); "" for none."""
    from nqtrack.core.dates import format_date
    from nqtrack.i18n import language

    if not value:
        return ""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value, language())


def _cell(value: Any) -> str:
    """A value as a table or CSV cell shows it; a control character in user text is shown,
    never obeyed (core.text.inert)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return inert(str(value))


def html_text(text: object) -> str:
    """User text in HTML (the dashboard page, its SVG charts): escaped, quotes too (it may
    stand in an attribute), control characters shown, never obeyed nor left raw."""
    import html  # with its table of entities ~2.5 ms, which a CSV or a terminal table does without

    return html.escape(inert(str(text)))


def markdown_text(text: str) -> str:
    """User text in markdown: HTML in it escaped (shown as typed, never run by a viewer),
    control characters shown."""
    import html

    return html.escape(inert(text), quote=False)


def console(stderr: bool = False) -> Console:
    """A Rich console: colour only on a terminal without NO_COLOR, wide enough when piped."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    is_tty = stream.isatty()
    width = None if is_tty else int(os.environ.get("COLUMNS", "160"))
    return Console(
        file=stream,
        no_color=bool(os.environ.get("NO_COLOR")) or not is_tty,
        color_system="auto" if is_tty and not os.environ.get("NO_COLOR") else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=not is_tty,
    )


def rich_table(rows: Sequence[dict[str, Any]], columns: Columns, title: str | None = None, width: int = 160):
    """A Rich table laid out to fit `width` (nqtrack.render.layout)."""
    from nqtrack.render.layout import fit_table

    return fit_table(rows, columns, width, title)


# a cell that reads as a number: 15, 1.234, 57,6 %, +106.7%, — (undefined)
_NUMERIC = lazy_pattern(r"[+-]?\d[\d.,]*\s?%?|—")
_INDENT = lazy_pattern(r"^ +")


def is_numeric_column(cells: Iterable[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(_NUMERIC.fullmatch(c) for c in filled) and any(c != "—" for c in filled)


def markdown_table(rows: Iterable[dict[str, Any]], columns: Columns, numeric: Iterable[str] = ()) -> str:
    """A pipe table: numbers right-aligned (the `---:` marks too), sub-rows indented with
    no-break spaces, which markdown keeps where it drops plain leading spaces. The `numeric`
    columns are right-aligned even when none of their values is known ("—")."""
    from tabulate import tabulate

    def cell(value: Any) -> str:
        text = markdown_text(_cell(value)).replace("|", "\\|").replace("\n", " ")
        return _INDENT.sub(lambda m: "\u00a0" * len(m.group()), text)

    data = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    numbers = set(numeric)
    align = ["right" if key in numbers or is_numeric_column(r[i] for r in data) else "left"
             for i, (key, _label) in enumerate(columns)]
    return tabulate(data, headers=[label for _, label in columns], tablefmt="pipe", colalign=align,
                    disable_numparse=True, preserve_whitespace=True)


def csv_text(rows: Iterable[dict[str, Any]], keys: Sequence[str], headers: Sequence[str] | None = None) -> str:
    """CSV with a header row: the machine keys, or `headers` (the labels, for people)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers if headers is not None else keys)
    for row in rows:
        writer.writerow([neutralise(_cell(row.get(k))) for k in keys])
    return out.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def json_text(data: Any, pretty: bool | None = None) -> str:
    """JSON, indented for a person at a terminal; compact for pipes and files, where
    the C encoder writes a 10,000-task listing about ten times faster."""
    if pretty is None:
        pretty = sys.stdout.isatty()
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default) + "\n"


def as_output(out: Output | str) -> Output:
    return out if isinstance(out, Output) else Output(out)


def emit_rows(
    rows: list[dict[str, Any]],
    columns: Columns,
    out: Output | str,
    *,
    title: str | None = None,
    empty_message: str | None = None,
    json_data: Any = None,
) -> None:
    """Print a listing in the chosen format to standard output (a workbook: to its file).
    For the table, markdown, the CSV for people and Excel, `rows` are what people read."""
    out = as_output(out)
    if out.fmt == "json":
        sys.stdout.write(json_text(rows if json_data is None else json_data))
    elif out.fmt == "csv":
        keys = [key for key, _ in columns]
        sys.stdout.write(csv_text(rows, keys, [label or key for key, label in columns] if out.labels else None))
    elif out.fmt == "xlsx":
        from nqtrack.render.xlsx import Sheet, workbook_bytes

        out.write_bytes(workbook_bytes([Sheet(title or "Sheet 1", columns, rows, title=title or "")], out.decimals))
    elif out.fmt == "markdown":
        if title:
            sys.stdout.write(f"## {markdown_text(title)}\n\n")
        sys.stdout.write(markdown_table(rows, columns) + "\n")
    else:
        console_ = console()
        if not rows and empty_message:
            console_.print(empty_message)
            return
        console_.print(rich_table(rows, columns, title, console_.width))
