"""Files the tool writes for people: through one guard, and whole or not at all.

Every command that writes a file (a report, an export, the rejected rows of an import,
notices, a backup) asks `output_path` first: it never writes over the register (the
database and its -wal, -shm and -journal files) or the file it is reading, never over a
folder or a device, never into a folder that does not exist; a symbolic link is followed
(the file it points to is written, the link stays). Then the file is written under a
name of its own in the same folder and renamed, so a half-written file never exists,
even on a full disk; created files get at most read-write for owner and group, within
the umask.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from typing import IO, TextIO

from nqtrack.core.errors import InvalidInput, NotFound, StorageError

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
FILE_MODE = 0o660  # narrowed further by the umask


def _same(path: str, other: str) -> bool:
    real = os.path.realpath(other)
    if real == path:
        return True
    try:
        return os.path.samefile(path, real)  # a hard link, or one file reached through two mounts
    except OSError:
        return False


def output_path(path: str, *, database: str | None, reading: Iterable[str | bytes] = ()) -> str:
    """The file a command may write for `path`, with symbolic links followed; InvalidInput
    or NotFound, with one clear line, for what it must not write (see the module)."""
    if not path.strip():
        raise InvalidInput("an empty file name")
    real = os.path.realpath(path)
    if os.path.isdir(real):
        raise InvalidInput("{path} is a folder: give a file name", path=path)
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise NotFound("the folder {folder} does not exist", folder=os.path.dirname(os.path.abspath(path)))
    if database and any(_same(real, database + suffix) for suffix in DATABASE_SUFFIXES):
        raise InvalidInput("{path} is the register itself (or one of its files): nothing is written over it",
                           path=path)
    if any(isinstance(source, str) and _same(real, source) for source in reading):
        raise InvalidInput("{path} is the file being read: nothing is written over it", path=path)
    if os.path.exists(real) and not stat.S_ISREG(os.stat(real).st_mode):
        raise InvalidInput("{path} is not a regular file (a device or a pipe): give a file name", path=path)
    return real


def output_folder(path: str, *, database: str | None, make: bool = True) -> str:
    """A folder a command writes files into: made (with `make`) when only its last part
    is missing."""
    if not path.strip():
        raise InvalidInput("an empty folder name")
    real = os.path.realpath(path)
    if database and any(_same(real, database + suffix) for suffix in DATABASE_SUFFIXES):
        raise InvalidInput("{path} is the register itself (or one of its files): nothing is written over it",
                           path=path)
    if os.path.exists(real) and not os.path.isdir(real):
        raise InvalidInput("{path} is not a folder", path=path)
    parent = os.path.dirname(real)
    if not os.path.isdir(parent):
        raise NotFound("the folder {folder} does not exist", folder=os.path.dirname(os.path.abspath(path)))
    if make and not os.path.isdir(real):
        try:
            os.mkdir(real, 0o770)
        except FileExistsError:
            pass  # made meanwhile by another process
        except OSError as exc:
            raise _write_error(exc, path) from None
    return real


def _write_error(exc: OSError, path: str) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("the disk is full: nothing was written to {path}", path=path)
    return StorageError("cannot write {path}: {reason}", path=path, reason=exc.strerror or str(exc))


def _new_file(folder: str, name: str) -> tuple[str, int]:
    temporary = os.path.join(folder, f".{name}.{uuid.uuid4().hex[:12]}.tmp")
    return temporary, os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)


def _write_whole(real: str, shown: str, write: Callable[[IO[bytes]], object]) -> None:
    """Write through a hidden file in the same folder, synced, then renamed."""
    folder, name = os.path.split(real)
    temporary = ""
    try:
        temporary, fd = _new_file(folder, name)
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, real)
    except OSError as exc:
        raise _write_error(exc, shown) from None
    finally:
        if temporary:
            with suppress(FileNotFoundError):
                os.unlink(temporary)


def write_text(path: str, write: Callable[[TextIO], object], *, database: str | None,
               reading: Iterable[str | bytes] = ()) -> str:
    """Write a UTF-8 text file through the guard, whole or not at all; returns where."""
    real = output_path(path, database=database, reading=reading)

    def text(stream: IO[bytes]) -> None:
        import io

        wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        write(wrapper)
        wrapper.flush()
        wrapper.detach()

    _write_whole(real, path, text)
    return real


def write_bytes(path: str, data: bytes, *, database: str | None, reading: Iterable[str | bytes] = ()) -> str:
    real = output_path(path, database=database, reading=reading)
    _write_whole(real, path, lambda stream: stream.write(data))
    return real


def write_all(folder: str, files: Sequence[tuple[str, bytes]], *, database: str | None) -> list[str]:
    """Write several files into `folder`, all or none: into a temporary folder inside it,
    then each moved into place. Returns their paths."""
    real = output_folder(folder, database=database)
    targets = [output_path(os.path.join(real, name), database=database) for name, _data in files]
    if len({t.casefold() for t in targets}) != len(targets):
        raise ValueError("two files of one run share a name")  # the caller names them apart
    staging = ""
    try:
        staging = tempfile.mkdtemp(prefix=".nqtrack-", dir=real)
        for (name, data), _target in zip(files, targets, strict=True):
            fd = os.open(os.path.join(staging, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for (name, _data), target in zip(files, targets, strict=True):
            os.replace(os.path.join(staging, name), target)
    except OSError as exc:
        raise _write_error(exc, folder) from None
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
    return targets
