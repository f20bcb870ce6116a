"""Commands on units (`unit …`) and documents (`doc …`)."""

from typing import Annotated

import typer

from nqtrack.cli.app import (
    ByOption,
    FormatOption,
    LabelsOption,
    OutputOption,
    choose_output,
    command,
    doc_app,
    parse_day,
    session,
    unit_app,
)
from nqtrack.i18n import _


@command(unit_app, "add")
def unit_add(
    name: Annotated[str, typer.Argument(help="The unit's full name.")],
    code: Annotated[str | None, typer.Option("--code", help="Short code, e.g. VP.")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="The unit above it (code, name or alias).")] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name it goes by; repeatable.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Address for reminders.")] = None,
) -> None:
    """Add a unit (đơn vị).

    \b
    Example:
      nqtrack unit add "Vụ Tổ chức cán bộ" --code TCCB --alias "Vụ TCCB"
    """
    from nqtrack.app import units

    unit = units.add(session.context(), name, code=code, parent=parent, aliases=alias or (), email=email)
    typer.echo(_("Unit {name} added.", name=unit.name))


@command(unit_app, "list")
def unit_list(fmt: FormatOption = None, output: OutputOption = None, labels: LabelsOption = False) -> None:
    """List the units.

    \b
    Example:
      nqtrack unit list --format csv
    """
    from nqtrack.app import units
    from nqtrack.render.tables import emit_rows

    out = choose_output(fmt, output, labels)
    columns = [("id", "#"), ("code", _("Code")), ("name", _("Name")), ("parent", _("Parent unit")),
               ("aliases", _("Aliases")), ("email", "Email")]
    rows = units.listing(session.context())
    with out.text():
        emit_rows(rows, columns, out, title=_("Units") if out.fmt == "xlsx" else None)


@command(unit_app, "email")
def unit_email(
    unit: Annotated[str, typer.Argument(help="The unit (code, name or alias).")],
    address: Annotated[str, typer.Argument(
        help="Where its reminders go; several separated by ','; '-' clears it.")],
) -> None:
    """Set the e-mail address a unit's reminders are sent to.

    \b
    Example:
      nqtrack unit email VP vanphong@example.gov.vn
    """
    from nqtrack.app import units

    found = units.set_email(session.context(), unit, None if address == "-" else address)
    typer.echo(_("Unit {name}: e-mail address saved.", name=found.name))


@command(unit_app, "rename")
def unit_rename(
    unit: Annotated[str, typer.Argument(help="The unit (code, name or alias).")],
    new_name: Annotated[str, typer.Argument(help="Its new name; the old one stays as an alias.")],
) -> None:
    """Rename a unit; the old name is kept as an alias so old files still match.

    \b
    Example:
      nqtrack unit rename TCCB "Vụ Tổ chức - Cán bộ"
    """
    from nqtrack.app import units

    renamed = units.rename(session.context(), unit, new_name)
    typer.echo(_("Unit renamed to {name}.", name=renamed.name))


UnitArgument = Annotated[str, typer.Argument(help="The unit (code, name or alias).")]
UnitCode = Annotated[str | None, typer.Option("--code", help="The right code; '-' for none.")]
UnitName = Annotated[str | None, typer.Option("--name", help="The right name (the old one is not kept).")]
UnitParent = Annotated[str | None, typer.Option("--parent", help="The unit above it; '-' for none.")]
UnitAlias = Annotated[list[str] | None, typer.Option("--alias", help="Another name it goes by, to add; repeatable.")]
UnitNoAlias = Annotated[list[str] | None, typer.Option(
    "--remove-alias", help="An alias to take away; repeatable.")]
UnitEmail = Annotated[str | None, typer.Option("--email", help="Address for reminders; '-' for none.")]


@command(unit_app, "edit")
def unit_edit(
    unit: UnitArgument, code: UnitCode = None, name: UnitName = None, parent: UnitParent = None,
    alias: UnitAlias = None, remove_alias: UnitNoAlias = None, email: UnitEmail = None, by: ByOption = None,
) -> None:
    """Correct a unit: its code, name, parent, aliases or e-mail address (journaled).

    \b
    Example:
      nqtrack unit edit "Sở KH&ĐT" --code SKHDT --alias "Sở Kế hoạch & Đầu tư" --parent UBND
    """
    from nqtrack.app import units
    from nqtrack.render.documents import register_field_labels

    request = units.UnitCorrection(code=code, name=name, parent=parent, add_aliases=alias or (),
                                   remove_aliases=remove_alias or (), email=email)
    found, changed = units.edit(session.context(by), unit, request)
    labels = register_field_labels()
    typer.echo(_("Unit {name} corrected: {fields}.", name=found.name, fields=", ".join(labels[f] for f in changed))
               if changed else _("Unit {name}: nothing changed.", name=found.name))


@command(unit_app, "merge")
def unit_merge(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The unit entered twice (it goes).")],
    target: Annotated[str, typer.Argument(metavar="INTO", help="The unit to keep.")],
    by: ByOption = None,
) -> None:
    """Make two units one: FROM's tasks and coordinations move to INTO, FROM's name stays as an alias.

    \b
    Journaled as corrections of every task moved; 'nqtrack undo' separates them again.

    \b
    Example:
      nqtrack unit merge "Sở Kế hoạch & Đầu tư" "Sở Kế hoạch và Đầu tư"
    """
    from nqtrack.app import units

    done = units.merge(session.context(by), source, target)
    typer.echo(_("Unit {gone} merged into {kept}: {count} tasks moved.", gone=done.gone.name, kept=done.kept.name,
                 count=len(done.tasks)))


@command(unit_app, "show")
def unit_show(
    unit: UnitArgument, fmt: FormatOption = None, output: OutputOption = None, labels: LabelsOption = False,
) -> None:
    """Show a unit and the journal of its changes.

    \b
    Examples:
      nqtrack unit show VP
      nqtrack unit show VP --output don-vi-vp.xlsx
    """
    from nqtrack.app import units
    from nqtrack.render.documents import emit_unit

    out = choose_output(fmt, output, labels)
    shown = units.show(session.context(), unit)
    with out.text():
        emit_unit(shown, out)


@command(doc_app, "add")
def doc_add(
    symbol: Annotated[str, typer.Argument(help="Number and symbol, e.g. 07-NQ/ĐUK or 30/2020/NĐ-CP.")],
    title: Annotated[str | None, typer.Option("--title", help="Its subject (trích yếu).")] = None,
    doc_type: Annotated[str | None, typer.Option(
        "--type", help="Kind of document; read from the symbol if left out.")] = None,
    issued_on: Annotated[str | None, typer.Option("--issued-on", help="Date of issue (day first).")] = None,
    received_on: Annotated[str | None, typer.Option("--received-on", help="Date received.")] = None,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help="Who issued it; read from the symbol if left out.")] = None,
    implements: Annotated[str | None, typer.Option(
        "--implements", help="The document this one carries out.")] = None,
) -> None:
    """Add a document (văn bản).

    \b
    Example:
      nqtrack doc add 07-NQ/ĐUK --issued-on 31/08/2017 --title "Nghị quyết về ..."
    """
    from nqtrack.app import documents

    doc = documents.add(
        session.context(), symbol, title=title, doc_type=doc_type, issued_on=parse_day(issued_on, "--issued-on"),
        received_on=parse_day(received_on, "--received-on"), issuer=issuer, implements=implements)
    typer.echo(_("Document {symbol} added.", symbol=doc.symbol))


@command(doc_app, "list")
def doc_list(fmt: FormatOption = None, output: OutputOption = None, labels: LabelsOption = False) -> None:
    """List the documents with how many of their tasks are done.

    \b
    Example:
      nqtrack doc list --format markdown
    """
    from nqtrack.app import documents
    from nqtrack.render.documents import emit_documents

    out = choose_output(fmt, output, labels)
    rows = documents.listing(session.context())
    with out.text():
        emit_documents(rows, out)


@command(doc_app, "show")
def doc_show(
    document: Annotated[str, typer.Argument(help="The document: SYMBOL, SYMBOL@dd/mm/yyyy or #ID.")],
    fmt: FormatOption = None,
    output: OutputOption = None,
    labels: LabelsOption = False,
) -> None:
    """Show a document and how far each of its tasks is.

    \b
    Example:
      nqtrack doc show 07-NQ/ĐUK
    """
    from nqtrack.app import documents
    from nqtrack.render.documents import emit_document

    out = choose_output(fmt, output, labels)
    shown = documents.show(session.context(), document)
    with out.text():
        emit_document(shown, out)


DocArgument = Annotated[str, typer.Argument(help="The document: SYMBOL, SYMBOL@dd/mm/yyyy or #ID.")]
DocSymbol = Annotated[str | None, typer.Option("--symbol", help="The right number and symbol.")]
DocTitle = Annotated[str | None, typer.Option("--title", help="The right subject (trích yếu); '-' for none.")]
DocType = Annotated[str | None, typer.Option("--type", help="The right kind of document; '-' for none.")]
DocIssued = Annotated[str | None, typer.Option("--issued-on", help="The right date of issue; '-' for none.")]
DocReceived = Annotated[str | None, typer.Option("--received-on", help="The right date received; '-' for none.")]
DocIssuer = Annotated[str | None, typer.Option("--issuer", help="The right issuer; '-' for none.")]
DocImplements = Annotated[str | None, typer.Option(
    "--implements", help="The document this one carries out; '-' for none.")]


@command(doc_app, "edit")
def doc_edit(
    document: DocArgument, symbol: DocSymbol = None, title: DocTitle = None, doc_type: DocType = None,
    issued_on: DocIssued = None, received_on: DocReceived = None, issuer: DocIssuer = None,
    implements: DocImplements = None, by: ByOption = None,
) -> None:
    """Correct a document: its symbol, subject, type, dates, issuer or what it implements (journaled).

    \b
    Example:
      nqtrack doc edit 2345/UBND-TH@10/03/2023 --issued-on 10/03/2024
    """
    from nqtrack.app import documents
    from nqtrack.render.documents import register_field_labels

    request = documents.DocumentCorrection(symbol=symbol, title=title, doc_type=doc_type, issued_on=issued_on,
                                           received_on=received_on, issuer=issuer, implements=implements)
    doc, changed = documents.edit(session.context(by), document, request)
    labels = register_field_labels()
    typer.echo(_("Document {symbol} corrected: {fields}.", symbol=doc.symbol,
                 fields=", ".join(labels[f] for f in changed))
               if changed else _("Document {symbol}: nothing changed.", symbol=doc.symbol))


@command(doc_app, "merge")
def doc_merge(
    source: Annotated[str, typer.Argument(metavar="FROM", help="The document entered twice (it goes).")],
    target: Annotated[str, typer.Argument(metavar="INTO", help="The document to keep.")],
    by: ByOption = None,
) -> None:
    """Make two documents one: FROM's tasks move to INTO.

    \b
    Journaled as corrections of every task moved; 'nqtrack undo' separates them again.

    \b
    Example:
      nqtrack doc merge "#12" 07-NQ/ĐUK@31/08/2017
    """
    from nqtrack.app import documents

    done = documents.merge(session.context(by), source, target)
    typer.echo(_("Document {gone} merged into {kept}: {count} tasks moved.", gone=done.gone.symbol,
                 kept=done.kept.symbol, count=len(done.tasks)))
