"""The office's calendar: calendar add, remove, list."""

from datetime import date
from typing import Annotated

import typer

from nqtrack.cli.app import (
    ByOption,
    FormatOption,
    LabelsOption,
    OutputOption,
    calendar_app,
    choose_output,
    command,
    parse_day,
    session,
)
from nqtrack.core.errors import InvalidInput
from nqtrack.i18n import _

DayArgument = Annotated[str, typer.Argument(metavar="DATE", help="The day (day first), e.g. 04/05/2024.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why (e.g. the decision that says so).")]


def _day(value: str) -> date:
    day = parse_day(value, "DATE")
    assert day is not None  # parse_day gives None only for None
    return day


def _shown(day: date) -> str:
    from nqtrack.render.tables import show_day

    return show_day(day)


@command(calendar_app, "add")
def calendar_add(
    day: DayArgument,
    off: Annotated[bool, typer.Option("--off", help="The office does not work that day.")] = False,
    working: Annotated[bool, typer.Option(
        "--working", help="The office works that day (a make-up working day, even on a weekend or holiday).")] = False,
    note: NoteOption = None,
    by: ByOption = None,
) -> None:
    """Name a day off or a working day of the office; working days are counted with it.

    \b
    A day already named is changed; every change is kept in the calendar's journal.
    Deadlines already recorded do not move.

    \b
    Examples:
      nqtrack calendar add 04/05/2024 --working --note "Quyết định 123/QĐ-VP"
      nqtrack calendar add 02/09/2024 --off
    """
    from nqtrack.app import calendar

    if off == working:
        raise InvalidInput("give --off or --working")
    done = calendar.set_day(session.context(by), _day(day), "off" if off else "working", note)
    shown = _shown(done.day)
    typer.echo(_("{day}: a day off for the office.", day=shown) if off
               else _("{day}: a working day for the office.", day=shown))


@command(calendar_app, "remove")
def calendar_remove(day: DayArgument, note: NoteOption = None, by: ByOption = None) -> None:
    """Forget the office's own entry for a day: the national calendar rules it again.

    \b
    Example:
      nqtrack calendar remove 04/05/2024
    """
    from nqtrack.app import calendar

    done = calendar.remove_day(session.context(by), _day(day), note)
    typer.echo(_("{day}: the office's entry removed; the national calendar applies.", day=_shown(done.day)))


@command(calendar_app, "list")
def calendar_list(
    year: Annotated[int | None, typer.Option("--year", help="The year (default: this year).")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """The days off and make-up working days of a year: national ones and the office's own.

    \b
    Examples:
      nqtrack calendar list --year 2024
      nqtrack calendar list --year 2024 --output lich-2024.xlsx
    """
    from nqtrack.app import calendar
    from nqtrack.i18n import language
    from nqtrack.render.calendar import emit_year

    out = choose_output(fmt, output, labels)
    listing = calendar.year_listing(session.context(), year or session.today.year, language())
    with out.text():
        emit_year(listing, out)
