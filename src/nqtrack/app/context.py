"""What every use case is given besides its own values."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from nqtrack.core.errors import Forbidden, NotFound
from nqtrack.core.rights import KEEPER, Actor
from nqtrack.store.base import Store

# Tests only: the day (or the moment, ISO 8601) the clock is set to. --today never moves
# the recording moment: it sets the business day; what was recorded when is the truth.
TEST_CLOCK = "NQTRACK_TEST_CLOCK"


def now_utc() -> str:
    """The recording moment: the real clock, in UTC with microseconds, so that text order
    is time order. $NQTRACK_TEST_CLOCK sets it for tests: a day means that day at the
    current time of day (so that commands keep their order), a moment means that moment."""
    now = datetime.now().astimezone()
    fixed = os.environ.get(TEST_CLOCK)
    if fixed:
        moment = datetime.fromisoformat(fixed)
        if len(fixed) <= 10:  # a day
            now = now.replace(year=moment.year, month=moment.month, day=moment.day)
        else:
            now = moment if moment.tzinfo else moment.astimezone()
    return now.astimezone(UTC).isoformat(timespec="microseconds")


def end_of_day_utc(day: date) -> str:
    """The last moment of `day` on the local clock, as a recording time (for --known-on)."""
    from datetime import time

    return datetime.combine(day, time.max).astimezone().astimezone(UTC).isoformat(timespec="microseconds")


def default_recorder() -> str:
    """Who records when --by is not given: the account running the command."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


@dataclass
class Context:
    """The register, the business day, the moment of recording, who records, and the user
    acting (`login`: on SQLite `--user`, else the account running the command; on
    PostgreSQL the server's session user).

    The register is opened on first use, so that a use case can check what it was given
    (a backup file, an option) before the register is opened and upgraded."""

    opener: Callable[[], Store]
    today: date
    recorded_at: str
    by: str
    login: str | None = None
    login_given: bool = False  # named on purpose (--user): one the register does not know is an error

    @cached_property
    def store(self) -> Store:
        return self.opener()

    @cached_property
    def actor(self) -> Actor:
        """The acting user and its rights (core.rights). A login the register does not know,
        not named on purpose, is the register's one secretariat (a register without users,
        or the secretariat's own account on SQLite)."""
        server_user = self._server_user()
        if server_user is not None:
            return server_user
        user = self.store.user(self.login.lower()) if self.login else None
        if user is None or user["removed_at"] is not None:
            if self.login_given:
                raise NotFound("unknown user: '{login}'", login=self.login)
            return KEEPER
        return Actor(user["login"], user["role"], user["unit_id"], user["unit"])

    def _server_user(self) -> Actor | None:
        """On PostgreSQL, the user the server says is connected (its session user), when it
        is one of the register's users: --user cannot name another. The register's owner
        (no person's login) acts as on SQLite."""
        session_user = getattr(self.store, "session_user", None)
        if session_user is None:
            return None
        login = session_user()
        user = self.store.user(login)
        if user is None or user["removed_at"] is not None:
            return None
        if self.login_given and self.login and self.login.lower() != login:
            raise Forbidden("connected to the server as '{login}': --user cannot name another user", login=login)
        return Actor(user["login"], user["role"], user["unit_id"], user["unit"])

    def acting_as(self, actor: Actor) -> Context:
        """The same register, day, moment and recorder, for what `actor` does (a unit's
        entries the secretariat imports from its returned sheet)."""
        twin = Context(lambda: self.store, self.today, self.recorded_at, self.by, self.login, self.login_given)
        twin.__dict__["actor"] = actor  # the cached property, decided
        return twin

    @classmethod
    def of(cls, store: Store, today: date, recorded_at: str = "", by: str = "test") -> Context:
        """A context over a store already open (tests, tools)."""
        return cls(lambda: store, today, recorded_at or now_utc(), by)
