"""The command line: one module per area; each command parses its options, calls one use
case of `nqtrack.app` and renders what it returns with `nqtrack.render`.

Heavy modules (the store, sqlite-utils, Rich, tabulate, the importers) are imported inside
the commands that need them, so that `nqtrack --help` and the morning `nqtrack overdue`
start fast.
"""

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

__all__ = ["app", "main"]

# The order of `nqtrack --help`: the day's work first, the register's care after.
HELP_ORDER = ("init", "info", "assign", "update", "edit", "void", "list", "show", "overdue", "report", "evaluate",
              "dashboard", "config", "import", "backup", "restore", "check", "undo", "export", "copy", "remind",
              "review", "recur", "confirm", "reject", "request-extension", "approve", "deny", "sheet")
app.registered_commands.sort(key=lambda info: HELP_ORDER.index(info.name or ""))


def main() -> None:
    app(prog_name="nqtrack")
