"""Names that are probably the same: "did you mean …?" for an unknown unit, document or task,
and the near-duplicate units an import finds ("Sở Kế hoạch & Đầu tư" beside "Sở Kế hoạch
và Đầu tư").

rapidfuzz scores the keys of `nqtrack.core.names` (folded, abbreviations spelled out),
so accents, case, "&" and "và" and the common abbreviations never count as differences.
"""

from __future__ import annotations

from collections.abc import Iterable

from nqtrack.core.names import name_key

SUGGESTION_CUTOFF = 70  # out of 100: below, a suggestion misleads more than it helps
SAME_UNIT_CUTOFF = 88  # a new unit this close to one the register knows is listed as probably it


def closest(typed: str, candidates: Iterable[tuple[str, str]], *, limit: int = 3,
            cutoff: float = SUGGESTION_CUTOFF) -> list[str]:
    """The shown names of the candidates nearest to `typed`, best first. `candidates` are
    (text to compare, name to show); several texts may show one name (a unit's aliases)."""
    from rapidfuzz import fuzz, process

    query = name_key(typed)
    if not query:
        return []
    choices: dict[int, str] = {}
    shown: list[str] = []
    for i, (text, name) in enumerate(candidates):
        key = name_key(text)
        if key:
            choices[i] = key
            shown.append(name)
        else:
            shown.append("")
    found: list[str] = []
    for _key, _score, index in process.extract(query, choices, scorer=fuzz.WRatio, limit=limit * 4,
                                               score_cutoff=cutoff):
        name = shown[index]
        if name not in found:
            found.append(name)
        if len(found) == limit:
            break
    return found


def same_unit(name: str, known: Iterable[tuple[str, str]]) -> str | None:
    """The known unit a new name probably is (written another way), or None."""
    from rapidfuzz import fuzz

    key = name_key(name)
    best, best_score = None, 0.0
    for text, shown in known:
        score = fuzz.token_sort_ratio(key, name_key(text))
        if score > best_score:
            best, best_score = shown, score
    return best if best_score >= SAME_UNIT_CUTOFF else None
