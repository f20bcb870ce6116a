"""Renderers at the edge: Rich tables, markdown (tabulate), CSV and JSON.

Rows are dicts with machine keys; `columns` pairs each key with its (translated)
label. CSV and JSON use the machine keys, so they do not change with the language.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from nqtrack.core.text import inert

FORMATS = ("table", "markdown", "csv", "json")
Columns = Sequence[tuple[str, str]]

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a text cell inert in Excel/LibreOffice (CSV formula injection)."""
    if value.startswith(_FORMULA_START) and not _is_number(value):
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


def markdown_text(text: str) -> str:
    """User text in markdown: HTML in it escaped (shown as typed, never run by a viewer),
    control characters shown."""
    return html.escape(inert(text), quote=False)


def console(stderr: bool = False):
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


def rich_table(rows: Iterable[dict[str, Any]], columns: Columns, title: str | None = None):
    from rich.table import Table
    from rich.text import Text

    # a key/value listing (all labels empty) needs no header row
    table = Table(title=title, show_lines=False, show_header=any(label for _, label in columns))
    for _, label in columns:
        table.add_column(label)
    for row in rows:
        # Text(...) so that user text such as "[bold]" is never read as markup
        table.add_row(*(Text(_cell(row.get(key))) for key, _ in columns))
    return table


def markdown_table(rows: Iterable[dict[str, Any]], columns: Columns) -> str:
    from tabulate import tabulate

    data = [[markdown_text(_cell(row.get(key))).replace("|", "\\|").replace("\n", " ") for key, _ in columns]
            for row in rows]
    return tabulate(data, headers=[label for _, label in columns], tablefmt="github", disable_numparse=True)


def csv_text(rows: Iterable[dict[str, Any]], keys: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
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


def emit_rows(
    rows: list[dict[str, Any]],
    columns: Columns,
    fmt: str,
    *,
    title: str | None = None,
    empty_message: str | None = None,
    json_data: Any = None,
) -> None:
    """Print a listing in the chosen format to standard output."""
    if fmt == "json":
        sys.stdout.write(json_text(rows if json_data is None else json_data))
    elif fmt == "csv":
        sys.stdout.write(csv_text(rows, [key for key, _ in columns]))
    elif fmt == "markdown":
        if title:
            sys.stdout.write(f"## {markdown_text(title)}\n\n")
        sys.stdout.write(markdown_table(rows, columns) + "\n")
    else:
        out = console()
        if not rows and empty_message:
            out.print(empty_message)
            return
        out.print(rich_table(rows, columns, title))
