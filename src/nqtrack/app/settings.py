"""Stored settings: the report cut-off, the decimals of printed rates, the office and
place of notices, the language, and the SMTP settings of `remind --send`."""

from __future__ import annotations

from nqtrack.app.context import Context
from nqtrack.core.errors import InvalidInput
from nqtrack.core.numbers import MAX_DECIMALS
from nqtrack.i18n import LANGUAGES

KNOWN = ("cutoff", "decimals", "office", "place", "lang", "smtp_host", "smtp_port", "smtp_starttls", "smtp_sender",
         "smtp_user")
CLEAR = "-"
# Rates are printed with one decimal of a per cent unless told otherwise (the Government prints 2).
DEFAULT_DECIMALS = 1


def check_cutoff(cutoff: int | None) -> int | None:
    if cutoff is not None and not 1 <= cutoff <= 28:
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    return cutoff


def check_decimals(decimals: int | None) -> int | None:
    if decimals is not None and not 0 <= decimals <= MAX_DECIMALS:
        raise InvalidInput("--decimals takes a number from 0 to {most}", most=MAX_DECIMALS)
    return decimals


def print_decimals(store: object, given: int | None) -> int:
    """How many decimals of a per cent printed rates are cut to: `given` (the --decimals
    option), else the stored setting, else one."""
    if given is not None:
        check_decimals(given)
        return given
    stored = store.get_setting("decimals")  # type: ignore[attr-defined]
    return int(stored) if stored else DEFAULT_DECIMALS


def _check(key: str, value: str) -> None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    if value == CLEAR:
        return
    if key == "cutoff" and not (value.isdigit() and check_cutoff(int(value))):
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    if key == "decimals" and not (value.isascii() and value.isdigit() and check_decimals(int(value)) is not None):
        raise InvalidInput("--decimals takes a number from 0 to {most}", most=MAX_DECIMALS)
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
