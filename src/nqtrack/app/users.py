"""Users and their roles (người dùng): who is who in a register kept by many units.

A user is a login, a role (secretariat, leader, unit: core/rights.py) and, for a unit user,
its unit. On PostgreSQL each user is a login role of that name, in the group role of its
role, and the server enforces the rights; on SQLite the register keeps who is who, for the
journal and for each unit's own view, and rights need the server (the use cases still refuse
what a role may not do, so that the workflow is the same). Adding and removing users is
journaled (user_events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nqtrack.app.context import Context
from nqtrack.app.lookup import resolve_unit
from nqtrack.core import rights
from nqtrack.core.errors import InvalidInput
from nqtrack.core.text import nfc


@dataclass
class UserChanged:
    user: dict[str, Any]
    engine: str  # the register's engine: on SQLite, rights are not enforced


def require_secretariat(ctx: Context) -> None:
    """Refuse what only the secretariat does, for any other user (core.rights)."""
    rights.require_secretariat(ctx.actor)


def add(ctx: Context, login: str, role: str, unit: str | None = None, name: str | None = None) -> UserChanged:
    """A new user (or a removed one back), journaled; a unit user needs its unit."""
    login = rights.check_login(login)
    rights.check_role(role)
    if role == "unit" and not unit:
        raise InvalidInput("a unit user needs its unit: --unit UNIT")
    store = ctx.store
    require_secretariat(ctx)
    with store.transaction():
        _keep_a_secretariat(ctx, login, role)
        unit_id = resolve_unit(store, unit).id if unit else None
        store.add_user(login, role, unit_id, nfc(name) if name and nfc(name) else None, by=ctx.by,
                       recorded_at=ctx.recorded_at)
        user = store.user(login)
    assert user is not None
    return UserChanged(user, store.engine)


def _keep_a_secretariat(ctx: Context, login: str, role: str) -> None:
    """The account at work made a leader or a unit user while no user is the secretariat
    could add or remove no user any more (on SQLite): refused."""
    if role != "secretariat" and login == (ctx.login or "").lower() and not any(
            user["role"] == "secretariat" for user in ctx.store.users()):
        raise InvalidInput("'{login}' is the account running nqtrack: made a leader or a unit user, it could no "
                           "longer add or remove users; first add a secretariat user (nqtrack user add LOGIN --role "
                           "secretariat)", login=login)


def remove(ctx: Context, login: str) -> UserChanged:
    """A user removed: it acts no more, its row stays (the journal names it); journaled."""
    store = ctx.store
    require_secretariat(ctx)
    with store.transaction():
        user = store.remove_user(login.strip().lower(), by=ctx.by, recorded_at=ctx.recorded_at)
    return UserChanged(user, store.engine)


USER_KEYS = ("login", "role", "unit", "name", "added_at", "added_by", "removed_at")


def listing(ctx: Context, include_removed: bool = False) -> list[dict[str, Any]]:
    return [{key: user[key] for key in USER_KEYS} for user in ctx.store.users(include_removed)]


def history(ctx: Context) -> list[dict[str, Any]]:
    """Who added or removed whom, and when."""
    keys = ("login", "kind", "role", "unit", "name", "recorded_at", "recorded_by", "note")
    return [{key: event[key] for key in keys} for event in ctx.store.user_events()]
