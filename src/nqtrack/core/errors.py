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


def N_(message: str) -> str:
    """Mark `message` as a message id without translating it (yet): the catalog tools
    find it in the source; the edge translates it when it is shown."""
    return message


class StorageError(UserError):
    exit_code = 74  # EX_IOERR: the disk is full, or the register cannot be written


class Forbidden(UserError):
    """What the acting user's role may not do (core/rights.py); on PostgreSQL the server
    refuses it too, whatever the client."""

    exit_code = 77  # EX_NOPERM
