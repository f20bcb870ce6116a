"""Reminder notices (đôn đốc): one letter per unit about its overdue and soon-due tasks,
ready to sign.

Pure rendering: nqtrack.core.notices gathers a unit's tasks into a `Notice` (no database
here), and this module writes it as markdown, as plain text for the body of an e-mail, or as a DOCX
laid out as an official letter, công văn (Nghị định 30/2020/NĐ-CP, render/official.py): the
office, the number and "V/v …" on the left, the national name, the motto and the place and
date on the right; "Kính gửi: …", the text; "Nơi nhận:" beside the signer's authority and
name. Every label goes through `_`, so the same notice comes out in Vietnamese or in English.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nqtrack.core.dates import format_long_date
from nqtrack.core.notices import Notice, NoticeTask
from nqtrack.core.text import inert
from nqtrack.i18n import _, language
from nqtrack.render.tables import markdown_table, show_day

__all__ = [
    "subject",
    "render_markdown",
    "render_text",
    "write_docx",
    "docx_bytes",
    "file_name",
    "file_names",
]


# --- shared pieces -----------------------------------------------------------------------


def _sorted(tasks: list[NoticeTask]) -> list[NoticeTask]:
    """Most overdue first; then the nearest deadline, so the most urgent work leads."""
    return sorted(tasks, key=lambda t: (-t.days_overdue, t.deadline or date.max, t.id))




def _task_label(t: NoticeTask) -> str:
    title = " ".join(t.title.split())  # a line break in a title would break the numbered text lines
    return f"{t.code}: {title}" if t.code else title


def _deadline_label(t: NoticeTask) -> str:
    text = show_day(t.deadline)
    if t.extended and t.original_deadline and t.original_deadline != t.deadline:
        text += " " + _("(extended from {date})", date=show_day(t.original_deadline))
    return text


def _days_left(t: NoticeTask, day: date) -> int | None:
    return (t.deadline - day).days if t.deadline else None


def _status(t: NoticeTask, day: date) -> str:
    """Overdue or time left, in words: the coordinating table mixes both kinds."""
    if t.days_overdue > 0:
        if t.days_overdue == 1:
            return _("{days} day overdue", days=1)
        return _("{days} days overdue", days=t.days_overdue)
    left = _days_left(t, day)
    if left is None:
        return ""
    if left <= 0:
        return _("due today")
    if left == 1:
        return _("due in {days} day", days=1)
    return _("due in {days} days", days=left)


def _row(number: int, t: NoticeTask, day: date) -> dict[str, Any]:
    left = _days_left(t, day)
    return {
        "no": str(number),
        "task": _task_label(t),
        "document": t.document or "",
        "lead_unit": t.lead_unit or "",
        "deadline": _deadline_label(t),
        "days_overdue": str(t.days_overdue),
        "days_left": "" if left is None else str(max(left, 0)),
        "status": _status(t, day),
    }


@dataclass
class _Section:
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]


def _sections(notice: Notice) -> list[_Section]:
    """The non-empty tables of a notice, in letter order, with translated labels."""
    no, task, doc, deadline = (
        ("no", _("Item no.")), ("task", _("Task")), ("document", _("Document")), ("deadline", _("Deadline")),
    )
    found: list[_Section] = []
    parts = (
        (notice.overdue, _("Overdue tasks"), [no, task, doc, deadline, ("days_overdue", _("Days overdue"))]),
        (notice.due_soon, _("Tasks due within {within} working days", within=notice.within) if notice.working_days
         else _("Tasks due within {within} days", within=notice.within),
         [no, task, doc, deadline, ("days_left", _("Days left"))]),
        (notice.coordinating, _("Tasks the unit coordinates"),
         [no, task, doc, ("lead_unit", _("Lead unit")), deadline, ("status", _("Status"))]),
    )
    for tasks, title, columns in parts:
        if tasks:
            rows = [_row(i, t, notice.day) for i, t in enumerate(_sorted(tasks), start=1)]
            found.append(_Section(title, columns, rows))
    return found


def subject(notice: Notice) -> str:
    """The e-mail subject: the letter's "V/v" line and the unit, to tell mails apart."""
    return f"{_('Reminder: tasks overdue and due soon')} — {notice.unit}"


def _date_line(notice: Notice) -> str:
    when = format_long_date(notice.day, language())
    return f"{notice.head.place}, {when}" if notice.head.place else when


def _overdue_count(count: int) -> str:
    return _("{count} overdue task", count=count) if count == 1 else _("{count} overdue tasks", count=count)


def _soon_count(count: int, within: int, working_days: bool = False) -> str:
    if working_days:
        if count == 1:
            return _("{count} task due within the next {within} working days", count=count, within=within)
        return _("{count} tasks due within the next {within} working days", count=count, within=within)
    if count == 1:
        return _("{count} task due within the next {within} days", count=count, within=within)
    return _("{count} tasks due within the next {within} days", count=count, within=within)


def _intro(notice: Notice) -> str:
    """The counts in one sentence; worded differently when nothing is overdue yet."""
    day, unit, within = show_day(notice.day), notice.unit, notice.within
    if notice.overdue and not notice.due_soon:
        text = _("As of {day}, {unit} has {overdue}.", day=day, unit=unit,
                 overdue=_overdue_count(len(notice.overdue)))
    elif notice.overdue:
        text = _(
            "As of {day}, {unit} has {overdue} and {soon}.",
            day=day, unit=unit, overdue=_overdue_count(len(notice.overdue)),
            soon=_soon_count(len(notice.due_soon), within, notice.working_days),
        )
    elif notice.due_soon:
        text = _(
            "As of {day}, {unit} has no overdue task; {soon}.",
            day=day, unit=unit, soon=_soon_count(len(notice.due_soon), within, notice.working_days),
        )
    elif notice.working_days:
        text = _(
            "As of {day}, {unit} has no overdue task and none due within the next {within} working days.",
            day=day, unit=unit, within=within,
        )
    else:
        text = _(
            "As of {day}, {unit} has no overdue task and none due within the next {within} days.",
            day=day, unit=unit, within=within,
        )
    if notice.coordinating:
        count = len(notice.coordinating)
        text += " " + (
            _("In addition, {unit} coordinates {count} overdue or soon-due task led by another unit.",
              unit=unit, count=count)
            if count == 1 else
            _("In addition, {unit} coordinates {count} overdue or soon-due tasks led by other units.",
              unit=unit, count=count)
        )
    return text


def _closing(notice: Notice) -> str:
    if notice.overdue:
        if notice.head.office_name:
            return _(
                "{unit} is requested to carry out these tasks without delay and to report the results "
                "to {office} within 5 working days of receiving this notice.",
                unit=notice.unit, office=notice.head.office_name,
            )
        return _(
            "{unit} is requested to carry out these tasks without delay and to report the results "
            "within 5 working days of receiving this notice.",
            unit=notice.unit,
        )
    return _("{unit} is requested to complete these tasks by their deadlines.", unit=notice.unit)


def _recipients() -> list[str]:
    return [_("As above;"), _("Filed: records office.")]


def _opening(notice: Notice, markdown: bool) -> list[str]:
    """The letter's head down to the introduction, shared by the markdown and the text: the
    office, the number and the subject (V/v) first, then the national name and the date."""
    from nqtrack.render.official import head_symbol, national_name

    bold = (lambda text: f"**{text}**") if markdown else (lambda text: text)
    italic = (lambda text: f"*{text}*") if markdown else (lambda text: text)
    br = "\\" if markdown else ""  # markdown's hard line break keeps the lines of a block together
    nation, motto = national_name()
    office = notice.head.heading_lines
    left = [line if i < len(office) - 1 else bold(line) for i, line in enumerate(office)]
    left += [head_symbol(notice.head), _("Reminder: tasks overdue and due soon")]
    lines = [line + br for line in left[:-1]] + [left[-1], ""]
    return lines + [
        bold(nation) + br,
        bold(motto),
        "",
        italic(_date_line(notice)),
        "",
        f"{_('To:')} {notice.unit}",
        "",
        _intro(notice),
        "",
    ]


def _signature(notice: Notice, markdown: bool) -> list[str]:
    """The signer's authority lines, the space to sign, the name."""
    signer = notice.head.signer
    if signer is None:
        return []
    bold = (lambda text: f"**{text}**") if markdown else (lambda text: text)
    br = "\\" if markdown else ""
    authority = [bold(line) for line in signer.authority]
    return [line + br for line in authority[:-1]] + [authority[-1], "", "", bold(signer.name), ""]


# --- markdown ----------------------------------------------------------------------------


def render_markdown(notice: Notice) -> str:
    """The notice as markdown: readable as a letter in a mail client or on a forge (HTML
    in a name or title is escaped, shown as typed)."""
    lines = [_html(line) for line in _opening(notice, markdown=True)]
    for section in _sections(notice):
        lines += [f"### {section.title}", "", markdown_table(section.rows, section.columns), ""]
    lines += [_html(_closing(notice)), "", f"***{_('Recipients:')}***", ""]
    lines += [f"- {item}" for item in _recipients()]
    signature = _signature(notice, markdown=True)
    if signature:
        lines += [""] + [_html(line) for line in signature[:-1]]
    return inert("\n".join(lines) + "\n")


def _html(line: str) -> str:
    return html.escape(line, quote=False)


# --- plain text --------------------------------------------------------------------------


def render_text(notice: Notice) -> str:
    """The notice as plain text for a mail body: numbered lines, since mail clients
    show proportional fonts and would break aligned columns."""
    lines = _opening(notice, markdown=False)
    for section in _sections(notice):
        lines += [section.title.upper(), ""]
        labels = dict(section.columns)
        for row in section.rows:
            lines.append(f"{row['no']}. {row['task']}")
            details = [f"{labels[key]}: {row[key]}" for key, _label in section.columns[2:] if row.get(key)]
            if details:
                lines.append("   " + "; ".join(details))
        lines.append("")
    lines += [_closing(notice), "", _("Recipients:")]
    lines += [f"- {item}" for item in _recipients()]
    signature = _signature(notice, markdown=False)
    if signature:
        lines += [""] + signature[:-1]
    return inert("\n".join(lines) + "\n")


# --- DOCX --------------------------------------------------------------------------------


def docx_bytes(notice: Notice) -> bytes:
    """The notice as a Word letter ready to sign (render/official.py lays it out)."""
    from nqtrack.render import official

    document = official.new_document()
    official.heading(document, notice.head, _date_line(notice), subject=_("Reminder: tasks overdue and due soon"))
    official.paragraph(document, f"{_('To:')} {notice.unit}", align="center", space_before=12, space_after=12)
    official.body(document, _intro(notice))
    for part in _sections(notice):
        official.paragraph(document, part.title, bold=True, space_after=3, keep_with_next=True)
        official.grid(document, part.columns, part.rows, numeric=("no", "days_overdue", "days_left"))
        official.paragraph(document, "", space_after=0)
    official.body(document, _closing(notice), space_after=12)
    official.closing(document, notice.head, _recipients())
    return official.to_bytes(document)


def write_docx(notice: Notice, path: str | Path) -> None:
    """Write the notice as a DOCX letter, whole or not at all."""
    from nqtrack.files import write_bytes

    write_bytes(str(path), docx_bytes(notice), database=None)


# --- file names --------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Letters without accents (Đ → D), case kept: file names must survive any disk and mail."""
    text = unicodedata.normalize("NFC", text).translate({ord("Đ"): "D", ord("đ"): "d", ord("Ð"): "D", ord("ð"): "d"})
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bare.encode("ascii", "ignore").decode("ascii")


def file_name(notice: Notice, ext: str, numbered: bool = False) -> str:
    """A safe ASCII file name, e.g. "don-doc-VP-2022-11-15.md": the unit code when there
    is one (short and stable), else the unit's name without accents; `numbered` adds the
    unit's number, to tell apart units whose names would be the same."""
    key = _ascii(notice.unit_code) if notice.unit_code and notice.unit_code.strip() else _ascii(notice.unit).lower()
    key = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:60].strip("-") or "unit"
    if numbered:
        key += f"-{notice.unit_id}"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", ext.lstrip("."))
    name = f"don-doc-{key}-{notice.day.isoformat()}"
    return f"{name}.{suffix}" if suffix else name


def file_names(notices: Sequence[Notice], ext: str) -> list[str]:
    """One file name per notice, no two alike even where case is ignored (units coded V.P
    and V-P, or named alike in their first 60 letters, would share one): those that would
    share a name get their unit's number, and if that still clashes, every name does."""
    names = [file_name(n, ext) for n in notices]
    shared = Counter(name.casefold() for name in names)
    names = [name if shared[name.casefold()] == 1 else file_name(n, ext, numbered=True)
             for name, n in zip(names, notices, strict=True)]
    if len({name.casefold() for name in names}) < len(names):
        names = [file_name(n, ext, numbered=True) for n in notices]
    return names
