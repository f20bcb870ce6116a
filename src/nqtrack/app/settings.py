"""Stored settings: the report cut-off, the office and place of notices, the language,
and the SMTP settings of `remind --send`."""

from __future__ import annotations

from nqtrack.app.context import Context
from nqtrack.core.errors import InvalidInput
from nqtrack.i18n import LANGUAGES

KNOWN = ("cutoff", "office", "place", "lang", "smtp_host", "smtp_port", "smtp_starttls", "smtp_sender", "smtp_user")
CLEAR = "-"


def check_cutoff(cutoff: int | None) -> int | None:
    if cutoff is not None and not 1 <= cutoff <= 28:
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    return cutoff


def _check(key: str, value: str) -> None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    if value == CLEAR:
        return
    if key == "cutoff" and not (value.isdigit() and check_cutoff(int(value))):
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    if key == "lang" and value not in LANGUAGES:
        raise InvalidInput("unknown language '{lang}'; use vi or en", lang=value)


def read_all(ctx: Context) -> dict[str, str | None]:
    return {key: ctx.store.get_setting(key) for key in KNOWN}


def read(ctx: Context, key: str) -> str | None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    return ctx.store.get_setting(key)


def change(ctx: Context, key: str, value: str) -> str | None:
    """Store a setting ('-' clears it); returns the value now stored."""
    _check(key, value)
    stored = None if value == CLEAR else value
    with ctx.store.transaction():
        ctx.store.set_setting(key, stored)
    return stored


def stored_cutoff(store: object) -> int | None:
    value = store.get_setting("cutoff")  # type: ignore[attr-defined]
    return int(value) if value else None
