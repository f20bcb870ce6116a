"""Commands on tasks: assign, update, edit, void, list, show, recur."""

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
AgainOption = Annotated[bool, typer.Option(
    "--again", help="Assign even when the same task (document, title, lead unit) is already open.")]
AllOption = Annotated[bool, typer.Option("--all", help="Also the tasks voided (entered in error), marked.")]
ProposeOption = Annotated[bool, typer.Option("--propose", help=(
    "With --state done: the lead unit's proposed completion (recorded from its letter), for the secretariat to "
    "confirm."))]


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
    again: AgainOption = False,
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
        every=every, day=day, again=again)
    _say_assigned(tasks.assign(session.context(by), request))


def _say_assigned(done: Any) -> None:
    if done.series:
        typer.echo(_("Series {series} created; tasks opened so far: {tasks}.", series=done.series,
                     tasks=", ".join(done.opened) or "—"))
    elif done.created:
        typer.echo(_("Task {id} created.", id=done.task_id))
        if done.early_deadline:
            typer.echo(_("Warning: its deadline is before the day it was assigned; 'nqtrack check' names it until a "
                         "note says why: nqtrack update {id} --note \"…\"", id=done.task_id), err=True)
    else:
        typer.echo(_("Task {id} re-assigned.", id=done.task_id))


@command()
def update(
    task: Annotated[str, typer.Argument(help="The task's number or code, or a series (S3, or its code).")],
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
    propose: ProposeOption = False,
    by: ByOption = None,
) -> None:
    """Record progress, completion, an extension, a product or a note; or end a series.

    \b
    A unit user's --state done (and --propose, the secretariat recording a unit's
    letter) is a proposed completion when confirmation is on: the task counts as
    done once the secretariat confirms it (nqtrack confirm TASK).

    \b
    Examples:
      nqtrack update 12 --state done --on 15/10/2022 --product "Báo cáo số 45/BC-VP"
      nqtrack update 12 --state done --on 15/10/2022 --propose --note "Công văn 88/VP ngày 16/10/2022"
      nqtrack update NV-2022-0007 --deadline 31/12/2022 --reason "Theo Thông báo 123/TB-VP"
      nqtrack update S3 --state cancelled --on 10/05/2024
    """
    from nqtrack.app import tasks

    request = tasks.Update(state=state, progress=progress, on=parse_day(on, "--on"), deadline=deadline,
                           reason=reason, note=note, product=product, propose=propose)
    _say_updated(tasks.update(session.context(by), task, request))


def _say_updated(done: Any) -> None:
    from nqtrack.render.tables import show_day
    from nqtrack.render.task import field_names

    if done.ended:
        typer.echo(_("Series {series} ends on {day}; tasks of later periods cancelled: {tasks}.",
                     series=done.ended.series, day=show_day(done.ended.ends_on),
                     tasks=", ".join(done.ended.cancelled) or "—"))
    elif done.proposed:
        typer.echo(_("Task {id}: completion on {day} proposed, awaiting the secretariat's confirmation (nqtrack "
                     "confirm {id}).", id=done.task_id, day=show_day(done.proposed)))
        if done.changed:
            typer.echo(_("Task {id} updated: {fields}.", id=done.task_id, fields=field_names(done.changed)))
    elif done.changed:
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
    all_: AllOption = False,
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
        search=search, limit=limit, include_voided=all_)
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
    typer.echo(_("Batch: {batch} (undo --batch {batch} voids them).", batch=opened.batch_id))


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
DueFix = Annotated[str | None, typer.Option("--due", help=(
    "The right deadline, as written ('Quý II/2026', a date, 'trong 10 ngày làm việc kể từ ngày giao', counted "
    "as assign counts it); '-' for none."))]
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
