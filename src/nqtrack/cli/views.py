"""The views: the morning overdue list, the statistical report, the review of documents."""

from typing import Annotated, Any

import typer

from nqtrack.cli.app import (
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
    warn_unset,
)

WorkingDaysOption = Annotated[bool, typer.Option("--working-days", help=(
    "Count --within, --min-days and the days overdue in working days (the office's calendar)."))]
WithinOption = Annotated[int, typer.Option(
    "--within", help="Also list tasks due within this many days (default 7).")]
GroupOption = Annotated[str, typer.Option(
    "--group", help="Group the list by unit (default), month, document or none.")]
LimitOption = Annotated[int | None, typer.Option(
    "--limit", help="List at most this many overdue tasks (the totals stay whole).")]
ExitStatusOption = Annotated[bool, typer.Option(
    "--exit-status", help="Exit with status 3 when anything is overdue.")]


@command()
def overdue(
    within: WithinOption = 7,
    unit: UnitOption = None,
    role: Annotated[str | None, typer.Option("--role", help=(
        "With --unit: lead (default), coordinating or any (a unit user's own view: any)."))] = None,
    source: SourceOption = None,
    document: DocumentOption = None,
    assignee: Annotated[str | None, typer.Option(
        "--assignee", help="Only tasks of this person (part of the name, accents optional).")] = None,
    min_days: Annotated[int, typer.Option("--min-days", help="Only tasks overdue by at least this many days.")] = 0,
    group: GroupOption = "unit",
    limit: LimitOption = None,
    exit_status: ExitStatusOption = False,
    working_days: WorkingDaysOption = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """The morning view: overdue tasks, carried over, due soon, and the requests awaiting confirmation.

    \b
    Examples:
      nqtrack overdue
      nqtrack overdue --unit VP --within 14 --format markdown
      nqtrack overdue --working-days --within 5
      nqtrack overdue --output qua-han.xlsx
    """
    from nqtrack.app import views
    from nqtrack.render import overdue as render

    out = choose_output(fmt, output, labels)
    query = views.OverdueQuery(within=within, units=unit or (), sources=source or (), documents=document or (),
                               role=role, assignee=assignee, min_days=min_days, group=group, limit=limit,
                               working_days=working_days)
    backlog = views.overdue(session.context(), query)
    with out.text():
        render.emit(backlog, out, group, limit)
    if exit_status and backlog.overdue:
        raise typer.Exit(3)


MonthOption = Annotated[str | None, typer.Option("--month", help="YYYY-MM, 'this' or 'last'.")]
QuarterOption = Annotated[str | None, typer.Option(
    "--quarter", help="YYYY-Qn, e.g. 2022-Q3, or as offices write it: 'Quý III/2022', III/2022.")]
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
ReportOutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write to this file (whole or not at all); its name (.xlsx, .docx, .html, .md, .csv, "
    ".json) chooses the format.", metavar="FILE")]
ReportFormatOption = Annotated[str | None, typer.Option(
    "--format", "-f", help="table, markdown, csv, json, xlsx, docx or html (default: from the --output file's name, "
    "else table).", metavar="FORMAT")]
REPORT_FORMATS = ("table", "markdown", "csv", "json", "xlsx", "docx", "html")
DecimalsOption = Annotated[int | None, typer.Option("--decimals", help=(
    "Decimals of the per cents printed (0-6), cut, never rounded. Default: the stored setting, else 1."))]


FreshOption = Annotated[bool, typer.Option("--fresh", help=(
    "Count every figure again from the journal, not read the counts the register keeps "
    "(they are kept again). Use it to check that the counts kept are right."))]


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
    decimals: DecimalsOption = None,
    output: ReportOutputOption = None,
    fmt: ReportFormatOption = None,
    labels: LabelsOption = False,
    fresh: FreshOption = False,
) -> None:
    """The statistical report for a month, quarter, year or any period.

    \b
    Examples:
      nqtrack report --month last
      nqtrack report --quarter 2022-Q3 --output bao-cao-quy-3.docx
      nqtrack report --year 2022 --decimals 2 --output bao-cao-2022.xlsx
      nqtrack report --month 2022-10 --known-on 2022-11-01 --format json
    """
    from nqtrack.app import views

    out = choose_output(fmt, output, labels, REPORT_FORMATS)
    query = views.ReportQuery(views_period(month, quarter, year, start, end), cutoff, parse_day(as_of, "--as-of"),
                              parse_day(known_on, "--known-on"), unit or (), include_subunits, source or (),
                              document or (), decimals, fresh)
    _deliver_report(views.report(session.context(), query), out)


def _deliver_report(printed: Any, out: Any) -> None:
    """The report to its destination, its rates cut to the decimals chosen. The Word
    report's heading and signature come from the settings; those not set are named before
    anything is written."""
    from nqtrack.render import report as render

    out.decimals = printed.decimals
    head = None
    if out.fmt == "docx":  # the letterhead's settings: the Word report's alone
        from nqtrack.app import settings
        from nqtrack.core.letterhead import missing

        head = settings.letterhead(session.context(), "report_number")
        warn_unset(missing(head, "report_number"))
    with out.text():
        render.render(printed.data, out, head=head, issued_on=session.today)


DashboardOutputOption = Annotated[str | None, typer.Option(
    "--output", "-o", help="The HTML file to write (whole or not at all); default: standard output.",
    metavar="FILE")]


@command()
def dashboard(
    month: MonthOption = None,
    quarter: QuarterOption = None,
    year: YearOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOfOption = None,
    unit: UnitOption = None,
    include_subunits: SubunitsOption = False,
    source: SourceOption = None,
    decimals: DecimalsOption = None,
    output: DashboardOutputOption = None,
) -> None:
    """A dashboard page: headline figures, charts, the overdue backlog per unit and the overdue tasks.

    \b
    One HTML file that needs no network: open it in any browser, on a phone too,
    or print it on A4. With no period given: the year so far.

    \b
    Examples:
      nqtrack dashboard --output bang-dieu-khien.html
      nqtrack dashboard --month this --unit VP --output /srv/chung/van-phong.html
    """
    from nqtrack.app import views

    out = choose_output(None, output, allowed=("html",), default="html")
    given = month or quarter or year or start or end
    period = views_period(month, quarter, year if given else str(session.today.year), start, end)
    query = views.ReportQuery(period, None, parse_day(as_of, "--as-of"), None, unit or (), include_subunits,
                              source or (), decimals=decimals)
    _deliver_report(views.report(session.context(), query), out)


SchemeOption = Annotated[str | None, typer.Option("--scheme", metavar="FILE", help=(
    "The evaluation scheme: a TOML file of weights, deductions and classes. Default: nqtrack's own."))]


@command()
def evaluate(
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
    scheme: SchemeOption = None,
    decimals: DecimalsOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """Evaluate and class each lead unit by how it carried out its tasks (đánh giá, xếp loại).

    \b
    Examples:
      nqtrack evaluate --year 2022 --output xep-loai-2022.xlsx
      nqtrack evaluate --quarter 2022-Q3 --scheme thang-diem.toml --format markdown
    """
    from nqtrack.app import evaluation
    from nqtrack.render import evaluation as render

    out = choose_output(fmt, output, labels, reading=(scheme,) if scheme else ())
    query = evaluation.EvaluationQuery(views_period(month, quarter, year, start, end), cutoff,
                                       parse_day(as_of, "--as-of"), parse_day(known_on, "--known-on"), unit or (),
                                       include_subunits, source or (), document or (), decimals, scheme=scheme)
    printed = evaluation.evaluation(session.context(), query)
    out.decimals = printed.decimals
    with out.text():
        render.render(printed.data, out)


def views_period(month: str | None, quarter: str | None, year: str | None, start: str | None,
                 end: str | None) -> Any:
    """The period options as the use cases take them."""
    from nqtrack.app import views

    return views.PeriodChoice(month, quarter, year, parse_day(start, "--from"), parse_day(end, "--to"))


@command()
def review(
    issuer: Annotated[list[str] | None, typer.Option(
        "--issuer", help="Only documents of this issuer (TW, CP, TTg, BTP…); repeatable.")] = None,
    doc_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Only documents of this kind (Nghị quyết, Kế hoạch…); repeatable.")] = None,
    issued_from: Annotated[str | None, typer.Option("--issued-from", help="Issued on or after this day.")] = None,
    issued_to: Annotated[str | None, typer.Option("--issued-to", help="Issued on or before this day.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
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

    out = choose_output(fmt, output, labels)
    query = views.ReviewQuery(issuer or (), doc_type or (), parse_day(issued_from, "--issued-from"),
                              parse_day(issued_to, "--issued-to"))
    with out.text():
        emit_review(views.review(session.context(), query), out)
