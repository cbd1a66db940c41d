"""Keyword matching at the scale of a national paper: 1,000,000 keyword registrations by
200,000 paid members, matched against one 2,000-character article.

    .venv/bin/python bench/keywords.py [--registrations 1000000] [--members 200000]
                                       [--distinct 60000] [--articles 100] [--repeat 5]
    .venv/bin/python bench/keywords.py --distinct 1000000   # worst case: nothing shared
    .venv/bin/python bench/keywords.py --compare-libraries  # ahocorasick-rs vs pyahocorasick

Generates a vocabulary (company-like names, place names, katakana words, latin words, and
the news words of the articles), draws the registrations from it with Zipf-like sharing
(a few words registered by very many members, most by a few), builds the automaton the
workers keep (denshiban.mynews.keywords.matcher.KeywordMatcher) and times it, measures its
memory, then times matching articles written from this file's own sentence templates:
the whole match, and apart from it SudachiPy's tokenization of the whole article and the
automaton's pass alone. The baseline is checking each distinct keyword in turn (`in`, then
the same token-boundary check); its answers are compared with the matcher's.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import itertools
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from denshiban.mynews.keywords import tokens  # noqa: E402
from denshiban.mynews.keywords.highlight import highlight_html, highlight_text  # noqa: E402
from denshiban.mynews.keywords.matcher import KeywordMatcher  # noqa: E402
from denshiban.mynews.keywords.normalize import (  # noqa: E402
    MAX_KEYWORD_LENGTH,
    normalize,
)

# Targets from issue 5.
TARGET_MATCH_MS = 2.0
TARGET_BUILD_S = 30.0
TARGET_MEMORY_MB = 1024.0
ARTICLE_LENGTH = 2_000
ZIPF_EXPONENT = 1.0

KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
)
KANA_TAILS = ["ー", "ッ", "ャ", "ュ", "ョ", ""]
PLACE_KANJI = "東西南北山川田中村本木林森上下大小高松原野沢島橋井石口谷新古長岡崎宮城浜津"
COMPANY_SUFFIXES = [
    "電機",
    "化学",
    "製薬",
    "銀行",
    "商事",
    "建設",
    "不動産",
    "工業",
    "自動車",
    "証券",
    "食品",
    "ホールディングス",
    "グループ",
    "製作所",
]
PLACE_SUFFIXES = ["市", "町", "村", "県", ""]
LATIN = "abcdefghijklmnopqrstuvwxyz"

# Words of the articles below that members register most (they take the top Zipf ranks),
# and pieces of words that must not match (ロシ, sea, 導体, 京都 in 東京都).
NEWS_WORDS = [
    "日米",
    "日米同盟",
    "中国",
    "米国",
    "ロシア",
    "ウクライナ",
    "asean",
    "半導体",
    "生成ai",
    "脱炭素",
    "日銀",
    "円安",
    "トヨタ自動車",
    "usスチール",
    "ソフトバンクグループ",
    "nttドコモ",
    "経済産業省",
    "東京都",
    "大阪府",
    "北海道",
    "衆院選",
    "少子化",
    "物流",
    "スタートアップ",
    "電気自動車",
    "日経平均株価",
    "トランプ政権",
    "iphone",
    "(株)日立製作所",
    "2026年度",
    "ロシ",
    "sea",
    "導体",
    "京都",
    "ドコモ",
    "ai",
]

# Sentences of this file's own, with slots filled from the vocabulary ({company}, {place},
# {word}, {latin}) and numbers; some are written in full-width forms as papers print them.
TEMPLATES = [
    "政府は{day}日、日米同盟の強化に向けた新たな協議を来月にも始める方針を固めた。",
    "外相会談では、中国の海洋進出を念頭に東南アジア諸国連合(ＡＳＥＡＮ)との連携を確認した。",
    "ＵＳスチールの買収を巡り、{company}は米政権との交渉を続けている。",
    "半導体不足が長引き、{company}は今年度の生産計画を下方修正した。",
    "日銀総裁は記者会見で、円安の進行について「市場の動きを注視する」と述べた。",
    "ロシア産原油の輸入制限を巡っては、欧州連合(ＥＵ)の内部でも意見が割れている。",
    "東京証券取引所では電気自動車関連の銘柄に買いが集まり、日経平均株価は{num}円高となった。",
    "{place}では新型コロナウイルスの流行から{small}年がたち、外国人客が戻りつつある。",
    "脱炭素社会の実現に向け、{company}は再生可能エネルギーへの投資を２０２６年度に倍増させる。",
    "生成ＡＩの普及で、{word}の開発現場では人手不足の解消が期待されている。",
    "トランプ政権は関税の引き上げを表明し、{company}など輸出企業の間に懸念が広がった。",
    "ウクライナ侵攻の長期化により、穀物やエネルギーの価格は高止まりしている。",
    "衆院選の公示を前に、与野党は{place}で物価高対策を柱とする公約を訴えた。",
    "経済産業省は中小企業のデジタル化を支援するため、補助金の対象を{place}にも広げる。",
    "トヨタ自動車は{place}に新たな電池工場を建設すると発表した。",
    "ソフトバンクグループの決算は、{latin}など投資先の評価益により黒字となった。",
    "ＮＴＴドコモは通信障害の再発防止策をまとめ、{small}月中に総務省へ報告する。",
    "大阪府は万博の跡地について、{word}を含む活用策を検討している。",
    "北海道では記録的な大雪となり、{place}の交通網が一時まひした。",
    "地方銀行の再編が加速し、{place}を地盤とする２行の経営統合が決まった。",
    "アップルは新型iPhoneを発表し、{latin}との提携も明らかにした。",
    "米国の長期金利が上昇し、外国為替市場では1ドル=1{small}0円台の円安が進んだ。",
    "少子化対策の財源を巡り、政府内では社会保険料への上乗せ案が浮上している。",
    "スタートアップへの投資額は前年比{small}割減り、{word}の資金調達は厳しさを増した。",
    "物流業界では運転手の残業規制が強化され、{company}と荷主の運賃交渉が続く。",
    "国連安全保障理事会は緊急会合を開いたが、{place}を巡る決議案は否決された。",
    "{company}は家電事業を売却し、インフラ向けの半導体に経営資源を集中する。",
    "㈱日立製作所は送配電網の設備投資を拡大し、{place}での受注を積み増す。",
    "東京都知事は{day}日、{word}の導入について「前向きに検討する」と語った。",
    "{company}の{latin}事業は、{place}の工場で量産を始めた。",
    "市場関係者は「{word}への期待が株価を押し上げた」とみている。",
    "{company}と{company}は、{word}の共同開発で合意したと発表した。",
]


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(statistics.median(ordered) * 1000, p95 * 1000)

    def __str__(self) -> str:
        return f"{self.median_ms:8.3f} {self.p95_ms:8.3f}"


@dataclass(frozen=True)
class Measure:
    """One operation timed three ways. ``wall``: every run by the clock. ``cpu``: the same
    runs in this process's CPU time, which leaves out the time other processes held the
    core. ``best``: for each input, its fastest run by the clock: what the code costs when
    nothing else competes, the figure to compare between machines and commits."""

    wall: Timing
    cpu: Timing
    best: Timing

    HEADER = f"{'':<40} {'wall: median':>12} {'p95':>6}   {'CPU: median':>11} {'p95':>6}   " + (
        f"{'best: median':>12} {'p95':>6}   (ms)"
    )

    def __str__(self) -> str:
        return f"{self.wall}     {self.cpu}     {self.best}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--distinct", type=int, default=60_000, help="distinct keywords")
    parser.add_argument("--articles", type=int, default=100, help="different articles")
    parser.add_argument("--repeat", type=int, default=5, help="times each article is matched")
    parser.add_argument(
        "--naive-articles", type=int, default=20, help="articles for the one-by-one baseline"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--compare-libraries",
        action="store_true",
        help="also build and run pyahocorasick's automaton (if installed) beside ahocorasick-rs",
    )
    return parser.parse_args()


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def rss_mb() -> float:
    """This process's resident memory now (Linux), after handing freed heap back to the
    system so that what was freed before a build is not counted as the build's."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


_LIBC = ctypes.util.find_library("c")
_MALLOC_TRIM = getattr(ctypes.CDLL(_LIBC), "malloc_trim", None) if _LIBC else None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kana(rng: random.Random, low: int, high: int) -> str:
    return "".join(
        rng.choice(KANA) + (rng.choice(KANA_TAILS) if rng.random() < 0.2 else "")
        for _ in range(rng.randint(low, high))
    )


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct normalized keywords, the news words first (the most registered)."""
    makers: list[tuple[float, Callable[[], str]]] = [
        (0.30, lambda: kana(rng, 2, 4) + rng.choice(COMPANY_SUFFIXES)),
        (0.10, lambda: "".join(rng.choices(PLACE_KANJI, k=2)) + rng.choice(COMPANY_SUFFIXES)),
        (
            0.20,
            lambda: (
                "".join(rng.choices(PLACE_KANJI, k=rng.randint(2, 3))) + rng.choice(PLACE_SUFFIXES)
            ),
        ),
        (0.25, lambda: kana(rng, 2, 6)),
        (0.15, lambda: "".join(rng.choices(LATIN, k=rng.randint(3, 9)))),
    ]
    weights = [weight for weight, _ in makers]
    words = list(dict.fromkeys(normalize(word) for word in NEWS_WORDS))
    seen = set(words)
    while len(words) < size:
        (make,) = rng.choices([maker for _, maker in makers], weights=weights)
        word = normalize(make())[:MAX_KEYWORD_LENGTH]
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words[:size]


def registrations(
    rng: random.Random, words: list[str], count: int, members: int
) -> list[tuple[int, str]]:
    """``count`` (member, keyword) rows, no member registering a word twice: every word at
    least once, the rest drawn with Zipf-like weights over the words' ranks."""
    cumulative = list(
        itertools.accumulate(rank**-ZIPF_EXPONENT for rank in range(1, len(words) + 1))
    )

    def draw(k: int) -> list[str]:
        return rng.choices(words, cum_weights=cumulative, k=k)

    pool = words[:count] + draw(max(0, count - len(words)))
    rng.shuffle(pool)
    rows: list[tuple[int, str]] = []
    for member in range(members):
        mine = pool[member::members]
        chosen = set(mine)
        while len(chosen) < len(mine):
            chosen.add(draw(1)[0])
        rows.extend((member, word) for word in chosen)
    return rows


def article(rng: random.Random, words: list[str]) -> str:
    """About 2,000 characters of news prose from TEMPLATES."""
    companies = [w for w in words if w.endswith(tuple(COMPANY_SUFFIXES))] or ["日立製作所"]
    places = [w for w in words if w[-1:] in "市町村県"] or ["札幌市"]
    latins = [w for w in words if w.isascii() and w.isalpha()] or ["nvidia"]

    def fill(match: str) -> str:
        return {
            "company": rng.choice(companies[:5000]),
            "place": rng.choice(places[:5000]),
            "word": rng.choice(words[:20000]),
            "latin": rng.choice(latins[:5000]).upper(),
            "day": str(rng.randint(1, 31)),
            "small": str(rng.randint(2, 9)),
            "num": f"{rng.randint(100, 999)}",
        }[match]

    sentences: list[str] = []
    length = 0
    while length < ARTICLE_LENGTH:
        template = rng.choice(TEMPLATES)
        sentence = template.format_map(_Filler(fill))
        sentences.append(sentence)
        length += len(sentence)
    return "".join(sentences)[:ARTICLE_LENGTH]


def article_html(text: str) -> str:
    """The article as an editor's body renders: paragraphs opening in bold, ending in a link."""
    sentences = [sentence + "。" for sentence in text.split("。") if sentence]
    paragraphs = []
    for index in range(0, len(sentences), 4):
        first, *rest = sentences[index : index + 4]
        link = ""
        if rest:
            last = rest.pop()
            link = f'<a href="/articles/{index}/?q={escape(last[:5])}">{escape(last)}</a>'
        middle = "".join(escape(sentence) for sentence in rest)
        paragraphs.append(f"<p><strong>{escape(first)}</strong>{middle}{link}</p>")
    return "\n".join(paragraphs)


class _Filler(dict):
    """format_map helper: a fresh value for every slot, even one named twice."""

    def __init__(self, fill: Callable[[str], str]) -> None:
        super().__init__()
        self._fill = fill

    def __missing__(self, key: str) -> str:
        return self._fill(key)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def clock(function: Callable[[str], object], inputs: list[str], repeat: int) -> Measure:
    """Runs ``function`` on every input ``repeat`` times, the inputs in turn."""
    walls: list[float] = []
    cpus: list[float] = []
    best = [float("inf")] * len(inputs)
    for _ in range(repeat):
        for index, value in enumerate(inputs):
            wall, cpu = time.perf_counter(), time.process_time()
            function(value)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
            best[index] = min(best[index], walls[-1])
    return Measure(Timing.of(walls), Timing.of(cpus), Timing.of(best))


def naive_find(distinct: Iterable[str], text: str) -> set[str]:
    """Each keyword in turn: a substring test, then the same token-boundary rule."""
    normalized = normalize(text)
    boundaries = {0, len(normalized)}
    for start, end in tokens.token_spans(normalized):
        boundaries.add(start)
        boundaries.add(end)
    found = set()
    for keyword in distinct:
        if keyword not in normalized:
            continue
        position = normalized.find(keyword)
        while position >= 0:
            if position in boundaries and position + len(keyword) in boundaries:
                found.add(keyword)
                break
            position = normalized.find(keyword, position + 1)
    return found


def count_tokenized_clauses(matcher: KeywordMatcher, texts: list[str]) -> tuple[float, float]:
    """Average clauses per article and average clauses the matcher had to tokenize."""
    calls = 0
    original = tokens.clause_token_ends

    def counting(text: str, start: int, end: int) -> list[int]:
        nonlocal calls
        calls += 1
        return original(text, start, end)

    tokens.clause_token_ends = counting
    try:
        for text in texts:
            matcher.find(text)
    finally:
        tokens.clause_token_ends = original
    clauses = sum(len(tokens.clauses(normalize(text))) for text in texts)
    return clauses / len(texts), calls / len(texts)


def build(rows: list[tuple[int, str]]) -> tuple[KeywordMatcher, float, float, float]:
    """The matcher from the rows, with build seconds, RSS growth and Python heap peak (MB).

    Built twice: once timed, once under tracemalloc (which slows allocation down)."""
    rss_before = rss_mb()
    seconds, matcher = timed(lambda: KeywordMatcher(keyword for _, keyword in rows))
    rss_grown = rss_mb() - rss_before
    tracemalloc.start()
    KeywordMatcher(keyword for _, keyword in rows)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(matcher, KeywordMatcher)
    return matcher, seconds, rss_grown, heap_peak / 2**20


def compare_libraries(distinct: list[str], texts: list[str]) -> None:
    step("libraries: the automaton alone over the same keywords (overlapping matches)")
    import ahocorasick_rs

    normalized = [normalize(text) for text in texts]

    def report(name: str, make: Callable[[], object], run: Callable[[object, str], object]):
        before = rss_mb()
        seconds, automaton = timed(make)
        grown = rss_mb() - before
        times = [timed(lambda t=text: run(automaton, t))[0] for text in normalized * 3]
        print(
            f"{name:<16} build {seconds:6.2f} s   RSS +{grown:7.1f} MB   match {Timing.of(times)}"
        )

    report(
        "ahocorasick-rs",
        lambda: ahocorasick_rs.AhoCorasick(distinct, store_patterns=False),
        lambda automaton, text: automaton.find_matches_as_indexes(text, overlapping=True),
    )
    try:
        import ahocorasick
    except ImportError:
        print("pyahocorasick    not installed (pip install pyahocorasick==2.3.1 to compare)")
        return

    def make_pyahocorasick() -> object:
        automaton = ahocorasick.Automaton()
        for index, keyword in enumerate(distinct):
            automaton.add_word(keyword, (index, len(keyword)))
        automaton.make_automaton()
        return automaton

    report(
        "pyahocorasick",
        make_pyahocorasick,
        lambda automaton, text: [
            (index, end + 1 - length, end + 1) for end, (index, length) in automaton.iter(text)
        ],
    )


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)

    step(f"data: {args.registrations:,} registrations, {args.members:,} members")
    seconds, words = timed(lambda: vocabulary(rng, args.distinct))
    print(
        f"vocabulary: {len(words):,} distinct keywords in {seconds:.1f} s, e.g. "
        + "、".join(words[len(NEWS_WORDS) : len(NEWS_WORDS) + 8])
    )
    rows = registrations(rng, words, args.registrations, args.members)
    counts: dict[str, int] = {}
    for _, word in rows:
        counts[word] = counts.get(word, 0) + 1
    shared = sorted(counts.values(), reverse=True)
    print(
        f"registrations: {len(rows):,}, {len(rows) / args.members:.1f} per member, "
        "no member registering a word twice"
    )
    print(
        f"sharing: the most registered keyword has {shared[0]:,} members, the 100th "
        f"{shared[min(99, len(shared) - 1)]:,}, the median {statistics.median(shared):.0f}; "
        f"{sum(1 for c in shared if c == 1):,} keywords are registered once"
    )
    texts = [article(rng, words) for _ in range(args.articles)]
    print(f"articles: {len(texts)} of {ARTICLE_LENGTH:,} characters, e.g. {texts[0][:60]}…")
    tokens.token_spans(normalize(texts[0]))  # load the dictionary outside the timings

    step("build: the automaton from all registrations (dedupe included)")
    matcher, build_seconds, rss_grown, heap_peak = build(rows)
    print(f"distinct keywords in the automaton: {len(matcher):,}")
    print(f"build time:        {build_seconds:8.2f} s")
    print(f"memory (RSS):      {rss_grown:8.1f} MB more after the build")
    print(f"memory (Python):   {heap_peak:8.1f} MB peak on the Python heap during the build")
    del rows
    gc.collect()

    step(f"match: {len(texts)} articles, each {args.repeat} times")
    print(Measure.HEADER)
    match = clock(matcher.find, texts, args.repeat)
    print(f"{'match one article (KeywordMatcher.find)':<40} {match}")
    automaton = clock(matcher.occurs_in, texts, args.repeat)
    print(f"{'  of which normalize + automaton':<40} {automaton}")
    tokenize = clock(tokens.token_spans, [normalize(text) for text in texts], args.repeat)
    print(f"{'  SudachiPy, whole article (reference)':<40} {tokenize}")
    found = [matcher.find(text) for text in texts]
    clauses, tokenized = count_tokenized_clauses(matcher, texts)
    print(
        f"clauses per article {clauses:.1f}, tokenized by the matcher {tokenized:.1f}; "
        f"keywords found per article {statistics.mean(len(f) for f in found):.1f}"
    )

    step(f"baseline: each of the {len(matcher):,} keywords in turn, {args.naive_articles} articles")
    sample = texts[: args.naive_articles]
    print(Measure.HEADER)
    naive = clock(lambda text: naive_find(matcher.keywords, text), sample, 1)
    print(f"{'one keyword after another':<40} {naive}")
    disagreements = sum(
        naive_find(matcher.keywords, text) != expected
        for text, expected in zip(sample, found, strict=False)
    )
    print(f"answers differing from the matcher's: {disagreements} of {len(sample)} articles")

    step("highlighting for one member with 50 keywords (per page view)")
    member_keywords = (
        rng.sample(words[:40], 5) + rng.sample(words[40:2000], 40) + rng.sample(words[2000:], 5)
    )
    bodies = [article_html(text) for text in texts]
    headlines = [text[:40] for text in texts]
    print(Measure.HEADER)
    body = clock(lambda html: highlight_html(html, member_keywords), bodies, args.repeat)
    print(f"{'article body as HTML (highlight_html)':<40} {body}")
    headline_list = clock(
        lambda _: [highlight_text(headline, member_keywords) for headline in headlines[:30]],
        headlines,
        args.repeat,
    )
    print(f"{'30 headlines of a list (highlight_text)':<40} {headline_list}")
    marks = statistics.mean(highlight_html(html, member_keywords).count("<mark") for html in bodies)
    print(f"marks per article body {marks:.1f}")

    if args.compare_libraries:
        compare_libraries(list(matcher.keywords), texts[:20])

    summary(match, naive, build_seconds, rss_grown)


def summary(match: Measure, naive: Measure, build_seconds: float, rss_grown: float) -> None:
    step("summary against the targets of issue 5")
    verdict = {True: "met", False: "NOT met"}
    for name, timing in (("wall", match.wall), ("CPU", match.cpu), ("best", match.best)):
        print(
            f"match median ({name}) {timing.median_ms:6.3f} ms ≤ {TARGET_MATCH_MS} ms: "
            f"{verdict[timing.median_ms <= TARGET_MATCH_MS]}   (p95 {timing.p95_ms:.3f} ms)"
        )
    print(
        f"build {build_seconds:.2f} s ≤ {TARGET_BUILD_S:.0f} s: "
        f"{verdict[build_seconds <= TARGET_BUILD_S]}"
    )
    print(
        f"memory {rss_grown:.1f} MB ≤ {TARGET_MEMORY_MB:.0f} MB: "
        f"{verdict[rss_grown <= TARGET_MEMORY_MB]} (whole process peak {peak_rss_mb():.0f} MB)"
    )
    print(
        "ratio: the automaton matches "
        f"{naive.wall.median_ms / match.wall.median_ms:.0f}x faster than checking each keyword "
        f"in turn (wall), {naive.cpu.median_ms / match.cpu.median_ms:.0f}x (CPU), "
        f"{naive.best.median_ms / match.best.median_ms:.0f}x (best)"
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end: {load} on {os.cpu_count()} cores (above that, runs waited)")


if __name__ == "__main__":
    main()
