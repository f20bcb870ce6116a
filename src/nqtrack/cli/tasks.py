"""Commands on tasks: assign, update, list, show."""

from typing import Annotated

import typer

from nqtrack.cli.app import (
    ByOption,
    DocumentOption,
    FormatOption,
    SourceOption,
    UnitOption,
    check_format,
    command,
    parse_day,
    session,
)
from nqtrack.i18n import _


@command()
def assign(
    title_or_task: Annotated[str, typer.Argument(
        metavar="TITLE|TASK", help="The new task's title, or the number or code of a task to re-assign.")],
    doc: Annotated[str | None, typer.Option("--doc", help="The document that gives the task (its symbol).")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="Lead unit (đơn vị chủ trì).")] = None,
    with_: Annotated[list[str] | None, typer.Option(
        "--with", help="Coordinating unit (đơn vị phối hợp); repeatable.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Assignee (người thực hiện).")] = None,
    due: Annotated[str | None, typer.Option(
        "--due", help="Deadline: a date (day first) or a text such as 'Quý II/2026'.")] = None,
    product: Annotated[str | None, typer.Option("--product", help="What the task must produce.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Who gave the task, e.g. 'Thủ tướng Chính phủ'.")] = None,
    assigned_on: Annotated[str | None, typer.Option(
        "--assigned-on", help="The day it was given (default today).")] = None,
    code: Annotated[str | None, typer.Option("--code", help="An external code, unique.")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="For a re-assignment: the day it takes effect (default today).")] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Assign even when the same task (document, title, lead unit) is already open.")] = False,
    by: ByOption = None,
) -> None:
    """Give a new task to a lead unit, or re-assign an existing task.

    \b
    Examples:
      nqtrack assign "Xây dựng kế hoạch thực hiện" --doc 07-NQ/ĐUK --lead VP --with TCCB --due 30/06/2026
      nqtrack assign 12 --lead KHTC --with VP
    """
    from nqtrack.app import tasks

    request = tasks.Assignment(
        title_or_task, lead=lead, coordinating=with_, assignee=to, document=doc, due=due, product=product,
        source=source, assigned_on=parse_day(assigned_on, "--assigned-on"), code=code, on=parse_day(on, "--on"),
        again=again)
    done = tasks.assign(session.context(by), request)
    created = _("Task {id} created.", id=done.task_id)
    typer.echo(created if done.created else _("Task {id} re-assigned.", id=done.task_id))


@command()
def update(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    state: Annotated[str | None, typer.Option(
        "--state", help="new, in_progress, done, paused or cancelled (Vietnamese names too).")] = None,
    progress: Annotated[str | None, typer.Option("--progress", help="Per cent done, 0-100 ('50' or '50%').")] = None,
    on: Annotated[str | None, typer.Option(
        "--on", help="The day the change takes effect (default today); with --state done, the completion date.")
    ] = None,
    deadline: Annotated[str | None, typer.Option(
        "--deadline", help="A new deadline (extension); needs --reason.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the deadline changes.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the journal.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="The product (e.g. the report submitted).")] = None,
    by: ByOption = None,
) -> None:
    """Record progress, completion, an extension, a product or a note.

    \b
    Examples:
      nqtrack update 12 --state done --on 15/10/2022 --product "Báo cáo số 45/BC-VP"
      nqtrack update NV-2022-0007 --deadline 31/12/2022 --reason "Theo Thông báo 123/TB-VP"
    """
    from nqtrack.app import tasks

    request = tasks.Update(state=state, progress=progress, on=parse_day(on, "--on"), deadline=deadline,
                           reason=reason, note=note, product=product)
    done = tasks.update(session.context(by), task, request)
    if done.changed:
        from nqtrack.render.task import field_names

        typer.echo(_("Task {id} updated: {fields}.", id=done.task_id, fields=field_names(done.changed)))
    elif done.noted:
        typer.echo(_("Task {id}: note recorded.", id=done.task_id))
    else:
        typer.echo(_("Task {id}: nothing changed.", id=done.task_id))


@command(name="list")
def list_(
    unit: UnitOption = None,
    source: SourceOption = None,
    document: DocumentOption = None,
    state: Annotated[list[str] | None, typer.Option("--state", help="State; repeatable.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tasks overdue today.")] = False,
    due_before: Annotated[str | None, typer.Option("--due-before", help="Deadline on or before this day.")] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", help="Deadline on or after this day.")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "--text", help="Words in the title or code, accents optional.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many tasks.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also the tasks voided (entered in error), marked.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """List tasks, filtered.

    \b
    Example:
      nqtrack list --unit VP --state in_progress --search "bao cao"
    """
    from nqtrack.app import tasks
    from nqtrack.render.task import emit_tasks

    fmt = check_format(fmt)
    query = tasks.TaskQuery(
        units=unit or (), sources=source or (), documents=document or (), states=state or (), overdue=overdue,
        due_before=parse_day(due_before, "--due-before"), due_after=parse_day(due_after, "--due-after"),
        search=search, limit=limit, include_voided=all_)
    emit_tasks(tasks.listing(session.context(), query), fmt, empty_message=_("No tasks."))


@command()
def show(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Show the fields as they were on this day, rebuilt from the journal.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Show every field of a task and its full history from the journal.

    \b
    Example:
      nqtrack show 12
      nqtrack show NV-2022-0007 --as-of 30/09/2022
    """
    from nqtrack.app import tasks
    from nqtrack.render.task import emit_task

    fmt = check_format(fmt)
    emit_task(tasks.show(session.context(), task, parse_day(as_of, "--as-of")), fmt)


@command()
def void(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why it was entered in error (required).")] = None,
    by: ByOption = None,
) -> None:
    """Void a task entered in error: it leaves every count, list and review.

    \b
    A cancelled task is work called off and keeps its own line in reports; a voided
    task never was. 'nqtrack undo TASK' restores it; 'list --all' and 'show' still show it.

    \b
    Example:
      nqtrack void 12 --reason "Nhập trùng với nhiệm vụ 11"
    """
    from nqtrack.app import tasks

    task_id = tasks.void(session.context(by), task, reason)
    typer.echo(_("Task {id} voided: it is left out of every count, list and review.", id=task_id))


TitleFix = Annotated[str | None, typer.Option("--title", help="The right title.")]
DocFix = Annotated[str | None, typer.Option(
    "--doc", help="The right document (SYMBOL, SYMBOL@dd/mm/yyyy or #ID); '-' for none.")]
SourceFix = Annotated[str | None, typer.Option("--source", help="The right source (who gave the task); '-' for none.")]
LeadFix = Annotated[str | None, typer.Option("--lead", help="The right lead unit.")]
WithFix = Annotated[list[str] | None, typer.Option(
    "--with", help="The right coordinating units, all of them (repeatable); '-' for none.")]
ToFix = Annotated[str | None, typer.Option("--to", help="The right assignee; '-' for none.")]
AssignedOnFix = Annotated[str | None, typer.Option("--assigned-on", help="The right day it was given; '-' for none.")]
DueFix = Annotated[str | None, typer.Option(
    "--due", help="The right deadline, as written ('Quý II/2026', a date); '-' for none.")]
ProductFix = Annotated[str | None, typer.Option("--product", help="The right product; '-' for none.")]
CodeFix = Annotated[str | None, typer.Option("--code", help="The right code; '-' for none.")]
ReasonFix = Annotated[str | None, typer.Option("--reason", help="Why (noted in the journal).")]


@command()
def edit(
    task: Annotated[str, typer.Argument(help="The task's number or code.")],
    title: TitleFix = None, doc: DocFix = None, source: SourceFix = None, lead: LeadFix = None,
    with_: WithFix = None, to: ToFix = None, assigned_on: AssignedOnFix = None, due: DueFix = None,
    product: ProductFix = None, code: CodeFix = None, reason: ReasonFix = None, by: ByOption = None,
) -> None:
    """Correct what was typed wrong: a correction of data entry, not a change of the work.

    \b
    Each field corrected is journaled (kind 'corrected') and holds on every day: reports
    rebuilt --known-on a day before the correction stay as they were sent. To record an
    extension use 'update --deadline'; to re-assign, 'assign TASK --lead'.

    \b
    Examples:
      nqtrack edit 12 --title "Xây dựng Kế hoạch thực hiện Nghị quyết 07-NQ/ĐUK" --reason "Gõ nhầm"
      nqtrack edit NV-2022-0007 --lead "Sở Tài chính" --with "Sở Nội vụ" --due "Quý III/2022"
    """
    from nqtrack.app import tasks
    from nqtrack.render.task import field_names

    request = tasks.Correction(title=title, document=doc, source=source, lead=lead, coordinating=with_,
                               assignee=to, assigned_on=assigned_on, due=due, product=product, code=code,
                               reason=reason)
    done = tasks.edit(session.context(by), task, request)
    if done.changed:
        typer.echo(_("Task {id} corrected: {fields}.", id=done.task_id, fields=field_names(done.changed)))
    else:
        typer.echo(_("Task {id}: nothing changed.", id=done.task_id))
