"""Reminder notices (đôn đốc): one letter per unit about its overdue and soon-due tasks.

Pure rendering: nqtrack.core.notices gathers a unit's tasks into a `Notice` (no database
here), and this module writes it as markdown, as plain text for the body of an e-mail, or as a DOCX
laid out like an official letter (Nghị định 30/2020/NĐ-CP: office and national motto side
by side, place and date, "V/v …", "Kính gửi: …", body, "Nơi nhận:"). Every label goes
through `_`, so the same notice comes out in Vietnamese or in English.
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
from typing import IO, Any

from nqtrack.core.dates import format_long_date
from nqtrack.core.errors import UserError
from nqtrack.core.notices import Notice, NoticeTask
from nqtrack.core.text import inert
from nqtrack.i18n import _, language
from nqtrack.render.tables import markdown_table, show_day

__all__ = [
    "subject",
    "render_markdown",
    "render_text",
    "write_docx",
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
        (notice.due_soon, _("Tasks due within {within} days", within=notice.within),
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
    return f"{notice.place}, {when}" if notice.place else when


def _overdue_count(count: int) -> str:
    return _("{count} overdue task", count=count) if count == 1 else _("{count} overdue tasks", count=count)


def _soon_count(count: int, within: int) -> str:
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
            soon=_soon_count(len(notice.due_soon), within),
        )
    elif notice.due_soon:
        text = _(
            "As of {day}, {unit} has no overdue task; {soon}.",
            day=day, unit=unit, soon=_soon_count(len(notice.due_soon), within),
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
        if notice.office:
            return _(
                "{unit} is requested to carry out these tasks without delay and to report the results "
                "to {office} within 5 working days of receiving this notice.",
                unit=notice.unit, office=notice.office,
            )
        return _(
            "{unit} is requested to carry out these tasks without delay and to report the results "
            "within 5 working days of receiving this notice.",
            unit=notice.unit,
        )
    return _("{unit} is requested to complete these tasks by their deadlines.", unit=notice.unit)


def _motto() -> tuple[str, str]:
    return _("SOCIALIST REPUBLIC OF VIET NAM"), _("Independence - Freedom - Happiness")


def _recipients() -> list[str]:
    return [_("As above;"), _("Filed: records office.")]


def _opening(notice: Notice, markdown: bool) -> list[str]:
    """The letter's head down to the introduction, shared by the markdown and the text."""
    bold = (lambda text: f"**{text}**") if markdown else (lambda text: text)
    italic = (lambda text: f"*{text}*") if markdown else (lambda text: text)
    nation, motto = _motto()
    lines: list[str] = []
    if notice.office:
        lines += [bold(notice.office), ""] if markdown else [notice.office]
    return lines + [
        bold(nation) + ("\\" if markdown else ""),  # markdown's hard line break keeps the two lines together
        bold(motto),
        "",
        italic(_date_line(notice)),
        "",
        bold(_("Reminder: tasks overdue and due soon")),
        "",
        f"{_('To:')} {notice.unit}",
        "",
        _intro(notice),
        "",
    ]


# --- markdown ----------------------------------------------------------------------------


def render_markdown(notice: Notice) -> str:
    """The notice as markdown: readable as a letter in a mail client or on a forge (HTML
    in a name or title is escaped, shown as typed)."""
    lines = [_html(line) for line in _opening(notice, markdown=True)]
    for section in _sections(notice):
        lines += [f"### {section.title}", "", markdown_table(section.rows, section.columns), ""]
    lines += [_html(_closing(notice)), "", f"***{_('Recipients:')}***", ""]
    lines += [f"- {item}" for item in _recipients()]
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
    return inert("\n".join(lines) + "\n")


# --- DOCX --------------------------------------------------------------------------------

_FONT = "Times New Roman"


def _no_borders(table: Any) -> None:
    """Clear every border of a table (the header block must not look like a grid)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    # python-docx has no public API for table borders: its private `_tbl` it is, and
    # tests/test_remind_render.py fails loudly if it moves
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _set_font(document: Any) -> None:
    """Times New Roman 13 pt, also for East Asian text slots, as ND 30/2020 asks."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(13)
    r_pr = style.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is not None:
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            r_fonts.set(qn(slot), _FONT)


def _paragraph(container: Any, text: str, *, bold: bool = False, italic: bool = False,
               align: Any = None, size: float | None = None, space_after: float = 6) -> Any:
    from docx.shared import Pt

    para = container.add_paragraph()
    run = para.add_run(inert(text))  # a control character is no valid XML
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)
    if align is not None:
        para.alignment = align
    para.paragraph_format.space_after = Pt(space_after)
    return para


def write_docx(notice: Notice, path: str | Path | IO[bytes]) -> None:
    """Write the notice as a DOCX letter ready to sign, to a file or a stream; python-docx
    is imported here because it is an optional extra."""
    try:
        from docx import Document
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Pt
    except ImportError:  # pragma: no cover - depends on the installation
        raise UserError("Writing DOCX needs python-docx: pip install python-docx") from None

    document = Document()
    _set_font(document)
    for section in document.sections:  # A4 with the margins of ND 30/2020
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)

    center, right, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
    nation, motto = _motto()

    header = document.add_table(rows=1, cols=2)
    _no_borders(header)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left_cell, right_cell = header.rows[0].cells
    left_cell.width, right_cell.width = Cm(6.5), Cm(9.5)
    left_cell.paragraphs[0].add_run(inert(notice.office)).bold = True
    left_cell.paragraphs[0].alignment = center
    right_cell.paragraphs[0].add_run(nation).bold = True
    right_cell.paragraphs[0].runs[0].font.size = Pt(12)
    right_cell.paragraphs[0].alignment = center
    _paragraph(right_cell, motto, bold=True, align=center, space_after=0)

    _paragraph(document, _date_line(notice), italic=True, align=right)
    _paragraph(document, _("Reminder: tasks overdue and due soon"), bold=True, align=center)
    _paragraph(document, f"{_('To:')} {notice.unit}", align=center, space_after=12)
    intro = _paragraph(document, _intro(notice), align=justify)
    intro.paragraph_format.first_line_indent = Cm(1)

    for part in _sections(notice):
        _paragraph(document, part.title, bold=True, space_after=3)
        table = document.add_table(rows=1, cols=len(part.columns))
        table.style = "Table Grid"
        for cell, (_key, label) in zip(table.rows[0].cells, part.columns, strict=True):
            cell.text = label
            cell.paragraphs[0].runs[0].bold = True
            cell.paragraphs[0].alignment = center
        for row in part.rows:
            cells = table.add_row().cells
            for cell, (key, _label) in zip(cells, part.columns, strict=True):
                cell.text = inert(row[key])
                if key in ("no", "deadline", "days_overdue", "days_left"):
                    cell.paragraphs[0].alignment = center
        for row in table.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(12)
        _paragraph(document, "", space_after=0)

    closing = _paragraph(document, _closing(notice), align=justify, space_after=12)
    closing.paragraph_format.first_line_indent = Cm(1)
    _paragraph(document, _("Recipients:"), bold=True, italic=True, size=12, space_after=0)
    for item in _recipients():
        _paragraph(document, f"- {item}", size=11, space_after=0)
    document.save(str(path) if isinstance(path, Path) else path)


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
