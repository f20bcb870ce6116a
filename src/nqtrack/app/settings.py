"""Stored settings: the report cut-off, the decimals of printed rates, what official letters
and reports say about their issuer (office, place, number patterns, signer:
core/letterhead.py), the language, and the SMTP settings of `remind --send`. Each is
checked when it is set, and again when it is read (`check` lists those that cannot be
used, changed outside nqtrack)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nqtrack.app.context import Context
from nqtrack.core import rules
from nqtrack.core.errors import InvalidInput, UserError
from nqtrack.core.rights import require_secretariat
from nqtrack.core.text import has_control_characters
from nqtrack.i18n import LANGUAGES

if TYPE_CHECKING:
    from nqtrack.core.letterhead import Letterhead

# core.letterhead and core.numbers (fractions, decimal) are imported where a letter's settings
# or the decimals are checked: every command reads settings, few of those (~4 ms of every
# start, issue 20)

KNOWN = ("cutoff", "decimals", "office", "place", "number", "report_number", "signer", "lang", "smtp_host",
         "smtp_port", "smtp_starttls", "smtp_sender", "smtp_user", "confirmation")
CLEAR = "-"
YES = ("yes", "1", "true", "on")
NO = ("no", "0", "false", "off")
# settings written in a fixed form: checked, and stored as the check writes them (_normalised)
_FIXED_FORM = ("office", "place", "number", "report_number", "signer")
# Rates are printed with one decimal of a per cent unless told otherwise (the Government prints 2).
DEFAULT_DECIMALS = 1


def check_cutoff(cutoff: int | None) -> int | None:
    if cutoff is not None and not 1 <= cutoff <= 28:
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    return cutoff


def _most_decimals() -> int:
    from nqtrack.core.numbers import MAX_DECIMALS

    return MAX_DECIMALS


def check_decimals(decimals: int | None) -> int | None:
    if decimals is not None and not 0 <= decimals <= _most_decimals():
        raise InvalidInput("--decimals takes a number from 0 to {most}", most=_most_decimals())
    return decimals


def print_decimals(store: object, given: int | None) -> int:
    """How many decimals of a per cent printed rates are cut to: `given` (the --decimals
    option), else the stored setting, else one."""
    if given is not None:
        check_decimals(given)
        return given
    stored = usable(store, "decimals")
    return int(stored) if stored else DEFAULT_DECIMALS


def _known(key: str) -> None:
    if key not in KNOWN:
        raise InvalidInput("unknown setting '{value}'; use one of: {values}", value=key, values=", ".join(KNOWN))


def _digits(value: str, most: int) -> bool:
    """ASCII digits, no more than `most` of them ('²' is a digit to Python)."""
    return value.isascii() and value.isdigit() and len(value) <= most


def check_value(key: str, value: str) -> str:
    """The value `key` may hold, as it is stored (some are written in a fixed form);
    InvalidInput saying why not. The one place every setting is checked, when it is set
    and when it is read."""
    if has_control_characters(value):
        raise InvalidInput("a setting is one line of text, without control characters")
    if key == "cutoff" and not (_digits(value, 2) and check_cutoff(int(value))):
        raise InvalidInput("--cutoff takes a day from 1 to 28")
    if key == "decimals" and not (_digits(value, 2) and check_decimals(int(value)) is not None):
        raise InvalidInput("--decimals takes a number from 0 to {most}", most=_most_decimals())
    if key == "lang" and value not in LANGUAGES:
        raise InvalidInput("unknown language '{lang}'; use vi or en", lang=value)
    if key == "smtp_port" and not (_digits(value, 5) and 1 <= int(value) <= 65535):
        raise InvalidInput("smtp_port takes a port number from 1 to 65535")
    if key == "smtp_starttls" and value.lower() not in YES + NO:
        raise InvalidInput("smtp_starttls takes yes or no")
    if key in ("smtp_host", "smtp_user") and (" " in value or not value):
        raise InvalidInput("{key} takes a name without spaces", key=key)
    if key == "smtp_sender":
        rules.email_addresses(value)
    if key == "confirmation" and value not in ("on", "off"):
        raise InvalidInput("confirmation is 'on' or 'off'")
    return _normalised(key, value)


def _normalised(key: str, value: str) -> str:
    if key not in _FIXED_FORM:
        return value
    from nqtrack.core import letterhead as head

    checks = {"office": head.check_office, "place": head.check_place, "number": head.check_number,
              "report_number": head.check_number, "signer": head.check_signer}
    return checks[key](value)


def read_all(ctx: Context) -> dict[str, str | None]:
    return {key: _shown(ctx, key) for key in KNOWN}


def read(ctx: Context, key: str) -> str | None:
    _known(key)
    return _shown(ctx, key)


def _shown(ctx: Context, key: str) -> str | None:
    """A setting as stored; confirmation as it holds (its default when not set)."""
    if key == "confirmation":
        return "on" if confirmation_on(ctx.store) else "off"
    return ctx.store.get_setting(key)


def usable(store: object, key: str) -> str | None:
    """A stored setting for use: InvalidInput, naming the setting and how to fix it, when
    it cannot be used (it was changed outside nqtrack)."""
    value = store.get_setting(key)  # type: ignore[attr-defined]
    if value is None:
        return None
    try:
        return check_value(key, value)
    except UserError as exc:
        raise InvalidInput("the stored setting {key} = '{value}' cannot be used ({reason}); set it again with "
                           "'nqtrack config {key} VALUE'", key=key, value=value, reason=exc) from None


def change(ctx: Context, key: str, value: str) -> str | None:
    """Store a setting ('-' clears it); returns the value now stored."""
    _known(key)
    stored = None if value.strip() == CLEAR else check_value(key, value.strip())
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
    value = usable(store, "cutoff")
    return int(value) if value else None


def letterhead(ctx: Context, number_setting: str = "number") -> Letterhead:
    """What a letter (`number`) or the report (`report_number`) says about its issuer."""
    from nqtrack.core import letterhead as head

    store = ctx.store
    return head.Letterhead(office=usable(store, "office") or "", place=usable(store, "place") or "",
                           number=usable(store, number_setting) or "",
                           signer=head.parse_signer(usable(store, "signer")))


def problems(ctx: Context) -> list[str]:
    """Stored settings and unit addresses that could not be used, in `check`'s words."""
    found = []
    for key, value in read_all(ctx).items():
        if value is not None:
            try:
                check_value(key, value)
            except UserError:
                found.append(f"the setting {key} = {value!r} cannot be used")
    for unit in ctx.store.list_units():
        try:
            rules.email_addresses(unit.email)
        except UserError:
            found.append(f"unit {unit.id} ({unit.name}): the e-mail address {unit.email!r} cannot be used")
    return found
