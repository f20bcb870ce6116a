"""Commands on the register as a whole: init, info, import, export, backup, restore, check, undo."""

import sys
from typing import Annotated, Any

import typer

from nqtrack.cli.app import ByOption, LabelsOption, PlainFormatOption, check_format, choose_output, command, session
from nqtrack.i18n import _


@command()
def init() -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    Example:
      nqtrack --db register.db init
    """
    from nqtrack.app import register

    data = register.info(session.context())
    typer.echo(_("Database ready: {path} (schema {version}).", path=data["database"], version=data["schema_version"]))


@command()
def info(fmt: PlainFormatOption = "table") -> None:
    """Where the database is, its schema version and how much it holds.

    \b
    Example:
      nqtrack info --format json
    """
    from nqtrack.app import register
    from nqtrack.render.tables import emit_rows

    fmt = check_format(fmt)
    data = register.info(session.context())
    labels = {
        "database": _("Database"), "schema_version": _("Schema version"), "units": _("Units"),
        "documents": _("Documents"), "tasks": _("Tasks"), "events": _("Journal events"),
    }
    emit_rows([{"key": labels[k], "value": v} for k, v in data.items()], [("key", ""), ("value", "")], fmt,
              json_data=data)


ImportFile = Annotated[str, typer.Argument(
    help="A CSV, TSV, Excel 'Unicode text' or XLSX file; '-' reads standard input.")]
KindOption = Annotated[str, typer.Option("--kind", help="tasks (default), units or documents.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="The XLSX sheet to read (default: the first).")]
EncodingOption = Annotated[str, typer.Option(
    "--encoding", help="auto (default), utf-8, utf-16, cp1258, tcvn3, vni, ...")]
DelimiterOption = Annotated[str | None, typer.Option(
    "--delimiter", help="Column separator (default: sniffed among , ; tab).")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="'Header=field' for a column the importer does not know; repeatable.")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Check everything and print the summary, write nothing.")]
SkipInvalidOption = Annotated[bool, typer.Option(
    "--skip-invalid", help="Land the good rows; write the bad ones to --rejects.")]
RejectsOption = Annotated[str | None, typer.Option(
    "--rejects", help="With --skip-invalid: the CSV file for rejected rows, with a reason column.")]
StrictUnitsOption = Annotated[bool, typer.Option(
    "--strict-units", help="Refuse rows naming units not in the register, instead of creating them.")]
ConflictsOption = Annotated[str | None, typer.Option("--conflicts", help=(
    "Re-import: write every conflict to this file; its name (.xlsx, .csv, .md, .json) chooses the format."),
    metavar="FILE")]
SheetReturnOption = Annotated[bool, typer.Option("--sheet-return", help=(
    "The file is a unit's sheet sent back (nqtrack sheet); recognised by its signature without this option."))]
PreferOption = Annotated[str, typer.Option("--prefer", help=(
    "Re-import: when a field changed both in the file and in the register since the last import, "
    "keep the register's (default) or take the file's ('file')."))]


@command(name="import")
def import_(
    file: ImportFile,
    kind: KindOption = "tasks",
    sheet: SheetOption = None,
    encoding: EncodingOption = "auto",
    delimiter: DelimiterOption = None,
    map_: MapOption = None,
    dry_run: DryRunOption = False,
    skip_invalid: SkipInvalidOption = False,
    rejects: RejectsOption = None,
    strict_units: StrictUnitsOption = False,
    prefer: PreferOption = "register",
    conflicts: ConflictsOption = None,
    sheet_return: SheetReturnOption = False,
    by: ByOption = None,
) -> None:
    """Import tasks (or units, documents) from a spreadsheet, all rows or none; or a unit's sheet sent back.

    \b
    Examples:
      nqtrack import examples/units.csv --kind units
      nqtrack import examples/tasks.csv
      nqtrack import "Danh muc nhiem vu 2022.xlsx" --sheet "Phụ lục" --dry-run
      nqtrack import phieu-cap-nhat-VP-2022-11-15.xlsx
    """
    from nqtrack.app import register
    from nqtrack.importing.reader import read_stdin

    conflicts_out = choose_output(None, conflicts) if conflicts else None  # a bad name: refused before importing
    request = register.ImportRequest(
        read_stdin(sys.stdin.buffer) if file == "-" else file, kind=kind, sheet=sheet, encoding=encoding,
        delimiter=delimiter, mappings=map_ or (), dry_run=dry_run, skip_invalid=skip_invalid, rejects=rejects,
        strict_units=strict_units, prefer=prefer, sheet_return=sheet_return)
    _say_imported(request, _run_import(request, by), conflicts_out)


def _run_import(request: Any, by: str | None) -> Any:
    """The import, with its progress; a file with bad rows ends with its problems listed."""
    from nqtrack.app import register
    from nqtrack.importing.importer import ImportFailed
    from nqtrack.render import imports as render

    try:
        with render.ImportProgress() as progress:
            return register.import_any(session.context(by), request, progress)
    except ImportFailed as failed:
        typer.echo("\n".join(render.problems_text(failed.summary)), err=True)
        raise typer.Exit(2) from None


def _say_imported(request: Any, done: Any, conflicts_out: Any = None) -> None:
    """The summary of an import (and its --rejects and --conflicts files), or of a register
    rebuilt from an export."""
    from nqtrack.app import register
    from nqtrack.files import write_atomically
    from nqtrack.render import imports as render

    if done.rebuilt is not None:
        typer.echo(render.rebuilt_line(done.rebuilt))
        return
    if done.sheet is not None:
        from nqtrack.cli.app import user_message
        from nqtrack.render.sheet import imported_lines

        typer.echo("\n".join(imported_lines(done.sheet, user_message)))
        return
    if done.summary.problems and request.rejects:
        text = render.rejects_csv(*register.rejected_rows(request, done.summary))
        write_atomically(request.rejects, lambda stream: stream.write(text))
    if conflicts_out is not None:
        with conflicts_out.text():
            render.emit_conflicts(done.summary, conflicts_out)
    typer.echo("\n".join(render.summary_lines(done.summary)))


ExportFormatOption = Annotated[str | None, typer.Option("--format", "-f", help=(
    "json (the whole register with its journal; 'nqtrack import' rebuilds it), csv (the tasks) or xlsx (the tasks, "
    "units and documents). Default: from the file's name, else json."), metavar="FORMAT")]


@command()
def export(
    file: Annotated[str, typer.Argument(help="Where to write; '-' for standard output.")],
    fmt: ExportFormatOption = None,
    labels: LabelsOption = False,
) -> None:
    """Write out the whole register.

    \b
    Examples:
      nqtrack export register.json
      nqtrack export so-theo-doi.xlsx
      nqtrack export --format csv tasks.csv
    """
    from nqtrack.app import register
    from nqtrack.app.tasks import TASK_ROW_KEYS
    from nqtrack.render import register as render

    out = choose_output(fmt, file, labels, ("json", "csv", "xlsx"), default="json")
    ctx = session.context()
    with out.text():
        if out.fmt == "xlsx":
            out.write_bytes(render.register_workbook(register.export_sheets(ctx)))
        elif out.fmt == "csv":
            render.emit_task_csv(register.export_tasks(ctx), TASK_ROW_KEYS, out)
        else:
            sys.stdout.write(render.export_json(register.export_data(ctx)))
    if out.to_file:
        typer.echo(_("Exported to {path}.", path=file))


@command()
def backup(
    file: Annotated[str | None, typer.Argument(help=(
        "Where to write the copy (default: nqtrack-backup-YYYY-MM-DD.db beside the database)."))] = None,
) -> None:
    """A consistent copy of the database, made while others keep working.

    \b
    Example:
      nqtrack backup /mnt/usb/nqtrack-2022-11-15.db
    """
    from nqtrack.app import register

    typer.echo(_("Backup written: {path}", path=register.backup(session.context(), file)))


@command()
def restore(
    file: Annotated[str, typer.Argument(help="A backup made by 'nqtrack backup' (or any nqtrack database).")],
) -> None:
    """Replace the database with a backup; the replaced one is kept as a backup first.

    \b
    Example:
      nqtrack restore nqtrack-backup-2022-11-15.db
    """
    from nqtrack.app import register

    kept = register.restore(session.context(), file)
    typer.echo(_("Restored from {file}; the replaced database was kept as {kept}.", file=file, kept=kept))


@command()
def check(fmt: PlainFormatOption = "table") -> None:
    """Check the database file and the register's rules; exit 0 only when all hold.

    \b
    Checks: SQLite integrity and foreign keys; each done task has a completion date;
    each task has its creation event; each task's fields equal its journal replayed;
    no deadline before the assigned day without a note.

    \b
    Example:
      nqtrack check
    """
    from nqtrack.app import register
    from nqtrack.render.tables import emit_rows

    fmt = check_format(fmt)
    problems = register.check(session.context())
    if fmt in ("json", "csv") or problems:
        emit_rows(problems, [("task", _("No.")), ("problem", _("Problem"))], fmt,
                  json_data={"ok": not problems, "problems": problems})
    if fmt not in ("json", "csv"):
        typer.echo(_("{count} problems found.", count=len(problems)) if problems else _("All checks passed."))
    if problems:
        raise typer.Exit(1)


UndoTask = Annotated[str | None, typer.Argument(help="Undo the last change of this task only (its number or code).")]
UndoDryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would be undone; change nothing.")]


@command()
def undo(
    task: UndoTask = None,
    last: Annotated[int, typer.Option("--last", help="Undo the last N changes (default 1).")] = 1,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="Undo a whole import (its batch, printed at the end of the import).")] = None,
    dry_run: UndoDryRun = False,
    by: ByOption = None,
) -> None:
    """Revert the last change(s) or a whole import; the undo is itself in the journal.

    \b
    Examples:
      nqtrack undo --dry-run
      nqtrack undo NV-2022-0007
      nqtrack undo --batch 3f2a9c1b7d4e
    """
    from nqtrack.app import register
    from nqtrack.render.task import undone_lines

    done = register.undo(session.context(by), last, batch, task, dry_run)
    typer.echo("\n".join(undone_lines(done)))
