"""Errors a user can cause. Each carries a message id and its arguments; the CLI
translates it (see i18n) and exits with `exit_code`, never with a traceback."""

from __future__ import annotations


class UserError(Exception):
    exit_code = 2

    def __init__(self, message: str, **args: object) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args


class NotFound(UserError):
    exit_code = 4


class Ambiguous(UserError):
    exit_code = 4


class InvalidInput(UserError):
    exit_code = 2


class DatabaseLocked(UserError):
    exit_code = 75  # EX_TEMPFAIL: try again later


class DatabaseError(UserError):
    exit_code = 5
