"""`remind` (đôn đốc) and `config`: notices to units, and the stored settings."""

import os
import sys
from typing import Annotated, Any

import typer

from nqtrack.cli.app import ByOption, command, session, warn_unset
from nqtrack.core.errors import InvalidInput
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
      nqtrack remind --output-dir don-doc/ --attach --send
      nqtrack remind --unit VP --format text
      nqtrack remind --send --dry-run
    """
    from nqtrack.app import notices

    _check_delivery(fmt, output_dir, send, attach)
    ctx = session.context(by)
    warn_unset(notices.unset_settings(ctx))
    deliverer = _Deliverer(ctx, fmt, output_dir, send, dry_run, attach)
    done = notices.remind(ctx, notices.RemindQuery(unit or (), within, dry_run, working_days), deliverer)
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
    """Writes each notice to a file or to standard output, or e-mails it; returns those delivered."""

    def __init__(self, ctx: Any, fmt: str, output_dir: str | None, send: bool, dry_run: bool,
                 attach: bool = False) -> None:
        self.ctx, self.fmt, self.output_dir, self.send, self.dry_run = ctx, fmt, output_dir, send, dry_run
        self.attach = attach
        self.sheets: dict[int, str] = {}  # unit → its sheet's file, written beside its notice

    def __call__(self, notice_list: list[Any]) -> list[Any]:
        from nqtrack.render import notices as render

        written = []
        delivered = [] if self.send or self.output_dir else list(notice_list)
        for notice in notice_list:
            if self.output_dir:
                path = os.path.join(self.output_dir, render.file_name(notice, NOTICE_FORMATS[self.fmt]))
                written.append(path)
                if not self.dry_run:
                    self._write(notice, path)
                if self.attach and notice.unit_id is not None:
                    written.append(self._sheet(notice))
                delivered.append(notice)
            elif not self.send:
                sys.stdout.write(self._text(notice) + "\n")
        if self.send:
            delivered += [n for n in self._mail(notice_list) if n not in delivered]
        for path in written:
            typer.echo(_("Would write {path}", path=path) if self.dry_run else _("Written: {path}", path=path))
        return delivered

    def _sheet(self, notice: Any) -> str:
        """The unit's own sheet, written beside its notice (named, not written, on a dry run)."""
        from nqtrack.app import sheets
        from nqtrack.files import write_bytes_atomically
        from nqtrack.render import sheet as render_sheet

        folder = self.output_dir or "."
        if self.dry_run:
            path = os.path.join(folder, render_sheet.file_name(_Named(notice.unit, notice.unit_code, notice.day)))
        else:
            made = sheets.build(self.ctx, notice.unit_id)
            path = os.path.join(folder, render_sheet.file_name(made))
            os.makedirs(folder, exist_ok=True)
            write_bytes_atomically(path, render_sheet.workbook(made))
        self.sheets[notice.unit_id] = path
        return path

    def _text(self, notice: Any) -> str:
        from nqtrack.render import notices as render

        return render.render_markdown(notice) if self.fmt == "markdown" else render.render_text(notice)

    def _write(self, notice: Any, path: str) -> None:
        from nqtrack.files import write_atomically
        from nqtrack.render import notices as render

        os.makedirs(self.output_dir or ".", exist_ok=True)
        if self.fmt == "docx":
            render.write_docx(notice, path)  # written whole or not at all
        else:
            body = self._text(notice)
            write_atomically(path, lambda stream: stream.write(body))

    def _mail(self, notice_list: list[Any]) -> list[Any]:
        """E-mail each notice (its text as the body, the DOCX attached when written) to its unit."""
        from pathlib import Path

        from nqtrack import mailer
        from nqtrack.app import settings
        from nqtrack.render import notices as render

        stored = settings.read_all(self.ctx)
        config = mailer.MailSettings(
            host=stored["smtp_host"] or "", port=int(stored["smtp_port"] or 587),
            starttls=(stored["smtp_starttls"] or "yes").lower() not in ("no", "0", "false", "off"),
            sender=stored["smtp_sender"] or "", user=stored["smtp_user"] or None)
        messages, addressed = [], []
        for notice in notice_list:
            if not notice.email:
                typer.echo(_("No e-mail address for {unit}: not sent.", unit=notice.unit))
                continue
            attachments = []
            if self.fmt == "docx" and self.output_dir and not self.dry_run:
                attachments.append(Path(self.output_dir) / render.file_name(notice, "docx"))
            if notice.unit_id in self.sheets and not self.dry_run:
                attachments.append(Path(self.sheets[notice.unit_id]))
            recipients = [a.strip() for a in notice.email.replace(";", ",").split(",") if a.strip()]
            messages.append(mailer.build_message(config.sender, recipients, render.subject(notice),
                                                 render.render_text(notice), attachments))
            addressed.append(notice)
        for line in mailer.send_all(config, messages, dry_run=self.dry_run):
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
            typer.echo(f"{name} = {stored or ''}")
    elif value is None:
        typer.echo(settings.read(ctx, key) or "")
    else:
        typer.echo(f"{key} = {settings.change(ctx, key, value) or ''}")
