"""Tables that fit the terminal, at 80 columns as at 160.

Rich shrinks every column of a table that is too wide, numbers and task numbers too, so a
narrow terminal used to lose the task number entirely. Here the widths are planned before
Rich sees the table:

- a column is *whole* (task numbers, codes, document symbols, dates, days, counts, rates):
  never cut, never wrapped; its header wraps between words instead;
- *cut* (titles, notes): one line, cut with "…";
- *wrap* (unit names, states, labels): wraps between words.

Empty columns are dropped. When the whole columns and the least room for the others still
do not fit, the columns of `DROP_ORDER` go first; their values move under the title, on the
task's second line, so nothing a person needs is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nqtrack.core.text import inert
from nqtrack.render.tables import KIND_BY_KEY, Columns, is_numeric_column

CUT_KEYS = frozenset(("title", "task", "note", "product", "deadline_text"))
WHOLE_KEYS = frozenset(("id", "ref", "code", "no", "document", "symbol", "parent_symbol", "days", "days_overdue",
                        "days_left", "carried", "extended", "month", "rate", "bar", "oldest"))
# the first to go when a table is too wide for the terminal
DROP_ORDER = ("bar", "assignee", "coordinating_units", "extended", "carried", "note", "product", "aliases", "email",
              "parent", "completed_on", "progress", "issuer", "type", "doc_type", "source", "recorded_by", "old_value")
MIN_CUT = 12  # a title gets at least this much room
MAX_WRAP_WORD = 20
MARKS = ("↻", "✓")  # a value that is only a mark moves under the title as its column's label


def cell_len(text: str) -> int:
    from rich.cells import cell_len as measure

    return measure(text)


def text_of(value: Any) -> str:
    """A cell as the terminal shows it: one line, control characters shown, never obeyed."""
    if value is None:
        return ""
    return inert(" ".join(str(value).split("\n")))


def overhead(columns: int) -> int:
    """What Rich's default box adds: a rule on each side of every column, one space of padding each side."""
    return 3 * columns + 1


@dataclass
class Plan:
    keys: list[str]
    widths: dict[str, int]
    roles: dict[str, str]
    folded: list[str]  # keys whose values move under the cut column
    fold_into: str | None


def role_of(key: str, cells: Sequence[str]) -> str:
    if key in CUT_KEYS:
        return "cut"
    if key in WHOLE_KEYS or KIND_BY_KEY.get(key) == "date" or is_numeric_column(cells):
        return "whole"
    return "wrap"


def _longest_word(text: str, cap: int | None = None) -> int:
    longest = max((cell_len(word) for word in text.split()), default=0)
    return min(longest, cap) if cap else longest


def plan(rows: Sequence[dict[str, Any]], columns: Columns, width: int) -> Plan:
    labels = dict(columns)
    cells = {key: [text_of(row.get(key)) for row in rows] for key, _ in columns}
    keys = [key for key, _ in columns if not rows or any(cells[key])] or [columns[0][0]]
    roles = {key: role_of(key, cells[key]) for key in keys}
    longest = {key: max((cell_len(c) for c in cells[key]), default=0) for key in keys}

    def least(key: str) -> int:
        header = _longest_word(labels[key])
        if roles[key] == "whole":
            return max(longest[key], header, 1)
        if roles[key] == "cut":
            return max(min(MIN_CUT, longest[key]), header, 1)
        return max(max((_longest_word(c, MAX_WRAP_WORD) for c in cells[key]), default=1), header, 1)

    cut = next((k for k in keys if roles[k] == "cut"), None)
    folded: list[str] = []
    while sum(least(k) for k in keys) + overhead(len(keys)) > width:
        droppable = [k for k in DROP_ORDER if k in keys and k != cut]
        if not droppable:
            break
        keys.remove(droppable[0])
        folded.append(droppable[0])
    widths = {key: least(key) for key in keys}
    spare = width - overhead(len(keys)) - sum(widths.values())
    wanted = {key: max(longest[key], widths[key]) for key in keys if roles[key] != "whole"}
    while spare > 0:
        growing = [k for k in wanted if widths[k] < wanted[k]]
        if not growing:
            break
        share = max(spare // len(growing), 1)
        for key in growing:
            step = min(share, wanted[key] - widths[key], spare)
            widths[key] += step
            spare -= step
            if spare <= 0:
                break
    return Plan(keys, widths, roles, folded, cut if folded else None)


def _details(row: dict[str, Any], plan_: Plan, labels: dict[str, str]) -> str:
    parts = []
    for key in plan_.folded:
        value = text_of(row.get(key))
        if value:
            parts.append(labels[key] if value in MARKS else f"{labels[key]}: {value}")
    return " · ".join(parts)


def fit_table(rows: Sequence[dict[str, Any]], columns: Columns, width: int, title: str | None = None,
              show_header: bool | None = None) -> Any:
    """A Rich table of these rows that fits `width` terminal columns."""
    from rich.table import Table
    from rich.text import Text

    labels = dict(columns)
    layout = plan(rows, columns, width)
    if show_header is None:
        show_header = any(label for _, label in columns)  # a key/value listing needs no header row
    table = Table(title=inert(title) if title else title, title_justify="left", show_header=show_header)
    for key in layout.keys:
        numeric = layout.roles[key] == "whole" and is_numeric_column([text_of(r.get(key)) for r in rows])
        table.add_column(labels[key], width=layout.widths[key], justify="right" if numeric else "left",
                         no_wrap=False, overflow="fold")
    for row in rows:
        cells = []
        for key in layout.keys:
            # Text(...) so that user text such as "[bold]" is never read as markup
            text = Text(text_of(row.get(key)))
            if layout.roles[key] == "cut":
                text.truncate(layout.widths[key], overflow="ellipsis")
                if key == layout.fold_into and (details := _details(row, layout, labels)):
                    text.append("\n" + details, style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def pack_items(items: Sequence[str], width: int, indent: str = "  ", separator: str = " · ") -> list[str]:
    """Items (each kept whole: "Quá hạn 3") packed into lines of at most `width` columns."""
    lines: list[str] = []
    line = ""
    for item in items:
        candidate = item if not line else line + separator + item
        if line and cell_len(indent + candidate) > width:
            lines.append(indent + line)
            line = item
        else:
            line = candidate
    if line:
        lines.append(indent + line)
    return lines
