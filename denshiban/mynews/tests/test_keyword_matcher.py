import threading

import pytest

from denshiban.mynews.keywords import matcher as matcher_module
from denshiban.mynews.keywords.matcher import KeywordMatcher, get_matcher
from denshiban.mynews.keywords.normalize import clean_keyword


def finds(keyword, text):
    """Whether a keyword as a member typed it is found in the text."""
    return clean_keyword(keyword) in KeywordMatcher([clean_keyword(keyword)]).find(text)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("日米", "日米同盟の強化で合意した"),
        ("中国", "中国"),
        ("中国", "中国人観光客が戻った"),
        ("USスチール", "USスチール"),
        ("USスチール", "ＵＳスチールの買収"),
        ("ｕｓスチール", "米USスチールは"),
        ("USスチール", "ＵＳｽﾁｰﾙ買収"),
        ("日米同盟", "日米同盟の強化"),
        ("経済産業省", "経済産業省は補助金を広げる"),
        ("東京", "東京都知事"),
        ("2026", "２０２６年度の予算"),
        ("２０２６年", "2026年の見通し"),
        ("コンピューター", "ｺﾝﾋﾟｭｰﾀｰの普及"),
        ("apple watch", "新型のApple\u3000Watchを発表"),
        ("Apple  Watch", "新型のapple watchを発表"),
        ("AT&T", "米AT&Tの決算"),
        ("(株)日立", "㈱日立製作所"),
        ("ロシア", "ロシア産原油"),
        ("asean", "ＡＳＥＡＮ首脳会議"),
    ],
)
def test_keyword_matches_on_token_boundaries(keyword, text):
    assert finds(keyword, text)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("ロシ", "ロシア"),
        ("ロシ", "ロシア産原油の輸入"),
        ("sea", "ASEAN"),
        ("sea", "ＡＳＥＡＮ首脳会議"),
        ("京都", "東京都知事"),
        ("202", "2026年"),
        ("26", "２０２６年"),
        ("コンピュータ", "コンピューターの普及"),
        ("スチール", "ステンレススチールズ"),
        ("apple watch", "applewatch"),
        ("日米同盟", "日米の同盟"),
        ("gpt", "ChatGPTの利用"),
    ],
)
def test_keyword_inside_a_longer_word_does_not_match(keyword, text):
    assert not finds(keyword, text)


def test_a_keyword_does_not_run_from_one_line_into_the_next():
    matcher = KeywordMatcher(["apple watch", "apple"])
    assert matcher.find("新型のApple\nWatchは") == {"apple"}
    assert matcher.find("新型のApple Watchは") == {"apple watch", "apple"}


def test_find_returns_every_keyword_found_in_normalized_form():
    matcher = KeywordMatcher(["日米", "日米同盟", "同盟", "中国", "ロシ", "usスチール"])
    found = matcher.find("日米同盟の強化と、ＵＳスチールの買収。ロシアと中国。")
    assert found == {"日米", "日米同盟", "同盟", "中国", "usスチール"}


def test_keywords_are_deduplicated_and_empty_ones_ignored():
    matcher = KeywordMatcher(["中国", "中国", "", "日米"])
    assert matcher.keywords == ("中国", "日米")
    assert len(matcher) == 2


def test_a_matcher_without_keywords_finds_nothing():
    matcher = KeywordMatcher([])
    assert matcher.find("中国") == set()
    assert matcher.spans("中国") == []
    assert not matcher.occurs_in("中国")


def test_text_without_any_keyword_finds_nothing():
    assert KeywordMatcher(["中国"]).find("日米同盟の強化") == set()
    assert KeywordMatcher(["中国"]).find("") == set()


def test_a_keyword_found_later_in_the_text_after_false_candidates():
    matcher = KeywordMatcher(["ロシ"])
    assert matcher.find("ロシアの動き。ロシアとロシ アンの人") == {"ロシ"}


def test_spans_are_in_original_offsets_even_when_normalization_changes_lengths():
    text = "㈱日立とＵＳｽﾁｰﾙ、ｶﾞｿﾘﾝ"
    spans = KeywordMatcher(["(株)日立", "usスチール", "ガソリン"]).spans(text)
    assert spans == [(0, 3, "(株)日立"), (4, 10, "usスチール"), (11, 16, "ガソリン")]
    assert [text[start:end] for start, end, _ in spans] == ["㈱日立", "ＵＳｽﾁｰﾙ", "ｶﾞｿﾘﾝ"]


def test_spans_take_the_leftmost_longest_match_without_overlaps():
    matcher = KeywordMatcher(["日米", "日米同盟", "同盟", "同盟国"])
    assert matcher.spans("日米同盟国") == [(0, 4, "日米同盟")]
    assert matcher.spans("日米と同盟国") == [(0, 2, "日米"), (3, 6, "同盟国")]


def test_spans_list_every_occurrence_in_order():
    matcher = KeywordMatcher(["中国"])
    assert matcher.spans("中国と中国人、ロシアと中国") == [
        (0, 2, "中国"),
        (3, 5, "中国"),
        (11, 13, "中国"),
    ]


def test_spans_skip_candidates_off_token_boundaries():
    assert KeywordMatcher(["ロシ", "sea"]).spans("ロシアとASEAN") == []


def test_occurs_in_reports_candidates_before_the_boundary_check():
    matcher = KeywordMatcher(["ロシ"])
    assert matcher.occurs_in("ロシア")
    assert matcher.find("ロシア") == set()


@pytest.fixture
def empty_cache(monkeypatch):
    monkeypatch.setattr(matcher_module, "_cached", None)


def test_get_matcher_builds_once_per_version(empty_cache):
    loads = []

    def load():
        loads.append(1)
        return ["中国", "日米"]

    first = get_matcher("1", load)
    assert get_matcher("1", load) is first
    assert len(loads) == 1
    assert first.find("中国と日米") == {"中国", "日米"}


def test_get_matcher_rebuilds_when_the_version_changes(empty_cache):
    keywords = ["中国"]
    first = get_matcher("1", lambda: list(keywords))
    keywords.append("ロシア")
    assert get_matcher("1", lambda: list(keywords)) is first
    second = get_matcher("2", lambda: list(keywords))
    assert second is not first
    assert second.find("中国とロシア") == {"中国", "ロシア"}


def test_a_failed_load_keeps_the_previous_matcher(empty_cache):
    first = get_matcher("1", lambda: ["中国"])

    def broken():
        raise RuntimeError("database unavailable")

    with pytest.raises(RuntimeError):
        get_matcher("2", broken)
    assert get_matcher("1", lambda: ["other"]) is first


def test_threads_asking_at_once_build_one_matcher(empty_cache):
    loads = []
    barrier = threading.Barrier(6)
    results = []

    def load():
        loads.append(1)
        return ["中国"]

    def ask():
        barrier.wait()
        results.append(get_matcher("7", load))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert all(result is results[0] for result in results)
