"""What `check` found, in the chosen language.

The store, the settings and the check's use case word each problem in English: the JSON and
the CSV of `check` keep those words, for a script to compare. A table or markdown is read by
people, so each problem is written there from a message id of the catalog, with the values
it names (numbers, names, values as the register holds them). SQLite's own diagnostics (the
lines of its integrity check) stay as SQLite writes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nqtrack.i18n import N_, _, translate_matching

SHOWN_IN_A_LINE = 5  # the problems a one-line refusal names; the rest are counted

# The rows, entities and parts the problems name (store.sql._MISSING and the register's
# journal, app.register.check's parts), in the words the problems use.
_NOUNS = frozenset((
    N_("journal event"), N_("journal events"),
    N_("event of the units' and documents' journal"), N_("events of the units' and documents' journal"),
    N_("series"),
    N_("event of the series' journal"), N_("events of the series' journal"),
    N_("event of the calendar's journal"), N_("events of the calendar's journal"),
    N_("unit"), N_("document"),
    N_("the register's rules"), N_("the stored settings"),
))
_ROWS = "|".join(re.escape(noun) for noun in sorted(_NOUNS, key=len, reverse=True))
_MISSING = r" \(deleted outside nqtrack\?\)"
_MISSING_TASKS = r" \(deleted outside nqtrack, with (?:their|its) events\?\)"

# Problems without values: their text is the message id.
PLAIN_PROBLEMS = (
    N_("this task is missing (deleted outside nqtrack, with its events?)"),
    N_("done without a completion date"),
    N_("a completion date but not done"),
    N_("deadline before the day it was assigned, with no note"),
    N_("no creation event in the journal"),
    N_("missing from the search index"),
    N_("its text in the search index does not match its fields"),
    N_("in the search index, but there is no such task"),
    N_("what the register keeps beside its tasks could not be checked: its file is damaged"),
)

# Problems with values: (the store's words as a pattern, the message id). The more precise
# pattern first where two could match.
_PROBLEM_TABLE = (
    (r"unit (?P<id>\d+) \((?P<name>.*)\): its look-up keys do not match its name, code and aliases",
     N_("unit {id} ({name}): its look-up keys do not match its name, code and aliases")),
    (r"unit (?P<id>\d+) \((?P<name>.*)\): the e-mail address (?P<address>.*) cannot be used",
     N_("unit {id} ({name}): the e-mail address {address} cannot be used")),
    (rf"(?P<count>\d+) tasks? (?:is|are) missing{_MISSING_TASKS}",
     N_("{count} tasks missing (deleted outside nqtrack?)")),
    (rf"tasks (?P<first>\d+)–(?P<last>\d+) are missing{_MISSING_TASKS}",
     N_("tasks {first}–{last} missing (deleted outside nqtrack?)")),
    (rf"(?P<count>\d+) (?P<rows>{_ROWS}) (?:is|are) missing{_MISSING}",
     N_("{count} {rows} missing (deleted outside nqtrack?)")),
    (rf"(?P<rows>{_ROWS}) (?P<first>\d+)–(?P<last>\d+) are missing{_MISSING}",
     N_("{rows} {first}–{last} missing (deleted outside nqtrack?)")),
    (rf"(?P<rows>{_ROWS}) (?P<number>\d+) is missing{_MISSING}",
     N_("{rows} {number} missing (deleted outside nqtrack?)")),
    (r"(?P<entity>unit|document) (?P<id>\d+): its journal names a field '(?P<field>.*)' it does not have",
     N_("{entity} {id}: its journal names a field '{field}' it does not have")),
    (r"(?P<entity>unit|document) (?P<id>\d+) is in its journal, but there is no such (?:unit|document)",
     N_("{entity} {id} is in its journal, but there is no such {entity}")),
    (r"(?P<entity>unit|document) (?P<id>\d+): '(?P<field>.*)' is (?P<value>.*) but its journal says (?P<journal>.*)",
     N_("{entity} {id}: '{field}' is {value} but its journal says {journal}")),
    (r"calendar day (?P<day>\S+): it is (?P<kind>.*) but its journal says (?P<journal>.*)",
     N_("calendar day {day}: it is {kind} but its journal says {journal}")),
    (r"series S(?P<id>\d+): the title key (?P<key>.*) does not match the title",
     N_("series S{id}: the title key {key} does not match the title")),
    (r"series S(?P<id>\d+): no creation event in its journal", N_("series S{id}: no creation event in its journal")),
    (r"series S(?P<id>\d+): its creation event cannot be read", N_("series S{id}: its creation event cannot be read")),
    (r"series S(?P<id>\d+): '(?P<field>.*)' is (?P<value>.*) but it was created with (?P<created>.*)",
     N_("series S{id}: '{field}' is {value} but it was created with {created}")),
    (r"series S(?P<id>\d+): it ends on (?P<value>.*) but its journal says (?P<journal>.*)",
     N_("series S{id}: it ends on {value} but its journal says {journal}")),
    (r"its creation event #(?P<event>\d+) cannot be read", N_("its creation event #{event} cannot be read")),
    (r"'(?P<field>.*)' was (?P<value>.*) before its first change, not what its creation event #(?P<event>\d+) "
     r"recorded", N_("'{field}' was {value} before its first change, not what its creation event #{event} recorded")),
    (r"'(?P<field>.*)' is (?P<value>.*), not what its creation event #(?P<event>\d+) recorded",
     N_("'{field}' is {value}, not what its creation event #{event} recorded")),
    (r"its fields are not what its creation event #(?P<event>\d+) recorded",
     N_("its fields are not what its creation event #{event} recorded")),
    (r"the original deadline is (?P<value>.*) but the journal says (?P<journal>.*)",
     N_("the original deadline is {value} but the journal says {journal}")),
    (r"'(?P<field>.*)' is (?P<value>.*) but the journal says (?P<journal>.*)",
     N_("'{field}' is {value} but the journal says {journal}")),
    (r"the title key (?P<key>.*) does not match the title", N_("the title key {key} does not match the title")),
    (r"foreign key: (?P<table>\S+) row (?P<row>\S+) → (?P<parent>\S+)",  # row None: a table WITHOUT ROWID
     N_("foreign key: {table} row {row} → {parent}")),
    (r"the file cannot be read whole: (?P<detail>.*)", N_("the file cannot be read whole: {detail}")),
    (r"(?P<part>the register's rules|the stored settings) could not be checked: its file is damaged",
     N_("{part} could not be checked: its file is damaged")),
    (r"the setting (?P<key>\S+) = (?P<value>.*) cannot be used", N_("the setting {key} = {value} cannot be used")),
)


def translate_problem(problem: str) -> str:
    """A problem `check` found, in the chosen language (SQLite's own lines as they are)."""
    return translate_matching(problem, _PROBLEM_TABLE, _noun, re.DOTALL)


def _noun(value: str) -> str:
    """A row, entity or part a problem names, in the chosen language; any other value as it is."""
    return _(value) if value in _NOUNS else value


def problems_line(found: Sequence[tuple[int | None, str]]) -> str:
    """The problems `check` would find, as one line of a refusal in the chosen language: the
    first few, each with its task, then how many more."""
    said = [_("task {task}: {problem}", task=task, problem=translate_problem(problem)) if task
            else translate_problem(problem) for task, problem in found[:SHOWN_IN_A_LINE]]
    more = len(found) - SHOWN_IN_A_LINE
    return "; ".join(said) + (f" (+{more})" if more > 0 else "")
