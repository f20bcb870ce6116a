"""The official layout of an administrative document in Word (python-docx), shared by the
reminder letters and the report.

Nghị định 30/2020/NĐ-CP về công tác văn thư, Phụ lục I ("Thể thức, kỹ thuật trình bày văn
bản hành chính"), Phần I:
- I.1–4: A4 portrait; margins 20–25 mm top and bottom, 30–35 mm left, 15–20 mm right;
  Times New Roman (Unicode, TCVN 6909:2001), black;
- I.7: page numbers centred in the top margin, 13–14 pt, not shown on the first page;
- II.1: national name 12–13 pt capitals bold; motto 13–14 pt bold, a full-length rule under it;
- II.2: the body the office belongs to, 12–13 pt capitals; the issuing office 12–13 pt
  capitals bold, a rule of 1/3 to 1/2 of its length under it;
- II.3: "Số: …/…" 13 pt, centred under the office; II.4: place and date 13–14 pt italic,
  centred under the motto, on the line of the number;
- II.5: the kind of document 13–14 pt capitals bold, its subject under it 13–14 pt bold with
  a short rule; a letter's (công văn) "V/v …" 12–13 pt, centred under the number, 6 pt apart;
- II.6: the text 13–14 pt, justified, first lines indented 1 cm, 6 pt between paragraphs;
- II.7: the authority and office of the signer 13–14 pt capitals bold, the name 13–14 pt bold;
- II.9: "Nơi nhận:" 12 pt bold italic on the line of the signer's authority, the list 11 pt.
Where the decree gives a range, the smaller size is used here, as its own examples do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nqtrack.core.letterhead import Letterhead
from nqtrack.core.text import inert
from nqtrack.i18n import _

FONT = "Times New Roman"
BODY_PT = 14
SIGNATURE_SPACE = 4  # empty lines left for the signature and the seal


def national_name() -> tuple[str, str]:
    return _("SOCIALIST REPUBLIC OF VIET NAM"), _("Independence - Freedom - Happiness")


def _docx() -> Any:
    try:
        import docx
    except ImportError:  # pragma: no cover - depends on the installation
        from nqtrack.core.errors import UserError

        raise UserError("Writing DOCX needs python-docx: pip install python-docx") from None
    return docx


def new_document() -> Any:
    """An A4 document with the decree's margins, fonts and page numbers."""
    docx = _docx()
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    r_fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    if r_fonts is not None:  # East Asian and complex-script slots too, or Word may fall back
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            r_fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(0)
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
        section.different_first_page_header_footer = True  # no number on page 1
        _page_number(section.header.paragraphs[0])
    return document


def _page_number(paragraph: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def set_widths(table: Any, widths_cm: Sequence[float]) -> None:
    """Column widths that Word and LibreOffice both keep: on the grid and on every cell."""
    from docx.shared import Cm

    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def no_borders(table: Any) -> None:
    """Clear every border of a table (the heading and the signature must not look like a grid)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    # python-docx has no public API for table borders: its private `_tbl` it is, and
    # the tests fail loudly if it moves
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _rule(paragraph: Any) -> None:
    """A solid line under the paragraph, as long as the paragraph is wide (set by its indents)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    p_pr.append(borders)


def paragraph(container: Any, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
              align: str = "left", space_after: float = 0, space_before: float = 0, first_line: float | None = None,
              keep_with_next: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    para = container.add_paragraph()
    if text:
        run = para.add_run(inert(text))  # a control character is no valid XML: shown, never a crash
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
    para.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                      "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = para.paragraph_format
    fmt.space_after, fmt.space_before = Pt(space_after), Pt(space_before)
    if first_line is not None:
        fmt.first_line_indent = Cm(first_line)
    fmt.keep_with_next = keep_with_next
    return para


def _short_rule(cell: Any, width_cm: float, length_cm: float) -> None:
    from docx.shared import Cm, Pt

    line = paragraph(cell, size=4)
    side = max((width_cm - length_cm) / 2, 0)
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Cm(side)
    line.paragraph_format.space_after = Pt(4)
    _rule(line)


def _first(cell: Any, text: str, **style: Any) -> Any:
    """Write into the cell's own first paragraph (a new cell has one, empty), centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = cell.paragraphs[0]
    run = para.add_run(inert(text))
    run.bold = style.get("bold", False)
    run.font.size = Pt(style.get("size", BODY_PT))
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return para


LEFT_CM, RIGHT_CM = 6.5, 9.5


def heading(document: Any, head: Letterhead, date_line: str, *, subject: str | None = None) -> Any:
    """The two-column heading: the office and the number (and a letter's "V/v …") on the left,
    the national name, the motto and the place and date on the right. Returns the table."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, (LEFT_CM, RIGHT_CM))
    left, right = table.rows[0].cells
    lines = head.heading_lines
    if lines:
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            if i == 0:
                _first(left, line, size=12, bold=last)
            else:
                paragraph(left, line, size=12, bold=last, align="center")
        _short_rule(left, LEFT_CM, 2.2)
    if lines:
        paragraph(left, head_symbol(head), size=13, align="center")
    else:
        _first(left, head_symbol(head), size=13)
    if subject:
        paragraph(left, subject, size=12, align="center", space_before=6)
    nation, motto = national_name()
    _first(right, nation, size=12, bold=True)
    paragraph(right, motto, size=13, bold=True, align="center")
    _short_rule(right, RIGHT_CM, 6.4)
    paragraph(right, date_line, size=13, italic=True, align="center", space_before=2)
    return table


def head_symbol(head: Letterhead) -> str:
    """ "Số: …/VP-TH": the pattern as set, or the blank the records office fills in."""
    return f"{_('Number:')} {head.number}" if head.number else f"{_('Number:')}      /"


def title(document: Any, kind: str, subject: str) -> None:
    """A report's "BÁO CÁO" and its subject, centred, with a short rule under them."""
    from docx.shared import Cm

    paragraph(document, kind.upper(), size=14, bold=True, align="center", space_before=18)
    paragraph(document, subject, size=14, bold=True, align="center")
    line = paragraph(document, size=4)
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Cm(6.5)
    _rule(line)


def body(document: Any, text: str, *, space_after: float = 6) -> Any:
    return paragraph(document, text, align="justify", first_line=1.0, space_after=space_after)


def closing(document: Any, head: Letterhead, recipients: Sequence[str]) -> Any:
    """ "Nơi nhận:" and its list on the left, the signer's authority, the space to sign and
    the name on the right, side by side. Returns the table."""
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, (7.5, 8.5))
    left, right = table.rows[0].cells
    para = left.paragraphs[0]
    run = para.add_run(_("Recipients:"))
    run.bold = run.italic = True
    run.font.size = Pt(12)
    for item in recipients:
        paragraph(left, f"- {item}", size=11)
    signer = head.signer
    authority = signer.authority if signer else ()
    for i, line in enumerate(authority):
        if i == 0:
            _first(right, line, size=14, bold=True)
        else:
            paragraph(right, line, size=14, bold=True, align="center")
    for _i in range(SIGNATURE_SPACE):
        paragraph(right, "", size=14)
    if signer:
        paragraph(right, signer.name, size=14, bold=True, align="center")
    return table


def grid(document: Any, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *,
         numeric: Sequence[str] = (), whole: Sequence[str] = (), size: float = 12) -> Any:
    """A table with a header row and a thin grid, numbers right-aligned; the `numeric` and
    `whole` columns (task numbers, symbols, dates) as wide as their longest value, never broken."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, (_key, label) in zip(table.rows[0].cells, columns, strict=True):
        cell.text = inert(label)
        para = cell.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, (key, _label) in zip(cells, columns, strict=True):
            value = row.get(key)
            cell.text = "" if value is None else inert(str(value))
            if key in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for table_row in table.rows:
        for cell in table_row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(size)
    # repeat the header row on every page the table runs onto
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    set_widths(table, column_widths(columns, rows, [*numeric, *whole], size=size))
    return table


TEXT_WIDTH_CM = 16.0  # A4 less the decree's margins (210 - 30 - 15 mm), a little to spare


def column_widths(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], fixed: Sequence[str],
                  total: float = TEXT_WIDTH_CM, size: float = 12) -> list[float]:
    """The `fixed` columns (numbers, task numbers, dates) get what their header's longest word
    or their longest value needs (headers wrap between words); text columns share the rest by
    how long their content runs."""
    bold_cm, plain_cm = size * 0.021, size * 0.0176  # a Times New Roman letter: a bold header's, a digit's
    least = 2.8 if len(columns) <= 3 else 1.0  # a short table need not squeeze its numbers
    widths: dict[str, float] = {}
    for key, label in columns:
        if key in fixed:
            longest = max((len(word) for word in label.split()), default=3)
            content = max((len(str(r.get(key) or "")) for r in rows), default=1)
            widths[key] = max(longest * bold_cm, content * plain_cm) + 0.45
            widths[key] = max(widths[key], least)
    rest = total - sum(widths.values())
    text = [key for key, _label in columns if key not in widths]
    weights = {key: min(max((len(str(r.get(key) or "")) for r in rows), default=8), 45) + 6 for key in text}
    for key in text:
        widths[key] = max(rest * weights[key] / sum(weights.values()), 2.0)
    return [widths[key] for key, _label in columns]


def picture(document: Any, png: bytes, width_cm: float = 16.0) -> None:
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def to_bytes(document: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
