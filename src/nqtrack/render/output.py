"""Where an output goes and in which format: standard output or a file, text or binary.

The file name chooses the format when none is given (`--output bao-cao.xlsx` writes Excel);
an explicit format that contradicts a known extension is refused, so a workbook never
receives JSON. CSV written to a file starts with a byte-order mark, which Excel needs to
read UTF-8 (Vietnamese is garbled without it); CSV on standard output stays the machine
form (no mark) for pipes. `labels` asks for the CSV for people: the columns, headers and
dates of the table view, in the chosen language. A file goes through the one guard of every
file written (nqtrack.files): never the register, nor the file being read.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from nqtrack.core.errors import InvalidInput

BINARY_FORMATS = ("xlsx", "docx")
LISTING_FORMATS = ("table", "markdown", "csv", "json", "xlsx")

# what a file name's extension means
EXTENSIONS = {
    ".xlsx": "xlsx", ".docx": "docx", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
    ".csv": "csv", ".json": "json",
}
BOM = "\ufeff"


def format_of_path(path: str | None) -> str | None:
    """The format a file name asks for, or None (no name, or an extension that says nothing)."""
    if not path or path == "-":
        return None
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


@dataclass
class Output:
    """The chosen format and destination of one command's output."""

    fmt: str
    path: str | None = None  # None or "-": standard output
    labels: bool = False  # CSV for people (see the module's docstring)
    decimals: int = 1  # digits after the decimal mark of a per cent
    database: str | None = None  # the register in use: never written over
    reading: Sequence[str] = ()  # the files the command reads: never written over

    @property
    def to_file(self) -> bool:
        return bool(self.path) and self.path != "-"

    @property
    def human(self) -> bool:
        """Rows as people read them: translated values, dates as the language writes them."""
        return self.fmt in ("table", "markdown", "html") or (self.fmt == "csv" and self.labels)

    @contextlib.contextmanager
    def text(self) -> Iterator[None]:
        """Standard output, or (for a file) what the body prints, written to the file whole
        or not at all once the body is done; a CSV file starts with a byte-order mark."""
        if not self.to_file or self.fmt in BINARY_FORMATS:
            yield
            return
        from nqtrack.files import write_text

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            yield
        body = (BOM if self.fmt == "csv" else "") + buffer.getvalue()
        write_text(str(self.path), lambda stream: stream.write(body), database=self.database, reading=self.reading)

    def write_bytes(self, data: bytes) -> None:
        """A binary document (a workbook, a Word file) to its file, or to standard output
        when that is not a terminal (`> file.xlsx`)."""
        if self.to_file:
            from nqtrack.files import write_bytes

            write_bytes(str(self.path), data, database=self.database, reading=self.reading)
            return
        if sys.stdout.isatty():
            raise InvalidInput("a {format} file needs --output FILE", format=self.fmt.upper())
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def choose(fmt: str | None, path: str | None, allowed: tuple[str, ...], *, labels: bool = False,
           default: str = "table", database: str | None = None, reading: Sequence[str] = ()) -> Output:
    """The format asked for (`--format`), else the one the file name says, else `default`.
    A file is checked now, before any work (nqtrack.files.output_path): one line if it is
    the register, a file being read, a folder or in a folder that does not exist."""
    from_name = format_of_path(path)
    chosen = (fmt or from_name or default).lower()
    if chosen not in allowed:
        raise InvalidInput("unknown format '{value}'; use one of: {formats}", value=chosen, formats=", ".join(allowed))
    if fmt and from_name and from_name != chosen and (from_name in allowed or from_name in BINARY_FORMATS):
        raise InvalidInput("the file name {path} says {named}, but --format says {chosen}", path=path,
                           named=from_name, chosen=chosen)
    out = Output(chosen, path, labels, database=database, reading=tuple(reading))
    if out.to_file:
        from nqtrack.files import output_path

        output_path(str(path), database=database, reading=out.reading)
    return out
