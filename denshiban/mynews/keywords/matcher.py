"""Which registered keywords an article contains.

All keywords go into one Aho–Corasick automaton (ahocorasick-rs), which finds every
occurrence of every keyword in one pass over the normalized text, however many keywords
there are. Occurrences are candidates: a keyword counts only where it starts and ends on a
SudachiPy token boundary, and the text is tokenized only in the clauses that hold a
candidate still to be decided (see docs/decisions/0009-keyword-matching.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from ahocorasick_rs import MATCHKIND_STANDARD, AhoCorasick

from .normalize import normalize, normalize_with_offsets
from .tokens import Boundaries


class KeywordMatcher:
    """An automaton over a fixed set of normalized keywords."""

    __slots__ = ("_automaton", "keywords")

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords: tuple[str, ...] = tuple(sorted({keyword for keyword in keywords if keyword}))
        self._automaton = (
            AhoCorasick(self.keywords, matchkind=MATCHKIND_STANDARD, store_patterns=False)
            if self.keywords
            else None
        )

    def __len__(self) -> int:
        return len(self.keywords)

    def candidates(self, normalized: str) -> list[tuple[int, int, int]]:
        """(index in ``keywords``, start, end) of every occurrence of every keyword in
        already normalized text, overlapping ones included, token boundaries aside."""
        if self._automaton is None or not normalized:
            return []
        return self._automaton.find_matches_as_indexes(normalized, overlapping=True)

    def occurs_in(self, text: str) -> bool:
        """Whether any keyword occurs in ``text`` at all, boundaries aside: a cheap test
        that lets callers skip the exact work for text that cannot match."""
        return bool(self.candidates(normalize(text)))

    def find(self, text: str) -> set[str]:
        """The keywords (normalized) that occur in ``text`` on token boundaries."""
        normalized = normalize(text)
        candidates = self.candidates(normalized)
        if not candidates:
            return set()
        boundaries = Boundaries(normalized)
        found: set[int] = set()
        for index, start, end in candidates:
            if index not in found and boundaries.on_boundaries(start, end):
                found.add(index)
        return {self.keywords[index] for index in found}

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, keyword) in ``text``'s own offsets, for highlighting: occurrences on
        token boundaries, the leftmost first and the longest of those, none overlapping."""
        if self._automaton is None or not self.candidates(normalize(text)):
            return []
        # The offset map costs a step per character: built only for text with a candidate.
        mapped = normalize_with_offsets(text)
        if mapped is None:
            return []
        candidates = self.candidates(mapped.text)
        boundaries = Boundaries(mapped.text)
        chosen: list[tuple[int, int, str]] = []
        reached = 0
        for index, start, end in sorted(candidates, key=lambda c: (c[1], -c[2])):
            if start < reached or not boundaries.on_boundaries(start, end):
                continue
            original_start, original_end = mapped.original_span(start, end)
            if chosen and original_start < chosen[-1][1]:
                continue
            chosen.append((original_start, original_end, self.keywords[index]))
            reached = end
        return chosen


_cached: tuple[str, KeywordMatcher] | None = None
_cache_lock = threading.Lock()


def get_matcher(version: str, load: Callable[[], Iterable[str]]) -> KeywordMatcher:
    """This process's matcher for the keywords as of ``version``.

    The app bumps the version (kept in the shared cache) whenever a keyword is registered or
    removed; each worker rebuilds its automaton the first time it sees a new version and
    otherwise reuses it. ``load`` is called only to rebuild.
    """
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _cache_lock:
        return _rebuild_if_stale(version, load)


def _rebuild_if_stale(version: str, load: Callable[[], Iterable[str]]) -> KeywordMatcher:
    global _cached
    if _cached is not None and _cached[0] == version:
        return _cached[1]
    matcher = KeywordMatcher(load())
    _cached = (version, matcher)
    return matcher
