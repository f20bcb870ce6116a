"""The register as a whole: what it holds, bulk import, export, undo, backup and restore,
and the check of its rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nqtrack.app import settings
from nqtrack.app.context import Context
from nqtrack.app.tasks import task_row
from nqtrack.core.errors import InvalidInput, NotFound
from nqtrack.core.rules import MAX_COUNT, check_number


def info(ctx: Context) -> dict[str, Any]:
    store = ctx.store
    return {"database": store.path, "schema_version": store.applied_migrations(), **store.counts()}


# -- import ------------------------------------------------------------------------------


@dataclass
class ImportRequest:
    """What `import` was given: the file (a path, or the bytes of standard input) and how to read it."""

    source: str | bytes
    kind: str = "tasks"
    sheet: str | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    mappings: Sequence[str] = ()  # 'Header=field'
    dry_run: bool = False
    skip_invalid: bool = False
    rejects: str | None = None
    strict_units: bool = False


@dataclass
class Imported:
    summary: Any = None  # importer.Summary, for a spreadsheet
    rebuilt: dict[str, int] | None = None  # table counts, for a JSON export


class _Rollback(Exception):
    """Ends a dry run: the transaction is rolled back, the summary kept."""


RejectsWriter = Callable[[list[str], list[tuple[list[Any], list[Any]]]], None]


def import_any(ctx: Context, request: ImportRequest, progress: Callable[[int], None] | None = None,
               write_rejects: RejectsWriter | None = None) -> Imported:
    """Import tasks, units or documents from a spreadsheet, all rows or none, in one
    transaction (rolled back on the first bad row, unless skip_invalid; and on a dry
    run); or rebuild a register from a JSON export. Raises importer.ImportFailed with
    the summary of the problems. With skip_invalid, `write_rejects` (the edge's) gets the
    rejected rows before the commit: when they cannot be written, nothing is imported."""
    from nqtrack.importing import importer as imp
    from nqtrack.importing.columns import KINDS, parse_map_options
    from nqtrack.importing.export_file import is_export, read_export
    from nqtrack.importing.reader import ReadError

    if request.kind not in KINDS:
        raise InvalidInput("unknown kind '{value}'; use one of: {values}", value=request.kind, values=", ".join(KINDS))
    try:
        overrides = parse_map_options(list(request.mappings), request.kind)
    except ValueError as exc:
        raise InvalidInput("bad --map '{value}': use 'Header=field' with a field of {values}", value=str(exc),
                           values=", ".join(imp.COLUMNS[request.kind])) from None
    if request.skip_invalid and not request.rejects:
        raise InvalidInput("--skip-invalid needs --rejects FILE for the rows it leaves out")
    if is_export(request.source):
        return Imported(rebuilt=import_export(ctx, read_export(request.source)))
    options = imp.Options(
        kind=request.kind, sheet=request.sheet, encoding=request.encoding, delimiter=request.delimiter,
        overrides=overrides, dry_run=request.dry_run, skip_invalid=request.skip_invalid,
        strict_units=request.strict_units, by=ctx.by, today=ctx.today, source_name=source_label(request.source),
        recorded_at=ctx.recorded_at,
    )
    loader = imp.Importer(ctx.store, options, progress)
    try:
        table, mapping = loader.open(request.source)
        with suppress(_Rollback), ctx.store.transaction():
            loader.load(table, mapping)
            if request.dry_run:
                raise _Rollback
            if loader.summary.problems and write_rejects is not None:
                write_rejects(*rejected_rows(request, loader.summary))
    except ReadError as exc:
        raise InvalidInput("cannot import: {reason}", reason=exc) from None
    return Imported(summary=loader.summary)


def import_export(ctx: Context, data: dict[str, Any]) -> dict[str, int]:
    """Rebuild a register from `nqtrack export` JSON, into an empty database: the file's
    shape is checked first, then the register it makes must pass every check of `check`
    (fields equal to the journal replayed, nothing missing) before it is committed."""
    from nqtrack.importing.export_file import check_export

    store = ctx.store
    check_export(data, store.EXPORT_TABLES)
    if not store.is_empty():
        raise InvalidInput("a JSON export is restored into an empty database; this one already holds a register")
    if data["schema"] > store.applied_migrations():
        raise InvalidInput("cannot import: {reason}", reason="made by a newer nqtrack")
    with store.transaction():
        counts = store.load_export(data)
        problems = store.integrity_problems() + [f"{_task(task)}{message}" for task, message in
                                                 store.invariant_problems()]
        problems += settings.problems(ctx)
        if problems:
            shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5})" if len(problems) > 5 else "")
            raise InvalidInput("cannot import: the register in this export fails its checks: {problems}",
                               problems=shown)
    return counts


def _task(task: int | None) -> str:
    return f"task {task}: " if task else ""


def rejected_rows(request: ImportRequest, summary: Any) -> tuple[list[str], list[tuple[list[Any], list[Any]]]]:
    """The headers, and each rejected row as it was read with its problems, for the
    --rejects file."""
    from nqtrack.importing.columns import is_known_header
    from nqtrack.importing.reader import read_table

    problems: dict[int, list[Any]] = {}
    for problem in summary.problems:
        problems.setdefault(problem.line, []).append(problem)
    table = read_table(request.source, sheet=request.sheet, encoding=request.encoding, delimiter=request.delimiter,
                       expected_headers=is_known_header(request.kind), name=source_label(request.source))
    return list(table.headers), [(list(cells), problems[line]) for line, cells in table.rows if line in problems]


# -- export ------------------------------------------------------------------------------


def export_data(ctx: Context) -> dict[str, Any]:
    """The whole register with its journal, as `nqtrack import` rebuilds it."""
    store = ctx.store
    data: dict[str, Any] = {"format": "nqtrack-export", "version": 1, "schema": store.applied_migrations()}
    data.update({table: list(store.export_rows(table)) for table in store.EXPORT_TABLES})
    return data


def export_tasks(ctx: Context) -> list[dict[str, Any]]:
    return [task_row(t) for t in ctx.store.list_tasks()]


# -- undo --------------------------------------------------------------------------------


@dataclass
class Undone:
    events: int
    tasks: list[int]


def undo(ctx: Context, last: int = 1, batch: str | None = None) -> Undone:
    """Revert the last `last` changes, or a whole import by its batch; the undo is itself
    journaled, effective on the days of what it reverts."""
    check_number(last, "--last", 1, MAX_COUNT)
    store = ctx.store
    with store.transaction():
        events = store.batch_events(batch) if batch else [e for group in store.last_changes(last) for e in group]
        if not events:
            raise NotFound("nothing to undo")
        tasks = store.undo_events(events, by=ctx.by, recorded_at=ctx.recorded_at,
                                  batch_id=f"undo-{uuid.uuid4().hex[:8]}")
    return Undone(len(events), tasks)


# -- backup, restore, check ------------------------------------------------------------------


def default_backup_path(ctx: Context) -> str:
    folder = os.path.dirname(os.path.abspath(ctx.store.path))
    return os.path.join(folder, f"nqtrack-backup-{ctx.today:%Y-%m-%d}.db")


def backup(ctx: Context, target: str | None = None) -> str:
    """A consistent copy of the register, made while others keep working."""
    from nqtrack.files import output_path

    path = target or default_backup_path(ctx)
    ctx.store.backup_to(output_path(path, database=ctx.store.path))
    return path


def restore(ctx: Context, source: str) -> str | None:
    """Replace the register with a backup; the replaced one is kept first. Returns where
    (None when the register was made for the restore: nothing to keep)."""
    from nqtrack.store import check_backup

    check_backup(source)  # before the register is opened (and upgraded)
    store = ctx.store
    if _same_file(source, store.path):
        raise InvalidInput("the backup cannot be the database itself")
    kept = None if store.created else f"{store.path}.before-restore-{ctx.today:%Y%m%d}-{os.getpid()}.bak"
    store.restore_from(source, kept)
    return kept


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check(ctx: Context) -> list[dict[str, Any]]:
    """Every problem found: the file's integrity, then the register's rules, then the
    stored settings and addresses that could not be used."""
    store = ctx.store
    problems: list[dict[str, Any]] = [{"task": None, "problem": p} for p in store.integrity_problems()]
    problems += [{"task": task, "problem": message} for task, message in store.invariant_problems()]
    problems += [{"task": None, "problem": p} for p in settings.problems(ctx)]
    return problems


def source_label(source: str | bytes | Path) -> str:
    return "<stdin>" if isinstance(source, bytes) else str(source)
