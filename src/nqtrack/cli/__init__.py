"""The command line: one module per area; each command parses its options, calls one use
case of `nqtrack.app` and renders what it returns with `nqtrack.render`.

Heavy modules (the store, sqlite-utils, Rich, tabulate, the importers) are imported inside
the commands that need them, so that `nqtrack --help` and the morning `nqtrack overdue`
start fast.
"""

import sys

from nqtrack.cli import (  # noqa: F401  (they register the commands)
    calendar,
    notices,
    register,
    requests,
    tasks,
    units,
    users,
    views,
)
from nqtrack.cli.app import app

__all__ = ["app", "invoked_command", "main"]

# The main options (cli.app.main_options) that take a value: their values are not commands.
VALUE_OPTIONS = ("--db", "--today", "--lang", "--busy-timeout", "--user")

# The order of `nqtrack --help`: the day's work first, the register's care after.
HELP_ORDER = ("init", "info", "assign", "update", "edit", "void", "list", "show", "overdue", "report", "evaluate",
              "dashboard", "config", "import", "backup", "restore", "check", "undo", "export", "copy", "remind",
              "review", "recur", "confirm", "reject", "request-extension", "approve", "deny", "sheet")
app.registered_commands.sort(key=lambda info: HELP_ORDER.index(info.name or ""))


def invoked_command(argv: list[str]) -> str | None:
    """The command a command line names: its first word past the main options, or None."""
    args = iter(argv)
    for arg in args:
        if arg in VALUE_OPTIONS:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    # Only the command run is built: Typer turns the signature of every command it is given
    # into Click parameters, ~25 ms for all of them (cProfile), where one needs ~1 ms. A line
    # naming no known command (`--help`, a typing slip) gets them all, to list or suggest.
    name = invoked_command(sys.argv[1:])
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if commands or groups:
        app.registered_commands, app.registered_groups = commands, groups
    app(prog_name="nqtrack")
