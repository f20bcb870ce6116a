"""Evaluation of units: scores and classes with the default scheme and an office's own,
the order of the ranking, and schemes that cannot be used."""

from __future__ import annotations

from fractions import Fraction

import pytest

from nqtrack.core.evaluation import (
    DEFAULT_SCHEME_TOML,
    NOT_EVALUATED,
    SchemeError,
    UnitFigures,
    default_scheme,
    evaluate,
    parse_scheme,
)


def by_unit(units: list[UnitFigures], scheme=None):
    return {e.unit: e for e in evaluate(units, scheme or default_scheme())}


def test_default_scheme_classes():
    scheme = default_scheme()
    assert [c.id for c in scheme.classes] == ["excellent", "good", "completed", "not_completed"]
    assert [c.min_score for c in scheme.classes] == [90, 70, 50, 0]
    assert scheme.classes[0].name("vi") == "Hoàn thành xuất sắc nhiệm vụ"
    assert scheme.classes[0].name("en") == "Tasks carried out excellently"
    assert scheme.credit_late == Fraction(3, 4)
    assert scheme.classes[1].min_on_time_rate == Fraction(4, 5)  # 0.8 exactly, not its binary neighbour
    assert parse_scheme(DEFAULT_SCHEME_TOML) == scheme


@pytest.mark.parametrize(("figures", "score", "class_id"), [
    # all on time, no reminder: full marks
    (UnitFigures("A", completed_on_time=10, in_progress=3), 100.0, "excellent"),
    # all on time, 4 reminders: 100 − 2
    (UnitFigures("A", completed_on_time=10, reminders=4), 98.0, "excellent"),
    # one task late of ten: 100 × (9 + 0.75) / 10, on-time rate 0.9 < 1
    (UnitFigures("A", completed_on_time=9, completed_late=1), 97.5, "good"),
    # exactly 80 % on time, none overdue: still good
    (UnitFigures("A", completed_on_time=8, completed_late=2), 95.0, "good"),
    # one overdue task keeps a unit out of "good"
    (UnitFigures("A", completed_on_time=9, overdue=1, overdue_days_total=5, overdue_days_max=5), 89.5, "completed"),
    # under 80 % on time: not completed, whatever the points
    (UnitFigures("A", completed_on_time=7, completed_late=3), 92.5, "not_completed"),
    # half overdue, long overdue: the days cost at most 10 points
    (UnitFigures("A", completed_on_time=5, overdue=5, overdue_days_total=400, overdue_days_max=120), 40.0,
     "not_completed"),
])
def test_default_scheme_scores_and_classes(figures, score, class_id):
    evaluation = evaluate([figures], default_scheme())[0]
    assert evaluation.score == score
    assert evaluation.class_id == class_id


def test_score_is_never_below_zero_and_rates_are_exact():
    evaluation = by_unit([UnitFigures("A", completed_late=1, overdue=2, overdue_days_total=500, reminders=100)])["A"]
    assert evaluation.score == 100 * 0.75 / 3 - 20
    only_overdue = by_unit([UnitFigures("B", overdue=3, overdue_days_total=500, reminders=100)])["B"]
    assert only_overdue.score == 0.0 and only_overdue.on_time_rate == 0.0
    third = by_unit([UnitFigures("C", completed_on_time=1, completed_late=2)])["C"]
    assert third.on_time_rate == 1 / 3


def test_a_unit_with_no_task_due_is_not_evaluated():
    evaluation = by_unit([UnitFigures("Cục A", in_progress=7, reminders=3)])["Cục A"]
    assert evaluation.class_id == NOT_EVALUATED
    assert evaluation.score is None and evaluation.on_time_rate is None and evaluation.class_level is None
    assert evaluation.class_name("vi") == "Chưa đánh giá (không có nhiệm vụ đến hạn)"


def test_ranking_by_class_then_vietnamese_name():
    units = [
        UnitFigures("Vụ Tổ chức cán bộ", completed_on_time=3),
        UnitFigures("Thanh tra", in_progress=2),  # not evaluated: last
        UnitFigures("Đảng ủy", completed_on_time=1, overdue=4),  # not completed
        UnitFigures("Cục Quản lý", completed_on_time=5),
        UnitFigures("Ban Cơ yếu", completed_on_time=9, completed_late=1),  # good
        UnitFigures("Ánh sáng", completed_on_time=2),
        UnitFigures("Dân tộc", completed_on_time=4, overdue=1),  # completed
    ]
    ranked = evaluate(units, default_scheme())
    assert [(e.unit, e.class_id) for e in ranked] == [
        ("Ánh sáng", "excellent"), ("Cục Quản lý", "excellent"), ("Vụ Tổ chức cán bộ", "excellent"),
        ("Ban Cơ yếu", "good"),
        ("Dân tộc", "completed"),
        ("Đảng ủy", "not_completed"),
        ("Thanh tra", NOT_EVALUATED),
    ]
    assert [e.class_level for e in ranked] == [1, 1, 1, 2, 3, 4, None]


def test_as_dict_is_the_same_in_every_language():
    evaluation = evaluate([UnitFigures("Vụ Pháp chế", completed_on_time=3, completed_late=1, in_progress=2, overdue=1,
                                       overdue_days_total=12, overdue_days_max=12, extensions=1, reminders=2,
                                       unit_id=7)], default_scheme())[0]
    assert evaluation.as_dict() == {
        "unit": "Vụ Pháp chế", "unit_id": 7, "completed_on_time": 3, "completed_late": 1, "in_progress": 2,
        "overdue": 1, "completed": 4, "due": 5, "on_time_rate": 0.6, "overdue_days_total": 12,
        "overdue_days_max": 12, "extensions": 1, "reminders": 2, "deduction": 2.2, "score": 100 * 3.75 / 5 - 2.2,
        "class": "not_completed", "class_level": 4,
        "class_name": {"vi": "Không hoàn thành nhiệm vụ", "en": "Tasks not carried out"},
    }


OFFICE_SCHEME = """
# A province's scheme: 90/75/50 points, extensions cost a point each, late tasks earn half.
[credit]
completed_late = 0.5

[deductions]
per_extension = 1
extensions_cap = 5
per_reminder = 0

[[classes]]
id = "xuat_sac"
vi = "Xuất sắc"
en = "Excellent"
min_score = 90

[[classes]]
id = "tot"
vi = "Tốt"
en = "Good"
min_score = 75

[[classes]]
id = "dat"
vi = "Đạt"
en = "Fair"
min_score = 50
max_overdue = 2

[[classes]]
id = "chua_dat"
vi = "Chưa đạt"
en = "Poor"
min_score = 0

[not_evaluated]
vi = "Không xếp loại"
en = "Not rated"
"""


def test_an_office_scheme():
    scheme = parse_scheme(OFFICE_SCHEME)
    assert scheme.credit_on_time == 1 and scheme.credit_late == Fraction(1, 2)  # left out: the default's
    assert scheme.per_overdue_day == Fraction(1, 10) and scheme.per_reminder == 0
    units = [
        UnitFigures("Sở Tư pháp", completed_on_time=9, completed_late=1, extensions=3, reminders=9),  # 95 − 3
        UnitFigures("Sở Y tế", completed_on_time=8, completed_late=2, extensions=9),  # 90 − 5
        UnitFigures("Sở Xây dựng", completed_on_time=7, overdue=3),  # 70, but 3 overdue > 2
        UnitFigures("Sở Nội vụ", completed_on_time=7, completed_late=1, overdue=2, overdue_days_total=20),  # 75 − 2
        UnitFigures("Sở Công Thương"),
    ]
    ranked = evaluate(units, scheme)
    assert [(e.unit, e.class_id, e.score) for e in ranked] == [
        ("Sở Tư pháp", "xuat_sac", 92.0),
        ("Sở Y tế", "tot", 85.0),
        ("Sở Nội vụ", "dat", 73.0),
        ("Sở Xây dựng", "chua_dat", 70.0),
        ("Sở Công Thương", NOT_EVALUATED, None),
    ]
    assert ranked[0].class_name("en") == "Excellent" and ranked[-1].class_name("vi") == "Không xếp loại"


def test_classes_left_out_take_the_default():
    scheme = parse_scheme("[deductions]\nper_reminder = 2\nreminders_cap = 20\n")
    assert scheme.classes == default_scheme().classes
    assert by_unit([UnitFigures("A", completed_on_time=4, reminders=6)], scheme)["A"].score == 88.0


@pytest.mark.parametrize(("text", "message", "args"), [
    ("[credit]\ncompleted_ontime = 1\n", "Unknown key {key} in the evaluation scheme (known here: {known})",
     {"key": "credit.completed_ontime", "known": "completed_on_time, completed_late, overdue"}),
    ("weights = 1\n", "Unknown key {key} in the evaluation scheme (known here: {known})",
     {"key": "weights", "known": "credit, deductions, classes, not_evaluated"}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 0\ncolour = 'red'\n",
     "Unknown key {key} in the evaluation scheme (known here: {known})",
     {"key": "classes[1].colour", "known": "id, vi, en, min_score, max_overdue, min_on_time_rate"}),
    ("[credit]\ncompleted_late = 1.5\n", "{key} in the evaluation scheme must be from {low} to {high}, not {value}",
     {"key": "credit.completed_late", "low": 0, "high": 1, "value": 1.5}),
    ("[deductions]\nper_reminder = -1\n", "{key} in the evaluation scheme must be from {low} to {high}, not {value}",
     {"key": "deductions.per_reminder", "low": 0, "high": 100, "value": -1}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 120\n"
     "[[classes]]\nid = 'b'\nvi = 'B'\nen = 'B'\nmin_score = 0\n",
     "{key} in the evaluation scheme must be from {low} to {high}, not {value}",
     {"key": "classes[1].min_score", "low": 0, "high": 100, "value": 120}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\nmin_on_time_rate = 80\n"
     "[[classes]]\nid = 'b'\nvi = 'B'\nen = 'B'\nmin_score = 0\n",
     "{key} in the evaluation scheme must be from {low} to {high}, not {value}",
     {"key": "classes[1].min_on_time_rate", "low": 0, "high": 1, "value": 80}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\nmax_overdue = -1\n"
     "[[classes]]\nid = 'b'\nvi = 'B'\nen = 'B'\nmin_score = 0\n",
     "{key} in the evaluation scheme must be 0 or more, not {value}", {"key": "classes[1].max_overdue", "value": -1}),
    ("[credit]\ncompleted_late = 'half'\n", "{key} in the evaluation scheme must be a number",
     {"key": "credit.completed_late"}),
    ("[credit]\noverdue = nan\n", "{key} in the evaluation scheme must be a number", {"key": "credit.overdue"}),
    ("[credit]\ncompleted_on_time = 0.5\n", "{key} in the evaluation scheme must not be more than {other}",
     {"key": "credit.completed_late", "other": "credit.completed_on_time"}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\n",
     "The last class of the evaluation scheme ({id}) must take every unit: min_score 0 and no other condition",
     {"id": "a"}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\n"
     "[[classes]]\nid = 'b'\nvi = 'B'\nen = 'B'\nmin_score = 60\n",
     "The classes of the evaluation scheme go from the best to the worst: {key} asks for more points than the "
     "class before it", {"key": "classes[2].min_score"}),
    ("[[classes]]\nid = 'a'\nvi = 'A'\nen = 'A'\nmin_score = 50\n"
     "[[classes]]\nid = 'a'\nvi = 'B'\nen = 'B'\nmin_score = 0\n",
     "The evaluation scheme has two classes with the id {id}", {"id": "a"}),
    ("[[classes]]\nid = 'a'\nen = 'A'\nmin_score = 0\n", "{key} is missing from the evaluation scheme",
     {"key": "classes[1].vi"}),
    ("[[classes]]\nid = 'Xuất sắc'\nvi = 'A'\nen = 'A'\nmin_score = 0\n",
     "{key} in the evaluation scheme must be a short name in small letters, digits and _ other than {reserved}, "
     "not {value}", {"key": "classes[1].id", "reserved": NOT_EVALUATED, "value": "Xuất sắc"}),
    ("classes = []\n", "{key} in the evaluation scheme must be a list of one or more tables", {"key": "classes"}),
    ("credit = 1\n", "{key} in the evaluation scheme must be a table", {"key": "credit"}),
    ("[not_evaluated]\nvi = ' '\n", "{key} in the evaluation scheme must be a text that is not empty",
     {"key": "not_evaluated.vi"}),
])
def test_bad_schemes_give_one_clear_error(text, message, args):
    with pytest.raises(SchemeError) as caught:
        parse_scheme(text)
    assert isinstance(caught.value, ValueError)
    assert (caught.value.message, caught.value.args_) == (message, args)
    assert str(caught.value) == message.format(**args)


def test_a_scheme_that_is_not_toml():
    with pytest.raises(SchemeError) as caught:
        parse_scheme("[credit\n")
    assert caught.value.message == "The evaluation scheme is not valid TOML: {reason}"
    assert caught.value.args_["reason"]
