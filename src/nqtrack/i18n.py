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

import os

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
    N_("completed"), N_("note"), N_("undo"), N_("reminded"),
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


def translate_matching(text: str, patterns) -> str:
    """Translate a text made by someone else (a parser, click) from a table of
    (compiled regex with named groups, message id using those names). The text itself
    may also be a message id. Unknown texts stay as they are."""
    if not text:
        return text
    catalog = _translation(_language)
    translated = catalog.gettext(text)
    if translated != text:
        return translated
    for pattern, message in patterns:
        match = pattern.fullmatch(text)
        if match:
            template = catalog.gettext(message)
            return template.format(**match.groupdict()) if template != message else text
    return text


# Reasons that come from the parsers (dates, deadlines, the importer), with the values
# they name. Compiled on first use.
_REASON_TABLE = (
    (r"'(?P<value>.*)' is not a date", N_("'{value}' is not a date")),
    (r"'(?P<value>.*)' is not a date in the form YYYY-MM-DD", N_("'{value}' is not a date in the form YYYY-MM-DD")),
    (r"'(?P<value>.*)' is not a deadline", N_("'{value}' is not a deadline")),
    (r"'(?P<value>.*)' is not a deadline: no such period", N_("'{value}' is not a deadline: no such period")),
    (r"'(?P<value>.*)' is not a deadline: (?P<day>\S+) does not exist",
     N_("'{value}' is not a deadline: {day} does not exist")),
    (r"the same task as row (?P<row>\d+)", N_("the same task as row {row}")),
    (r"unknown unit '(?P<name>.*)' \(--strict-units\)", N_("unknown unit '{name}' (--strict-units)")),
    (r"unknown state; use (?P<names>.*) \(or (?P<values>.*)\)", N_("unknown state; use {names} (or {values})")),
)
# Reasons without values: their text is the message id.
REASON_MESSAGES = (
    N_("a task needs a title"),
    N_("a completed task needs its completion date ('Ngày hoàn thành')"),
    N_("the completion date is after today"),
    N_("progress must be between 0 and 100"),
    N_("progress is not a number"),
    N_("not an e-mail address (several are separated by ',')"),
)
_reason_patterns: list | None = None


def translate_reason(reason: str) -> str:
    """A parser's English reason in the chosen language."""
    global _reason_patterns
    if _reason_patterns is None:
        import re

        _reason_patterns = [(re.compile(p), m) for p, m in _REASON_TABLE]
    return translate_matching(reason, _reason_patterns)
