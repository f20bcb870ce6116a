"""What units ask and the secretariat answers: confirm, reject (a proposed completion),
request-extension, approve, deny; and each unit's own sheet (`sheet`)."""

from typing import Annotated

import typer

from nqtrack.cli.app import command, parse_day, session
from nqtrack.i18n import _

TasksArgument = Annotated[list[str], typer.Argument(help="The tasks' numbers or codes.", metavar="TASK...")]
TaskArgument = Annotated[str, typer.Argument(help="The task's number or code.")]
SendBackReason = Annotated[str | None, typer.Option("--reason", help="Why it is sent back (required).")]


@command()
def confirm(
    tasks: TasksArgument,
    on: Annotated[str | None, typer.Option("--on", help=(
        "The completion day, when it is not the day the unit proposed."))] = None,
) -> None:
    """Confirm the completion a unit proposed (xác nhận hoàn thành): the task is done on the proposed day.

    \b
    The completion counts from the moment it is confirmed: a report --known-on a day
    before the confirmation does not count it; one made after counts it on the day
    the work was finished.

    \b
    Examples:
      nqtrack confirm 12
      nqtrack confirm 12 NV-2022-0007 --on 10/11/2022
    """
    from nqtrack.app import requests
    from nqtrack.render.tables import show_day

    for done in requests.confirm(session.context(), tasks, parse_day(on, "--on")):
        typer.echo(_("Task {id}: completion confirmed, done on {day}.", id=done.task_id, day=show_day(done.day)))


@command()
def reject(task: TaskArgument, reason: SendBackReason = None) -> None:
    """Send a proposed completion back to its unit, with the reason (trả lại).

    \b
    Example:
      nqtrack reject 12 --reason "Chưa có sản phẩm: báo cáo chưa được ký ban hành"
    """
    from nqtrack.app import requests

    done = requests.send_back(session.context(), task, "proposed", reason)
    typer.echo(_("Task {id}: proposed completion sent back.", id=done.task_id))


@command(name="request-extension")
def request_extension(
    task: TaskArgument,
    to: Annotated[str, typer.Option("--to", help="The deadline asked for: a date, or a text such as 'Quý II/2026'.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required).")] = None,
) -> None:
    """Ask for a later deadline (đề nghị gia hạn); only the secretariat's approval changes it.

    \b
    A unit user asks for the tasks its unit leads; the secretariat records a unit's
    letter the same way.

    \b
    Example:
      nqtrack request-extension 12 --to 31/12/2022 --reason "Chờ ý kiến của Bộ Tài chính"
    """
    from nqtrack.app import requests
    from nqtrack.render.tables import show_day

    done = requests.request_extension(session.context(), task, to, reason)
    typer.echo(_("Task {id}: extension to {day} requested, awaiting approval.", id=done.task_id,
                 day=show_day(done.day) if done.day else to))


@command()
def approve(
    tasks: TasksArgument,
    on: Annotated[str | None, typer.Option("--on", help="The day the extension is granted (default today).")] = None,
) -> None:
    """Approve the extension a unit asked for (phê duyệt gia hạn): the deadline moves, the original is kept.

    \b
    Examples:
      nqtrack approve 12
      nqtrack approve 12 15 --on 14/11/2022
    """
    from nqtrack.app import requests
    from nqtrack.render.tables import show_day

    for done in requests.approve(session.context(), tasks, parse_day(on, "--on")):
        typer.echo(_("Task {id}: extension approved, deadline {day}.", id=done.task_id,
                     day=show_day(done.day) if done.day else "—"))


@command()
def deny(task: TaskArgument, reason: SendBackReason = None) -> None:
    """Deny an extension request, with the reason; the deadline stays.

    \b
    Example:
      nqtrack deny 12 --reason "Nhiệm vụ Thủ tướng giao, không gia hạn"
    """
    from nqtrack.app import requests

    done = requests.send_back(session.context(), task, "extension_requested", reason)
    typer.echo(_("Task {id}: extension request denied.", id=done.task_id))


@command()
def sheet(
    unit: Annotated[str, typer.Argument(help="The unit (code, name or alias).")],
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="The workbook to write (.xlsx); default: standard output when it is not a terminal.",
        metavar="FILE")] = None,
) -> None:
    """Write a unit's own sheet (phiếu cập nhật): its open tasks, for it to fill and send back.

    \b
    The columns the unit fills (progress, what was done, the day it was finished,
    the product, the deadline it asks for and why) are unlocked; the others are
    locked. The sheet is signed: 'nqtrack import' of the returned file records the
    unit's entries as its proposals and requests, and refuses an edited sheet whole.

    \b
    Examples:
      nqtrack sheet VP --output phieu-VP.xlsx
      nqtrack import phieu-VP.xlsx
    """
    from nqtrack.app import sheets
    from nqtrack.cli.app import choose_output
    from nqtrack.render import sheet as render

    out = choose_output(None, output, allowed=("xlsx",), default="xlsx")
    made = sheets.build(session.context(), unit)
    out.write_bytes(render.workbook(made))
    if out.to_file:
        typer.echo(_("Sheet of {unit} written: {path} ({count} tasks).", unit=made.unit, path=output,
                     count=len(made.rows)))
