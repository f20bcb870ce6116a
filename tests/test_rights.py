"""Issue 19: the rights table of core/rights.py and the sheets' signature of core/sheets.py,
tested directly (the PostgreSQL engine's policies implement the same table)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqtrack.core import rights
from nqtrack.core.errors import Forbidden, InvalidInput
from nqtrack.core.sheets import Signed, new_secret, sign, task_numbers, verifies

LAN = rights.Actor("lan", "unit", 1, "Văn phòng")
HUNG = rights.Actor("hung", "leader")
MAI = rights.Actor("mai", "secretariat", 1, "Văn phòng")


@pytest.mark.parametrize("typed, stored", [("lan", "lan"), ("Lan", "lan"), (" vp_lan2 ", "vp_lan2"),
                                           ("_x", "_x"), ("a" * 63, "a" * 63)])
def test_a_login_is_a_postgresql_role_name_as_written(typed, stored):
    assert rights.check_login(typed) == stored


@pytest.mark.parametrize("typed", ["", "2lan", "nguyễn", "lan.vp", "lan-vp", "a b", "a" * 64, "pg_lan",
                                   "nqtrack_unit", "lan;drop"])
def test_a_login_that_would_need_quoting_or_is_reserved_is_refused(typed):
    with pytest.raises(InvalidInput):
        rights.check_login(typed)


def test_the_group_roles():
    assert rights.GROUP_ROLES == {"secretariat": "nqtrack_secretariat", "leader": "nqtrack_leader",
                                  "unit": "nqtrack_unit"}


@pytest.mark.parametrize("actor, allowed", [(MAI, True), (rights.KEEPER, True), (HUNG, False), (LAN, False)])
def test_only_the_secretariat_does_what_is_the_secretariats(actor, allowed):
    if allowed:
        rights.require_secretariat(actor)
    else:
        with pytest.raises(Forbidden) as refused:
            rights.require_secretariat(actor)
        assert refused.value.exit_code == 77


@pytest.mark.parametrize("lead, allowed", [(1, True), (2, False), (None, False)])
def test_a_unit_records_on_the_tasks_its_unit_leads(lead, allowed):
    if allowed:
        rights.check_records_on(LAN, 7, lead, "Văn phòng")
    else:
        with pytest.raises(Forbidden, match="cannot record on it"):
            rights.check_records_on(LAN, 7, lead, "Vụ Pháp chế")
    rights.check_records_on(MAI, 7, lead, None)  # the secretariat: any task
    with pytest.raises(Forbidden, match="writes nothing"):
        rights.check_records_on(HUNG, 7, lead, None)


def test_a_units_returned_sheet_names_the_unit_not_a_login():
    sheet = rights.Actor(None, "unit", 1, "Văn phòng")
    with pytest.raises(Forbidden) as refused:
        rights.check_records_on(sheet, 7, 2, "Vụ Pháp chế")
    assert refused.value.message == rights.NOT_ITS_TASK_ANY_MORE


@pytest.mark.parametrize("fields, state, message", [
    (["progress"], None, None),
    (["product", "assignee"], None, None),
    (["progress"], "done", None),
    (["deadline"], None, "cannot change a deadline"),
    (["deadline_text"], None, "cannot change a deadline"),
    ([], "cancelled", "proposes a completion"),
    ([], "paused", "proposes a completion"),
    (["title"], None, "for the secretariat to do"),
    (["lead_unit_id"], None, "for the secretariat to do"),
    (["source"], None, "for the secretariat to do"),
    (["voided"], None, "for the secretariat to do"),
])
def test_the_fields_a_unit_may_change(fields, state, message):
    if message is None:
        rights.check_fields(LAN, 7, fields, state)
    else:
        with pytest.raises(Forbidden) as refused:
            rights.check_fields(LAN, 7, fields, state)
        assert message in refused.value.message
    rights.check_fields(MAI, 7, fields, state)  # the secretariat: every field


@pytest.mark.parametrize("lead, coordinating, visible", [(1, [], True), (2, [1], True), (2, [3], False),
                                                         (None, [], False)])
def test_a_unit_sees_what_it_leads_or_coordinates(lead, coordinating, visible):
    if visible:
        rights.check_reads(LAN, 7, lead, coordinating)
    else:
        with pytest.raises(Forbidden, match="cannot see it"):
            rights.check_reads(LAN, 7, lead, coordinating)
    rights.check_reads(HUNG, 7, lead, coordinating)


def test_a_units_views_are_its_own():
    assert rights.own_units(LAN, []) == [1] and rights.own_units(LAN, [1]) == [1]
    with pytest.raises(Forbidden, match="sees the tasks of {unit} only"):
        rights.own_units(LAN, [1, 2])
    assert rights.own_units(MAI, [2]) is None and rights.own_units(HUNG, []) is None


# -- the sheets' signature ---------------------------------------------------------------------------


SIGNED = Signed("3f" * 16, "a1b2c3d4e5f60718", 4, "2022-11-10T02:00:00.000000+00:00", (1, 4, 9))


def test_a_signature_verifies_with_its_secret_only():
    secret = new_secret()
    signature = sign(secret, SIGNED)
    assert len(signature) == 64 and verifies(secret, SIGNED, signature)
    assert not verifies(new_secret(), SIGNED, signature)
    assert not verifies(secret, SIGNED, "") and not verifies(secret, SIGNED, signature.upper())


@given(st.sampled_from(["register", "sheet", "unit", "issued_at", "tasks"]), st.data())
def test_any_change_of_what_is_signed_breaks_the_signature(field, data):
    secret = "00" * 32
    signature = sign(secret, SIGNED)
    value = {
        "register": data.draw(st.text(min_size=1)), "sheet": data.draw(st.text(min_size=1)),
        "unit": data.draw(st.integers()), "issued_at": data.draw(st.text()),
        "tasks": tuple(data.draw(st.lists(st.integers(min_value=1, max_value=10**6), max_size=5))),
    }[field]
    changed = dataclasses.replace(SIGNED, **{field: value})
    assert verifies(secret, changed, signature) == (changed == SIGNED)


@pytest.mark.parametrize("cells, numbers", [
    ([1, 4, "9", "#12"], [1, 4, 9, 12]),
    ([1, 4.5], None), ([1, "abc"], None), ([None], None), ([True], None), ([], []),
])
def test_the_task_numbers_of_a_returned_sheet(cells, numbers):
    assert task_numbers(cells) == numbers
