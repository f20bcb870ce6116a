"""The units (đơn vị) of the register."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nqtrack.app.context import Context
from nqtrack.core.collate import sort_key
from nqtrack.core.rules import email_addresses
from nqtrack.store.base import Unit


def add(
    ctx: Context,
    name: str,
    *,
    code: str | None = None,
    parent: str | None = None,
    aliases: Sequence[str] = (),
    email: str | None = None,
) -> Unit:
    email = email_addresses(email)  # a line break in an address would add a header to the mail
    store = ctx.store
    with store.transaction():
        parent_id = store.resolve_unit(parent).id if parent else None
        return store.add_unit(name, code=code, parent_id=parent_id, aliases=aliases, email=email)


def listing(ctx: Context) -> list[dict[str, Any]]:
    """Every unit, in Vietnamese name order ("Đảng ủy" after "Dân vận")."""
    names = ctx.store.unit_names()
    rows: list[dict[str, Any]] = [
        {"id": u.id, "code": u.code, "name": u.name, "parent": names.get(u.parent_id) if u.parent_id else None,
         "aliases": u.aliases,
         "email": u.email}
        for u in ctx.store.list_units()
    ]
    rows.sort(key=lambda row: sort_key(row["name"]))
    return rows


def set_email(ctx: Context, unit: str, address: str | None) -> Unit:
    address = email_addresses(address)
    store = ctx.store
    with store.transaction():
        found = store.resolve_unit(unit)
        store.set_unit_email(found.id, address)
    return found


def rename(ctx: Context, unit: str, new_name: str) -> Unit:
    """A new name; the old one stays as an alias, so old files still match."""
    store = ctx.store
    with store.transaction():
        return store.rename_unit(store.resolve_unit(unit), new_name)
