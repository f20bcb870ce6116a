"""Commands on users (`user …`): who is who, and their roles."""

from typing import Annotated, Any

import typer

from nqtrack.cli.app import FormatOption, LabelsOption, OutputOption, choose_output, command, session, user_app
from nqtrack.i18n import _

LoginArgument = Annotated[str, typer.Argument(metavar="LOGIN", help=(
    "The user's login: lower-case letters, digits and '_' (on PostgreSQL, the login role of that name)."))]
RoleOption = Annotated[str, typer.Option("--role", help="secretariat, leader or unit.")]
UserUnitOption = Annotated[str | None, typer.Option(
    "--unit", help="The user's unit (code, name or alias); required for a unit user.")]
NameOption = Annotated[str | None, typer.Option("--name", help="The person's name, e.g. 'Nguyễn Thị Lan'.")]


def _say_rights(engine: str) -> None:
    if engine == "sqlite":
        typer.echo(_("On SQLite this records who is who (for the journal and each unit's own view); rights are "
                     "enforced only by a PostgreSQL server."))


def _who(user: dict[str, Any]) -> str:
    role = _(user["role"])
    return f"{role}, {user['unit']}" if user.get("unit") else role


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A user or a user event as people read it: words, local times."""
    from nqtrack.render.task import local_time

    shown = {**row, "role": _(row["role"]) if row.get("role") else None}
    if row.get("kind"):
        shown["kind"] = _(row["kind"])
    for key in ("added_at", "removed_at", "recorded_at"):
        if row.get(key):
            shown[key] = local_time(row[key])
    return shown


@command(user_app, "add")
def user_add(login: LoginArgument, role: RoleOption, unit: UserUnitOption = None, name: NameOption = None) -> None:
    """Add a user: a login with its role (secretariat, leader or unit) and, for a unit user, its unit.

    \b
    A secretariat user does everything; a leader reads everything and writes nothing; a
    unit user sees the tasks its unit leads or coordinates and records, on those it leads,
    progress, notes, products, assignees, proposed completions and extension requests.

    \b
    Examples:
      nqtrack user add lan --role unit --unit VP --name "Nguyễn Thị Lan"
      nqtrack user add hung --role leader --name "Trần Văn Hùng"
      nqtrack user add mai --role secretariat --unit VP
    """
    from nqtrack.app import users

    done = users.add(session.context(), login, role, unit, name)
    typer.echo(_("User {login} added: {who}.", login=done.user["login"], who=_who(done.user)))
    _say_rights(done.engine)


@command(user_app, "remove")
def user_remove(login: LoginArgument) -> None:
    """Remove a user: it acts no more; the journal still names it.

    \b
    Example:
      nqtrack user remove lan
    """
    from nqtrack.app import users

    done = users.remove(session.context(), login)
    typer.echo(_("User {login} removed.", login=done.user["login"]))
    _say_rights(done.engine)


@command(user_app, "list")
def user_list(
    all_: Annotated[bool, typer.Option("--all", help="Also the users removed.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Who added or removed whom, and when.")] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """List the users and their roles (or, with --history, every addition and removal).

    \b
    Examples:
      nqtrack user list
      nqtrack user list --history --format csv
    """
    from nqtrack.app import users
    from nqtrack.render.tables import emit_rows

    out = choose_output(fmt, output, labels)
    ctx = session.context()
    rows = users.history(ctx) if history else users.listing(ctx, include_removed=all_)
    if out.human or out.fmt == "xlsx":
        rows = [_shown(row) for row in rows]
    columns = [("login", _("Login")), ("role", _("Role")), ("unit", _("Unit")), ("name", _("Name"))]
    if history:
        columns = [("recorded_at", _("Recorded")), ("recorded_by", _("By")), ("kind", _("Event")), *columns]
    else:
        columns += [("added_at", _("Added")), ("added_by", _("By")), ("removed_at", _("Removed"))]
    with out.text():
        emit_rows(rows, columns, out, title=_("Users") if out.fmt == "xlsx" else None,
                  empty_message=_("No users: the register is kept by one secretariat."))
