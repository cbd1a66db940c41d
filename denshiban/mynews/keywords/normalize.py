"""One form for keywords and the text they are looked for in.

A member types ＵＳスチール, the article says USスチール and the headline ｕｓスチール: all three
are the same word to a reader, so keywords are stored, and text is searched, in a single form
(NFKC, case-folded, each run of white space as one space, or as one line break if it holds
one: lines stay apart). Highlighting needs to go back from that form to the text as written,
and NFKC changes lengths (㈱ becomes (株), ｶﾞ becomes ガ), so ``normalize_with_offsets`` also
says where each normalized character came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError

MAX_KEYWORD_LENGTH = 30

EMPTY_KEYWORD_MESSAGE = "キーワードを入力してください。"
LONG_KEYWORD_MESSAGE = f"キーワードは{MAX_KEYWORD_LENGTH}文字以内で入力してください。"

_SPACES = re.compile(r"\s+")

# NFKC over a whole Japanese article is slow (CPython decomposes and recomposes every
# character), and most characters of one are left as they are: ASCII, hiragana, katakana, the
# long-vowel mark, CJK ideographs, 、。「」『』・. None of those ever joins the character
# before it, so only the runs of other characters go through NFKC, each with the character
# before it (a voiced mark joins it: か + ゙ → が). The result is NFKC of the whole text.
_NEEDS_NFKC = re.compile(
    r"[^\t\n\r\x20-\x7e\u3001\u3002\u300c-\u300f\u3041-\u3096\u30a1-\u30fc\u4e00-\u9fff]+"
)

# Hangul vowels and final consonants compose with the syllable before them although they are
# not combining marks.
_HANGUL_JOINERS = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))


def normalize(text: str) -> str:
    """NFKC, then case folding, then one space for each run of white space (one line break
    for a run that holds one: a headline and its lead are not one phrase)."""
    return _SPACES.sub(_one_space, _nfkc(text).casefold())


def _one_space(run: re.Match[str]) -> str:
    return "\n" if "\n" in run.group() else " "


def _nfkc(text: str) -> str:
    pieces: list[str] = []
    done = 0
    for run in _NEEDS_NFKC.finditer(text):
        start = run.start() - 1 if run.start() > done else run.start()
        pieces.append(text[done:start])
        pieces.append(unicodedata.normalize("NFKC", text[start : run.end()]))
        done = run.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def clean_keyword(raw: str) -> str:
    """The stored form of a keyword a member typed, or a ValidationError in Japanese.

    The length limit applies to the normalized form: that is what is stored and matched.
    """
    keyword = normalize(raw).strip()
    if not keyword:
        raise ValidationError(EMPTY_KEYWORD_MESSAGE, code="empty")
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise ValidationError(LONG_KEYWORD_MESSAGE, code="too_long")
    return keyword


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Normalized text with, for each of its characters, the span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalized ``text[start:end]`` came from.

        A span that begins or ends inside what one original character became (the 株 of
        (株) from ㈱) widens to that whole character.
        """
        return self.starts[start], self.ends[end - 1]


def normalize_with_offsets(text: str) -> NormalizedText | None:
    """``normalize(text)`` with its offset map, or None in the rare text where it cannot be
    built piece by piece (then nothing is highlighted rather than something misplaced).

    Each base character is normalized together with the marks that attach to it (ｶﾞ → ガ
    needs both), and the pieces are put together; white space is collapsed last.
    """
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    length = len(text)
    i = 0
    while i < length:
        j = i + 1
        while j < length and _attaches(text[j]):
            j += 1
        piece = _fold(text[i:j])
        folded.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    joined = "".join(folded)
    normalized = normalize(text)
    if _SPACES.sub(_one_space, joined) != normalized:
        return None
    if joined == normalized:
        return NormalizedText(normalized, tuple(starts), tuple(ends))
    return _collapse_spaces(joined, starts, ends)


def _collapse_spaces(text: str, starts: list[int], ends: list[int]) -> NormalizedText:
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for run in _SPACES.finditer(text):
        out.append(text[position : run.start()])
        new_starts.extend(starts[position : run.start()])
        new_ends.extend(ends[position : run.start()])
        out.append(_one_space(run))
        new_starts.append(starts[run.start()])
        new_ends.append(ends[run.end() - 1])
        position = run.end()
    out.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    return NormalizedText("".join(out), tuple(new_starts), tuple(new_ends))


@lru_cache(maxsize=16384)
def _fold(piece: str) -> str:
    return unicodedata.normalize("NFKC", piece).casefold()


@lru_cache(maxsize=16384)
def _attaches(char: str) -> bool:
    """Whether NFKC may join this character to the one before it."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Mc", "Me"):
        return True
    code = ord(char)
    if any(low <= code <= high for low, high in _HANGUL_JOINERS):
        return True
    folded = unicodedata.normalize("NFKC", char)
    return bool(folded) and (
        unicodedata.combining(folded[0]) != 0 or unicodedata.category(folded[0]) == "Mn"
    )
