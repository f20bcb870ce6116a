"""The command line: parse arguments, call the core and the store, render.

Heavy modules (sqlite-utils, dateutil, tabulate, Rich, the importers) are imported
inside the commands that need them, so that `nqtrack --help` and the morning
`nqtrack overdue` start fast.
"""

from __future__ import annotations

import functools
import getpass
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, List, Optional

import typer


from nqtrack import __version__
from nqtrack.errors import DatabaseLocked, InvalidInput, NotFound as NotFoundError, UserError
from nqtrack.cli_help import HelpGroup
from nqtrack.i18n import N_, _, set_language

app = typer.Typer(
    name="nqtrack",
    cls=HelpGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="""Track how the tasks assigned by resolutions and documents are carried out.

\b
Example:
  nqtrack --db register.db import examples/tasks.csv
  nqtrack --db register.db overdue""",
)
unit_app = typer.Typer(cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None, help="Units (đơn vị): add, list, rename.")
doc_app = typer.Typer(cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None, help="Documents (văn bản): add, list, show.")
app.add_typer(unit_app, name="unit")
app.add_typer(doc_app, name="doc")

FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="table, markdown, csv or json.", metavar="FORMAT")
]


@dataclass
class Session:
    """What the global options decided, for the command that runs next."""

    db_path: str = ""
    today: date = field(default_factory=date.today)
    lang: str = "vi"
    busy_timeout: float = 10.0
    today_given: bool = False
    _store: Any = None

    def recorded_at(self) -> str:
        """The recording moment: now; with --today, that day at the current time of day,
        so that reproducible runs and tests also record in their own time."""
        from datetime import datetime, timezone

        now = datetime.now().astimezone()
        if self.today_given:
            now = now.replace(year=self.today.year, month=self.today.month, day=self.today.day)
        return now.astimezone(timezone.utc).isoformat(timespec="microseconds")

    def store(self):
        if self._store is None:
            from nqtrack.store import Store

            self._store = Store(self.db_path, busy_timeout=self.busy_timeout)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


session = Session()


def default_db_path() -> str:
    env = os.environ.get("NQTRACK_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("nqtrack", appauthor=False), "nqtrack.db")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"{_('Error')}: {message}", err=True)
    raise typer.Exit(code)


def user_message(exc: UserError) -> str:
    """The error in the chosen language, with a parser's reason translated too."""
    from nqtrack.i18n import translate_reason

    args = {k: translate_reason(v) if k == "reason" and isinstance(v, str) else v for k, v in exc.args_.items()}
    return _(exc.message, **args)


def handles_errors(fn):
    """Turn the errors a user can cause into one translated line and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            fail(user_message(exc), exc.exit_code)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                locked = DatabaseLocked("database is locked: {path}", path=session.db_path)
                fail(_(locked.message, **locked.args_), locked.exit_code)
            raise
        finally:
            session.close()

    return wrapper


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from nqtrack.core.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise InvalidInput("bad date for {option}: {reason}", option=option, reason=str(exc)) from None


def check_format(fmt: str) -> str:
    from nqtrack.render import FORMATS

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=fmt, formats=", ".join(FORMATS))
    return fmt


def who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def show_date(value: str | None) -> str:
    from nqtrack.render import show_day

    return show_day(value)


def local_time(recorded_at: str) -> str:
    """A recording time (stored in UTC) as the local clock showed it."""
    from datetime import datetime

    return datetime.fromisoformat(recorded_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"nqtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="The SQLite file. Default: $NQTRACK_DB, else the per-user data folder.", metavar="PATH")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="The day to treat as today (YYYY-MM-DD). Also $NQTRACK_TODAY.", metavar="DATE")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of labels and messages: vi (default) or en. Also $NQTRACK_LANG.", metavar="vi|en")] = None,
    busy_timeout: Annotated[Optional[float], typer.Option("--busy-timeout", help="Seconds to wait for a locked database (default 10). Also $NQTRACK_BUSY_TIMEOUT.", metavar="SECONDS")] = None,
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version.")] = False,
) -> None:
    db_path = db or default_db_path()
    try:
        stored = None
        if not lang and not os.environ.get("NQTRACK_LANG") and os.path.exists(db_path):
            from nqtrack.store import Store

            stored = Store.peek_setting(db_path, "lang")
        session.lang = set_language(lang, stored=stored)
    except ValueError:
        set_language("en")
        fail(_("unknown language '{lang}'; use vi or en", lang=lang or os.environ.get("NQTRACK_LANG")))
    session.db_path = db_path
    session._store = None
    session.busy_timeout = float(busy_timeout or os.environ.get("NQTRACK_BUSY_TIMEOUT") or 10)
    today_text = today or os.environ.get("NQTRACK_TODAY")
    try:
        session.today = parse_day(today_text, "--today") or date.today()
        session.today_given = bool(today_text)
    except UserError as exc:
        fail(_(exc.message, **exc.args_), exc.exit_code)


# -- init, info --------------------------------------------------------------------


@app.command()
@handles_errors
def init() -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    Example:
      nqtrack --db register.db init
    """
    store = session.store()
    typer.echo(_("Database ready: {path} (schema {version}).", path=store.path, version=store.applied_migrations()))


@app.command()
@handles_errors
def info(fmt: FormatOption = "table") -> None:
    """Where the database is, its schema version and how much it holds.

    \b
    Example:
      nqtrack info --format json
    """
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    store = session.store()
    counts = store.counts()
    data = {"database": store.path, "schema_version": store.applied_migrations(), **counts}
    labels = {
        "database": _("Database"), "schema_version": _("Schema version"), "units": _("Units"),
        "documents": _("Documents"), "tasks": _("Tasks"), "events": _("Journal events"),
    }
    rows = [{"key": labels[k], "value": v} for k, v in data.items()]
    emit_rows(rows, [("key", ""), ("value", "")], fmt, json_data=data)


# -- units -------------------------------------------------------------------------


@unit_app.command("add")
@handles_errors
def unit_add(
    name: Annotated[str, typer.Argument(help="The unit's full name.")],
    code: Annotated[Optional[str], typer.Option("--code", help="Short code, e.g. VP.")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="The unit above it (code, name or alias).")] = None,
    alias: Annotated[Optional[List[str]], typer.Option("--alias", help="Another name it goes by; repeatable.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Address for reminders.")] = None,
) -> None:
    """Add a unit (đơn vị).

    \b
    Example:
      nqtrack unit add "Vụ Tổ chức cán bộ" --code TCCB --alias "Vụ TCCB"
    """
    store = session.store()
    parent_id = store.resolve_unit(parent).id if parent else None
    with store.transaction():
        unit = store.add_unit(name, code=code, parent_id=parent_id, aliases=alias or (), email=email)
    typer.echo(_("Unit {name} added.", name=unit.name))


@unit_app.command("list")
@handles_errors
def unit_list(fmt: FormatOption = "table") -> None:
    """List the units.

    \b
    Example:
      nqtrack unit list --format csv
    """
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    store = session.store()
    names = store.unit_names()
    rows = [
        {"id": u.id, "code": u.code, "name": u.name, "parent": names.get(u.parent_id), "aliases": u.aliases, "email": u.email}
        for u in store.list_units()
    ]
    from nqtrack.core.collate import sort_key

    rows.sort(key=lambda row: sort_key(row["name"]))  # Vietnamese order: "Đảng ủy" after "Dân vận"
    columns = [("id", "#"), ("code", _("Code")), ("name", _("Name")), ("parent", _("Parent unit")), ("aliases", _("Aliases")), ("email", "Email")]
    emit_rows(rows, columns, fmt)


@unit_app.command("email")
@handles_errors
def unit_email(
    unit: Annotated[str, typer.Argument(help="The unit (code, name or alias).")],
    address: Annotated[str, typer.Argument(help="Where its reminders go; several separated by ','; '-' clears it.")],
) -> None:
    """Set the e-mail address a unit's reminders are sent to.

    \b
    Example:
      nqtrack unit email VP vanphong@example.gov.vn
    """
    store = session.store()
    found = store.resolve_unit(unit)
    store.set_unit_email(found.id, None if address == "-" else address.strip())
    typer.echo(_("Unit {name}: e-mail address saved.", name=found.name))


@unit_app.command("rename")
@handles_errors
def unit_rename(
    unit: Annotated[str, typer.Argument(help="The unit (code, name or alias).")],
    new_name: Annotated[str, typer.Argument(help="Its new name; the old one stays as an alias.")],
) -> None:
    """Rename a unit; the old name is kept as an alias so old files still match.

    \b
    Example:
      nqtrack unit rename TCCB "Vụ Tổ chức - Cán bộ"
    """
    store = session.store()
    renamed = store.rename_unit(store.resolve_unit(unit), new_name)
    typer.echo(_("Unit renamed to {name}.", name=renamed.name))


# -- documents ---------------------------------------------------------------------


@doc_app.command("add")
@handles_errors
def doc_add(
    symbol: Annotated[str, typer.Argument(help="Number and symbol, e.g. 07-NQ/ĐUK or 30/2020/NĐ-CP.")],
    title: Annotated[Optional[str], typer.Option("--title", help="Its subject (trích yếu).")] = None,
    doc_type: Annotated[Optional[str], typer.Option("--type", help="Kind of document; read from the symbol if left out.")] = None,
    issued_on: Annotated[Optional[str], typer.Option("--issued-on", help="Date of issue (day first).")] = None,
    received_on: Annotated[Optional[str], typer.Option("--received-on", help="Date received.")] = None,
    issuer: Annotated[Optional[str], typer.Option("--issuer", help="Who issued it; read from the symbol if left out.")] = None,
    implements: Annotated[Optional[str], typer.Option("--implements", help="The document this one carries out.")] = None,
) -> None:
    """Add a document (văn bản).

    \b
    Example:
      nqtrack doc add 07-NQ/ĐUK --issued-on 31/08/2017 --title "Nghị quyết về ..."
    """
    store = session.store()
    issued = parse_day(issued_on, "--issued-on")
    received = parse_day(received_on, "--received-on")
    parent_id = store.resolve_document(implements).id if implements else None
    with store.transaction():
        doc = store.add_document(
            symbol, title=title, doc_type=doc_type, issued_on=issued, received_on=received,
            issuer=issuer, parent_id=parent_id,
        )
    typer.echo(_("Document {symbol} added.", symbol=doc.symbol))


@doc_app.command("list")
@handles_errors
def doc_list(fmt: FormatOption = "table") -> None:
    """List the documents with how many of their tasks are done.

    \b
    Example:
      nqtrack doc list --format markdown
    """
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    rows = session.store().list_documents()
    if fmt in ("table", "markdown"):
        for row in rows:
            row["issued_on"] = show_date(row["issued_on"])
    columns = [
        ("id", "#"), ("symbol", _("Symbol")), ("doc_type", _("Type")), ("issued_on", _("Issued on")),
        ("issuer", _("Issuer")), ("title", _("Title")), ("parent_symbol", _("Implements")),
        ("tasks", _("Tasks")), ("done", _("Done")),
    ]
    emit_rows(rows, columns, fmt)


@doc_app.command("show")
@handles_errors
def doc_show(
    document: Annotated[str, typer.Argument(help="The document's symbol.")],
    fmt: FormatOption = "table",
) -> None:
    """Show a document and how far each of its tasks is.

    \b
    Example:
      nqtrack doc show 07-NQ/ĐUK
    """
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    store = session.store()
    doc = store.resolve_document(document)
    tasks = [task_row(t) for t in store.list_tasks(document_ids=[doc.id])]
    data = {"document": doc.__dict__, "tasks": tasks}
    if fmt == "table":
        from nqtrack.render import console

        out = console()
        out.print(f"{doc.symbol} — {doc.title or ''}")
        out.print(f"{_('Type')}: {doc.doc_type or ''}   {_('Issued on')}: {show_date(doc.issued_on)}   {_('Issuer')}: {doc.issuer or ''}")
    emit_rows(
        [display_task_row(t) for t in tasks] if fmt in ("table", "markdown") else tasks,
        TASK_COLUMNS(), fmt, title=_("Tasks of {symbol}", symbol=doc.symbol), json_data=data,
    )


# -- tasks -------------------------------------------------------------------------


def TASK_COLUMNS() -> list[tuple[str, str]]:
    return [
        ("id", _("No.")), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("lead_unit", _("Lead unit")), ("deadline", _("Deadline")), ("state", _("State")),
        ("progress", _("Progress")), ("completed_on", _("Completed on")),
    ]


TASK_ROW_KEYS = (
    "id", "code", "title", "document", "source", "lead_unit", "coordinating_units", "assignee", "assigned_on",
    "deadline", "original_deadline", "deadline_text", "product", "state", "progress", "completed_on", "recurring", "note",
)


def task_row(task: dict[str, Any]) -> dict[str, Any]:
    """The machine form of a task in listings (JSON, CSV)."""
    row = {key: task[key] for key in TASK_ROW_KEYS}
    row["recurring"] = bool(task["recurring"])
    return row


def display_task_row(row: dict[str, Any]) -> dict[str, Any]:
    """The human form: translated state, dates as the language writes them."""
    shown = dict(row)
    for key in ("deadline", "original_deadline", "assigned_on", "completed_on"):
        shown[key] = show_date(row.get(key))
    shown["state"] = _(row["state"])
    return shown


def resolve_units(store, refs: Optional[List[str]]) -> list[int]:
    return [store.resolve_unit(ref).id for ref in refs or []]


def parse_deadline_option(text: str):
    from nqtrack.core.dates import DateError, parse_deadline

    try:
        return parse_deadline(text)
    except DateError as exc:
        raise InvalidInput("bad deadline: {reason}", reason=str(exc)) from None


def effective_day(on: Optional[str]) -> date:
    day = parse_day(on, "--on") or session.today
    if day > session.today:
        raise InvalidInput(
            "the change takes effect on {on}, after today ({today})", on=day.isoformat(), today=session.today.isoformat()
        )
    return day


@app.command()
@handles_errors
def assign(
    title_or_task: Annotated[str, typer.Argument(metavar="TITLE|TASK", help="The new task's title, or the number or code of a task to re-assign.")],
    doc: Annotated[Optional[str], typer.Option("--doc", help="The document that gives the task (its symbol).")] = None,
    lead: Annotated[Optional[str], typer.Option("--lead", help="Lead unit (đơn vị chủ trì).")] = None,
    with_: Annotated[Optional[List[str]], typer.Option("--with", help="Coordinating unit (đơn vị phối hợp); repeatable.")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="Assignee (người thực hiện).")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="Deadline: a date (day first) or a text such as 'Quý II/2026'.")] = None,
    product: Annotated[Optional[str], typer.Option("--product", help="What the task must produce.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Who gave the task, e.g. 'Thủ tướng Chính phủ'.")] = None,
    assigned_on: Annotated[Optional[str], typer.Option("--assigned-on", help="The day it was given (default today).")] = None,
    code: Annotated[Optional[str], typer.Option("--code", help="An external code, unique.")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="For a re-assignment: the day it takes effect (default today).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who records this (default: the OS user).")] = None,
) -> None:
    """Give a new task to a lead unit, or re-assign an existing task.

    \b
    Examples:
      nqtrack assign "Xây dựng kế hoạch thực hiện" --doc 07-NQ/ĐUK --lead VP --with TCCB --due 30/06/2026
      nqtrack assign 12 --lead KHTC --with VP
    """
    store = session.store()
    existing = None
    try:
        existing = store.resolve_task(title_or_task)
    except UserError:
        existing = None
    recorder = who(by)
    if existing is not None and not (doc or due or product or source or assigned_on or code):
        if not (lead or with_ is not None or to):
            raise InvalidInput("nothing to change: give --lead or --with")
        day = effective_day(on)
        changes: dict[str, Any] = {}
        if lead:
            changes["lead_unit_id"] = store.resolve_unit(lead).id
        if with_ is not None:
            changes["coordinating_units"] = resolve_units(store, with_)
        if to:
            changes["assignee"] = to
        with store.transaction():
            store.change_task(existing["id"], changes, effective_on=day, by=recorder, kind="reassigned",
                              recorded_at=session.recorded_at())
        typer.echo(_("Task {id} re-assigned.", id=existing["id"]))
        return
    if not lead:
        raise InvalidInput("a new task needs a title and --lead")
    lead_id = store.resolve_unit(lead).id
    coordinating = resolve_units(store, with_)
    document_id = store.resolve_document(doc).id if doc else None
    deadline = parse_deadline_option(due) if due else None
    given_on = parse_day(assigned_on, "--assigned-on") or session.today
    values = {
        "title": title_or_task, "code": code, "document_id": document_id, "source": source,
        "lead_unit_id": lead_id, "assignee": to, "assigned_on": given_on,
        "deadline": deadline.date if deadline else None,
        "deadline_text": deadline.text if deadline else None,
        "recurring": bool(deadline and deadline.recurring), "product": product, "state": "new",
    }
    with store.transaction():
        task_id = store.create_task(values, coordinating, effective_on=given_on, by=recorder,
                                    recorded_at=session.recorded_at())
    typer.echo(_("Task {id} created.", id=task_id))


@app.command()
@handles_errors
def update(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    state: Annotated[Optional[str], typer.Option("--state", help="new, in_progress, done, paused or cancelled (Vietnamese names too).")] = None,
    progress: Annotated[Optional[int], typer.Option("--progress", help="Per cent done, 0-100.")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="The day the change takes effect (default today); with --state done, the completion date.")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="A new deadline (extension); needs --reason.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the deadline changes.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note for the journal.")] = None,
    product: Annotated[Optional[str], typer.Option("--product", help="The product (e.g. the report submitted).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who records this (default: the OS user).")] = None,
) -> None:
    """Record progress, completion, an extension, a product or a note.

    \b
    Examples:
      nqtrack update 12 --state done --on 15/10/2022 --product "Báo cáo số 45/BC-VP"
      nqtrack update NV-2022-0007 --deadline 31/12/2022 --reason "Theo Thông báo 123/TB-VP"
    """
    from nqtrack.core.states import StateError, parse_state

    store = session.store()
    current = store.resolve_task(task)
    day = effective_day(on)
    new_state = None
    if state is not None:
        try:
            new_state = parse_state(state).value
        except StateError:
            raise InvalidInput(
                "unknown state '{value}'; use one of: {states}", value=state,
                states="new, in_progress, done, paused, cancelled",
            ) from None
    if progress is not None and not 0 <= progress <= 100:
        raise InvalidInput("progress must be between 0 and 100")
    new_deadline = None
    if deadline is not None:
        if not reason:
            raise InvalidInput("--reason is required with --deadline (why the deadline changes)")
        new_deadline = parse_deadline_option(deadline)
    recorder = who(by)
    recorded_at = session.recorded_at()
    changed: list[str] = []
    with store.transaction():
        def apply(changes: dict[str, Any], kind: str, event_note: str | None) -> None:
            changed.extend(
                store.change_task(
                    current["id"], changes, effective_on=day, by=recorder, kind=kind,
                    note=event_note, recorded_at=recorded_at,
                )
            )

        if new_state is not None:
            changes: dict[str, Any] = {"state": new_state}
            if new_state == "done":
                changes["completed_on"] = day
                if progress is None:
                    changes["progress"] = 100
            else:
                changes["completed_on"] = None
            apply(changes, "completed" if new_state == "done" else "updated", note)
        if new_deadline is not None:
            apply(
                {"deadline": new_deadline.date, "deadline_text": new_deadline.text, "recurring": new_deadline.recurring},
                "extended", reason,
            )
        plain = {}
        if progress is not None:
            plain["progress"] = progress
        if product is not None:
            plain["product"] = product
        if plain:
            apply(plain, "updated", note)
        if not changed and note:
            apply({}, "note", note)
    if changed:
        typer.echo(_("Task {id} updated: {fields}.", id=current["id"], fields=", ".join(changed)))
    elif note:
        typer.echo(_("Task {id}: note recorded.", id=current["id"]))
    else:
        typer.echo(_("Task {id}: nothing changed.", id=current["id"]))


@app.command("list")
@handles_errors
def list_(
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="Lead unit; repeatable.")] = None,
    source: Annotated[Optional[List[str]], typer.Option("--source", help="Source (nguồn giao); repeatable.")] = None,
    document: Annotated[Optional[List[str]], typer.Option("--document", "--doc", help="Document symbol; repeatable.")] = None,
    state: Annotated[Optional[List[str]], typer.Option("--state", help="State; repeatable.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tasks overdue today.")] = False,
    due_before: Annotated[Optional[str], typer.Option("--due-before", help="Deadline on or before this day.")] = None,
    due_after: Annotated[Optional[str], typer.Option("--due-after", help="Deadline on or after this day.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", "--text", help="Words in the title or code, accents optional.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="At most this many tasks.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """List tasks, filtered.

    \b
    Example:
      nqtrack list --unit VP --state in_progress --search "bao cao"
    """
    from nqtrack.core.states import StateError, parse_state
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    store = session.store()
    states = []
    for s in state or []:
        try:
            states.append(parse_state(s).value)
        except StateError:
            raise InvalidInput(
                "unknown state '{value}'; use one of: {states}", value=s,
                states="new, in_progress, done, paused, cancelled",
            ) from None
    rows = store.list_tasks(
        unit_ids=resolve_units(store, unit),
        sources=resolve_sources(store, source),
        document_ids=[store.resolve_document(d).id for d in document or []],
        states=states,
        overdue_on=session.today if overdue else None,
        due_before=parse_day(due_before, "--due-before"),
        due_after=parse_day(due_after, "--due-after"),
        text=search,
        limit=limit,
    )
    tasks = [task_row(t) for t in rows]
    shown = [display_task_row(t) for t in tasks] if fmt in ("table", "markdown") else tasks
    emit_rows(shown, TASK_COLUMNS(), fmt, empty_message=_("No tasks."))


def resolve_sources(store, refs: Optional[List[str]]) -> list[str]:
    """Sources as stored, matched to what was typed without regard to accents or case."""
    if not refs:
        return []
    from nqtrack.core.text import fold

    wanted = {fold(r) for r in refs}
    found = [s for s in store.distinct_sources() if fold(s) in wanted]
    return found or ["\x00no such source"]


@app.command()
@handles_errors
def show(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Show the fields as they were on this day, rebuilt from the journal.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Show every field of a task and its full history from the journal.

    \b
    Example:
      nqtrack show 12
      nqtrack show NV-2022-0007 --as-of 30/09/2022
    """
    from nqtrack.core.states import fields_as_of, timing_class
    from nqtrack.render import console, emit_rows, json_text

    fmt = check_format(fmt)
    store = session.store()
    current = store.resolve_task(task)
    day = parse_day(as_of, "--as-of") or session.today
    names = store.unit_names()
    if as_of:
        fields = fields_as_of(current, store.journal(current["id"]), day)
        if fields.get("lead_unit_id") != current["lead_unit_id"]:
            fields["lead_unit"] = names.get(int(fields["lead_unit_id"])) if fields.get("lead_unit_id") else None
        current = {**current, **fields}
    row = task_row(current)

    def as_date(v):
        return date.fromisoformat(v) if v else None

    row["timing"] = timing_class(current["state"], as_date(current["deadline"]), as_date(current["completed_on"]), day).value
    row["as_of"] = day.isoformat()

    def unit_list_text(value: str | None) -> str | None:
        if not value:
            return value
        return "; ".join(names.get(int(i), i) for i in value.split(","))

    history = []
    for e in store.task_events(current["id"]):
        old, new = e["old_value"], e["new_value"]
        if e["field"] == "lead_unit_id":
            old = names.get(int(old)) if old else old
            new = names.get(int(new)) if new else new
        elif e["field"] == "coordinating_units":
            old, new = unit_list_text(old), unit_list_text(new)
        elif e["field"] is None:
            new = None  # the creation snapshot: its fields are shown above
        history.append({
            "id": e["id"], "kind": e["kind"], "field": e["field"], "old_value": old, "new_value": new,
            "effective_on": e["effective_on"], "recorded_at": e["recorded_at"],
            "recorded_by": e["recorded_by"], "note": e["note"], "batch_id": e["batch_id"],
        })
    if fmt == "json":
        sys.stdout.write(json_text({"task": row, "history": history}))
        return
    labels = [
        ("id", _("No.")), ("code", _("Code")), ("title", _("Title")), ("document", _("Document")),
        ("source", _("Source")), ("lead_unit", _("Lead unit")), ("coordinating_units", _("Coordinating units")),
        ("assignee", _("Assignee")), ("assigned_on", _("Assigned on")), ("deadline", _("Deadline")),
        ("original_deadline", _("Original deadline")), ("deadline_text", _("Deadline as written")),
        ("product", _("Product")), ("state", _("State")), ("progress", _("Progress")),
        ("completed_on", _("Completed on")), ("recurring", _("Recurring")), ("note", _("Note")),
        ("timing", _("Timing")),
    ]
    shown = display_task_row(row)
    shown["timing"] = _(row["timing"])
    shown["recurring"] = _("yes") if row["recurring"] else _("no")
    field_rows = [{"field": label, "value": shown.get(key)} for key, label in labels]
    hist_rows = [
        {**h, "kind": _(h["kind"]), "effective_on": show_date(h["effective_on"]),
         "recorded_at": local_time(h["recorded_at"])}
        for h in history
    ]
    hist_columns = [
        ("effective_on", _("Effective")), ("recorded_at", _("Recorded")), ("recorded_by", _("By")),
        ("kind", _("Event")), ("field", _("Field")), ("old_value", _("Old")), ("new_value", _("New")),
        ("note", _("Note")),
    ]
    if fmt == "csv":
        emit_rows(history, hist_columns, fmt)
        return
    emit_rows(field_rows, [("field", ""), ("value", "")], fmt, title=f"#{row['id']} ({show_date(row['as_of'])})")
    if fmt == "table":
        console().print()
    else:
        sys.stdout.write("\n")
    emit_rows(hist_rows, hist_columns, fmt, title=_("History"))


@app.command()
@handles_errors
def overdue(
    within: Annotated[int, typer.Option("--within", help="Also list tasks due within this many days (default 7).")] = 7,
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="Only this unit (code, name or alias); repeatable.")] = None,
    role: Annotated[str, typer.Option("--role", help="With --unit: lead (default), coordinating or any.")] = "lead",
    source: Annotated[Optional[List[str]], typer.Option("--source", help="Only tasks from this source; repeatable.")] = None,
    document: Annotated[Optional[List[str]], typer.Option("--document", "--doc", help="Only tasks of this document; repeatable.")] = None,
    assignee: Annotated[Optional[str], typer.Option("--assignee", help="Only tasks of this person (part of the name, accents optional).")] = None,
    min_days: Annotated[int, typer.Option("--min-days", help="Only tasks overdue by at least this many days.")] = 0,
    group: Annotated[str, typer.Option("--group", help="Group the list by unit (default), month, document or none.")] = "unit",
    limit: Annotated[Optional[int], typer.Option("--limit", help="List at most this many overdue tasks (the totals stay whole).")] = None,
    exit_status: Annotated[bool, typer.Option("--exit-status", help="Exit with status 3 when anything is overdue.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """The morning view: overdue tasks, those carried over from earlier months, and those due soon.

    \b
    Examples:
      nqtrack overdue
      nqtrack overdue --unit VP --within 14 --format markdown
      nqtrack --today 2022-11-15 overdue --format csv > qua-han.csv
    """
    from datetime import timedelta

    from nqtrack import render_overdue
    from nqtrack.core.backlog import GROUPS, build_backlog

    fmt = check_format(fmt)
    if group not in GROUPS:
        raise InvalidInput("unknown group '{value}'; use one of: {values}", value=group, values=", ".join(GROUPS))
    if role not in ("lead", "coordinating", "any"):
        raise InvalidInput("unknown role '{value}'; use one of: {values}", value=role, values="lead, coordinating, any")
    if within < 0 or min_days < 0 or (limit is not None and limit < 1):
        raise InvalidInput("--within, --min-days and --limit take positive numbers")
    store = session.store()
    today = session.today
    rows = store.overdue_rows(
        today,
        today + timedelta(days=within),
        unit_ids=resolve_units(store, unit),
        sources=resolve_sources(store, source),
        document_ids=[store.resolve_document(d).id for d in document or []],
        role=role,
    )
    backlog = build_backlog(rows, today, within, min_days=min_days, assignee=assignee)
    render_overdue.emit(backlog, fmt, group, limit)
    if exit_status and backlog.overdue:
        raise typer.Exit(3)


def resolve_period(month, quarter, year, start, end, cutoff):
    from nqtrack.core.periods import PeriodError, parse_month, parse_quarter, range_period, year_period

    chosen = [x for x in (month, quarter, year, start or end) if x]
    if len(chosen) != 1 or (bool(start) != bool(end)):
        raise InvalidInput("give one period: --month, --quarter, --year, or --from with --to")
    try:
        if month:
            return parse_month(month, session.today, cutoff)
        if quarter:
            return parse_quarter(quarter, cutoff)
        if year:
            if not year.strip().isdigit():
                raise PeriodError(f"'{year}' is not a year")
            return year_period(int(year), cutoff)
        return range_period(parse_day(start, "--from"), parse_day(end, "--to"))
    except PeriodError as exc:
        raise InvalidInput("bad period: {reason}", reason=str(exc)) from None


def end_of_day_utc(day: date) -> str:
    """The last moment of `day` on the local clock, as a UTC recording time."""
    from datetime import datetime, time, timezone

    return datetime.combine(day, time.max).astimezone().astimezone(timezone.utc).isoformat(timespec="microseconds")


@app.command()
@handles_errors
def report(
    month: Annotated[Optional[str], typer.Option("--month", help="YYYY-MM, 'this' or 'last'.")] = None,
    quarter: Annotated[Optional[str], typer.Option("--quarter", help="YYYY-Qn, e.g. 2022-Q3.")] = None,
    year: Annotated[Optional[str], typer.Option("--year", help="YYYY.")] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="First day of a custom period.")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Last day of a custom period.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Count as of this day (default: the earlier of the period's end and today).")] = None,
    known_on: Annotated[Optional[str], typer.Option("--known-on", help="Use only what was recorded by the end of this day (reproduces a report already sent).")] = None,
    cutoff: Annotated[Optional[int], typer.Option("--cutoff", help="Count months from this day of the month before (15: Nghị định 09/2019). Default: the stored setting.")] = None,
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="Only this lead unit; repeatable.")] = None,
    include_subunits: Annotated[bool, typer.Option("--include-subunits", help="With --unit: its sub-units too.")] = False,
    source: Annotated[Optional[List[str]], typer.Option("--source", help="Only this source; repeatable.")] = None,
    document: Annotated[Optional[List[str]], typer.Option("--document", "--doc", help="Only tasks of this document; repeatable.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file (atomically) instead of standard output.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """The statistical report for a month, quarter, year or any period.

    \b
    Examples:
      nqtrack report --month last
      nqtrack report --quarter 2022-Q3 --format markdown --output bao-cao-quy-3.md
      nqtrack report --month 2022-10 --known-on 2022-11-01 --format json
    """
    from datetime import timedelta

    from nqtrack import render_report
    from nqtrack.core.backlog import build_backlog
    from nqtrack.core.figures import add_counts, breakdown, views
    from nqtrack.core.periods import previous_year, trend_months

    fmt = check_format(fmt)
    store = session.store()
    if cutoff is None:
        stored = store.get_setting("cutoff")
        cutoff = int(stored) if stored else None
    if cutoff is not None and not 1 <= cutoff <= 28:
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    period = resolve_period(month, quarter, year, start, end, None if cutoff in (None, 1) else cutoff)
    day = parse_day(as_of, "--as-of") or min(period.end, session.today)
    known_day = parse_day(known_on, "--known-on")
    known_at = end_of_day_utc(known_day) if known_day else None
    unit_ids = resolve_units(store, unit)
    if include_subunits:
        unit_ids = sorted({sub for u in unit_ids for sub in store.subunit_ids(u)})
    filters = {
        "unit_ids": unit_ids,
        "sources": resolve_sources(store, source),
        "document_ids": [store.resolve_document(d).id for d in document or []],
    }
    previous = previous_year(period)
    groups = store.report_counts(period.start, period.end, day, previous.start, previous.end, known_at=known_at, **filters)
    figures = breakdown(groups, store.unit_names())
    months = [m for m in trend_months(period) if m.start <= day]
    trend = []
    month_counts = store.trend_counts([(m.start, m.end, min(m.end, day)) for m in months], known_at=known_at, **filters)
    for m, counts in zip(months, month_counts):
        workload = views(add_counts(counts))["workload"]
        trend.append({"month": f"{m.year}-{m.number:02d}", "from": m.start, "to": m.end, "as_of": min(m.end, day),
                      "total": workload["total"], "completed": workload["completed"],
                      "completion_rate": workload["completion_rate"]})
    rows = store.overdue_rows(day, day - timedelta(days=1), known_at=known_at, with_coordinating=False, **filters)
    backlog = build_backlog(rows, day, 0)
    overdue_tasks = sorted(backlog.overdue + backlog.paused, key=lambda t: (-t["days_overdue"], t["id"]))
    names = store.unit_names()
    data = {
        "period": {"from": period.start, "to": period.end, "as_of": day, "known_on": known_day,
                   "kind": period.kind, "label": period.label(), "cutoff": cutoff if period.kind != "range" else None},
        "filters": {
            "units": [names[u] for u in unit_ids],
            "sources": filters["sources"] if source else [],
            "documents": [store.document(d).symbol for d in filters["document_ids"]],
        },
        **figures,
        "trend": trend,
        "overdue_tasks": [
            {k: t.get(k) for k in ("id", "code", "title", "document", "lead_unit", "assignee", "deadline",
                                   "original_deadline", "days_overdue", "carried_over", "state")}
            for t in overdue_tasks
        ],
    }
    if output:
        write_atomically(output, lambda stream: render_report.render(data, fmt, stream))
    else:
        render_report.render(data, fmt)


def write_atomically(path: str, write) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".nqtrack-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@app.command()
@handles_errors
def config(
    key: Annotated[Optional[str], typer.Argument(help="A setting: cutoff (report periods, e.g. 15), office and place (for notices), lang (vi or en), smtp_host, smtp_port, smtp_starttls, smtp_sender, smtp_user (for --send).")] = None,
    value: Annotated[Optional[str], typer.Argument(help="Its new value; '-' clears it. Leave out to print it.")] = None,
) -> None:
    """Read or change a stored setting.

    \b
    Examples:
      nqtrack config cutoff 15
      nqtrack config
    """
    store = session.store()
    known = ("cutoff", "office", "place", "lang", "smtp_host", "smtp_port", "smtp_starttls", "smtp_sender", "smtp_user")
    if key is None:
        for k in known:
            typer.echo(f"{k} = {store.get_setting(k) or ''}")
        return
    if key not in known:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(known))
    if value is None:
        typer.echo(store.get_setting(key) or "")
        return
    if key == "cutoff" and value != "-" and not (value.isdigit() and 1 <= int(value) <= 28):
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    if key == "lang" and value not in ("vi", "en", "-"):
        raise InvalidInput("unknown language '{lang}'; use vi or en", lang=value)
    store.set_setting(key, None if value == "-" else value)
    typer.echo(f"{key} = {'' if value == '-' else value}")


@app.command("import")
@handles_errors
def import_(
    file: Annotated[str, typer.Argument(help="A CSV, TSV, Excel 'Unicode text' or XLSX file; '-' reads standard input.")],
    kind: Annotated[str, typer.Option("--kind", help="tasks (default), units or documents.")] = "tasks",
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The XLSX sheet to read (default: the first).")] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="auto (default), utf-8, utf-16, cp1258, tcvn3, vni, ...")] = "auto",
    delimiter: Annotated[Optional[str], typer.Option("--delimiter", help="Column separator (default: sniffed among , ; tab).")] = None,
    map_: Annotated[Optional[List[str]], typer.Option("--map", help="'Header=field' for a column the importer does not know; repeatable.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and print the summary, write nothing.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Land the good rows; write the bad ones to --rejects.")] = False,
    rejects: Annotated[Optional[str], typer.Option("--rejects", help="With --skip-invalid: the CSV file for rejected rows, with a reason column.")] = None,
    strict_units: Annotated[bool, typer.Option("--strict-units", help="Refuse rows naming units not in the register, instead of creating them.")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="Who records this (default: the OS user).")] = None,
) -> None:
    """Import tasks (or units, documents) from a spreadsheet, all rows or none.

    \b
    Examples:
      nqtrack import examples/units.csv --kind units
      nqtrack import examples/tasks.csv
      nqtrack import "Danh muc nhiem vu 2022.xlsx" --sheet "Phụ lục" --dry-run
    """
    from nqtrack.importing import importer as imp
    from nqtrack.importing.columns import KINDS, parse_map_options
    from nqtrack.importing.reader import ReadError

    if kind not in KINDS:
        raise InvalidInput("unknown kind '{value}'; use one of: {values}", value=kind, values=", ".join(KINDS))
    try:
        overrides = parse_map_options(map_ or [], kind)
    except ValueError as exc:
        raise InvalidInput("bad --map '{value}': use 'Header=field' with a field of {values}", value=str(exc),
                           values=", ".join(imp.COLUMNS[kind])) from None
    if skip_invalid and not rejects:
        raise InvalidInput("--skip-invalid needs --rejects FILE for the rows it leaves out")
    source = sys.stdin.buffer.read() if file == "-" else file
    if is_export(source):
        import_export(source)
        return
    options = imp.Options(
        kind=kind, sheet=sheet, encoding=encoding, delimiter=delimiter, overrides=overrides, dry_run=dry_run,
        skip_invalid=skip_invalid, strict_units=strict_units, by=who(by), today=session.today,
        source_name="<stdin>" if file == "-" else file, recorded_at=session.recorded_at(),
    )
    store = session.store()
    with import_progress() as progress:
        importer = imp.Importer(store, options, progress)
        try:
            summary = importer.run(source)
        except ReadError as exc:
            raise InvalidInput("cannot import: {reason}", reason=str(exc)) from None
        except imp.ImportFailed as failed:
            print_problems(failed.summary)
            raise typer.Exit(2) from None
    if summary.problems and rejects:
        write_rejects(source, options, summary, rejects)
    print_import_summary(summary)


def is_export(source) -> bool:
    """Is this a JSON export of nqtrack (rather than a spreadsheet)?"""
    if isinstance(source, bytes):
        head = source[:200]
    else:
        try:
            with open(source, "rb") as f:
                head = f.read(200)
        except OSError:
            return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b"nqtrack-export" in head


def import_export(source) -> None:
    """Rebuild a register from `nqtrack export` JSON, into an empty database."""
    import json

    try:
        raw = source if isinstance(source, bytes) else open(source, "rb").read()
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("cannot import: {reason}", reason=str(exc)) from None
    if data.get("format") != "nqtrack-export":
        raise InvalidInput("cannot import: {reason}", reason="not an nqtrack export")
    store = session.store()
    if not store.is_empty():
        raise InvalidInput("a JSON export is restored into an empty database; this one already holds a register")
    if (data.get("schema") or 0) > store.applied_migrations():
        raise InvalidInput("cannot import: {reason}", reason="made by a newer nqtrack")
    try:
        with store.transaction():
            counts = store.load_export(data)
    except sqlite3.IntegrityError as exc:
        raise InvalidInput("cannot import: {reason}", reason=str(exc)) from None
    typer.echo(_("Register rebuilt: {units} units, {documents} documents, {tasks} tasks, {events} journal events.",
                 units=counts["units"], documents=counts["documents"], tasks=counts["tasks"], events=counts["events"]))


class import_progress:
    """A row counter on stderr, shown only on a terminal and only past a few thousand rows."""

    def __enter__(self):
        self._progress = None
        self._task = None
        self.rows = 0
        return self if sys.stderr.isatty() else None

    def __call__(self, rows: int) -> None:
        self.rows += rows
        if self._progress is None and self.rows >= 5000:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            from nqtrack.render import console

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                      console=console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("")
        if self._progress is not None:
            self._progress.update(self._task, description=_("{rows} rows read", rows=self.rows))

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False


def problem_line(p) -> str:
    from nqtrack.i18n import translate_reason

    where = _("row {row} (line {line})", row=p.row, line=p.line)
    if p.column:
        where += ", " + _("column '{column}'", column=p.column)
    reason = translate_reason(p.reason)
    if p.value and f"'{p.value}'" not in p.reason:
        reason = f"'{p.value}': {reason}"
    return f"{where}: {reason}"


def print_problems(summary) -> None:
    from nqtrack.importing.importer import MAX_SHOWN_PROBLEMS

    problems = summary.problems
    typer.echo(_("Error") + ": " + _("{count} invalid rows; nothing was imported.", count=len({p.row for p in problems})), err=True)
    for p in problems[:MAX_SHOWN_PROBLEMS]:
        typer.echo("  " + problem_line(p), err=True)
    if len(problems) > MAX_SHOWN_PROBLEMS:
        typer.echo("  " + _("… and {count} more problems.", count=len(problems) - MAX_SHOWN_PROBLEMS), err=True)


def write_rejects(source, options, summary, path: str) -> None:
    """The rejected rows as they were read, with the reasons in a last column."""
    import csv
    import io

    from nqtrack.importing.columns import is_known_header
    from nqtrack.importing.reader import read_table
    from nqtrack.render import neutralise

    reasons: dict[int, list[str]] = {}
    for p in summary.problems:
        reasons.setdefault(p.line, []).append(problem_line(p))
    table = read_table(source, sheet=options.sheet, encoding=options.encoding, delimiter=options.delimiter,
                       expected_headers=is_known_header(options.kind), name=options.source_name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(table.headers) + [_("Reason")])
    for line, cells in table.rows:
        if line in reasons:
            writer.writerow([neutralise("" if c is None else str(c)) for c in cells] + ["; ".join(reasons[line])])
    write_atomically(path, lambda stream: stream.write("\ufeff" + out.getvalue()))


def print_import_summary(summary) -> None:
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
        lines.append(_("New documents ({count}): {names}", count=len(summary.new_documents), names=some(summary.new_documents)))
    if summary.converted_cells:
        lines.append(_("{count} cells typed in TCVN3 or VNI were converted to Unicode.", count=summary.converted_cells))
    if summary.ignored_columns:
        lines.append(_("Columns ignored: {names}", names=", ".join(summary.ignored_columns)))
    if summary.rejected:
        lines.append(_("Rejected rows were written with their reasons to the --rejects file."))
    if summary.batch_id and not summary.dry_run and (summary.created or summary.updated):
        lines.append(_("Import batch: {batch}", batch=summary.batch_id))
    for line in lines:
        if line:
            typer.echo(line)


# -- reliability: backup, restore, check, undo, export ---------------------------------


@app.command()
@handles_errors
def backup(
    file: Annotated[Optional[str], typer.Argument(help="Where to write the copy (default: nqtrack-backup-YYYY-MM-DD.db beside the database).")] = None,
) -> None:
    """A consistent copy of the database, made while others keep working.

    \b
    Example:
      nqtrack backup /mnt/usb/nqtrack-2022-11-15.db
    """
    store = session.store()
    target = file or os.path.join(os.path.dirname(os.path.abspath(store.path)), f"nqtrack-backup-{session.today:%Y-%m-%d}.db")
    if os.path.abspath(target) == os.path.abspath(store.path):
        raise InvalidInput("the backup cannot be the database itself")
    store.backup_to(target)
    typer.echo(_("Backup written: {path}", path=target))


@app.command()
@handles_errors
def restore(
    file: Annotated[str, typer.Argument(help="A backup made by 'nqtrack backup' (or any nqtrack database).")],
) -> None:
    """Replace the database with a backup; the replaced one is kept as a backup first.

    \b
    Example:
      nqtrack restore nqtrack-backup-2022-11-15.db
    """
    from nqtrack.store import Store

    Store.check_is_nqtrack(file)
    store = session.store()
    if os.path.abspath(file) == os.path.abspath(store.path):
        raise InvalidInput("the backup cannot be the database itself")
    kept = f"{store.path}.before-restore-{session.today:%Y%m%d}-{os.getpid()}.bak"
    store.backup_to(kept)
    store.restore_from(file)
    typer.echo(_("Restored from {file}; the replaced database was kept as {kept}.", file=file, kept=kept))


@app.command()
@handles_errors
def check(fmt: FormatOption = "table") -> None:
    """Check the database file and the register's rules; exit 0 only when all hold.

    \b
    Checks: SQLite integrity and foreign keys; each done task has a completion date;
    each task has its creation event; each task's fields equal its journal replayed;
    no deadline before the assigned day without a note.

    \b
    Example:
      nqtrack check
    """
    from nqtrack.render import emit_rows

    fmt = check_format(fmt)
    store = session.store()
    problems = [{"task": None, "problem": p} for p in store.integrity_problems()]
    problems += [{"task": task, "problem": message} for task, message in store.invariant_problems()]
    if fmt in ("json", "csv") or problems:
        emit_rows(problems, [("task", _("No.")), ("problem", _("Problem"))], fmt,
                  json_data={"ok": not problems, "problems": problems})
    if fmt not in ("json", "csv"):
        typer.echo(_("{count} problems found.", count=len(problems)) if problems else _("All checks passed."))
    if problems:
        raise typer.Exit(1)


@app.command()
@handles_errors
def undo(
    last: Annotated[int, typer.Option("--last", help="Undo the last N changes (default 1).")] = 1,
    batch: Annotated[Optional[str], typer.Option("--batch", help="Undo a whole import (its batch, printed at the end of the import).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who records this (default: the OS user).")] = None,
) -> None:
    """Revert the last change(s) or a whole import; the undo is itself in the journal.

    \b
    Examples:
      nqtrack undo
      nqtrack undo --batch 3f2a9c1b7d4e
    """
    import uuid

    store = session.store()
    if last < 1:
        raise InvalidInput("--last takes a positive number")
    events = store.batch_events(batch) if batch else [e for group in store.last_changes(last) for e in group]
    if not events:
        raise NotFoundError("nothing to undo")
    with store.transaction():
        tasks = store.undo_events(events, by=who(by), recorded_at=session.recorded_at(), batch_id=f"undo-{uuid.uuid4().hex[:8]}")
    typer.echo(_("Undone: {count} events on tasks {tasks}.", count=len(events), tasks=", ".join(map(str, tasks))))


@app.command()
@handles_errors
def export(
    file: Annotated[str, typer.Argument(help="Where to write; '-' for standard output.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (the whole register with its journal; 'nqtrack import' rebuilds it) or csv (the tasks).")] = "json",
) -> None:
    """Write out the whole register.

    \b
    Examples:
      nqtrack export register.json
      nqtrack export --format csv tasks.csv
    """
    from nqtrack.render import csv_text, json_text

    store = session.store()
    if fmt == "json":
        data = {"format": "nqtrack-export", "version": 1, "schema": store.applied_migrations()}
        data.update({table: list(store.export_rows(table)) for table in store.EXPORT_TABLES})
        text = json_text(data)
    elif fmt == "csv":
        text = csv_text([task_row(t) for t in store.list_tasks()], TASK_ROW_KEYS)
    else:
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=fmt, formats="json, csv")
    if file == "-":
        sys.stdout.write(text)
    else:
        write_atomically(file, lambda stream: stream.write(text))
        typer.echo(_("Exported to {path}.", path=file))


@app.command()
@handles_errors
def remind(
    unit: Annotated[Optional[List[str]], typer.Option("--unit", help="Only this unit; repeatable.")] = None,
    within: Annotated[int, typer.Option("--within", help="Also urge tasks due within this many days (default 7).")] = 7,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown (default), text or docx.")] = "markdown",
    output_dir: Annotated[Optional[str], typer.Option("--output-dir", help="Write one file per unit into this folder.")] = None,
    send: Annotated[bool, typer.Option("--send", help="E-mail each notice to its unit's address (SMTP settings: nqtrack config).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written or sent, and to whom; record nothing.")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="Who records this (default: the OS user).")] = None,
) -> None:
    """Notices urging each lead unit about its overdue and soon-due tasks (đôn đốc).

    \b
    Each notice also lists the tasks the unit coordinates; each task urged gets a
    'reminded' event in the journal.

    \b
    Examples:
      nqtrack remind --output-dir don-doc/ --format docx
      nqtrack remind --unit VP --format text
      nqtrack remind --send --dry-run
    """
    import uuid
    from datetime import timedelta

    from nqtrack import remind as notices
    from nqtrack.core.backlog import build_backlog
    from nqtrack.core.collate import sort_key

    if fmt not in ("markdown", "text", "docx"):
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=fmt, formats="markdown, text, docx")
    if within < 0:
        raise InvalidInput("--within, --min-days and --limit take positive numbers")
    if fmt == "docx" and not output_dir and not send:
        raise InvalidInput("a DOCX notice needs --output-dir")
    store = session.store()
    today = session.today
    wanted = set(resolve_units(store, unit))
    rows = store.overdue_rows(today, today + timedelta(days=within))
    backlog = build_backlog(rows, today, within)
    units = {u.id: u for u in store.list_units()}
    by_unit: dict[int, dict[str, list]] = {}

    def notice_task(t):
        return notices.NoticeTask(
            id=t["id"], code=t["code"], title=t["title"], document=t["document"], deadline=t["deadline"],
            days_overdue=t["days_overdue"], lead_unit=t["lead_unit"], extended=t["extended"],
            original_deadline=t["original_deadline"],
        )

    for section, tasks in (("overdue", backlog.overdue), ("due_soon", backlog.due_soon)):
        for t in tasks:
            if t["lead_unit_id"] is not None:
                by_unit.setdefault(t["lead_unit_id"], {"overdue": [], "due_soon": [], "coordinating": []})[section].append(t)
            for other in (t.get("coordinating_unit_ids") or "").split(","):
                if other:
                    by_unit.setdefault(int(other), {"overdue": [], "due_soon": [], "coordinating": []})["coordinating"].append(t)
    office = store.get_setting("office") or ""
    place = store.get_setting("place") or "Hà Nội"
    built = []
    for unit_id in sorted(by_unit, key=lambda u: sort_key(units[u].name)):
        if wanted and unit_id not in wanted:
            continue
        sections = by_unit[unit_id]
        u = units[unit_id]
        built.append((u, sections, notices.Notice(
            unit=u.name, unit_code=u.code, email=u.email, office=office, place=place, day=today, within=within,
            overdue=[notice_task(t) for t in sections["overdue"]],
            due_soon=[notice_task(t) for t in sections["due_soon"]],
            coordinating=[notice_task(t) for t in sections["coordinating"]],
        )))
    if not built:
        typer.echo(_("No unit has overdue or soon-due tasks to urge."))
        return
    written = []
    for u, sections, notice in built:
        if output_dir:
            ext = {"markdown": "md", "text": "txt", "docx": "docx"}[fmt]
            path = os.path.join(output_dir, notices.file_name(notice, ext))
            written.append(path)
            if dry_run:
                continue
            os.makedirs(output_dir, exist_ok=True)
            if fmt == "docx":
                notices.write_docx(notice, path)
            else:
                body = notices.render_markdown(notice) if fmt == "markdown" else notices.render_text(notice)
                write_atomically(path, lambda stream, body=body: stream.write(body))
        elif not send:
            sys.stdout.write((notices.render_markdown(notice) if fmt == "markdown" else notices.render_text(notice)) + "\n")
    if send:
        send_notices(store, [notice for _u, _s, notice in built], [u for u, _s, _n in built], fmt, output_dir, dry_run)
    for path in written:
        typer.echo(_("Would write {path}", path=path) if dry_run else _("Written: {path}", path=path))
    if dry_run:
        return
    reminded: dict[int, list[str]] = {}
    for u, sections, _notice in built:
        for t in sections["overdue"] + sections["due_soon"] + sections["coordinating"]:
            reminded.setdefault(t["id"], []).append(u.name)
    with store.transaction():
        store.record_reminders({task: "; ".join(names) for task, names in reminded.items()}, day=today, by=who(by),
                               recorded_at=session.recorded_at(), batch_id=f"remind-{uuid.uuid4().hex[:8]}")
    typer.echo(_("{units} notices; {tasks} tasks urged, recorded in the journal.", units=len(built), tasks=len(reminded)))


def send_notices(store, notice_list, unit_list, fmt: str, output_dir: str | None, dry_run: bool) -> None:
    """E-mail each notice (its text as the body, the DOCX attached when written) to its unit."""
    from pathlib import Path

    from nqtrack import mailer
    from nqtrack import remind as notices

    settings = mailer.MailSettings(
        host=store.get_setting("smtp_host") or "",
        port=int(store.get_setting("smtp_port") or 587),
        starttls=(store.get_setting("smtp_starttls") or "yes").lower() not in ("no", "0", "false", "off"),
        sender=store.get_setting("smtp_sender") or "",
        user=store.get_setting("smtp_user") or None,
    )
    messages = []
    for unit_row, notice in zip(unit_list, notice_list):
        if not unit_row.email:
            typer.echo(_("No e-mail address for {unit}: not sent.", unit=unit_row.name))
            continue
        attachments = []
        if fmt == "docx" and output_dir and not dry_run:
            attachments.append(Path(output_dir) / notices.file_name(notice, "docx"))
        recipients = [a.strip() for a in unit_row.email.replace(";", ",").split(",") if a.strip()]
        messages.append(mailer.build_message(settings.sender, recipients, notices.subject(notice),
                                             notices.render_text(notice), attachments))
    for line in mailer.send_all(settings, messages, dry_run=dry_run):
        typer.echo(_("Would send: {line}", line=line) if dry_run else _("Sent: {line}", line=line))


@app.command()
@handles_errors
def review(
    issuer: Annotated[Optional[List[str]], typer.Option("--issuer", help="Only documents of this issuer (TW, CP, TTg, BTP…); repeatable.")] = None,
    doc_type: Annotated[Optional[List[str]], typer.Option("--type", help="Only documents of this kind (Nghị quyết, Kế hoạch…); repeatable.")] = None,
    issued_from: Annotated[Optional[str], typer.Option("--issued-from", help="Issued on or after this day.")] = None,
    issued_to: Annotated[Optional[str], typer.Option("--issued-to", help="Issued on or before this day.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Review every document: how far its tasks are carried out (rà soát).

    \b
    Documents that implement another are rolled up under it; totals per issuer
    and per type follow.

    \b
    Examples:
      nqtrack review
      nqtrack review --issuer TW --issued-from 01/01/2017 --format markdown
    """
    from nqtrack.core.review import build_review, flatten, totals_by
    from nqtrack.render_report import percent
    from nqtrack.core.text import fold
    from nqtrack.render import console, emit_rows

    fmt = check_format(fmt)
    store = session.store()
    start = parse_day(issued_from, "--issued-from")
    end = parse_day(issued_to, "--issued-to")
    issuers = {fold(i) for i in issuer or []}
    types = {fold(t) for t in doc_type or []}

    def wanted(row) -> bool:
        if issuers and fold(row["issuer"]) not in issuers:
            return False
        if types and fold(row["doc_type"]) not in types:
            return False
        if start and (not row["issued_on"] or row["issued_on"] < start.isoformat()):
            return False
        if end and (not row["issued_on"] or row["issued_on"] > end.isoformat()):
            return False
        return True

    roots = build_review(row for row in store.review_counts(session.today) if wanted(row))
    documents = flatten(roots)
    parents = {d.id: d.symbol for d in documents}
    rows = [
        {"id": d.id, "symbol": d.symbol, "parent": parents.get(d.parent_id), "depth": d.depth, "type": d.doc_type,
         "issuer": d.issuer, "issued_on": d.issued_on, "title": d.title, **d.counts, "done": d.done,
         "percent_done": d.percent_done, "status": d.status}
        for d in documents
    ]
    by_issuer = totals_by(roots, "issuer")
    by_type = totals_by(roots, "doc_type")
    if fmt == "json":
        emit_rows(rows, [], fmt, json_data={"as_of": session.today, "documents": rows, "by_issuer": by_issuer,
                                              "by_type": by_type})
        return
    count_columns = [
        ("total", _("Tasks")), ("done_on_time", _("Done on time")), ("done_late", _("Done late")),
        ("open_in_time", _("Open, in time")), ("overdue", _("Overdue")), ("cancelled", _("Cancelled")),
    ]
    if fmt == "csv":
        keys = ["id", "symbol", "parent", "depth", "type", "issuer", "issued_on", "title", "total", "done_on_time",
                "done_late", "open_in_time", "overdue", "cancelled", "percent_done", "status"]
        emit_rows(rows, [(k, k) for k in keys], fmt)
        return
    shown = [
        {**r, "symbol": "  " * r["depth"] + ("↳ " if r["depth"] else "") + r["symbol"],
         "issued_on": show_date(r["issued_on"]), "status": _(REVIEW_STATUS[r["status"]]),
         "percent_done": percent(r["percent_done"])}
        for r in rows
    ]
    columns = [("symbol", _("Symbol")), ("type", _("Type")), ("issued_on", _("Issued on"))] + count_columns + [
        ("percent_done", _("Done")), ("status", _("State"))]
    emit_rows(shown, columns, fmt, title=_("Review of documents on {day}", day=show_date(session.today.isoformat())),
              empty_message=_("No documents."))
    if not rows:
        return
    for heading, items, key in ((_("By issuer"), by_issuer, "issuer"), (_("By type"), by_type, "doc_type")):
        if fmt == "table":
            console().print()
        else:
            sys.stdout.write("\n")
        emit_rows([{**i, key: i[key] or "—"} for i in items],
                  [(key, _("Issuer") if key == "issuer" else _("Type")), ("documents", _("Documents"))] + count_columns,
                  fmt, title=heading)


REVIEW_STATUS = {"done": N_("fully carried out"), "in_progress": N_("being carried out"), "not_started": N_("not started")}


def main() -> None:
    app(prog_name="nqtrack")


if __name__ == "__main__":
    main()
