"""Commands on the register as a whole: init, info, import, export, backup, restore, check, undo."""

import sys
from typing import Annotated, Any

import typer

from nqtrack.cli.app import ByOption, FormatOption, check_format, command, session
from nqtrack.core.errors import InvalidInput
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
def info(fmt: FormatOption = "table") -> None:
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
    create: CreateOption = False,
    by: ByOption = None,
) -> None:
    """Import tasks (or units, documents) from a spreadsheet, all rows or none.

    \b
    Examples:
      nqtrack --db register.db import examples/units.csv --kind units --create
      nqtrack import examples/tasks.csv
      nqtrack import "Danh muc nhiem vu 2022.xlsx" --sheet "Phụ lục" --dry-run
    """
    from nqtrack.app import register
    from nqtrack.importing.importer import ImportFailed
    from nqtrack.importing.reader import read_stdin
    from nqtrack.render import imports as render

    request = register.ImportRequest(
        read_stdin(sys.stdin.buffer) if file == "-" else file, kind=kind, sheet=sheet, encoding=encoding,
        delimiter=delimiter, mappings=map_ or (), dry_run=dry_run, skip_invalid=skip_invalid, rejects=rejects,
        strict_units=strict_units)
    try:
        with render.ImportProgress() as progress:
            done = register.import_any(session.context(by, create=create), request, progress, _rejects_writer(request))
    except ImportFailed as failed:
        typer.echo("\n".join(render.problems_text(failed.summary)), err=True)
        raise typer.Exit(2) from None
    rebuilt = done.rebuilt
    typer.echo(render.rebuilt_line(rebuilt) if rebuilt is not None else "\n".join(render.summary_lines(done.summary)))


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


@command()
def export(
    file: Annotated[str, typer.Argument(help="Where to write; '-' for standard output.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=(
        "json (the whole register with its journal; 'nqtrack import' rebuilds it) or csv (the tasks)."))] = "json",
) -> None:
    """Write out the whole register.

    \b
    Examples:
      nqtrack export register.json
      nqtrack export --format csv tasks.csv
    """
    from nqtrack.app import register
    from nqtrack.app.tasks import TASK_ROW_KEYS
    from nqtrack.files import output_path, write_text
    from nqtrack.render.tables import csv_text, json_text

    if fmt not in ("json", "csv"):
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=fmt, formats="json, csv")
    if file != "-":
        output_path(file, database=session.db_path)  # before the work: one line for a wrong name
    ctx = session.context()
    text = json_text(register.export_data(ctx)) if fmt == "json" else csv_text(register.export_tasks(ctx),
                                                                                TASK_ROW_KEYS)
    if file == "-":
        sys.stdout.write(text)
        return
    write_text(file, lambda stream: stream.write(text), database=session.db_path)
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


@command()
def check(fmt: FormatOption = "table") -> None:
    """Check the database file and the register's rules; exit 0 only when all hold.

    \b
    Checks: SQLite integrity and foreign keys; each done task has a completion date;
    each task has its creation event; each task's fields equal its journal replayed;
    no deadline before the assigned day without a note; each task's title key,
    original deadline and search text match its fields; no task or journal event is
    missing; the units' look-up keys; the stored settings and e-mail addresses can
    be used.

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


@command()
def undo(
    last: Annotated[int, typer.Option("--last", help="Undo the last N changes (default 1).")] = 1,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="Undo a whole import (its batch, printed at the end of the import).")] = None,
    by: ByOption = None,
) -> None:
    """Revert the last change(s) or a whole import; the undo is itself in the journal.

    \b
    Examples:
      nqtrack undo
      nqtrack undo --batch 3f2a9c1b7d4e
    """
    from nqtrack.app import register

    done = register.undo(session.context(by), last, batch)
    typer.echo(_("Undone: {count} events on tasks {tasks}.", count=done.events,
                 tasks=", ".join(map(str, done.tasks))))
