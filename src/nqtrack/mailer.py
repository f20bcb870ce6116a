"""Sending reminder notices by e-mail over SMTP, with the standard library only.

One SMTP session for all messages (a hundred units should not mean a hundred logins), the
password only from an environment variable (never stored in the database or on the command
line, where `ps` and the shell history would show it), and every failure turned into a
`MailError` whose message says what went wrong and where, not a traceback.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from nqtrack.core.errors import UserError
from nqtrack.i18n import _

__all__ = ["MailSettings", "MailError", "build_message", "send_all"]

TIMEOUT = 30  # seconds: a dead server must not hang a cron job


class MailError(UserError):
    """A mail failure explained for the user; `sent` lists the lines already sent.

    The message is translated when raised (it carries no arguments), so the CLI's
    UserError handler shows it as it is, and `str()` reads well anywhere else."""

    exit_code = 69  # EX_UNAVAILABLE: the mail service could not be used

    def __init__(self, message: str, sent: list[str] | None = None) -> None:
        super().__init__(message)
        self.sent = list(sent or [])


@dataclass
class MailSettings:
    """Where and how to send; the password is read from `password_env` when needed."""

    host: str
    port: int = 587
    starttls: bool = True
    sender: str = ""
    user: str | None = None
    password_env: str = "NQTRACK_SMTP_PASSWORD"


class _Policy(EmailPolicy):
    """The default policy, but the Subject encoded by `email.header.Header`: the default
    folder drops the space between two encoded words where it folds a long non-ASCII
    subject ("nhiệm vụ — Vụ" arrives as "nhiệm vụ— Vụ"; CPython issues 144156, 77749)."""

    def fold(self, name: str, value: str) -> str:
        return self._subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = self._subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _subject(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return None
        encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"


POLICY = _Policy()


def build_message(
    sender: str,
    to: list[str],
    subject: str,
    body_text: str,
    attachments: Iterable[Path] = (),
) -> EmailMessage:
    """A UTF-8 message; headers with Vietnamese text are RFC 2047-encoded when sent."""
    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        raise MailError(_("A message has no recipient."))
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    # base64: Vietnamese text is mostly non-ASCII, and 8-bit bodies upset some relays
    message.set_content(body_text, charset="utf-8", cte="base64")
    for attachment in attachments:
        path = Path(attachment)
        kind, _encoding = mimetypes.guess_type(path.name)
        if path.suffix.lower() == ".docx":
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        maintype, _sep, subtype = (kind or "application/octet-stream").partition("/")
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def _line(message: EmailMessage) -> str:
    return f"{message.get('To', '')} → {message.get('Subject', '')}"


def _password(settings: MailSettings) -> str:
    password = os.environ.get(settings.password_env)
    if password is None:
        raise MailError(
            _("The password for {user} must be in the environment variable {var}.",
              user=settings.user, var=settings.password_env)
        )
    return password


def _reason(error: BaseException) -> str:
    """The server's or the system's own words, without Python's wrapping."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _open(settings: MailSettings, password: str | None) -> smtplib.SMTP:
    """Connect, secure and log in, or raise a MailError naming the step that failed."""
    host, port = settings.host, settings.port
    try:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(_("Cannot connect to the mail server {host}:{port}: {reason}", host=host, port=port,
                          reason=_reason(e))) from None
    try:
        if settings.starttls:
            try:
                smtp.starttls(context=ssl.create_default_context())
            except smtplib.SMTPNotSupportedError:
                raise MailError(_("The mail server {host}:{port} does not offer STARTTLS.", host=host,
                                  port=port)) from None
            except (OSError, smtplib.SMTPException) as e:
                raise MailError(_("The secure connection (STARTTLS) to {host}:{port} failed: {reason}",
                                  host=host, port=port, reason=_reason(e))) from None
        if settings.user:
            try:
                _login(smtp, settings.user, password or "")
            except smtplib.SMTPAuthenticationError:
                raise MailError(_("Authentication as {user} on {host}:{port} failed.", user=settings.user,
                                  host=host, port=port)) from None
            except smtplib.SMTPNotSupportedError:
                raise MailError(_("The mail server {host}:{port} does not accept logins.", host=host,
                                  port=port)) from None
            except (OSError, smtplib.SMTPException) as e:
                raise MailError(_("Sending mail through {host}:{port} failed: {reason}", host=host, port=port,
                                  reason=_reason(e))) from None
    except MailError:
        _close(smtp)
        raise
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; smtplib only takes ASCII credentials, so others go by AUTH PLAIN in UTF-8
    (RFC 4616) rather than failing on a Vietnamese password."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, response = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def send_all(settings: MailSettings, messages: list[EmailMessage], *, dry_run: bool = False) -> list[str]:
    """Send every message in one SMTP session; one "to → subject" line per message.
    With `dry_run` nothing is sent (no connection either) and the lines say what would be."""
    lines = [_line(message) for message in messages]
    if dry_run or not messages:
        return lines
    if not settings.host:
        raise MailError(_("No mail server is set."))
    password = _password(settings) if settings.user else None  # before connecting: fail fast
    sent: list[str] = []
    smtp = _open(settings, password)
    try:
        for message, line in zip(messages, lines, strict=True):
            if settings.sender and not message.get("From"):
                message["From"] = settings.sender
            problem = _send_one(smtp, message, settings)
            if problem:
                if sent:
                    problem += " " + _("{sent} of {total} messages had been sent.", sent=len(sent),
                                       total=len(messages))
                raise MailError(problem, sent)
            sent.append(line)
    finally:
        _close(smtp)
    return lines


def _send_one(smtp: smtplib.SMTP, message: EmailMessage, settings: MailSettings) -> str | None:
    """Send one message; None when it went, else what went wrong in the user's words."""
    try:
        smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as e:
        return _("The mail server refused the recipient {to}.", to=", ".join(e.recipients) or message.get("To", ""))
    except smtplib.SMTPSenderRefused as e:
        sender = e.sender.decode("utf-8", "replace") if isinstance(e.sender, bytes) else str(e.sender)
        return _("The mail server refused the sender {sender}.", sender=sender)
    except (OSError, smtplib.SMTPException) as e:
        return _("Sending mail through {host}:{port} failed: {reason}", host=settings.host, port=settings.port,
                 reason=_reason(e))
    return None
