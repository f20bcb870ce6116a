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

    def some(names: list[str], shown: int = 20, total: int | None = None) -> str:
        """The first `shown` names, then how many more of `total` (all the names, by default)."""
        total = len(names) if total is None else total
        text = ", ".join(names[:shown])
        return text + (" " + _("and {count} more", count=total - shown) if total > shown else "")

    if summary.changes:
        from nqtrack.render.documents import register_field_labels

        labels = register_field_labels()
        changed = [f"{name} ({', '.join(labels.get(f, f) for f in fields)})" for name, fields in summary.changes]
        more = " " + _("and {count} more", count=len(changed) - 20) if len(changed) > 20 else ""
        lines.append(_("Changed: {names}", names="; ".join(changed[:20]) + more))
    if summary.new_units:
        lines.append(_("New units ({count}): {names}", count=len(summary.new_units), names=some(summary.new_units)))
    if summary.new_documents:
        lines.append(_("New documents ({count}): {names}", count=len(summary.new_documents),
                       names=some(summary.new_documents)))
    if summary.read_as:
        lines.append(_("Units written another way, read as the register's: {names}",
                       names=some([f"'{name}' → {unit}" for name, unit in summary.read_as])))
    if summary.near_units:
        lines.append(_("New units that are probably existing ones written another way (check them; "
                       "'nqtrack unit merge' makes two one): {names}",
                       names=some([f"'{name}' ≈ '{unit}'" for name, unit in summary.near_units])))
    if summary.skipped:
        kinds = {"numbering": _("column numbering"), "section": _("section headings"), "total": _("totals"),
                 "blank": _("blank")}
        lines.append(_("Rows that are not data, skipped: {counts}",
                       counts=", ".join(f"{kinds[k]} {n}" for k, n in sorted(summary.skipped.items()))))
    if summary.timing_disagreements:
        lines.append(_("{count} rows have a status whose timing ('đúng hạn', 'quá hạn'…) the dates contradict; "
                       "the register computes the timing from the dates.", count=summary.timing_disagreements))
    if summary.no_assigned_dates:
        lines.append(_("Warning: no assignment dates: tasks will not appear in the received view."))
    early, first = summary.early_deadlines
    if early:
        lines.append(_("Warning: {count} tasks have a deadline before the day they were assigned and no note saying "
                       "why; 'nqtrack check' names them until one does (nqtrack update TASK --note …): {tasks}",
                       count=early, tasks=some([str(task) for task in first], len(first), early)))
    if summary.applied_fields or summary.kept_fields or summary.conflicts:
        lines.append(_("Fields of tasks already in the register: {applied} changed in the file and applied, {kept} "
                       "changed in the register since the last import and kept, {conflicts} changed in both.",
                       applied=summary.applied_fields, kept=summary.kept_fields, conflicts=len(summary.conflicts)))
    if summary.conflicts:
        taken = summary.conflicts[0][5]
        lines.append(_("Conflicts (the file's value taken, --prefer file):") if taken else
                     _("Conflicts (the register's value kept; --prefer file takes the file's):"))
        lines += ["  " + conflict_line(c) for c in summary.conflicts[:MAX_SHOWN_PROBLEMS]]
        if len(summary.conflicts) > MAX_SHOWN_PROBLEMS:
            lines.append("  " + _("… and {count} more conflicts.", count=len(summary.conflicts) - MAX_SHOWN_PROBLEMS))
    if summary.voided_rows:
        lines.append(_("{count} rows name tasks voided in the register: left voided.", count=summary.voided_rows))
    if summary.converted_cells:
        lines.append(_("{count} cells typed in TCVN3 or VNI were converted to Unicode.",
                       count=summary.converted_cells))
    if summary.series:
        lines.append(_("Series of periodic tasks created: {count}; tasks of their periods opened so far: {opened}.",
                       count=len(summary.series), opened=len(summary.opened)))
    lines += [_(message, **args) for message, args in summary.notes]
    if summary.ignored_columns:
        lines.append(_("Columns ignored: {names}", names=", ".join(summary.ignored_columns)))
    if summary.rejected:
        lines.append(_("Rejected rows were written with their reasons to the --rejects file."))
    if summary.batch_id and not summary.dry_run and (summary.created or summary.updated):
        lines.append(_("Import batch: {batch}", batch=summary.batch_id))
    return [line for line in lines if line]


def conflict_line(conflict: tuple[Any, ...]) -> str:
    """One field changed both in the file and in the register: task, field, both values."""
    from nqtrack.render.task import journal_field_labels, shown_value

    task_id, code, field, here, there, _taken = conflict
    task = f"{task_id} ({code})" if code else str(task_id)
    return _("task {task}, {field}: register {register}, file {file}", task=task,
             field=journal_field_labels().get(field, field), register=shown_value(field, here) or "—",
             file=shown_value(field, there) or "—")


CONFLICT_KEYS = ("task", "code", "field", "register", "file", "taken")


def conflict_columns() -> list[tuple[str, str]]:
    return [("task", _("No.")), ("code", _("Code")), ("field", _("Field")), ("register", _("In the register")),
            ("file", _("In the file")), ("taken", _("File's value taken"))]


def emit_conflicts(summary: Any, out: Any) -> None:
    """Every conflict of a re-import (`import --conflicts FILE`), as a listing: the machine form
    (JSON, CSV) keeps the journal's field names and values, the forms for people (the table,
    markdown, the CSV for people, Excel) the interface's labels and days as the language writes them."""
    from nqtrack.render.tables import emit_rows
    from nqtrack.render.task import journal_field_labels, shown_value

    rows = [dict(zip(CONFLICT_KEYS, c, strict=True)) for c in summary.conflicts]
    if out.human or out.fmt == "xlsx":
        labels = journal_field_labels()
        rows = [{**r, "field": labels.get(r["field"], r["field"]), "register": shown_value(r["field"], r["register"]),
                 "file": shown_value(r["field"], r["file"]), "taken": _("yes") if r["taken"] else _("no")}
                for r in rows]
    emit_rows(rows, conflict_columns(), out, title=_("Conflicts") if out.fmt in ("xlsx", "markdown") else None,
              empty_message=_("No conflicts."))


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
