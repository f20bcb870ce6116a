"""What an import says: its summary, its problems, the --rejects file, and the row
counter shown on a terminal while it runs."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

from nqtrack.core.text import inert
from nqtrack.i18n import _, translate_reason
from nqtrack.importing.importer import MAX_SHOWN_PROBLEMS
from nqtrack.render.tables import neutralise


def problem_line(p: Any) -> str:
    where = _("row {row} (line {line})", row=p.row, line=p.line)
    if p.column:
        where += ", " + _("column '{column}'", column=p.column)
    reason = translate_reason(p.reason)
    if p.value and f"'{p.value}'" not in p.reason:
        reason = f"'{p.value}': {reason}"
    return inert(f"{where}: {reason}", one_line=True)  # the file's own text, shown and never obeyed


def problems_text(summary: Any) -> list[str]:
    """The lines an import that found bad rows prints on standard error."""
    problems = summary.problems
    lines = [_("Error") + ": " + _("{count} invalid rows; nothing was imported.", count=len({p.row for p in problems}))]
    lines += ["  " + problem_line(p) for p in problems[:MAX_SHOWN_PROBLEMS]]
    if len(problems) > MAX_SHOWN_PROBLEMS:
        lines.append("  " + _("… and {count} more problems.", count=len(problems) - MAX_SHOWN_PROBLEMS))
    return lines


def rejects_csv(headers: list[str], rows: list[tuple[list[Any], list[Any]]]) -> str:
    """The rejected rows as they were read, with the reasons in a last column (BOM: Excel
    opens it with its Vietnamese intact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers + [_("Reason")])
    for cells, problems in rows:
        writer.writerow([neutralise("" if c is None else str(c)) for c in cells]
                        + ["; ".join(problem_line(p) for p in problems)])
    return "\ufeff" + out.getvalue()


def summary_lines(summary: Any) -> list[str]:
    lines = [
        _("Dry run: nothing was written.") if summary.dry_run else None,
        _("{rows} rows: {created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected.",
          rows=summary.rows, created=summary.created, updated=summary.updated, unchanged=summary.unchanged,
          rejected=summary.rejected),
    ]

    def some(names: list[str], shown: int = 20) -> str:
        text = ", ".join(names[:shown])
        return text + (" " + _("and {count} more", count=len(names) - shown) if len(names) > shown else "")

    if summary.new_units:
        lines.append(_("New units ({count}): {names}", count=len(summary.new_units), names=some(summary.new_units)))
    if summary.new_documents:
        lines.append(_("New documents ({count}): {names}", count=len(summary.new_documents),
                       names=some(summary.new_documents)))
    if summary.converted_cells:
        lines.append(_("{count} cells typed in TCVN3 or VNI were converted to Unicode.",
                       count=summary.converted_cells))
    if summary.ignored_columns:
        lines.append(_("Columns ignored: {names}", names=", ".join(summary.ignored_columns)))
    if summary.rejected:
        lines.append(_("Rejected rows were written with their reasons to the --rejects file."))
    if summary.batch_id and not summary.dry_run and (summary.created or summary.updated):
        lines.append(_("Import batch: {batch}", batch=summary.batch_id))
    return [line for line in lines if line]


def rebuilt_line(counts: dict[str, int]) -> str:
    return _("Register rebuilt: {units} units, {documents} documents, {tasks} tasks, {events} journal events.",
             units=counts["units"], documents=counts["documents"], tasks=counts["tasks"], events=counts["events"])


class ImportProgress:
    """A row counter on stderr, shown only on a terminal and only past a few thousand rows."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self.rows = 0

    def __enter__(self) -> ImportProgress | None:
        return self if sys.stderr.isatty() else None

    def __call__(self, rows: int) -> None:
        self.rows += rows
        if self._progress is None and self.rows >= 5000:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            from nqtrack.render.tables import console

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                      console=console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("")
        if self._progress is not None:
            self._progress.update(self._task, description=_("{rows} rows read", rows=self.rows))

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
