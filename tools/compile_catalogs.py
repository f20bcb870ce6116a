#!/usr/bin/env python3
"""Compile nqtrack's message catalogs (.po -> .mo), with the standard library only.

    python tools/compile_catalogs.py            # write every locale/*/LC_MESSAGES/*.mo
    python tools/compile_catalogs.py --check    # exit 1 if a .mo is missing or stale
    python tools/compile_catalogs.py --missing  # print .po entries for message ids in the
                                                # source and the help texts that the
                                                # catalogs do not translate (imports nqtrack)

A small msgfmt: it reads msgctxt, msgid, msgid_plural and msgstr[n], strings continued
over several lines, C escapes, comments and the "fuzzy" flag (fuzzy and untranslated
entries are left out, as msgfmt does, so their English id is shown), and writes a GNU
.mo without a hash table (Python's gettext does not use one). The output depends only on
the .po, byte for byte, so the .mo files can be committed and checked for staleness.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "nqtrack"
LOCALE = SRC / "locale"
DOMAIN = "nqtrack"


class PoError(ValueError):
    pass


@dataclass
class Entry:
    msgid: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The id as a .mo (and gettext) stores it: context EOT id."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def unquote(text: str, line: int) -> str:
    """The value of a C string literal as .po files write them."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"line {line}: expected a quoted string, got {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == '"':
            raise PoError(f"line {line}: unescaped quote in {text!r}")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise PoError(f"line {line}: string ends with a backslash")
        n = body[i + 1]
        if n in _ESCAPES:
            out.append(_ESCAPES[n])
            i += 2
        elif n in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1:j], 8)))
            i = j
        elif n == "x":
            j = i + 2
            while j < len(body) and body[j] in string.hexdigits:
                j += 1
            if j == i + 2:
                raise PoError(f"line {line}: \\x without hex digits")
            out.append(chr(int(body[i + 2:j], 16)))
            i = j
        else:
            raise PoError(f"line {line}: unknown escape \\{n}")
    return "".join(out)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    entry = Entry()
    section: tuple[str, int] | None = None  # the keyword that continued strings add to
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, section, seen_keyword
        if seen_keyword:
            if not entry.msgstr:
                raise PoError(f"line {entry.line}: msgid without msgstr")
            entries.append(entry)
        entry, section, seen_keyword = Entry(), None, False

    def append(value: str) -> None:
        name, index = section
        if name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            entry.msgstr[index] = entry.msgstr.get(index, "") + value

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if seen_keyword and section is not None and section[0] == "msgstr":
                finish()
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue  # other comments, and obsolete "#~" entries
        if line.startswith('"'):
            if section is None:
                raise PoError(f"line {number}: a string outside an entry")
            append(unquote(line, number))
            continue
        keyword, _space, rest = line.partition(" ")
        index = 0
        if keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[7:-1])
            keyword = "msgstr"
        if keyword not in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            raise PoError(f"line {number}: unknown keyword {keyword!r}")
        if keyword in ("msgctxt", "msgid") and seen_keyword and section is not None and section[0] == "msgstr":
            finish()
        if keyword == "msgid" and not seen_keyword:
            entry.line = number
        if keyword == "msgctxt":
            entry.line = number
        seen_keyword = True
        section = (keyword, index)
        if keyword == "msgstr":
            entry.msgstr.setdefault(index, "")
        elif keyword == "msgctxt":
            entry.msgctxt = entry.msgctxt or ""
        elif keyword == "msgid_plural":
            entry.msgid_plural = entry.msgid_plural or ""
        append(unquote(rest, number))
    finish()
    keys = {}
    for e in entries:
        if e.key in keys:
            raise PoError(f"line {e.line}: duplicate message id (first on line {keys[e.key]}): {e.msgid!r}")
        keys[e.key] = e.line
    return entries


def compile_mo(entries: list[Entry]) -> bytes:
    """A GNU .mo file: header, table of ids, table of translations, then the strings."""
    pairs = []
    for e in entries:
        if e.fuzzy and e.msgid:
            continue
        if e.msgid_plural is not None:
            strings = [e.msgstr.get(i, "") for i in range(max(e.msgstr) + 1)]
            if not all(strings):
                continue
            pairs.append(((e.key + "\0" + e.msgid_plural).encode(), "\0".join(strings).encode()))
        elif e.msgstr.get(0):
            pairs.append((e.key.encode(), e.msgstr[0].encode()))
    pairs.sort()
    count = len(pairs)
    ids_start = 7 * 4
    strs_start = ids_start + count * 8
    data_start = strs_start + count * 8
    id_table, str_table, data = [], [], bytearray()
    for msgid, _msgstr in pairs:
        id_table += [len(msgid), data_start + len(data)]
        data += msgid + b"\0"
    for _msgid, msgstr in pairs:
        str_table += [len(msgstr), data_start + len(data)]
        data += msgstr + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, ids_start, strs_start, 0, data_start)
    return header + struct.pack(f"<{2 * count}I", *id_table) + struct.pack(f"<{2 * count}I", *str_table) + bytes(data)


def format_fields(text: str) -> set[str]:
    """The names of the `{fields}` of a str.format template."""
    try:
        fields = string.Formatter().parse(text)
        return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in fields if name is not None}
    except ValueError as exc:
        raise PoError(f"bad braces in {text!r}: {exc}") from None


def check_entries(entries: list[Entry]) -> list[str]:
    """Problems that would break at run time: a translation naming a {field} that the
    message id does not give."""
    problems = []
    for e in entries:
        if not e.msgid or e.fuzzy:
            continue
        given = format_fields(e.msgid) | format_fields(e.msgid_plural or "")
        for text in e.msgstr.values():
            extra = format_fields(text) - given
            if extra:
                problems.append(
                    f"line {e.line}: {e.msgid!r}: the translation uses {sorted(extra)}, not in the message id"
                )
    return problems


def catalogs(locale: Path = LOCALE) -> list[Path]:
    return sorted(locale.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_file(po: Path) -> bytes:
    entries = parse_po(po.read_text(encoding="utf-8"))
    problems = check_entries(entries)
    if problems:
        raise PoError(f"{po}:\n  " + "\n  ".join(problems))
    return compile_mo(entries)


# -- message ids in the source ------------------------------------------------------------


def user_error_names(src: Path = SRC) -> set[str]:
    """The classes whose first argument is a message id: nqtrack.core.errors.UserError and
    its subclasses, wherever they are defined."""
    classes = [
        node
        for path in sorted(src.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    names = {"UserError"}
    changed = True
    while changed:
        changed = False
        for node in classes:
            if node.name not in names and any(
                (isinstance(b, ast.Name) and b.id in names) or (isinstance(b, ast.Attribute) and b.attr in names)
                for b in node.bases
            ):
                names.add(node.name)
                changed = True
    return names


def source_messages(src: Path = SRC) -> tuple[dict[str, list[str]], list[str]]:
    """Message ids written in the source: the first argument of `_()`, `N_()` and of
    the user errors of nqtrack.core.errors (under any name they are imported as), with
    where they are. Also the places where a message id is not a plain string literal
    (an f-string or a concatenation): those can never be in a catalog."""
    errors = user_error_names(src)
    found: dict[str, list[str]] = {}
    bad: list[str] = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = {"_", "N_"} | errors
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "nqtrack.core.errors":
                names |= {alias.asname for alias in node.names if alias.asname and alias.name in errors}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in names:
                continue
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}"
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, []).append(where)
            elif isinstance(first, (ast.JoinedStr, ast.BinOp)):
                bad.append(where)
    return found, bad


def help_texts() -> dict[str, list[str]]:
    """Message ids of every help text of the command line (imports nqtrack.cli)."""
    sys.path.insert(0, str(SRC.parent))
    import typer.main

    from nqtrack.cli import app
    from nqtrack.cli.help import help_messages

    found: dict[str, list[str]] = {}
    for path, message in help_messages(typer.main.get_command(app)):
        found.setdefault(message, []).append(path)
    return found


def po_quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\b", "\\b").replace("\n", "\\n")
    )
    return f'"{escaped}"'


def po_string(keyword: str, text: str) -> str:
    """`keyword "text"`, over several lines (one per line of the text) when it has some."""
    if "\n" not in text[:-1]:
        return f"{keyword} {po_quote(text)}"
    return f'{keyword} ""\n' + "\n".join(po_quote(part) for part in re.findall(r"[^\n]*\n|[^\n]+", text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a .mo is stale")
    parser.add_argument("--missing", action="store_true", help="print .po stubs for untranslated message ids")
    args = parser.parse_args(argv)
    status = 0
    if args.missing:
        wanted = dict(source_messages()[0])
        for message, where in help_texts().items():
            wanted.setdefault(message, []).extend(where)
        for po in catalogs():
            entries = parse_po(po.read_text(encoding="utf-8"))
            present = {e.msgid for e in entries}
            done = {e.msgid for e in entries if e.translated and not e.fuzzy}
            missing = [m for m in wanted if m not in done]
            print(f"# {po.relative_to(ROOT)}: {len(missing)} message ids without a translation")
            for message in missing:
                if message in present:
                    print(f"# already in the .po, empty or fuzzy: translate it there: {message!r}\n")
                    continue
                print(f"#: {' '.join(sorted(set(wanted[message])))}")
                if format_fields(message):
                    print("#, python-brace-format")
                print(po_string("msgid", message))
                print('msgstr ""\n')
            status |= bool(missing)
        return status
    for po in catalogs():
        mo = po.with_suffix(".mo")
        data = compile_file(po)
        if args.check:
            if not mo.exists() or mo.read_bytes() != data:
                print(f"stale: {mo.relative_to(ROOT)} (run tools/compile_catalogs.py)")
                status = 1
        elif not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"wrote {mo.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
