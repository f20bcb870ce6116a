"""`remind` (đôn đốc) and `config`: notices to units, and the stored settings."""

import os
import sys
from typing import Annotated, Any

import typer

from nqtrack.cli.app import ByOption, command, session, warn_unset
from nqtrack.core.errors import InvalidInput
from nqtrack.core.text import inert
from nqtrack.i18n import _

NOTICE_FORMATS = {"markdown": "md", "text": "txt", "docx": "docx"}
WorkingDaysOption = Annotated[bool, typer.Option(
    "--working-days", help="Count --within in working days (the office's calendar).")]
OutputDirOption = Annotated[str | None, typer.Option(
    "--output-dir", help="Write one file per unit into this folder.")]
SendOption = Annotated[bool, typer.Option(
    "--send", help="E-mail each notice to its unit's address (SMTP settings: nqtrack config).")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Show what would be written or sent, and to whom; record nothing.")]
AttachOption = Annotated[bool, typer.Option("--attach", help=(
    "Also write each unit's own sheet (nqtrack sheet) beside its notice, attached to its e-mail with --send; "
    "needs --output-dir."))]


@command()
def remind(
    unit: Annotated[list[str] | None, typer.Option("--unit", help="Only this unit; repeatable.")] = None,
    within: Annotated[int, typer.Option(
        "--within", help="Also urge tasks due within this many days (default 7).")] = 7,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown (default), text or docx.")] = "markdown",
    output_dir: OutputDirOption = None,
    send: SendOption = False,
    dry_run: DryRunOption = False,
    working_days: WorkingDaysOption = False,
    attach: AttachOption = False,
    by: ByOption = None,
) -> None:
    """Notices urging each lead unit about its overdue and soon-due tasks (đôn đốc).

    \b
    Each notice also lists the tasks the unit coordinates; each task urged gets a
    'reminded' event in the journal.

    \b
    Examples:
      nqtrack remind --output-dir don-doc/ --format docx
      nqtrack remind --unit VP --format text
      nqtrack remind --send --dry-run
      nqtrack remind --output-dir don-doc/ --attach --send
    """
    from nqtrack.app import notices

    _check_delivery(fmt, output_dir, send, attach)
    query = notices.RemindQuery(unit or (), within, dry_run, working_days)
    notices.check_query(query)  # a bad value is the one line said, before any warning
    ctx = session.context(by)
    warn_unset(notices.unset_settings(ctx))
    done = notices.remind(ctx, query, _Deliverer(ctx, fmt, output_dir, send, dry_run, attach))
    if not done.notices:
        typer.echo(_("No unit has overdue or soon-due tasks to urge."))
    elif not dry_run:
        typer.echo(_("{units} notices; {tasks} tasks urged, recorded in the journal.", units=len(done.delivered),
                     tasks=done.tasks_urged))


def _check_delivery(fmt: str, output_dir: str | None, send: bool, attach: bool) -> None:
    if fmt not in NOTICE_FORMATS:
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=fmt, formats="markdown, text, docx")
    if fmt == "docx" and not output_dir and not send:
        raise InvalidInput("a DOCX notice needs --output-dir")
    if attach and not output_dir:
        raise InvalidInput("--attach needs --output-dir: each unit's sheet is written there")


class _Named:
    """What a sheet's file name is made of, before the sheet is (a dry run)."""

    def __init__(self, unit: str, unit_code: str | None, issued_on: Any) -> None:
        self.unit, self.unit_code, self.issued_on = unit, unit_code, issued_on


class _Deliverer:
    """Writes the notices into a folder (all of them or none), or to standard output, or
    e-mails them; returns those delivered (app.notices.DeliveryFailed when it stopped part
    of the way, so that only those are journaled)."""

    def __init__(self, ctx: Any, fmt: str, output_dir: str | None, send: bool, dry_run: bool,
                 attach: bool = False) -> None:
        self.ctx, self.fmt, self.output_dir, self.send, self.dry_run = ctx, fmt, output_dir, send, dry_run
        self.attach = attach
        self.sheets: dict[int, str] = {}  # unit → its sheet's file, written beside its notice
        self.attachments: dict[int, str] = {}  # id(notice) → its DOCX written
        if output_dir and not dry_run:
            from nqtrack.files import output_folder

            output_folder(output_dir, database=session.db_path, make=False)  # before the work: one line if wrong

    def __call__(self, notice_list: list[Any]) -> list[Any]:
        from nqtrack.app.notices import DeliveryFailed

        written: list[Any] = []
        if self.output_dir:
            written = self._write_all(notice_list)
        elif not self.send:
            for notice in notice_list:
                sys.stdout.write(self._text(notice) + "\n")
            return list(notice_list)
        if not self.send:
            return written
        try:
            sent = self._mail(notice_list)
        except DeliveryFailed as stopped:
            raise DeliveryFailed(written + [n for n in stopped.delivered if n not in written], stopped.error) from None
        return written + [n for n in sent if n not in written]

    def _write_all(self, notice_list: list[Any]) -> list[Any]:
        """Every notice into --output-dir, or none: written into a temporary folder in it, then
        moved into place; each file name its own (render.file_names)."""
        from nqtrack.files import write_all
        from nqtrack.render import notices as render

        names = render.file_names(notice_list, NOTICE_FORMATS[self.fmt])
        folder = self.output_dir or "."
        sheets = self._sheets(notice_list)
        if self.dry_run:
            for name in [*names, *(name for _unit, name, _data in sheets)]:
                typer.echo(_("Would write {path}", path=os.path.join(folder, name)))
            return []
        files = [(name, self._content(notice)) for notice, name in zip(notice_list, names, strict=True)]
        paths = write_all(folder, files + [(name, data) for _unit, name, data in sheets], database=session.db_path)
        for path in paths:
            typer.echo(_("Written: {path}", path=path))
        self.attachments = dict(zip((id(n) for n in notice_list), paths, strict=False))
        self.sheets = {unit: path for (unit, _name, _data), path in zip(sheets, paths[len(files):], strict=True)}
        return list(notice_list)

    def _sheets(self, notice_list: list[Any]) -> list[tuple[int, str, bytes]]:
        """With --attach, each unit's own sheet (unit, file name, workbook), written beside
        its notice (named, not made, on a dry run)."""
        from nqtrack.app import sheets
        from nqtrack.render import sheet as render_sheet

        made = []
        for notice in notice_list:
            if not self.attach or notice.unit_id is None:
                continue
            if self.dry_run:
                made.append((notice.unit_id, render_sheet.file_name(_Named(notice.unit, notice.unit_code,
                                                                            notice.day)), b""))
            else:
                sheet = sheets.build(self.ctx, notice.unit_id)
                made.append((notice.unit_id, render_sheet.file_name(sheet), render_sheet.workbook(sheet)))
        return made

    def _content(self, notice: Any) -> bytes:
        from nqtrack.render import notices as render

        if self.fmt == "docx":
            return render.docx_bytes(notice)
        return self._text(notice).encode("utf-8")

    def _text(self, notice: Any) -> str:
        from nqtrack.render import notices as render

        return render.render_markdown(notice) if self.fmt == "markdown" else render.render_text(notice)

    def _mail(self, notice_list: list[Any]) -> list[Any]:
        """E-mail each notice (its text as the body, the DOCX attached when written) to its
        unit; returns those sent."""
        from pathlib import Path

        from nqtrack import mailer
        from nqtrack.app import settings
        from nqtrack.app.notices import DeliveryFailed
        from nqtrack.core.errors import UserError
        from nqtrack.core.rules import email_addresses
        from nqtrack.render import notices as render

        store = self.ctx.store
        config = mailer.MailSettings(
            host=settings.usable(store, "smtp_host") or "", port=int(settings.usable(store, "smtp_port") or 587),
            starttls=(settings.usable(store, "smtp_starttls") or "yes").lower() in settings.YES,
            sender=settings.usable(store, "smtp_sender") or "", user=settings.usable(store, "smtp_user") or None)
        messages, addressed = [], []
        for notice in notice_list:
            try:
                address = email_addresses(notice.email)
            except UserError:
                address = None
            if not address:
                typer.echo(_("No e-mail address for {unit}: not sent.", unit=notice.unit))
                continue
            attachments = []
            if self.fmt == "docx" and self.output_dir and not self.dry_run:
                attachments.append(Path(self.attachments[id(notice)]))
            if notice.unit_id in self.sheets and not self.dry_run:
                attachments.append(Path(self.sheets[notice.unit_id]))
            recipients = [a.strip() for a in address.replace(";", ",").split(",") if a.strip()]
            messages.append(mailer.build_message(config.sender, recipients, render.subject(notice),
                                                 render.render_text(notice), attachments))
            addressed.append(notice)
        try:
            lines = mailer.send_all(config, messages, dry_run=self.dry_run)
        except mailer.MailError as failed:
            raise DeliveryFailed(addressed[:len(failed.sent)], failed) from None
        for line in lines:
            typer.echo(_("Would send: {line}", line=line) if self.dry_run else _("Sent: {line}", line=line))
        return addressed


@command()
def config(
    key: Annotated[str | None, typer.Argument(help=(
        "A setting: cutoff (report periods, e.g. 15); decimals (of the per cents printed, 0-6); office, place, "
        "number, report_number, signer (the heading and signature of letters and the Word report); lang (vi or en); "
        "smtp_host, smtp_port, smtp_starttls, smtp_sender, smtp_user (for --send); confirmation (on or off: a unit's "
        "completion counts once the secretariat confirms it; default on when the register has unit users)."
        ))] = None,
    value: Annotated[str | None, typer.Argument(help="Its new value; '-' clears it. Leave out to print it.")] = None,
) -> None:
    """Read or change a stored setting.

    \b
    The heading and signature of letters and of the Word report (Nghị định 30/2020):
      office         the office as a name, after the body it belongs to if any
      place          the place written before the date
      number         a letter's number pattern, '…' where the number goes
      report_number  the report's number pattern
      signer         the authority lines and the name, separated by ' / '

    \b
    Examples:
      nqtrack config cutoff 15
      nqtrack config decimals 2
      nqtrack config office "Bộ Tư pháp / Văn phòng Bộ"
      nqtrack config place "Hà Nội"
      nqtrack config number "…/VP-TH"
      nqtrack config report_number "…/BC-VP"
      nqtrack config signer "KT. CHÁNH VĂN PHÒNG / PHÓ CHÁNH VĂN PHÒNG / Nguyễn Văn A"
      nqtrack config
    """
    from nqtrack.app import settings

    ctx = session.context()
    if key is None:
        for name, stored in settings.read_all(ctx).items():
            typer.echo(inert(f"{name} = {stored or ''}"))
    elif value is None:
        typer.echo(inert(settings.read(ctx, key) or ""))
    else:
        typer.echo(inert(f"{key} = {settings.change(ctx, key, value) or ''}"))
