"""Evaluation of units (đánh giá, xếp loại mức độ thực hiện nhiệm vụ được giao).

For each lead unit: its tasks in the four timing classes, the on-time rate (tasks
completed on time / tasks fallen due), its overdue tasks and their days overdue,
the extensions it asked and the reminders it received; from these a score out of
100 and a class. The scheme that turns figures into a score and a class is data: a
TOML text (`DEFAULT_SCHEME_TOML`, or an office's own, read by `parse_scheme`).

The score of a unit with at least one task fallen due (completed, or overdue):

    100 × (credit.completed_on_time × on time + credit.completed_late × late
           + credit.overdue × overdue) / fallen due
    − min(deductions.per_overdue_day × days overdue (sum), deductions.overdue_days_cap)
    − min(deductions.per_reminder × reminders, deductions.reminders_cap)
    − min(deductions.per_extension × extensions, deductions.extensions_cap)

and never below 0. The unit takes the first class, best first, whose conditions it
meets: `min_score`, and optionally `max_overdue` (tasks) and `min_on_time_rate`. The
last class takes every unit. A unit with no task fallen due is *not evaluated*: it
has no score and comes after every class (its name is `[not_evaluated]` in the
scheme). Tasks still within their deadline weigh nothing: they have not fallen due.

Sources of the default scheme
-----------------------------
- Hải Phòng, Quyết định 3180/2016/QĐ-UBND of 19/12/2016, "Quy định tiêu chí đánh
  giá và phân loại mức độ thực hiện nhiệm vụ Ủy ban nhân dân thành phố, Chủ tịch Ủy
  ban nhân dân thành phố giao đối với người đứng đầu sở, ngành, đơn vị và Chủ tịch
  Ủy ban nhân dân các quận, huyện" (built on Quyết định 42/2014/QĐ-TTg on tracking
  the tasks the Government gives) is the model: the tasks a People's Committee
  gives, evaluated per unit head and classed. Only its preamble could be read
  (hethongphapluat.vn, vanban123.vn, thuviennhadat.vn), so no number below is
  taken from it.
- Nghị định 335/2025/NĐ-CP (in force 1/1/2026) on evaluating administrative bodies
  and civil servants, as reported by cafef.vn, tienphong.vn and news.laodong.vn
  (12/2025): a 100-point scale, "hoàn thành xuất sắc" from 90 points, "hoàn thành
  tốt" from 70, "hoàn thành" from 50, "không hoàn thành" below 50; an organisation
  is excellent or good only with every task done on time, and "hoàn thành" with at
  most 20 % of its tasks behind schedule; each delay costs 25 % of a task's progress
  points. Hence the thresholds 90/70/50, credit 0.75 for a task completed late, an
  on-time rate of 1 for "excellent" and of 0.8 (at most 20 % late or overdue) for
  "good" and "completed".
- Nghị định 90/2020/NĐ-CP, Điều 13 (thuvienphapluat.vn): a manager's unit is
  "hoàn thành tốt" with at least 80 % of its tasks on schedule; the same 0.8.
- Đắk Nông, Quyết định 1748/QĐ-UBND (2018, baodaknong.org.vn): the same kind of
  classes at 90/75/50 points, a province's variant an office can write in its own
  scheme.
Chosen here, for want of a number in these texts: no overdue task for "good"
(Nghị định 335 asks that every task be done), 0.1 point off per day overdue (at
most 10), 0.5 per reminder received (at most 10), and nothing for an extension
asked, since asking for more time through the proper channel is no fault in itself.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from nqtrack.core.collate import sort_key
from nqtrack.core.errors import InvalidInput

NOT_EVALUATED = "not_evaluated"

DEFAULT_SCHEME_TOML = """\
# nqtrack's default evaluation scheme; see nqtrack/core/evaluation.py for its sources.

[credit]             # share of the points a task fallen due earns
completed_on_time = 1.0
completed_late = 0.75
overdue = 0.0

[deductions]         # points taken off the score, each capped
per_overdue_day = 0.1
overdue_days_cap = 10
per_reminder = 0.5
reminders_cap = 10
per_extension = 0.0
extensions_cap = 0

[[classes]]          # best first; a unit takes the first class whose conditions it meets
id = "excellent"
vi = "Hoàn thành xuất sắc nhiệm vụ"
en = "Tasks carried out excellently"
min_score = 90
max_overdue = 0
min_on_time_rate = 1.0

[[classes]]
id = "good"
vi = "Hoàn thành tốt nhiệm vụ"
en = "Tasks carried out well"
min_score = 70
max_overdue = 0
min_on_time_rate = 0.8

[[classes]]
id = "completed"
vi = "Hoàn thành nhiệm vụ"
en = "Tasks carried out"
min_score = 50
min_on_time_rate = 0.8

[[classes]]
id = "not_completed"
vi = "Không hoàn thành nhiệm vụ"
en = "Tasks not carried out"
min_score = 0

[not_evaluated]
vi = "Chưa đánh giá (không có nhiệm vụ đến hạn)"
en = "Not evaluated (no task fell due)"
"""


class SchemeError(InvalidInput, ValueError):
    """An evaluation scheme that cannot be used: a user's error (the command line prints
    it as one translated line, exit status 2). `message` is an English template with
    {named} placeholders (the message id of the catalog), `args_` its values."""

    def __str__(self) -> str:
        return self.message.format(**self.args_)


@dataclass(frozen=True)
class ClassRule:
    """A class of the scheme and what a unit needs to reach it."""

    id: str
    vi: str
    en: str
    min_score: Fraction
    max_overdue: int | None = None
    min_on_time_rate: Fraction | None = None

    def name(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Scheme:
    credit_on_time: Fraction
    credit_late: Fraction
    credit_overdue: Fraction
    per_overdue_day: Fraction
    overdue_days_cap: Fraction
    per_reminder: Fraction
    reminders_cap: Fraction
    per_extension: Fraction
    extensions_cap: Fraction
    classes: tuple[ClassRule, ...]
    not_evaluated: ClassRule


@dataclass(frozen=True)
class UnitFigures:
    """One lead unit's figures for the evaluated period, as the caller counted them
    (usually its workload in the four states); days overdue are those of its overdue tasks."""

    unit: str
    completed_on_time: int = 0
    completed_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    overdue_days_total: int = 0
    overdue_days_max: int = 0
    extensions: int = 0
    reminders: int = 0
    unit_id: int | None = None

    @property
    def completed(self) -> int:
        return self.completed_on_time + self.completed_late

    @property
    def due(self) -> int:
        """Tasks fallen due (đến hạn): completed, or overdue."""
        return self.completed + self.overdue


@dataclass(frozen=True)
class UnitEvaluation:
    figures: UnitFigures
    on_time_rate: float | None  # completed on time / fallen due, unrounded
    deduction: float | None  # points taken off
    score: float | None  # out of 100, unrounded; None when not evaluated
    rule: ClassRule  # the class reached, or the scheme's "not evaluated"
    class_level: int | None  # 1 for the best class; None when not evaluated

    @property
    def unit(self) -> str:
        return self.figures.unit

    @property
    def class_id(self) -> str:
        return self.rule.id

    def class_name(self, lang: str) -> str:
        return self.rule.name(lang)

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as JSON-ready data; its keys do not change with the language."""
        f = self.figures
        return {
            "unit": f.unit, "unit_id": f.unit_id,
            "completed_on_time": f.completed_on_time, "completed_late": f.completed_late,
            "in_progress": f.in_progress, "overdue": f.overdue, "completed": f.completed, "due": f.due,
            "on_time_rate": self.on_time_rate,
            "overdue_days_total": f.overdue_days_total, "overdue_days_max": f.overdue_days_max,
            "extensions": f.extensions, "reminders": f.reminders,
            "deduction": self.deduction, "score": self.score,
            "class": self.rule.id, "class_level": self.class_level,
            "class_name": {"vi": self.rule.vi, "en": self.rule.en},
        }


def evaluate(units: Sequence[UnitFigures], scheme: Scheme) -> list[UnitEvaluation]:
    """Score and class each unit; best class first, within a class in Vietnamese order of the unit's name."""
    evaluations = [_evaluate_unit(unit, scheme) for unit in units]
    last = len(scheme.classes) + 1
    return sorted(evaluations, key=lambda e: (last if e.class_level is None else e.class_level, sort_key(e.unit)))


def _evaluate_unit(unit: UnitFigures, scheme: Scheme) -> UnitEvaluation:
    if unit.due == 0:
        return UnitEvaluation(unit, None, None, None, scheme.not_evaluated, None)
    earned = (scheme.credit_on_time * unit.completed_on_time + scheme.credit_late * unit.completed_late
              + scheme.credit_overdue * unit.overdue)
    deduction = (min(scheme.per_overdue_day * unit.overdue_days_total, scheme.overdue_days_cap)
                 + min(scheme.per_reminder * unit.reminders, scheme.reminders_cap)
                 + min(scheme.per_extension * unit.extensions, scheme.extensions_cap))
    score = max(Fraction(0), 100 * earned / unit.due - deduction)
    on_time_rate = Fraction(unit.completed_on_time, unit.due)
    for level, rule in enumerate(scheme.classes, start=1):
        if (score >= rule.min_score
                and (rule.max_overdue is None or unit.overdue <= rule.max_overdue)
                and (rule.min_on_time_rate is None or on_time_rate >= rule.min_on_time_rate)):
            return UnitEvaluation(unit, float(on_time_rate), float(deduction), float(score), rule, level)
    raise AssertionError("parse_scheme makes the last class take every unit")


# -- reading a scheme -------------------------------------------------------------

_CREDIT_KEYS = {"completed_on_time": "credit_on_time", "completed_late": "credit_late", "overdue": "credit_overdue"}
_DEDUCTION_KEYS = ("per_overdue_day", "overdue_days_cap", "per_reminder", "reminders_cap", "per_extension",
                   "extensions_cap")
_CLASS_KEYS = ("id", "vi", "en", "min_score", "max_overdue", "min_on_time_rate")
_ID = re.compile(r"[a-z][a-z0-9_]*")


@lru_cache(maxsize=1)
def default_scheme() -> Scheme:
    return parse_scheme(DEFAULT_SCHEME_TOML)


def parse_scheme(text: str) -> Scheme:
    """A scheme from an office's TOML text. Left-out keys of [credit] and [deductions]
    and a left-out [not_evaluated] take the default's values; [[classes]], when given,
    replaces the default's classes whole. Any unknown key, wrong type or value out of
    range raises one `SchemeError` naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError("The evaluation scheme is not valid TOML: {reason}", reason=str(error)) from None
    default = tomllib.loads(DEFAULT_SCHEME_TOML)
    _no_unknown_keys(data, ("credit", "deductions", "classes", "not_evaluated"), "")

    def section(name: str) -> dict[str, Any]:
        given = data.get(name, {})
        if not isinstance(given, dict):
            raise SchemeError("{key} in the evaluation scheme must be a table", key=name)
        return {**default[name], **given}

    credit = section("credit")
    _no_unknown_keys(credit, tuple(_CREDIT_KEYS), "credit.")
    credits = {attr: _number(credit, key, "credit.", 0, 1) for key, attr in _CREDIT_KEYS.items()}
    if credits["credit_late"] > credits["credit_on_time"]:
        raise SchemeError("{key} in the evaluation scheme must not be more than {other}",
                          key="credit.completed_late", other="credit.completed_on_time")
    if credits["credit_overdue"] > credits["credit_late"]:
        raise SchemeError("{key} in the evaluation scheme must not be more than {other}",
                          key="credit.overdue", other="credit.completed_late")
    deductions = section("deductions")
    _no_unknown_keys(deductions, _DEDUCTION_KEYS, "deductions.")
    deduction_values = {key: _number(deductions, key, "deductions.", 0, 100) for key in _DEDUCTION_KEYS}
    not_evaluated_table = section("not_evaluated")
    _no_unknown_keys(not_evaluated_table, ("vi", "en"), "not_evaluated.")
    not_evaluated = ClassRule(NOT_EVALUATED, _text(not_evaluated_table, "vi", "not_evaluated."),
                              _text(not_evaluated_table, "en", "not_evaluated."), Fraction(0))
    classes = data.get("classes", default["classes"])
    return Scheme(**credits, **deduction_values, classes=_classes(classes), not_evaluated=not_evaluated)


def _classes(tables: object) -> tuple[ClassRule, ...]:
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise SchemeError("{key} in the evaluation scheme must be a list of one or more tables", key="classes")
    rules: list[ClassRule] = []
    for number, table in enumerate(tables, start=1):
        where = f"classes[{number}]."
        _no_unknown_keys(table, _CLASS_KEYS, where)
        class_id = _text(table, "id", where)
        if not _ID.fullmatch(class_id) or class_id == NOT_EVALUATED:
            raise SchemeError("{key} in the evaluation scheme must be a short name in small letters, digits and _ "
                              "other than {reserved}, not {value}", key=where + "id", reserved=NOT_EVALUATED,
                              value=class_id)
        if any(rule.id == class_id for rule in rules):
            raise SchemeError("The evaluation scheme has two classes with the id {id}", id=class_id)
        rule = ClassRule(
            id=class_id,
            vi=_text(table, "vi", where),
            en=_text(table, "en", where),
            min_score=_number(table, "min_score", where, 0, 100),
            max_overdue=_whole_number(table, "max_overdue", where) if "max_overdue" in table else None,
            min_on_time_rate=_number(table, "min_on_time_rate", where, 0, 1) if "min_on_time_rate" in table else None,
        )
        if rules and rule.min_score > rules[-1].min_score:
            raise SchemeError("The classes of the evaluation scheme go from the best to the worst: {key} asks for "
                              "more points than the class before it", key=where + "min_score")
        rules.append(rule)
    last = rules[-1]
    if last.min_score != 0 or last.max_overdue is not None or last.min_on_time_rate is not None:
        raise SchemeError("The last class of the evaluation scheme ({id}) must take every unit: min_score 0 "
                          "and no other condition", id=last.id)
    return tuple(rules)


def _no_unknown_keys(table: Mapping[str, Any], known: Sequence[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise SchemeError("Unknown key {key} in the evaluation scheme (known here: {known})",
                              key=where + key, known=", ".join(known))


def _present(table: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise SchemeError("{key} is missing from the evaluation scheme", key=where + key)
    return table[key]


def _number(table: Mapping[str, Any], key: str, where: str, low: int, high: int) -> Fraction:
    value = _present(table, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SchemeError("{key} in the evaluation scheme must be a number", key=where + key)
    # through the shortest decimal form, so that 0.8 is exactly 4/5
    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if not low <= exact <= high:
        raise SchemeError("{key} in the evaluation scheme must be from {low} to {high}, not {value}",
                          key=where + key, low=low, high=high, value=value)
    return exact


def _whole_number(table: Mapping[str, Any], key: str, where: str) -> int:
    value = _present(table, key, where)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemeError("{key} in the evaluation scheme must be a whole number", key=where + key)
    if value < 0:
        raise SchemeError("{key} in the evaluation scheme must be 0 or more, not {value}", key=where + key,
                          value=value)
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = _present(table, key, where)
    if not isinstance(value, str) or not value.strip():
        raise SchemeError("{key} in the evaluation scheme must be a text that is not empty", key=where + key)
    return value.strip()
