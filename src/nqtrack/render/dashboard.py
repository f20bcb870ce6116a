"""The dashboard: one self-contained HTML page a leader opens from a shared folder.

Everything is inline (styles, the charts as SVG): no script, no font, no picture is fetched,
and the page's Content-Security-Policy forbids it, so it opens the same with no network. The
page reads on a phone (one column, tables scroll sideways inside their box) and prints on A4.
Every figure shown carries its JSON key and value (`data-figure`, `data-value`; in a table
`data-key` and `data-value`), so a test compares the page with `nqtrack report --format json`.
Under the title: the Government's sentence; under the charts: the tasks to carry out in the
four states and the year-on-year comparison, as the report's sections I and II give them.
"""

from __future__ import annotations

from typing import Any

from nqtrack.i18n import N_, _, language
from nqtrack.render.report import (
    ReportTable,
    chart_svgs,
    display_rows,
    rate_percent,
    report_tables,
    sentence,
    subtitle,
    title,
    value_text,
)
from nqtrack.render.tables import html_text as escape  # user text: escaped, control characters shown
from nqtrack.render.tables import show_day

# The headline figures: (key in the report's JSON, label). A figure added here is on the page.
# Each rate says what it divides by.
HEADLINE: tuple[tuple[str, str], ...] = (
    ("workload.total", N_("Tasks to carry out")),
    ("workload.completed", N_("Completed")),
    ("workload.completion_rate", N_("Completion rate (completed / tasks to carry out)")),
    ("workload.overdue", N_("Overdue, not completed")),
    ("workload.carried_over", N_("carried over from earlier periods")),
    ("workload.in_progress", N_("In progress, within the deadline")),
    ("received.total", N_("Tasks received")),
    ("received.completion_rate_of_due", N_("Completion rate of the tasks fallen due (completed / fallen due)")),
    ("received.overdue_rate", N_("Overdue rate (overdue / tasks received)")),
)
# the report's tables the page shows in full (render/report.py: ReportTable.name)
TABLES = ("workload_states", "year_on_year")

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bad: #c62828; --good: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, "Liberation Sans",
       "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f8fa; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 8px; }
.period { color: var(--muted); margin: 0 0 8px; }
.sentence { margin: 0 0 16px; max-width: 60rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px;
           margin-bottom: 16px; }
.figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.figure .value { display: block; font-size: 1.9rem; font-weight: 700; line-height: 1.1; }
.figure .label { color: var(--muted); font-size: .9rem; }
.figure.bad .value { color: var(--bad); }
.figure.good .value { color: var(--good); }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin-bottom: 16px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.charts .wide { grid-column: 1 / -1; }
.charts .wide svg { max-width: 880px; margin: 0 auto; }
figure { margin: 0; overflow-x: auto; }
figure svg { width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.keep { white-space: nowrap; }
footer { color: var(--muted); font-size: .85rem; margin: 8px 0 24px; }
@media (max-width: 800px) {
  .charts { grid-template-columns: 1fr; }
}
@media (max-width: 600px) {
  main { padding: 10px; }
  figure svg { width: 560px; max-width: none; }  /* a chart keeps legible text and scrolls sideways */
  .figure .value { font-size: 1.5rem; }
  table { font-size: .85rem; }
}
@media print {
  @page { size: A4; margin: 15mm; }
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .panel, .figure { border-color: #999; break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  .charts .wide { grid-column: 1 / -1; }
  .scroll { overflow: visible; }
}
"""


def _figure_value(report: dict[str, Any], path: str) -> Any:
    view, key = path.split(".")
    return report[view][key]


def _headline(report: dict[str, Any], decimals: int) -> str:
    cards = []
    for path, label in HEADLINE:
        value = _figure_value(report, path)
        tone = " bad" if path == "workload.overdue" and value else " good" if path == "workload.completed" else ""
        data = "" if value is None else str(value)
        cards.append(
            f'<div class="figure{tone}"><span class="value" data-figure="{path}" data-value="{escape(data)}">'
            f"{escape(value_text(path, value, decimals))}</span><span class=\"label\">{escape(_(label))}</span></div>")
    return '<section class="figures">' + "".join(cards) + "</section>"


def _table(columns: list[tuple[str, str, str]], rows: list[list[tuple[str, str]]], name: str) -> str:
    """columns: (key, label, css class); rows: [(text, data value)] per cell."""
    head = "".join(f'<th class="{css}" scope="col">{escape(label)}</th>' for _key, label, css in columns)
    body = []
    for row in rows:
        cells = "".join(f'<td class="{css}" data-key="{key}" data-value="{escape(value)}">{escape(text)}</td>'
                        for (key, _label, css), (text, value) in zip(columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="scroll"><table data-table="{name}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _report_table(table: ReportTable, decimals: int) -> str:
    """One of the report's tables: what people read, each cell with its exact value."""
    shown = display_rows(table, decimals)
    numeric = {key for key, _label in table.columns if key != "label"}
    columns = [(key, label, "num" if key in numeric else "") for key, label in table.columns]
    rows = [[(str(row[key]), "" if raw.get(key) is None else str(raw[key])) for key, _label in table.columns]
            for row, raw in zip(shown, table.rows, strict=True)]
    return _table(columns, rows, table.name)


def _backlog_by_unit(report: dict[str, Any]) -> str:
    columns = [("unit", _("Lead unit"), ""), ("overdue", _("Overdue"), "num"),
               ("carried_over", _("Carried over"), "num"), ("oldest_deadline", _("Oldest deadline"), "keep")]
    rows = [[(u["unit"] or "—", u["unit"] or ""), (str(u["overdue"]), str(u["overdue"])),
             (str(u["carried_over"]), str(u["carried_over"])),
             (show_day(u["oldest_deadline"]), str(u["oldest_deadline"] or ""))] for u in report["overdue_by_unit"]]
    return _table(columns, rows, "overdue_by_unit") if rows else f"<p>{escape(_('None.'))}</p>"


def _overdue_tasks(report: dict[str, Any]) -> str:
    columns = [("ref", _("No."), "keep"), ("title", _("Title"), ""), ("document", _("Document"), "keep"),
               ("lead_unit", _("Lead unit"), ""), ("deadline", _("Deadline"), "keep"),
               ("days_overdue", _("Days overdue"), "num")]
    rows = []
    for t in report["overdue_tasks"]:
        ref = t["code"] or f"#{t['id']}"
        rows.append([(ref, str(t["id"])), (t["title"], t["title"]), (t["document"] or "", t["document"] or ""),
                     (t["lead_unit"] or "", t["lead_unit"] or ""), (show_day(t["deadline"]), str(t["deadline"])),
                     (str(t["days_overdue"]), str(t["days_overdue"]))])
    return _table(columns, rows, "overdue_tasks") if rows else f"<p>{escape(_('None.'))}</p>"


def html_page(report: dict[str, Any], decimals: int = 1, made_on: Any = None) -> str:
    charts = chart_svgs(report, decimals)
    tables = {table.name: table for table in report_tables(report, decimals) if table.name in TABLES}
    as_of = show_day(report["period"]["as_of"])
    rate = rate_percent(report["workload"]["completion_rate"], decimals)
    parts = [
        "<!doctype html>",
        f'<html lang="{language()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be fetched: the page is whole as it is
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        f"<title>{escape(title(report))} — {escape(rate)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<header><h1>{escape(title(report))}</h1><p class=\"period\">{escape(subtitle(report))}</p>",
        f'<p class="sentence" data-sentence="received">{escape(sentence(report["received"], decimals))}</p>'
        "</header>",
        _headline(report, decimals),
        '<section class="panel charts">',
        f'<figure data-chart="trend">{charts.trend}</figure>',
        f'<figure data-chart="backlog">{charts.backlog}</figure>',
        f'<figure class="wide" data-chart="states">{charts.states}</figure>',
        "</section>",
        f'<section class="panel"><h2>{escape(_("Tasks to carry out in the period"))}</h2>'
        f'{_report_table(tables["workload_states"], decimals)}</section>',
        f'<section class="panel"><h2>{escape(_("Compared with the same period last year"))}</h2>'
        f'{_report_table(tables["year_on_year"], decimals)}</section>',
        f'<section class="panel"><h2>{escape(_("Overdue backlog per lead unit"))}</h2>{_backlog_by_unit(report)}'
        "</section>",
        f'<section class="panel"><h2>{escape(_("Overdue tasks on {day}", day=as_of))}</h2>{_overdue_tasks(report)}'
        "</section>",
        f"<footer>{escape(_('Made by nqtrack on {day}.', day=show_day(made_on or report['period']['as_of'])))}"
        "</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"
