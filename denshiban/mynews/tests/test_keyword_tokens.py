import threading

from denshiban.mynews.keywords.normalize import normalize
from denshiban.mynews.keywords.tokens import (
    MAX_CLAUSE_LENGTH,
    Boundaries,
    _tokenizer,
    clauses,
    token_spans,
)

NEWS = normalize(
    "政府は12日、日米同盟の強化に向けた協議を来月にも始める方針を固めた。"
    "外相会談では、中国の海洋進出を念頭に東南アジア諸国連合(ＡＳＥＡＮ)との連携を確認した。"
    "ＵＳスチールの買収を巡り、鉄鋼大手は米政権との交渉を続けている！"
    "ロシア産原油の輸入制限は２０２６年度も続くのか？東京都知事は「検討する」と述べた。"
)


def words(text):
    return [text[start:end] for start, end in token_spans(text)]


def test_compounds_split_into_their_words():
    assert words("日米同盟") == ["日米", "同盟"]
    assert words("中国人観光客") == ["中国", "人", "観光", "客"]
    assert words("東京都知事") == ["東京", "都", "知事"]


def test_words_that_must_stay_whole_stay_whole():
    assert words("ロシア") == ["ロシア"]
    assert words(normalize("ASEAN")) == ["asean"]
    assert words(normalize("ｺﾝﾋﾟｭｰﾀｰ")) == ["コンピューター"]


def test_numbers_stay_whole():
    assert words(normalize("２０２６年度")) == ["2026", "年度"]


def test_spans_cover_the_text_end_to_end():
    spans = token_spans(NEWS)
    assert spans[0][0] == 0
    assert spans[-1][1] == len(NEWS)
    assert all(left[1] == right[0] for left, right in zip(spans, spans[1:], strict=False))


def test_tokenizing_clause_by_clause_gives_the_same_boundaries_as_the_whole_text():
    whole = [(m.begin(), m.end()) for m in _tokenizer().tokenize(NEWS)]
    assert token_spans(NEWS) == whole
    assert len(clauses(NEWS)) == 8  # three 、 and five sentence ends


def test_text_without_punctuation_longer_than_a_clause_is_tokenized_in_pieces():
    text = "日米同盟" * (MAX_CLAUSE_LENGTH // 2)
    spans = token_spans(text)
    assert spans[-1][1] == len(text)
    assert all(end - start <= MAX_CLAUSE_LENGTH for start, end in clauses(text))


def test_empty_text_has_no_tokens():
    assert token_spans("") == []


def test_boundaries_answer_for_offsets_inside_and_at_the_edges():
    text = "ロシア産原油と日米同盟。"
    boundaries = Boundaries(text)
    assert 0 in boundaries and len(text) in boundaries
    assert 3 in boundaries  # ロシア|産
    assert 2 not in boundaries  # ロシ|ア is not a boundary
    assert 9 in boundaries and 8 not in boundaries  # 日米|同盟, not 日|米


def test_threads_tokenize_at_the_same_time_without_errors():
    expected = token_spans(NEWS)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(token_spans(NEWS))
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 80 and all(result == expected for result in results)
