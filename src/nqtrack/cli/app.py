"""The command line's frame: the Typer apps, the global options, the session they set up,
the options several commands share (declared once, with one help text each), and the
one place where a user's error becomes one translated line and an exit status.

No `from __future__ import annotations` in the cli package: Typer reads the annotations
when it builds the command tree, and string annotations would cost it an evaluation each.
"""

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar

import typer

from nqtrack import __version__
from nqtrack.cli.help import HelpCommand, HelpGroup
from nqtrack.core.errors import InvalidInput, UserError
from nqtrack.core.text import inert
from nqtrack.i18n import LANGUAGES, _, set_language, translate_reason

# -h as well as --help, on every command (click passes it down to the commands' contexts)
HELP_OPTIONS = {"help_option_names": ["--help", "-h"]}

app = typer.Typer(
    name="nqtrack",
    cls=HelpGroup,
    context_settings=HELP_OPTIONS,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="""Track how the tasks assigned by resolutions and documents are carried out.

\b
Example:
  nqtrack --db register.db init
  nqtrack --db register.db import examples/tasks.csv
  nqtrack --db register.db overdue""",
)
unit_app = typer.Typer(
    cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None,
    help="""Units (đơn vị): add, list, show, correct, rename, merge.

\b
Example:
  nqtrack unit list""",
)
doc_app = typer.Typer(
    cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None,
    help="""Documents (văn bản): add, list, show, correct, merge.

\b
Example:
  nqtrack doc list""",
)
calendar_app = typer.Typer(
    cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None,
    help="""The office's calendar: its own days off and make-up working days over the national holidays.

\b
Example:
  nqtrack calendar list --year 2024""",
)
user_app = typer.Typer(
    cls=HelpGroup, no_args_is_help=True, rich_markup_mode=None,
    help="""Users and their roles (secretariat, leader, unit): who is who in a register kept by many units.

\b
Example:
  nqtrack user add lan --role unit --unit VP --name "Nguyễn Thị Lan"
  nqtrack user list""",
)
app.add_typer(unit_app, name="unit", cls=HelpGroup)
app.add_typer(user_app, name="user", cls=HelpGroup)
app.add_typer(doc_app, name="doc", cls=HelpGroup)
app.add_typer(calendar_app, name="calendar", cls=HelpGroup)

F = TypeVar("F", bound=Callable[..., Any])


def command(typer_app: typer.Typer = app, name: str | None = None) -> Callable[[F], F]:
    """Register a command whose help page is translated and whose user errors end in one line."""

    def register(fn: F) -> F:
        typer_app.command(name or fn.__name__.strip("_").replace("_", "-"), cls=HelpCommand)(handles_errors(fn))
        return fn

    return register


# -- the session: what the global options decided ---------------------------------------------


@dataclass
class Session:
    db_path: str = ""
    today: date = field(default_factory=date.today)
    lang: str = "vi"
    busy_timeout: float = 10.0
    in_data_folder: bool = False  # no --db nor $NQTRACK_DB: the per-user data folder
    user: str | None = None  # --user: the login acting (else the account running the command)
    _store: Any = None

    def store(self, create: bool = False) -> Any:
        """The register, opened on first use; made only with `create` (init, import --create,
        restore --create): a mistyped --db never becomes an empty register."""
        if self._store is None:
            from nqtrack.store import open_store

            if create and self.in_data_folder:  # nqtrack's own folder, not one a user typed
                os.makedirs(os.path.dirname(self.db_path), mode=0o700, exist_ok=True)
            self._store = open_store(self.db_path, busy_timeout=self.busy_timeout, create=create)
            if self._store.newer_schema is not None:
                typer.echo(f"{_('Warning')}: {inert(user_message(self._store.read_only), one_line=True)}", err=True)
        return self._store

    def context(self, by: str | None = None, *, create: bool = False) -> Any:
        """The use cases' context: the register, the business day, the moment of recording, who records."""
        from nqtrack.app.context import Context, default_recorder, now_utc

        account = default_recorder()
        return Context(lambda: self.store(create), self.today, now_utc(), by or self.user or account,
                       login=self.user or account, login_given=bool(self.user))

    def user_error_of(self, exc: Exception) -> UserError | None:
        """The user's error that an exception met while reading the register stands for (its
        damaged file: a page read anywhere, a statement or a row fetched later), or None."""
        return self._store.user_error_of(exc) if self._store is not None else None

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
    typer.echo(f"{_('Error')}: {inert(message, one_line=True)}", err=True)  # it may quote what was typed or stored
    raise typer.Exit(code)


def user_message(exc: UserError) -> str:
    """The error in the chosen language, with a parser's reason translated too and its days
    written as the language writes them (21/10/2022, or 2022-10-21)."""
    from nqtrack.core.dates import format_date
    from nqtrack.i18n import language

    def shown(key: str, value: object) -> object:
        if isinstance(value, UserError):  # an error given as the reason of another
            return user_message(value)
        if isinstance(value, date):
            return format_date(value, language())
        if key == "reason" and isinstance(value, str):
            return translate_reason(value)
        if key == "problems" and isinstance(value, tuple):  # (task, problem) as `check` finds them
            from nqtrack.render.problems import problems_line

            return problems_line(value)
        return value

    args = {k: shown(k, v) for k, v in exc.args_.items()}
    return _(exc.message, **args) if args else _(exc.message)


def handles_errors(fn: F) -> F:
    """Turn the errors a user can cause into one translated line and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            fail(user_message(exc), exc.exit_code)
        except Exception as exc:
            said = session.user_error_of(exc)
            if said is None:
                raise
            fail(user_message(said), said.exit_code)
        finally:
            session.close()

    return wrapper  # type: ignore[return-value]


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from nqtrack.core.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise InvalidInput("bad date for {option}: {reason}", option=option, reason=str(exc)) from None


def check_format(fmt: str | None) -> str:
    """A format for standard output only (no --output): table, markdown, csv or json."""
    from nqtrack.render.output import choose

    return choose(fmt, None, ("table", "markdown", "csv", "json")).fmt


def choose_output(fmt: str | None, output: str | None, labels: bool = False,
                  allowed: tuple[str, ...] | None = None, default: str = "table", reading: tuple[str, ...] = ()) -> Any:
    """The format (`--format`, else the `--output` file's extension, else `default`) and where it
    goes: a file is checked now by the guard of every file written (never the register, nor
    a file in `reading`)."""
    from nqtrack.render.output import LISTING_FORMATS, choose

    return choose(fmt, output, allowed or LISTING_FORMATS, labels=labels, default=default,
                  database=session.db_path, reading=reading)


# -- options several commands share ------------------------------------------------------------

FormatOption = Annotated[str | None, typer.Option(
    "--format", "-f", help="table, markdown, csv, json or xlsx (default: from the --output file's name, else table).",
    metavar="FORMAT")]
PlainFormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="table, markdown, csv or json.", metavar="FORMAT")]
OutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write to this file (whole or not at all); its name (.xlsx, .md, .csv, .json) chooses the "
    "format.", metavar="FILE")]
LabelsOption = Annotated[bool, typer.Option(
    "--labels", help="CSV for people: the table's columns, headers in the chosen language, dates as it writes them.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who records this (default: the OS user).")]
SourceOption = Annotated[list[str] | None, typer.Option("--source", help="Only tasks from this source; repeatable.")]
DocumentOption = Annotated[
    list[str] | None, typer.Option("--document", "--doc", help="Only tasks of this document; repeatable.")]
UnitOption = Annotated[
    list[str] | None, typer.Option("--unit", help="Only this unit (code, name or alias); repeatable.")]


# -- the global options ---------------------------------------------------------------------------


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"nqtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[str | None, typer.Option(
        "--db", help="The SQLite file, or a postgresql:// URL (a shared server). Default: $NQTRACK_DB, else the "
                "per-user data folder.", metavar="PATH|URL")] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="The day to treat as today (YYYY-MM-DD). Also $NQTRACK_TODAY.", metavar="DATE")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Language of labels and messages: vi (default) or en. Also $NQTRACK_LANG.",
        metavar="vi|en")] = None,
    busy_timeout: Annotated[float | None, typer.Option(
        "--busy-timeout", help="Seconds to wait for a locked database (default 10). Also $NQTRACK_BUSY_TIMEOUT.",
        metavar="SECONDS")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="The user acting (a login of 'nqtrack user add'). Default: $NQTRACK_USER, else the account "
        "running nqtrack.", metavar="LOGIN")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Print the version.")] = False,
) -> None:
    db_path = db or default_db_path()
    try:
        stored = None
        if not lang and not os.environ.get("NQTRACK_LANG"):
            from nqtrack.store import peek_setting

            stored = peek_setting(db_path, "lang")
            stored = stored if stored in LANGUAGES else None  # unusable: `check` says so
        session.lang = set_language(lang, stored=stored)
    except ValueError:
        set_language("en")
        fail(_("unknown language '{lang}'; use vi or en", lang=lang or os.environ.get("NQTRACK_LANG")))
    session.db_path = db_path
    session.in_data_folder = not db and not os.environ.get("NQTRACK_DB")
    session._store = None
    session.user = user or os.environ.get("NQTRACK_USER") or None
    try:
        session.busy_timeout = parse_busy_timeout(busy_timeout, os.environ.get("NQTRACK_BUSY_TIMEOUT"))
        session.today = parse_day(today or os.environ.get("NQTRACK_TODAY"), "--today") or date.today()
    except UserError as exc:
        fail(user_message(exc), exc.exit_code)


def warn_unset(keys: list[str]) -> None:
    """One line on standard error, before anything is written, naming the settings of an
    official document's heading and signature that are not set (they are left blank)."""
    if keys:
        typer.echo(_("Warning: not set, left blank: {keys} (nqtrack config KEY VALUE).", keys=", ".join(keys)),
                   err=True)


MAX_BUSY_TIMEOUT = 86400.0


def parse_busy_timeout(given: float | None, env: str | None) -> float:
    """--busy-timeout, else $NQTRACK_BUSY_TIMEOUT, else 10 seconds: a number from 0 to a day."""
    value: float = 10.0
    if given is not None:
        value = given
    elif env:
        try:
            value = float(env)
        except ValueError:
            value = float("nan")
    if not 0 <= value <= MAX_BUSY_TIMEOUT:  # also NaN
        raise InvalidInput("--busy-timeout takes seconds from 0 to {max}", max=int(MAX_BUSY_TIMEOUT))
    return value


def write_out(text: str) -> None:
    sys.stdout.write(text)
