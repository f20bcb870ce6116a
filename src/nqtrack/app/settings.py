"""Stored settings: the report cut-off, the decimals of printed rates, what official letters
and reports say about their issuer (office, place, number patterns, signer:
core/letterhead.py), the language, and the SMTP settings of `remind --send`."""

from __future__ import annotations

from nqtrack.app.context import Context
from nqtrack.core import letterhead as head
from nqtrack.core.errors import InvalidInput
from nqtrack.core.numbers import MAX_DECIMALS
from nqtrack.i18n import LANGUAGES

KNOWN = ("cutoff", "decimals", "office", "place", "number", "report_number", "signer", "lang", "smtp_host",
         "smtp_port", "smtp_starttls", "smtp_sender", "smtp_user")
CLEAR = "-"
# settings written in a fixed form: checked, and stored as the check writes them
_NORMALISE = {"office": head.check_office, "place": head.check_place, "number": head.check_number,
              "report_number": head.check_number, "signer": head.check_signer}
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


def _check(key: str, value: str) -> str:
    """The value to store; a value that is not valid for its key is refused."""
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    if value == CLEAR:
        return value
    if key == "cutoff" and not (value.isdigit() and check_cutoff(int(value))):
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    if key == "decimals" and not (value.isascii() and value.isdigit() and check_decimals(int(value)) is not None):
        raise InvalidInput("--decimals takes a number from 0 to {most}", most=MAX_DECIMALS)
    if key == "lang" and value not in LANGUAGES:
        raise InvalidInput("unknown language '{lang}'; use vi or en", lang=value)
    return _NORMALISE[key](value) if key in _NORMALISE else value


def read_all(ctx: Context) -> dict[str, str | None]:
    return {key: ctx.store.get_setting(key) for key in KNOWN}


def read(ctx: Context, key: str) -> str | None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    return ctx.store.get_setting(key)


def change(ctx: Context, key: str, value: str) -> str | None:
    """Store a setting ('-' clears it); returns the value now stored."""
    value = _check(key, value)
    stored = None if value == CLEAR else value
    with ctx.store.transaction():
        ctx.store.set_setting(key, stored)
    return stored


def stored_cutoff(store: object) -> int | None:
    value = store.get_setting("cutoff")  # type: ignore[attr-defined]
    return int(value) if value else None


def letterhead(ctx: Context, number_setting: str = "number") -> head.Letterhead:
    """What a letter (`number`) or the report (`report_number`) says about its issuer."""
    get = ctx.store.get_setting
    return head.Letterhead(office=get("office") or "", place=get("place") or "", number=get(number_setting) or "",
                           signer=head.parse_signer(get("signer")))
