"""Messages and labels in Vietnamese (the default) and English.

Message ids are the English texts. `_()` looks a message up in the gettext catalog of
the chosen language (`locale/<lang>/LC_MESSAGES/nqtrack.mo`, compiled from the `.po`
beside it by `tools/compile_catalogs.py`) and fills in `{named}` arguments. English needs
no catalog: a message id is its own English text. Machine formats (JSON keys, CSV
headers) never go through here.

The catalog is read on the first `_()` call in a language, not on import: `nqtrack.cli`
imports this module at start-up. `N_()` marks a message id that is translated later
(through a variable), so that the catalog tests find it in the source.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from nqtrack.core.errors import N_  # one marker for the core and the edges
from nqtrack.core.text import inert

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "nqtrack"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")

_language = DEFAULT_LANGUAGE
_translations: dict[str, object] = {}


# Message ids that reach `_()` through a variable: stored states, timing classes and
# journal event kinds (shown translated in listings and in `show`).
DYNAMIC_MESSAGES = (
    N_("new"), N_("in_progress"), N_("done"), N_("paused"), N_("cancelled"),
    N_("completed_on_time"), N_("completed_late"), N_("overdue"),
    N_("created"), N_("imported"), N_("updated"), N_("extended"), N_("reassigned"),
    N_("completed"), N_("note"), N_("undo"), N_("reminded"), N_("voided"), N_("corrected"),
    # a unit's requests and the secretariat's answers (journal kinds), the users' roles and events
    N_("proposed"), N_("extension_requested"), N_("confirmed"), N_("rejected"), N_("denied"),
    N_("secretariat"), N_("leader"), N_("unit"), N_("added"), N_("removed"),
)


def _translation(lang: str):
    """The gettext catalog of `lang`, read once; a NullTranslations when there is none."""
    try:
        return _translations[lang]
    except KeyError:
        import gettext

        found = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)
        _translations[lang] = found
        return found


def set_language(lang: str | None = None, *, stored: str | None = None) -> str:
    """Choose the language: `lang` (the --lang option), else $NQTRACK_LANG, else `stored`
    (the `lang` setting of the database, when the caller read it), else Vietnamese.
    Raises ValueError for a language other than vi or en."""
    global _language
    lang = (lang or os.environ.get("NQTRACK_LANG") or stored or DEFAULT_LANGUAGE).strip().lower()
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _language = lang
    return lang


def language() -> str:
    return _language


def _(message: str, **args: object) -> str:
    """The message in the chosen language, with its arguments filled in. Text arguments
    (names, titles, paths a user typed) are made inert first: a control character in them
    is shown, never obeyed by the terminal (see core.text.inert)."""
    # "" would give the catalog's header: gettext keeps it under the empty id
    text = _translation(_language).gettext(message) if message else message
    if not args:
        return text
    return text.format(**{k: inert(os.fspath(v)) if isinstance(v, (str, os.PathLike)) else v
                          for k, v in args.items()})


def translate_matching(text: str, table: tuple[tuple[str, str], ...], value=None, flags: int = 0) -> str:
    """Translate a text made by someone else (a parser, click, the store) from a table of
    (regex with named groups, message id using those names), compiled at its first use
    (with `flags`). The text itself may also be a message id. Unknown texts stay as they
    are. `value` rewrites each captured value (a day in the language's form)."""
    if not text:
        return text
    catalog = _translation(_language)
    translated = catalog.gettext(text)
    if translated != text:
        return translated
    for pattern, message in _compiled(table, flags):
        match = pattern.fullmatch(text)
        if match:
            template = catalog.gettext(message)
            if template == message:  # English: the text as it was, its values too
                return text
            groups = {k: value(v) if value and v else v for k, v in match.groupdict().items()}
            return template.format(**groups)
    return text


# Reasons that come from the parsers (dates, deadlines, the importer), with the values
# they name. Compiled on first use.
@functools.cache
def _compiled(table: tuple[tuple[str, str], ...], flags: int) -> list[tuple[Any, str]]:
    """A table of translate_matching, its patterns compiled (once: regular expressions compiled
    at import would cost every start)."""
    import re

    return [(re.compile(pattern, flags), message) for pattern, message in table]


_REASON_TABLE = (
    (r"'(?P<value>.*)' is not a date", N_("'{value}' is not a date")),
    (r"'(?P<value>.*)' is not a date in the form YYYY-MM-DD", N_("'{value}' is not a date in the form YYYY-MM-DD")),
    (r"'(?P<value>.*)' is not a deadline", N_("'{value}' is not a deadline")),
    (r"'(?P<value>.*)' is not a deadline: no such period", N_("'{value}' is not a deadline: no such period")),
    (r"'(?P<value>.*)' is not a deadline: (?P<day>\S+) does not exist",
     N_("'{value}' is not a deadline: {day} does not exist")),
    (r"'(?P<value>.*)' is not a deadline: it counts from a day nqtrack does not know",
     N_("'{value}' is not a deadline: it counts from a day nqtrack does not know")),
    (r"'(?P<value>.*)' is not a deadline: a period of length 0",
     N_("'{value}' is not a deadline: a period of length 0")),
    (r"'(?P<value>.*)' is not a deadline: there is no day (?P<day>\d+) in a month",
     N_("'{value}' is not a deadline: there is no day {day} in a month")),
    (r"'(?P<value>.*)' is not a deadline: there is no day (?P<day>\d+/\d+)",
     N_("'{value}' is not a deadline: there is no day {day}")),
    (r"'(?P<value>.*)' is not a deadline: a \w+ rule needs exactly one day in each \w+; "
     r"months (?P<months>\S+) have (?P<count>\d+)",
     N_("'{value}' is not a deadline: it needs exactly one day in each period; months {months} have {count}")),
    (r"'(?P<text>.*)' counts from the day the task was assigned, which is not given",
     N_("'{text}' counts from the day the task was assigned, which is not given")),
    (r"'(?P<text>.*)' counts from the day the document was signed, which is not known: "
     r"give the task its document, with the document's date",
     N_("'{text}' counts from the day the document was signed, which is not known: "
        "give the task its document, with the document's date")),
    (r"'(?P<text>.*)' counts from the day the document was received, which is not known: "
     r"give the task its document, with the day it was received",
     N_("'{text}' counts from the day the document was received, which is not known: "
        "give the task its document, with the day it was received")),
    (r"the same task as row (?P<row>\d+)", N_("the same task as row {row}")),
    (r"unknown unit '(?P<name>.*)' \(--strict-units\)", N_("unknown unit '{name}' (--strict-units)")),
    (r"unknown state; use (?P<names>.*) \(or (?P<values>.*)\)", N_("unknown state; use {names} (or {values})")),
    (r"unknown unit '(?P<name>.*)' \(--strict-units\); did you mean '(?P<likely>.*)'\?",
     N_("unknown unit '{name}' (--strict-units); did you mean '{likely}'?")),
    (r"fits several units: (?P<names>.*)", N_("fits several units: {names}")),
    (r"fits several documents: (?P<names>.*); write SYMBOL@dd/mm/yyyy or give the date \('Ngày ban hành'\)",
     N_("fits several documents: {names}; write SYMBOL@dd/mm/yyyy or give the date ('Ngày ban hành')")),
    (r"fits several documents: (?P<names>.*)", N_("fits several documents: {names}")),
    (r"unknown document '(?P<ref>.*)'", N_("unknown document '{ref}'")),
    (r"a completion date, but the state is '(?P<state>.*)'", N_("a completion date, but the state is '{state}'")),
)
# Why a period or a database is refused: texts made by code below the command line, with
# the values they name. (A file's problems are the reader's message ids: ReadError.) A
# technical detail in English is left out in Vietnamese rather than shown untranslated.
_REFUSAL_TABLE = (
    (r"(?P<year>-?[0-9]+) is not a year from (?P<first>[0-9]+) to (?P<last>[0-9]+)",
     N_("{year} is not a year from {first} to {last}")),
    (r"no month (?P<number>-?[0-9]+)", N_("no month {number}")),
    (r"no quarter (?P<number>-?[0-9]+)", N_("no quarter {number}")),
    (r"the period ends \((?P<end>[0-9-]+)\) before it starts \((?P<start>[0-9-]+)\)",
     N_("the period ends ({end}) before it starts ({start})")),
    (r"'(?P<value>.*)' is not a month \(YYYY-MM, this or last\)",
     N_("'{value}' is not a month (YYYY-MM, this or last)")),
    (r"'(?P<value>.*)' is not a quarter \(YYYY-Qn\)", N_("'{value}' is not a quarter (YYYY-Qn)")),
    (r"'(?P<value>.*)' is not a year", N_("'{value}' is not a year")),
    (r"damaged: (?P<detail>.*)", N_("the file is damaged")),
)
# Reasons without values: their text is the message id.
REASON_MESSAGES = (
    N_("a task needs a title"),
    N_("a completed task needs its completion date ('Ngày hoàn thành')"),
    N_("the completion date is after today"),
    N_("progress must be between 0 and 100"),
    N_("progress is not a number"),
    N_("it holds other tables"),
    N_("no nqtrack schema"),
    N_("made by a newer nqtrack"),
    N_("file is not a database"),
    N_("not an nqtrack export"),
    N_("an extension needs a date"),
    N_("the extended deadline is before the deadline"),
    N_("the completion date is before the assigned day"),
    N_("a unit needs a name"),
    N_("a document needs a number and symbol"),
    N_("Permission denied"),  # the system's reason a file cannot be read (strerror)
    N_("not an e-mail address (several are separated by ',')"),
    N_("it is a folder"),
    N_("not a regular file"),
    N_("'schema' is not a schema version"),
)
_REASONS = _REASON_TABLE + _REFUSAL_TABLE


def translate_reason(reason: str) -> str:
    """A parser's English reason in the chosen language, its days as the language writes them."""
    return translate_matching(reason, _REASONS, _language_day)


def _language_day(value: str) -> str:
    """An ISO day named in a reason, written as the chosen language writes days; a text
    shaped like one that is no day (2026-13-40, the very text a reason refuses) as written."""
    import re

    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        from datetime import date

        from nqtrack.core.dates import format_date

        try:
            return format_date(date.fromisoformat(value), _language)
        except ValueError:
            return value
    return value
