"""Stored settings: the report cut-off, the decimals of printed rates, what official letters
and reports say about their issuer (office, place, number patterns, signer:
core/letterhead.py), the language, and the SMTP settings of `remind --send`."""

from __future__ import annotations

from typing import Any

from nqtrack.app.context import Context
from nqtrack.core import letterhead as head
from nqtrack.core.errors import InvalidInput
from nqtrack.core.numbers import MAX_DECIMALS
from nqtrack.core.rights import require_secretariat
from nqtrack.i18n import LANGUAGES

KNOWN = ("cutoff", "decimals", "office", "place", "number", "report_number", "signer", "lang", "smtp_host",
         "smtp_port", "smtp_starttls", "smtp_sender", "smtp_user", "confirmation")
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
    if key == "confirmation" and value not in ("on", "off"):
        raise InvalidInput("confirmation is 'on' or 'off'")
    return _NORMALISE[key](value) if key in _NORMALISE else value


def read_all(ctx: Context) -> dict[str, str | None]:
    return {key: _shown(ctx, key) for key in KNOWN}


def read(ctx: Context, key: str) -> str | None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))
    return _shown(ctx, key)


def _shown(ctx: Context, key: str) -> str | None:
    """A setting as stored; confirmation as it holds (its default when not set)."""
    if key == "confirmation":
        return "on" if confirmation_on(ctx.store) else "off"
    return ctx.store.get_setting(key)


def change(ctx: Context, key: str, value: str) -> str | None:
    """Store a setting ('-' clears it); returns the value now stored."""
    value = _check(key, value)
    stored = None if value == CLEAR else value
    require_secretariat(ctx.actor)
    with ctx.store.transaction():
        ctx.store.set_setting(key, stored)
        if key == "confirmation" and not confirmation_on(ctx.store):
            _refuse_pending_proposals(ctx)
    return _shown(ctx, key) if key == "confirmation" else stored


def confirmation_on(store: Any) -> bool:
    """Whether a unit's completion is a proposal the secretariat confirms before it counts:
    the `confirmation` setting, else on exactly when the register has unit users."""
    stored = store.get_setting("confirmation")
    return stored == "on" if stored else store.has_unit_users()


def _refuse_pending_proposals(ctx: Context) -> None:
    """Confirmation turned off with proposals awaiting: reports would count them from a
    confirmation that never comes. The secretariat settles them first."""
    waiting = ctx.store.pending_requests(kinds=("proposed",))
    if waiting:
        raise InvalidInput("{count} proposed completions await confirmation (tasks {tasks}): confirm or reject them "
                           "before turning confirmation off", count=len(waiting),
                           tasks=", ".join(str(w["task_id"]) for w in waiting[:10]))


def stored_cutoff(store: object) -> int | None:
    value = store.get_setting("cutoff")  # type: ignore[attr-defined]
    return int(value) if value else None


def letterhead(ctx: Context, number_setting: str = "number") -> head.Letterhead:
    """What a letter (`number`) or the report (`report_number`) says about its issuer."""
    get = ctx.store.get_setting
    return head.Letterhead(office=get("office") or "", place=get("place") or "", number=get(number_setting) or "",
                           signer=head.parse_signer(get("signer")))
