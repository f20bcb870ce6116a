"""The report as a Word document in the official layout (Nghị định 30/2020/NĐ-CP; the layout
itself is render/official.py): the heading with the office, "Số: …/BC-…", the national name,
the place and date; "BÁO CÁO" and its subject; sections I–VI as tables (section I opened
by the Government's sentence), the charts as pictures; "Nơi nhận" and the signature block from the settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from nqtrack.core.dates import format_long_date
from nqtrack.core.letterhead import Letterhead
from nqtrack.i18n import _, language
from nqtrack.render import official
from nqtrack.render.layout import role_of
from nqtrack.render.report import chart_svgs, display_rows, report_subject, report_tables, subtitle
from nqtrack.render.tables import is_numeric_column


def date_line(head: Letterhead, day: date) -> str:
    when = format_long_date(day, language())
    return f"{head.place}, {when}" if head.place else when


def docx_bytes(report: dict[str, Any], head: Letterhead, issued_on: date, decimals: int = 1) -> bytes:
    from nqtrack.render.charts import SERIF, png

    document = official.new_document()
    official.heading(document, head, date_line(head, issued_on))
    official.title(document, _("Report"), report_subject(report))
    official.paragraph(document, subtitle(report), italic=True, align="center", space_before=6, space_after=12)
    pictures = chart_svgs(report, decimals, font=SERIF)
    after = {"unit_workload": pictures.states, "trend": pictures.trend, "overdue": pictures.backlog}
    section = None
    for table in report_tables(report, decimals):
        if table.number != section:
            section = table.number
            official.paragraph(document, table.numbered_heading.upper(), bold=True, space_before=12, space_after=6,
                               keep_with_next=True)
        if table.lead:  # section I: the Government's sentence
            official.body(document, table.lead)
        if table.caption:
            official.paragraph(document, table.caption, bold=True, italic=True, space_before=6, space_after=6,
                               keep_with_next=True)
        rows = display_rows(table, decimals)
        if rows:
            numeric = [key for key, _label in table.columns if is_numeric_column(str(r[key]) for r in rows)]
            whole = [key for key, _label in table.columns if role_of(key, [str(r[key]) for r in rows]) == "whole"]
            official.grid(document, table.columns, rows, numeric=numeric, whole=whole,
                          size=12 if len(table.columns) < 6 else 11 if len(table.columns) < 7 else 10)
        else:
            official.body(document, _("None."))
        if table.name in after and rows:
            official.paragraph(document, "", space_after=6)
            official.picture(document, png(after[table.name]))
    official.paragraph(document, "", space_after=12)
    official.closing(document, head, [_("Filed: records office.")])
    return official.to_bytes(document)
