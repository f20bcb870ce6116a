"""Commands on the register as a whole: init, info, import, export, backup, copy, restore, check, undo."""

import sys
from typing import Annotated, Any

import typer

from nqtrack.cli.app import ByOption, LabelsOption, PlainFormatOption, check_format, choose_output, command, session
from nqtrack.i18n import _


@command()
def init() -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    The only command that creates a database (besides import and restore given
    --create): any other command on a path with no database says so and exits 4.
    The folder must exist.

    \b
    Example:
      nqtrack --db register.db init
    """
    from nqtrack.app import register

    data = register.info(session.context(create=True))
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
CreateOption = Annotated[bool, typer.Option(
    "--create", help="Create the database if there is none at --db (in a folder that exists).")]


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
    create: CreateOption = False,
    sheet_return: SheetReturnOption = False,
    by: ByOption = None,
) -> None:
    """Import tasks (or units, documents) from a spreadsheet, all rows or none; or a unit's sheet sent back.

    \b
    Examples:
      nqtrack --db register.db import examples/units.csv --kind units --create
      nqtrack import examples/tasks.csv
      nqtrack import "Danh muc nhiem vu 2022.xlsx" --sheet "Phụ lục" --dry-run
      nqtrack import phieu-cap-nhat-VP-2022-11-15.xlsx
    """
    from nqtrack.app import register
    from nqtrack.importing.reader import read_stdin

    request = register.ImportRequest(
        read_stdin(sys.stdin.buffer) if file == "-" else file, kind=kind, sheet=sheet, encoding=encoding,
        delimiter=delimiter, mappings=map_ or (), dry_run=dry_run, skip_invalid=skip_invalid, rejects=rejects,
        strict_units=strict_units, prefer=prefer, sheet_return=sheet_return)
    # where --rejects and --conflicts go is checked before the import starts
    writers = (_rejects_writer(request), _conflicts_writer(conflicts, file))
    _say_imported(_run_import(session.context(by, create=create), request, writers))


def _run_import(ctx: Any, request: Any, writers: tuple[Any, Any]) -> Any:
    """The import, with its progress on a terminal; its problems on standard error, exit 2."""
    from nqtrack.app import register
    from nqtrack.importing.importer import ImportFailed
    from nqtrack.render import imports as render

    try:
        with render.ImportProgress() as progress:
            return register.import_any(ctx, request, progress, *writers)
    except ImportFailed as failed:
        typer.echo("\n".join(render.problems_text(failed.summary)), err=True)
        raise typer.Exit(2) from None


def _say_imported(done: Any) -> None:
    """The summary of an import, or of a register rebuilt from an export."""
    from nqtrack.render import imports as render

    if done.rebuilt is not None:
        typer.echo(render.rebuilt_line(done.rebuilt))
    elif done.sheet is not None:
        from nqtrack.cli.app import user_message
        from nqtrack.render.sheet import imported_lines

        typer.echo("\n".join(imported_lines(done.sheet, user_message)))
    else:
        typer.echo("\n".join(render.summary_lines(done.summary)))


def _rejects_writer(request: Any) -> Any:
    """What writes the --rejects file (before the import commits: a file that cannot be
    written stops the import), after checking now where it goes."""
    from nqtrack.files import output_path, write_text
    from nqtrack.render import imports as render

    if not request.rejects:
        return None
    output_path(request.rejects, database=session.db_path, reading=[request.source])

    def write(headers: list[str], rows: list[Any]) -> None:
        text = render.rejects_csv(headers, rows)
        write_text(request.rejects, lambda stream: stream.write(text), database=session.db_path,
                   reading=[request.source])

    return write


def _conflicts_writer(conflicts: str | None, source: str) -> Any:
    """What writes the --conflicts file, before the import commits (a dry run writes it too),
    after checking now where it goes (never the file imported)."""
    from nqtrack.render import imports as render

    if not conflicts:
        return None
    conflicts_out = choose_output(None, conflicts, reading=(source,))

    def write(summary: Any) -> None:
        with conflicts_out.text():
            render.emit_conflicts(summary, conflicts_out)

    return write


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
def copy(
    source: Annotated[str, typer.Argument(help="The register to copy: a SQLite file or a postgresql:// URL.")],
    target: Annotated[str, typer.Argument(
        help="Where to copy it: a new SQLite file, or an empty PostgreSQL database (postgresql://…).")],
) -> None:
    """Copy a whole register, journal and all, between SQLite and PostgreSQL.

    \b
    The target must be empty; the source is read in one consistent snapshot while others
    keep working. Afterwards 'check' passes on the target and every report is the same.

    \b
    Examples:
      nqtrack copy register.db postgresql://nqtrack@db.example.gov.vn/nqtrack
      nqtrack copy postgresql://nqtrack@db.example.gov.vn/nqtrack laptop.db
    """
    from nqtrack.app import register

    done = register.copy_register(source, target, busy_timeout=session.busy_timeout)
    typer.echo(_("Copied {tasks} tasks and {events} journal events from {source} to {target}.", tasks=done["tasks"],
                 events=done["events"], source=done["source"], target=done["target"]))


@command()
def restore(
    file: Annotated[str, typer.Argument(help="A backup made by 'nqtrack backup' (or any nqtrack database).")],
    create: CreateOption = False,
) -> None:
    """Replace the database with a backup; the replaced one is kept as a backup first.

    \b
    The backup is checked whole first (SQLite's integrity check, the nqtrack schema).
    Others may keep working: their writes land either in the kept copy or after the
    restore, never in neither.

    \b
    Examples:
      nqtrack restore nqtrack-backup-2022-11-15.db
      nqtrack --db /srv/nqtrack/register.db restore /mnt/usb/nqtrack-2022-11-15.db --create
    """
    from nqtrack.app import register

    kept = register.restore(session.context(create=create), file)
    if kept is None:
        typer.echo(_("Restored from {file} into the new database {path}.", file=file, path=session.db_path))
    else:
        typer.echo(_("Restored from {file}; the replaced database was kept as {kept}.", file=file, kept=kept))


CheckFullOption = Annotated[bool, typer.Option("--full", help=(
    "Also check that every index of the SQLite database holds what its table holds (SQLite's full "
    "integrity check; slower by far on a large register)."))]


@command()
def check(fmt: PlainFormatOption = "table", full: CheckFullOption = False) -> None:
    """Check the database file and the register's rules; exit 0 only when all hold.

    \b
    Checks: the SQLite file's pages and records (its quick check; with --full its
    full integrity check) and foreign keys; each done task has a completion date;
    each task has its creation event; each task's fields equal its journal replayed;
    no deadline before the assigned day without a note; each task's title key,
    original deadline and search text match its fields; no task or journal event is
    missing; the units' look-up keys; the stored settings and e-mail addresses can
    be used.

    \b
    Examples:
      nqtrack check
      nqtrack check --full
    """
    from nqtrack.app import register
    from nqtrack.render.tables import emit_rows

    fmt = check_format(fmt)
    problems = register.check(session.context(), full=full)
    if fmt in ("json", "csv") or problems:
        shown = problems
        if fmt not in ("json", "csv"):  # people read these; a script compares the machine formats' words
            from nqtrack.render.problems import translate_problem

            shown = [{**p, "problem": translate_problem(p["problem"])} for p in problems]
        emit_rows(shown, [("task", _("No.")), ("problem", _("Problem"))], fmt,
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
