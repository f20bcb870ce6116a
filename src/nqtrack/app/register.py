"""The register as a whole: what it holds, bulk import, export, undo, backup and restore,
and the check of its rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nqtrack.app import series, settings
from nqtrack.app.calendar import OfficeCalendar
from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_task
from nqtrack.app.tasks import task_row
from nqtrack.core import rights
from nqtrack.core.errors import DatabaseError, Forbidden, InvalidInput, NotFound
from nqtrack.core.rules import MAX_COUNT, check_number
from nqtrack.store.base import CREATION_KINDS


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
    prefer: str = "register"  # a re-import's conflicts: the register's value stays, or the file's ("file")
    sheet_return: bool = False  # a unit's sheet sent back (else recognised by its signature)


@dataclass
class Imported:
    summary: Any = None  # importer.Summary, for a spreadsheet
    rebuilt: dict[str, int] | None = None  # table counts, for a JSON export
    sheet: Any = None  # sheets.SheetImported, for a unit's sheet sent back


class _Rollback(Exception):
    """Ends a dry run: the transaction is rolled back, the summary kept."""


RejectsWriter = Callable[[list[str], list[tuple[list[Any], list[Any]]]], None]


def import_any(ctx: Context, request: ImportRequest, progress: Callable[[int], None] | None = None,
               write_rejects: RejectsWriter | None = None,
               write_conflicts: Callable[[Any], None] | None = None) -> Imported:
    """Import tasks, units or documents from a spreadsheet, all rows or none, in one
    transaction (rolled back on the first bad row, unless skip_invalid; and on a dry
    run); or rebuild a register from a JSON export. Raises importer.ImportFailed with
    the summary of the problems. The edge's writers get what they write before the
    commit, so that a file that cannot be written leaves nothing imported:
    `write_rejects` the rejected rows (with skip_invalid), `write_conflicts` the summary
    of a re-import's conflicts (on a dry run too)."""
    from nqtrack.importing import importer as imp
    from nqtrack.importing.columns import KINDS, parse_map_options
    from nqtrack.importing.export_file import is_export, read_export
    from nqtrack.importing.reader import ReadError
    from nqtrack.importing.sheet_return import is_sheet

    if request.kind not in KINDS:
        raise InvalidInput("unknown kind '{value}'; use one of: {values}", value=request.kind, values=", ".join(KINDS))
    try:
        overrides = parse_map_options(list(request.mappings), request.kind)
    except ValueError as exc:
        raise InvalidInput("bad --map '{value}': use 'Header=field' with a field of {values}", value=str(exc),
                           values=", ".join(imp.COLUMNS[request.kind])) from None
    if request.prefer not in ("register", "file"):
        raise InvalidInput("--prefer takes 'register' or 'file'")
    if request.skip_invalid and not request.rejects:
        raise InvalidInput("--skip-invalid needs --rejects FILE for the rows it leaves out")
    rights.require_secretariat(ctx.actor)
    if request.sheet_return or is_sheet(request.source):
        from nqtrack.app import sheets

        return Imported(sheet=sheets.import_returned(ctx, request.source, source_label(request.source)))
    if is_export(request.source):
        return Imported(rebuilt=import_export(ctx, read_export(request.source)))
    calendar = OfficeCalendar(ctx.store)

    def make_series(values: dict[str, Any], coordinating: list[int], rule: Any, text: str | None,
                    starts_on: Any) -> int:
        return series.create(ctx, values, coordinating, rule, text, starts_on, calendar=calendar,
                             batch_id=loader.summary.batch_id)

    options = imp.Options(
        kind=request.kind, sheet=request.sheet, encoding=request.encoding, delimiter=request.delimiter,
        overrides=overrides, dry_run=request.dry_run, skip_invalid=request.skip_invalid,
        strict_units=request.strict_units, prefer_file=request.prefer == "file", by=ctx.by, today=ctx.today,
        source_name=source_label(request.source), recorded_at=ctx.recorded_at, calendar_for=calendar.years,
        make_series=make_series,
    )
    loader = imp.Importer(ctx.store, options, progress)
    try:
        table, mapping = loader.open(request.source)
        with suppress(_Rollback), ctx.store.transaction():
            summary = loader.load(table, mapping)
            if request.kind == "tasks" and (summary.created or summary.updated):
                summary.early_deadlines = ctx.store.early_deadlines_unexplained(ctx.recorded_at)
            if summary.series:
                # the periods opened by the import day: tasks of the import's batch
                summary.opened = series.open_due(ctx, ctx.today, calendar=calendar, batch_id=summary.batch_id,
                                                 only=set(summary.series))
            if write_conflicts is not None:
                write_conflicts(summary)
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
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        counts = store.load_export(data)
        problems: list[tuple[int | None, str]] = [(None, p) for p in store.integrity_problems()]
        problems += store.invariant_problems()
        problems += [(None, p) for p in settings.problems(ctx)]
        if problems:
            # (task, problem) as check finds them: the command line words them (render.problems)
            raise InvalidInput("cannot import: the register in this export fails its checks: {problems}",
                               problems=tuple(problems))
    return counts


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


def export_sheets(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    """The tasks, the units and the documents, for a workbook."""
    from nqtrack.app import documents, units

    return {"tasks": export_tasks(ctx), "units": units.listing(ctx), "documents": documents.listing(ctx)}


# -- copy between engines ---------------------------------------------------------------


def copy_register(source: str, target: str, busy_timeout: float = 10.0) -> dict[str, Any]:
    """Copy a whole register, journal and all, into an empty one, on either engine (a SQLite
    file or a PostgreSQL database): read in one consistent snapshot of the source, written in
    one transaction of the target, which the copy makes as `init` does (a new SQLite file in a
    folder that exists, or nqtrack's schema in an empty database). Returns where from, where
    to and the rows of each table."""
    from nqtrack.store import check_backup, open_store

    if source == target:
        raise InvalidInput("the copy cannot be the register itself")
    check_backup(source)  # an nqtrack register, before anything is made at the target
    origin = open_store(source, busy_timeout=busy_timeout)
    try:
        copy = open_store(target, busy_timeout=busy_timeout, create=True)
        try:
            if not copy.is_empty():
                raise InvalidInput("{target} already holds a register: copy into an empty one", target=copy.path)
            with origin.snapshot(), copy.transaction():
                counts = copy.load_export({table: origin.export_rows(table) for table in origin.EXPORT_TABLES})
            return {"source": origin.path, "target": copy.path, **counts}
        finally:
            copy.close()
    finally:
        origin.close()


# -- undo --------------------------------------------------------------------------------


@dataclass
class Undone:
    events: int
    tasks: list[int]
    series: list[str] = field(default_factory=list)  # series ended (or to end): the undone change created them
    dry_run: bool = False
    # what is (or would be) undone, newest first: task, kind, field, the value it had and gets back
    reverted: list[dict[str, Any]] = field(default_factory=list)


def _reverted(store: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each event undone changed: a task's field (or its creation), or a unit's or
    document's field; units and documents named, not numbered."""
    units = store.unit_names()

    def named(entity: str | None, field: str | None, value: str | None) -> str | None:
        if value is None:
            return None
        if field == "coordinating_units":
            return "; ".join(units.get(int(u), u) for u in value.split(","))
        document = field == "document_id" or (entity == "document" and field in ("parent_id", "merged_into"))
        if document:
            return store.document_label(store.document(int(value)))
        if field == "lead_unit_id" or (entity == "unit" and field in ("parent_id", "merged_into")):
            return units.get(int(value), value)
        return value

    items = []
    for e in sorted(events, key=lambda e: (e.get("entity") is not None, -e["id"])):
        entity, field = e.get("entity"), e["field"]
        items.append({
            "task": e.get("task_id"), "entity": entity, "entity_id": e.get("entity_id"), "kind": e["kind"],
            "field": field, "effective_on": e.get("effective_on") or e["recorded_at"][:10],
            "value": named(entity, field, e["new_value"]) if field else None,
            "back_to": named(entity, field, e["old_value"]) if field else None,
            "voids": field is None and e["kind"] in CREATION_KINDS,
        })
    return items


def undo(ctx: Context, last: int = 1, batch: str | None = None, task: str | None = None,
         dry_run: bool = False) -> Undone:
    """Revert the last `last` changes, or a whole import by its batch, or the last change of
    one task; the undo is itself journaled, effective on the days of what it reverts. A dry
    run says what would be undone and writes nothing."""
    check_number(last, "--last", 1, MAX_COUNT)
    store = ctx.store
    rights.require_secretariat(ctx.actor)
    with store.transaction():
        if task is not None:
            events = store.last_task_change(resolve_task(store, task)["id"])
        elif batch:
            events = store.batch_events(batch)
        else:
            events = [e for group in store.last_changes(last) for e in group]
        if not events:
            raise NotFound("nothing to undo")
        moments = [e["recorded_at"] for e in events]
        if dry_run:
            tasks = sorted({e["task_id"] for e in events if "task_id" in e})
            created = [] if task is not None else store.series_created_at(moments)
            return Undone(len(events), tasks, [series.series_ref(store.series(i)) for i in created], True,
                          _reverted(store, events))
        undo_batch = f"undo-{uuid.uuid4().hex[:8]}"
        tasks = store.undo_events(events, by=ctx.by, recorded_at=ctx.recorded_at, batch_id=undo_batch)
        # a series the undone change created opens no more periods (undoing one task's last
        # change voids that task only, even when it was opened with its series)
        ended = [] if task is not None else series.end_created_series(ctx, moments, undo_batch)
        reverted = _reverted(store, events)
    return Undone(len(events), tasks, ended, False, reverted)


# -- backup, restore, check ------------------------------------------------------------------


def default_backup_path(ctx: Context) -> str:
    from nqtrack.store import backup_stem

    folder = os.path.dirname(backup_stem(ctx.store.path))
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
    rights.require_secretariat(ctx.actor)
    if _same_file(source, store.path):
        raise InvalidInput("the backup cannot be the database itself")
    from nqtrack.store import backup_stem

    kept = None if store.created else f"{backup_stem(store.path)}.before-restore-{ctx.today:%Y%m%d}-{os.getpid()}.bak"
    store.restore_from(source, kept)
    return kept


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check(ctx: Context, full: bool = False) -> list[dict[str, Any]]:
    """Every problem found: the file's integrity (`full`: every index against its table
    too), then the register's rules, then the stored settings and addresses that could not
    be used. A unit user sees only its own tasks (on PostgreSQL the server hides the
    others): its check would find the rest missing, so it is the secretariat's and the
    leaders'."""
    store = ctx.store
    if ctx.actor.is_unit:
        raise Forbidden("check reads the whole register: a unit user sees only its own tasks")
    with store.checking():  # the pass over the journal runs from now on, beside the file's integrity
        problems: list[dict[str, Any]] = [{"task": None, "problem": p} for p in store.integrity_problems(full)]
        parts: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
            ("the register's rules", lambda: [{"task": task, "problem": message}
                                              for task, message in store.invariant_problems()]),
            ("the stored settings", lambda: [{"task": None, "problem": p} for p in settings.problems(ctx)]),
        ]
        for part, found in parts:
            try:
                problems += found()
            except DatabaseError:
                if not problems:
                    raise
                # the damage found above is why: what was found is reported, and that the rest was not
                problems.append({"task": None, "problem": f"{part} could not be checked: its file is damaged"})
    return problems


def source_label(source: str | bytes | Path) -> str:
    return "<stdin>" if isinstance(source, bytes) else str(source)
