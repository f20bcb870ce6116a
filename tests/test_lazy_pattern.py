"""core.text.lazy_pattern: the patterns of the modules every command imports are compiled
where first used, not at import (issue 20, start-up), and answer exactly as the compiled
pattern does."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqtrack.core.text import lazy_pattern

# patterns of the kinds the core holds: anchored with groups and a back-reference, named
# groups, word boundaries, look-arounds, a class of control characters, a flag
PATTERNS = [
    (r"^(?:ngay\s*)?([0-9]{1,2})\s*([/.-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})$", 0),
    (r"\b(?P<received>(?:tiep )?nhan)\b(?!\s+dan\b)|\b(?P<signed>ky|ban hanh)\b", 0),
    (r"\bva\b|&|\s", 0),
    ("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", 0),
    (r"(?<![0-9])([0-9]{1,2})\s*thang\s*([0-9]{1,2})", re.IGNORECASE),
]
TEXTS = st.text(alphabet=st.sampled_from(list("0123456789/.- &\tngaythkvbTHANG\x01\x1b\x9fđủ")), max_size=40)


def _groups(found: re.Match[str] | None) -> object:
    return None if found is None else (found.span(), found.groups(), found.groupdict())


@pytest.mark.parametrize("source, flags", PATTERNS)
@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_a_lazy_pattern_answers_as_the_compiled_one(source: str, flags: int, text: str) -> None:
    lazy, compiled = lazy_pattern(source, flags), re.compile(source, flags)
    assert _groups(lazy.match(text)) == _groups(compiled.match(text))
    assert _groups(lazy.search(text)) == _groups(compiled.search(text))
    assert _groups(lazy.fullmatch(text)) == _groups(compiled.fullmatch(text))
    assert lazy.findall(text) == compiled.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.split(text) == compiled.split(text)
    assert lazy.sub("<>", text) == compiled.sub("<>", text)
    assert lazy.subn(lambda m: m.group().upper(), text) == compiled.subn(lambda m: m.group().upper(), text)


def test_a_lazy_pattern_is_compiled_once_at_its_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    compile_ = re.compile
    monkeypatch.setattr(re, "compile", lambda source, flags=0: made.append(source) or compile_(source, flags))
    lazy = lazy_pattern(r"quy\s*(i{1,3}|iv)")
    assert made == []
    assert (lazy.pattern, lazy.flags, lazy.groups) == (r"quy\s*(i{1,3}|iv)", re.UNICODE, 1)
    assert lazy.search("Quy II".lower()) is not None and lazy.search("thang 6") is None
    assert lazy.fullmatch("quy iv") is not None
    assert made == [r"quy\s*(i{1,3}|iv)"]


_PROBE = """
import json, re, sys
compiled_by = set()  # the modules that compile a pattern while the core is imported
_compile = re._compile
def spy(pattern, flags):
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "re":
        frame = frame.f_back
    compiled_by.add(frame.f_globals.get("__name__") if frame is not None else None)
    return _compile(pattern, flags)
re._compile = spy
import nqtrack.core.dates as dates, nqtrack.core.recurrence as recurrence, nqtrack.core.text as text
import nqtrack.core.names, nqtrack.core.rights, nqtrack.render.tables
re._compile = _compile
eager = sorted(m for m in compiled_by if m and m.startswith("nqtrack"))
def lazy():
    return {f"{m.__name__}.{name}": "match" in vars(value) for m in (dates, recurrence, text)
            for name, value in vars(m).items() if type(value).__name__ == "_LazyPattern"}
at_import = lazy()
deadline = dates.parse_deadline(sys.argv[1])
print(json.dumps([eager, at_import, lazy(), str(deadline.date)]))
"""


def test_importing_the_core_compiles_none_of_its_patterns() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE, "Quý II/2026"], capture_output=True, text=True, check=True)
    eager, at_import, after, day = json.loads(done.stdout)
    assert eager == []  # no module-level re.compile left in the modules every command imports
    assert len(at_import) >= 20 and not any(at_import.values())
    # reading one deadline compiles the patterns tried on it, the others stay as written
    assert after["nqtrack.core.dates._QUARTER"] and not all(after.values())
    assert day == "2026-06-30"
