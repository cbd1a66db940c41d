"""Where words begin and end, as SudachiPy splits normalized text.

A keyword matches only from a token boundary to a token boundary, so ロシ does not match
ロシア and sea does not match asean. The finest split (mode A) is used: 日米同盟 is
日米|同盟, 中国人 is 中国|人 and 脱炭素 is 脱|炭素, so a member's word is found inside the
compounds a newspaper builds from it, while a piece of a word still is not.

Text is tokenized clause by clause (after 、 。 ! ? and line breaks): no word runs across
those, the boundaries are the same as for the whole text, and the matcher then tokenizes
only the clauses in which the automaton found a candidate.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right

from sudachipy import Dictionary, SplitMode, Tokenizer

# SudachiPy refuses very long input; a clause longer than this (no punctuation at all) is
# tokenized in pieces of this size.
MAX_CLAUSE_LENGTH = 2048

_CLAUSE = re.compile(r"[^、。!?\n]+[、。!?\n]*|[、。!?\n]+")

_dictionary: Dictionary | None = None
_dictionary_lock = threading.Lock()
_local = threading.local()


def _get_dictionary() -> Dictionary:
    """The dictionary is loaded once per process and shared by its threads."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
    return _dictionary


def _tokenizer() -> Tokenizer:
    """One tokenizer per thread: a SudachiPy tokenizer refuses concurrent calls.

    Part of speech is loaded because SudachiPy needs it to keep numbers whole (2026, not
    2|0|2|6).
    """
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _get_dictionary().tokenizer(mode=SplitMode.A, fields={"pos"})
        _local.tokenizer = tokenizer
    return tokenizer


def clauses(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans the text is tokenized in, in order, covering all of it."""
    spans: list[tuple[int, int]] = []
    for match in _CLAUSE.finditer(text):
        start, end = match.span()
        while end - start > MAX_CLAUSE_LENGTH:
            spans.append((start, start + MAX_CLAUSE_LENGTH))
            start += MAX_CLAUSE_LENGTH
        spans.append((start, end))
    return spans


def clause_token_ends(text: str, start: int, end: int) -> list[int]:
    """The offsets in ``text`` where the tokens of the clause ``text[start:end]`` end."""
    return [start + morpheme.end() for morpheme in _tokenizer().tokenize(text[start:end])]


def token_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every token of ``text`` (already normalized), in order."""
    spans: list[tuple[int, int]] = []
    for start, end in clauses(text):
        previous = start
        for token_end in clause_token_ends(text, start, end):
            spans.append((previous, token_end))
            previous = token_end
    return spans


class Boundaries:
    """Answers "does this span start and end on token boundaries?", tokenizing a clause
    only when a question needs it."""

    __slots__ = ("_clause_ends", "_clause_starts", "_ends", "_length", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._length = len(text)
        spans = clauses(text)
        self._clause_starts = [start for start, _ in spans]
        self._clause_ends = [end for _, end in spans]
        self._ends: dict[int, set[int]] = {}

    def __contains__(self, offset: int) -> bool:
        if offset <= 0 or offset >= self._length:
            return True
        index = bisect_right(self._clause_starts, offset) - 1
        return self._clause_starts[index] == offset or offset in self._token_ends(index)

    def on_boundaries(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` starts and ends on token boundaries."""
        index = bisect_right(self._clause_starts, start) - 1
        if start != self._clause_starts[index] and start not in self._token_ends(index):
            return False
        if end <= self._clause_ends[index]:
            # Most spans end in the clause they start in: no second search.
            return end == self._clause_ends[index] or end in self._token_ends(index)
        return end in self

    def _token_ends(self, index: int) -> set[int]:
        ends = self._ends.get(index)
        if ends is None:
            start, end = self._clause_starts[index], self._clause_ends[index]
            ends = self._ends[index] = set(clause_token_ends(self._text, start, end))
        return ends
