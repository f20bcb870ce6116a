"""The views: the morning overdue list, the statistical report, the review of documents."""

from typing import Annotated

import typer

from nqtrack.cli.app import (
    DocumentOption,
    FormatOption,
    SourceOption,
    UnitOption,
    check_format,
    command,
    parse_day,
    session,
)


@command()
def overdue(
    within: Annotated[int, typer.Option(
        "--within", help="Also list tasks due within this many days (default 7).")] = 7,
    unit: UnitOption = None,
    role: Annotated[str, typer.Option("--role", help="With --unit: lead (default), coordinating or any.")] = "lead",
    source: SourceOption = None,
    document: DocumentOption = None,
    assignee: Annotated[str | None, typer.Option(
        "--assignee", help="Only tasks of this person (part of the name, accents optional).")] = None,
    min_days: Annotated[int, typer.Option("--min-days", help="Only tasks overdue by at least this many days.")] = 0,
    group: Annotated[str, typer.Option(
        "--group", help="Group the list by unit (default), month, document or none.")] = "unit",
    limit: Annotated[int | None, typer.Option(
        "--limit", help="List at most this many overdue tasks (the totals stay whole).")] = None,
    exit_status: Annotated[bool, typer.Option(
        "--exit-status", help="Exit with status 3 when anything is overdue.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """The morning view: overdue tasks, those carried over from earlier months, and those due soon.

    \b
    Examples:
      nqtrack overdue
      nqtrack overdue --unit VP --within 14 --format markdown
      nqtrack --today 2022-11-15 overdue --format csv > qua-han.csv
    """
    from nqtrack.app import views
    from nqtrack.render import overdue as render

    fmt = check_format(fmt)
    query = views.OverdueQuery(within=within, units=unit or (), sources=source or (), documents=document or (),
                               role=role, assignee=assignee, min_days=min_days, group=group, limit=limit)
    backlog = views.overdue(session.context(), query)
    render.emit(backlog, fmt, group, limit)
    if exit_status and backlog.overdue:
        raise typer.Exit(3)


MonthOption = Annotated[str | None, typer.Option("--month", help="YYYY-MM, 'this' or 'last'.")]
QuarterOption = Annotated[str | None, typer.Option("--quarter", help="YYYY-Qn, e.g. 2022-Q3.")]
YearOption = Annotated[str | None, typer.Option("--year", help="YYYY.")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day of a custom period.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day of a custom period.")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Count as of this day (default: the earlier of the period's end and today).")]
KnownOnOption = Annotated[str | None, typer.Option(
    "--known-on", help="Use only what was recorded by the end of this day (reproduces a report already sent).")]
CutoffOption = Annotated[int | None, typer.Option("--cutoff", help=(
    "Count months from this day of the month before (15: Nghị định 09/2019). Default: the stored setting."))]
SubunitsOption = Annotated[bool, typer.Option("--include-subunits", help="With --unit: its sub-units too.")]
OutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write to this file (atomically) instead of standard output.")]


@command()
def report(
    month: MonthOption = None,
    quarter: QuarterOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOfOption = None,
    known_on: KnownOnOption = None,
    cutoff: CutoffOption = None,
    unit: UnitOption = None,
    include_subunits: SubunitsOption = False,
    source: SourceOption = None,
    document: DocumentOption = None,
    output: OutputOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The statistical report for a month, quarter, year or any period.

    \b
    Examples:
      nqtrack report --month last
      nqtrack report --quarter 2022-Q3 --format markdown --output bao-cao-quy-3.md
      nqtrack report --month 2022-10 --known-on 2022-11-01 --format json
    """
    from nqtrack.app import views
    from nqtrack.render import report as render

    fmt = check_format(fmt)
    period = views.PeriodChoice(month, quarter, year, parse_day(start, "--from"), parse_day(end, "--to"))
    query = views.ReportQuery(period, cutoff, parse_day(as_of, "--as-of"), parse_day(known_on, "--known-on"),
                              unit or (), include_subunits, source or (), document or ())
    data = views.report(session.context(), query)
    if output:
        from nqtrack.files import write_text

        write_text(output, lambda stream: render.render(data, fmt, stream), database=session.db_path)
    else:
        render.render(data, fmt)


@command()
def review(
    issuer: Annotated[list[str] | None, typer.Option(
        "--issuer", help="Only documents of this issuer (TW, CP, TTg, BTP…); repeatable.")] = None,
    doc_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Only documents of this kind (Nghị quyết, Kế hoạch…); repeatable.")] = None,
    issued_from: Annotated[str | None, typer.Option("--issued-from", help="Issued on or after this day.")] = None,
    issued_to: Annotated[str | None, typer.Option("--issued-to", help="Issued on or before this day.")] = None,
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
    from nqtrack.app import views
    from nqtrack.render.documents import emit_review

    fmt = check_format(fmt)
    query = views.ReviewQuery(issuer or (), doc_type or (), parse_day(issued_from, "--issued-from"),
                              parse_day(issued_to, "--issued-to"))
    emit_review(views.review(session.context(), query), fmt)
