"""A member's keywords marked in what they read.

Marks go into text only. The HTML is read by the standard library's parser, which says
where each piece of text lies in the source; a ``<mark class="kw">`` is inserted into those
pieces of the source and everything else (tags, attributes, comments, the contents of
script, style and the other elements listed below) is copied as it was. Matching is done on
the text as a reader sees it (entities decoded, then normalized) and the positions are
carried back to the source, so ``&amp;`` or ``&quot;`` is never cut in two.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from html import escape, unescape
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

from .matcher import KeywordMatcher
from .normalize import normalize

MARK_OPEN = '<mark class="kw">'
MARK_CLOSE = "</mark>"

# Never marked inside: code and styles, elements whose content is plain text or where a mark
# is not allowed (title, textarea, select), drawings (svg, math: charts are SVG), and
# text that is already marked, and controls (a save button's label is not article text).
UNMARKED_ELEMENTS = frozenset(
    {
        "script",
        "style",
        "template",
        "title",
        "textarea",
        "select",
        "svg",
        "math",
        "mark",
        "button",
    }
)

# Joins an article's texts for one pass of the automaton: NFKC and case folding leave it as
# it is, it is not white space, and keywords hold none.
_TEXT_SEPARATOR = "\x00"

# html.unescape's own pattern for one character reference.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
# A "<" that a browser could read as the start of markup: such text is left alone.
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")


def highlight_text(text: str, keywords: Iterable[str]) -> SafeString:
    """Plain text (a headline) as escaped HTML with the keywords marked."""
    return mark_safe(_mark(text, _matcher_for(keywords), escape))  # noqa: S308 - escaped here


def highlight_html(html: str, keywords: Iterable[str]) -> SafeString:
    """Trusted HTML (an article body as rendered) with the keywords marked in its text."""
    matcher = _matcher_for(keywords)
    if not matcher.keywords or not matcher.occurs_in(unescape(html)):
        return mark_safe(html)  # noqa: S308 - the caller's HTML, unchanged
    out: list[str] = []
    position = 0
    for start, end, text in _with_candidates(_TextNodes(html).texts(), matcher):
        if start < position:
            continue
        out.append(html[position:start])
        out.append(_mark_source(html[start:end], text, matcher))
        position = end
    out.append(html[position:])
    return mark_safe("".join(out))  # noqa: S308 - marks inserted into the caller's HTML


def _with_candidates(
    texts: list[tuple[int, int, str]], matcher: KeywordMatcher
) -> list[tuple[int, int, str]]:
    """The texts in which the automaton finds anything, picked in one pass over all of them
    (an article has dozens of texts, and most hold no keyword)."""
    joined = normalize(_TEXT_SEPARATOR.join(text for _, _, text in texts))
    separators = [match.start() for match in re.finditer(_TEXT_SEPARATOR, joined)]
    holding = {bisect_left(separators, start) for _, start, _ in matcher.candidates(joined)}
    return [texts[index] for index in sorted(holding)]


def _matcher_for(keywords: Iterable[str]) -> KeywordMatcher:
    return _cached_matcher(keywords if isinstance(keywords, tuple) else tuple(keywords))


@lru_cache(maxsize=512)
def _cached_matcher(keywords: tuple[str, ...]) -> KeywordMatcher:
    """A member's keywords change rarely and are read on every page, often once per
    headline of a list: their automaton is built once and kept."""
    return KeywordMatcher(normalize(keyword).strip() for keyword in keywords)


def _mark(text: str, matcher: KeywordMatcher, write: Callable[[str], str]) -> str:
    """``text`` with its matches marked, each stretch written out by ``write``."""
    out: list[str] = []
    position = 0
    for start, end, _keyword in matcher.spans(text):
        out.append(write(text[position:start]))
        out.append(MARK_OPEN + write(text[start:end]) + MARK_CLOSE)
        position = end
    out.append(write(text[position:]))
    return "".join(out)


def _mark_source(source: str, text: str, matcher: KeywordMatcher) -> str:
    """One piece of text as written in the HTML (``source``, decoding to ``text``) with
    marks inserted at the places that correspond to the matches in ``text``."""
    if "&" not in source:
        return _mark(source, matcher, str)
    units = _units(source)
    if units is None:
        return source
    spans = matcher.spans(text)
    if not spans:
        return source
    # For each decoded offset, where its unit begins and ends in the source.
    unit_start: list[int] = []
    unit_end: list[int] = []
    for raw_start, raw_end, decoded in units:
        unit_start.extend([raw_start] * len(decoded))
        unit_end.extend([raw_end] * len(decoded))
    out: list[str] = []
    position = 0
    for start, end, _keyword in spans:
        raw_start, raw_end = unit_start[start], unit_end[end - 1]
        if raw_start < position:
            continue
        out.append(source[position:raw_start])
        out.append(MARK_OPEN + source[raw_start:raw_end] + MARK_CLOSE)
        position = raw_end
    out.append(source[position:])
    return "".join(out)


def _units(source: str) -> list[tuple[int, int, str]] | None:
    """The source cut into units that decode separately: each character reference is one
    unit, each other character another. None if they do not add up to the decoded text."""
    units: list[tuple[int, int, str]] = []
    position = 0
    for reference in _CHARREF.finditer(source):
        units.extend((i, i + 1, source[i]) for i in range(position, reference.start()))
        units.append((reference.start(), reference.end(), unescape(reference.group())))
        position = reference.end()
    units.extend((i, i + 1, source[i]) for i in range(position, len(source)))
    if "".join(decoded for _, _, decoded in units) != unescape(source):
        return None
    return units


class _TextNodes(HTMLParser):
    """Records where, in the source, each run of markable text lies."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", source)]
        self._open: Counter[str] = Counter()
        # (offset in the source, decoded text or None for anything that is not markable text)
        self._events: list[tuple[int, str | None]] = []
        self.feed(source)
        self.close()

    def texts(self) -> list[tuple[int, int, str]]:
        """(start, end, decoded text) of each run of markable text, in source order."""
        ends = [offset for offset, _ in self._events[1:]] + [len(self._source)]
        runs: list[tuple[int, int, str]] = []
        run: list | None = None  # [start, end, pieces of decoded text]
        for (offset, text), end in zip(self._events, ends, strict=True):
            if text is None:
                if run is not None:
                    runs.append((run[0], run[1], "".join(run[2])))
                    run = None
            elif run is None:
                run = [offset, end, [text]]
            else:
                run[1] = end
                run[2].append(text)
        if run is not None:
            runs.append((run[0], run[1], "".join(run[2])))
        return [run for run in runs if self._is_plain_text(*run)]

    def _is_plain_text(self, start: int, end: int, text: str) -> bool:
        source = self._source[start:end]
        if _MARKUP_START.search(source):
            return False
        return source == text if "&" not in source else unescape(source) == text

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _record(self, text: str | None) -> None:
        self._events.append((self._offset(), text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(None)
        if tag in UNMARKED_ELEMENTS:
            self._open[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(None)

    def handle_endtag(self, tag: str) -> None:
        self._record(None)
        if self._open[tag] > 0:
            self._open[tag] -= 1

    def handle_data(self, data: str) -> None:
        # White space between tags holds no keyword (keywords are stripped).
        self._record(None if self._open.total() or data.isspace() else data)

    def handle_comment(self, data: str) -> None:
        self._record(None)

    def handle_decl(self, decl: str) -> None:
        self._record(None)

    def handle_pi(self, data: str) -> None:
        self._record(None)

    def unknown_decl(self, data: str) -> None:
        self._record(None)
