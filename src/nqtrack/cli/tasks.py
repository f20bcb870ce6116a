"""Commands on tasks: assign, update, list, show."""

from typing import Annotated, Any

import typer

from nqtrack.cli.app import (
    ByOption,
    DocumentOption,
    FormatOption,
    LabelsOption,
    OutputOption,
    SourceOption,
    UnitOption,
    choose_output,
    command,
    parse_day,
    session,
)
from nqtrack.i18n import _

TitleOrTask = Annotated[str, typer.Argument(
    metavar="TITLE|TASK", help="The new task's title, or the number or code of a task to re-assign.")]
DocOption = Annotated[str | None, typer.Option("--doc", help="The document that gives the task (its symbol).")]
LeadOption = Annotated[str | None, typer.Option("--lead", help="Lead unit (đơn vị chủ trì).")]
WithOption = Annotated[list[str] | None, typer.Option(
    "--with", help="Coordinating unit (đơn vị phối hợp); repeatable.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Assignee (người thực hiện).")]
DueOption = Annotated[str | None, typer.Option("--due", help=(
    "Deadline: a date (day first), a text such as 'Quý II/2026', a period such as 'trong 10 ngày làm việc kể từ "
    "ngày giao', or a periodic one such as 'Hằng tháng, trước ngày 20' (a series)."))]
ProductOption = Annotated[str | None, typer.Option("--product", help="What the task must produce.")]
GivenByOption = Annotated[str | None, typer.Option("--source", help="Who gave the task, e.g. 'Thủ tướng Chính phủ'.")]
AssignedOnOption = Annotated[str | None, typer.Option("--assigned-on", help="The day it was given (default today).")]
CodeOption = Annotated[str | None, typer.Option("--code", help="An external code, unique.")]
ReassignOnOption = Annotated[str | None, typer.Option(
    "--on", help="For a re-assignment: the day it takes effect (default today).")]
EveryOption = Annotated[str | None, typer.Option("--every", help=(
    "A series of periodic tasks: one task every month, quarter, half or year (with --day)."))]
DayOption = Annotated[int | None, typer.Option(
    "--day", help="With --every: the day of the period's last month each task is due.")]


@command()
def assign(
    title_or_task: TitleOrTask,
    doc: DocOption = None,
    lead: LeadOption = None,
    with_: WithOption = None,
    to: ToOption = None,
    due: DueOption = None,
    product: ProductOption = None,
    source: GivenByOption = None,
    assigned_on: AssignedOnOption = None,
    code: CodeOption = None,
    on: ReassignOnOption = None,
    every: EveryOption = None,
    day: DayOption = None,
    by: ByOption = None,
) -> None:
    """Give a new task to a lead unit, or re-assign an existing task.

    \b
    Examples:
      nqtrack assign "Xây dựng kế hoạch thực hiện" --doc 07-NQ/ĐUK --lead VP --with TCCB --due 30/06/2026
      nqtrack assign "Báo cáo tình hình" --lead VP --due "trong 10 ngày làm việc kể từ ngày giao"
      nqtrack assign "Báo cáo tháng" --lead VP --every month --day 20
      nqtrack assign 12 --lead KHTC --with VP
    """
    from nqtrack.app import tasks

    request = tasks.Assignment(
        title_or_task, lead=lead, coordinating=with_, assignee=to, document=doc, due=due, product=product,
        source=source, assigned_on=parse_day(assigned_on, "--assigned-on"), code=code, on=parse_day(on, "--on"),
        every=every, day=day)
    _say_assigned(tasks.assign(session.context(by), request))


def _say_assigned(done: Any) -> None:
    if done.series:
        typer.echo(_("Series {series} created; tasks opened so far: {tasks}.", series=done.series,
                     tasks=", ".join(done.opened) or "—"))
    elif done.created:
        typer.echo(_("Task {id} created.", id=done.task_id))
    else:
        typer.echo(_("Task {id} re-assigned.", id=done.task_id))


@command()
def update(
    task: Annotated[str, typer.Argument(help="The task's number or code, or a series (S3, or its code).")],
    state: Annotated[str | None, typer.Option(
        "--state", help="new, in_progress, done, paused or cancelled (Vietnamese names too).")] = None,
    progress: Annotated[int | None, typer.Option("--progress", help="Per cent done, 0-100.")] = None,
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
    """Record progress, completion, an extension, a product or a note; or end a series.

    \b
    Examples:
      nqtrack update 12 --state done --on 15/10/2022 --product "Báo cáo số 45/BC-VP"
      nqtrack update NV-2022-0007 --deadline 31/12/2022 --reason "Theo Thông báo 123/TB-VP"
      nqtrack update S3 --state cancelled --on 10/05/2024
    """
    from nqtrack.app import tasks
    from nqtrack.render.tables import show_day

    request = tasks.Update(state=state, progress=progress, on=parse_day(on, "--on"), deadline=deadline,
                           reason=reason, note=note, product=product)
    done = tasks.update(session.context(by), task, request)
    if done.ended:
        typer.echo(_("Series {series} ends on {day}; tasks of later periods cancelled: {tasks}.",
                     series=done.ended.series, day=show_day(done.ended.ends_on),
                     tasks=", ".join(done.ended.cancelled) or "—"))
    elif done.changed:
        typer.echo(_("Task {id} updated: {fields}.", id=done.task_id, fields=", ".join(done.changed)))
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
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """List tasks, filtered.

    \b
    Examples:
      nqtrack list --unit VP --state in_progress --search "bao cao"
      nqtrack list --unit VP --output nhiem-vu-VP.xlsx
    """
    from nqtrack.app import tasks
    from nqtrack.render.task import emit_tasks

    out = choose_output(fmt, output, labels)
    query = tasks.TaskQuery(
        units=unit or (), sources=source or (), documents=document or (), states=state or (), overdue=overdue,
        due_before=parse_day(due_before, "--due-before"), due_after=parse_day(due_after, "--due-after"),
        search=search, limit=limit)
    found = tasks.listing(session.context(), query)
    with out.text():
        emit_tasks(found, out, empty_message=_("No tasks."))


@command()
def show(
    task: Annotated[str, typer.Argument(help="The task's number or code, or a series (S3, or its code).")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Show the fields as they were on this day, rebuilt from the journal.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Show every field of a task and its full history from the journal; or a series and its tasks.

    \b
    Example:
      nqtrack show 12
      nqtrack show NV-2022-0007 --as-of 30/09/2022
      nqtrack show S3
    """
    from nqtrack.app import tasks
    from nqtrack.render.series import emit_series
    from nqtrack.render.task import emit_task

    out = choose_output(fmt, output)
    shown = tasks.show(session.context(), task, parse_day(as_of, "--as-of"))
    with out.text():
        if "series" in shown and "task" not in shown:
            emit_series(shown, out)
        else:
            emit_task(shown, out)


@command()
def recur(
    until: Annotated[str | None, typer.Option(
        "--until", help="Open the periods that open on or before this day (default today).")] = None,
    by: ByOption = None,
) -> None:
    """Open the tasks of periodic series whose period has opened (each once).

    \b
    The views (overdue, report, evaluate, dashboard, remind, review, list, show)
    open them by themselves first; recur opens them on demand, ahead of time too.

    \b
    Examples:
      nqtrack recur
      nqtrack recur --until 31/12/2024
    """
    from nqtrack.app import series

    opened = series.open_periods(session.context(by), parse_day(until, "--until"))
    if not opened.codes:
        typer.echo(_("No period to open: nothing was created."))
        return
    typer.echo(_("{count} tasks opened: {tasks}.", count=len(opened.codes), tasks=", ".join(opened.codes)))
    typer.echo(_("Batch: {batch} (undo --batch {batch} cancels them).", batch=opened.batch_id))
