import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from denshiban.mynews.keywords.normalize import (
    MAX_KEYWORD_LENGTH,
    clean_keyword,
    normalize,
    normalize_with_offsets,
)


def test_full_width_half_width_and_case_are_one_form():
    assert normalize("ＵＳスチール") == normalize("USスチール") == normalize("ｕｓスチール")
    assert normalize("USスチール") == "usスチール"


def test_half_width_katakana_with_voiced_mark_and_long_vowel_becomes_full_width():
    assert normalize("ｶﾞｿﾘﾝ") == "ガソリン"
    assert normalize("ｺﾝﾋﾟｭｰﾀｰ") == "コンピューター"


def test_full_width_digits_and_circled_abbreviations_are_unfolded():
    assert normalize("２０２６年") == "2026年"
    assert normalize("㈱日立") == "(株)日立"


def test_runs_of_white_space_become_one_space_or_one_line_break():
    assert normalize("Apple\u3000 Watch\t") == "apple watch "
    assert normalize("見出し \r\n\n 本文") == "見出し\n本文"


def test_clean_keyword_strips_and_normalizes():
    assert clean_keyword("\u3000 ＵＳスチール  ") == "usスチール"


@pytest.mark.parametrize("raw", ["", "   ", "\u3000\t\n"])
def test_clean_keyword_refuses_empty_input_in_japanese(raw):
    with pytest.raises(ValidationError) as caught:
        clean_keyword(raw)
    assert caught.value.messages == ["キーワードを入力してください。"]
    assert caught.value.code == "empty"


def test_clean_keyword_accepts_thirty_characters_and_refuses_thirty_one():
    assert clean_keyword("あ" * MAX_KEYWORD_LENGTH) == "あ" * 30
    with pytest.raises(ValidationError) as caught:
        clean_keyword("あ" * (MAX_KEYWORD_LENGTH + 1))
    assert caught.value.messages == ["キーワードは30文字以内で入力してください。"]
    assert caught.value.code == "too_long"


def test_clean_keyword_counts_the_stored_form():
    # Ten ㈱ are stored as thirty characters, eleven as thirty-three.
    assert clean_keyword("㈱" * 10) == "(株)" * 10
    with pytest.raises(ValidationError):
        clean_keyword("㈱" * 11)


def test_offsets_point_back_to_characters_that_changed_length():
    mapped = normalize_with_offsets("㈱日立とｶﾞｽ")
    assert mapped is not None
    assert mapped.text == "(株)日立とガス"
    assert mapped.original_span(3, 5) == (1, 3)  # 日立
    assert mapped.original_span(0, 3) == (0, 1)  # (株) ← ㈱
    assert mapped.original_span(6, 7) == (4, 6)  # ガ ← ｶﾞ
    assert mapped.original_span(7, 8) == (6, 7)  # ス


def test_offsets_widen_a_span_inside_one_original_character():
    mapped = normalize_with_offsets("㈱")
    assert mapped is not None
    assert mapped.original_span(1, 2) == (0, 1)


def test_offsets_of_collapsed_white_space_cover_the_whole_run():
    mapped = normalize_with_offsets("日米\u3000 \n同盟")
    assert mapped is not None
    assert mapped.text == "日米\n同盟"
    assert mapped.original_span(2, 3) == (2, 5)
    assert mapped.original_span(3, 5) == (5, 7)


ALPHABET = st.sampled_from(
    list("日米同盟ロシアｶﾞｷﾞﾊﾟｰ㈱①ＡＢＣabcＸｙz２０2  \u3000\t\nßﬁÅé")
    + ["e\u0301", "\u3099", "\u309a", "\uff9e", "가\u11a8", "①②"]
)


@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_offset_map_agrees_with_normalize_and_covers_the_text_in_order(text):
    mapped = normalize_with_offsets(text)
    assert mapped is not None
    assert mapped.text == normalize(text)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    previous_start = 0
    for start, end in zip(mapped.starts, mapped.ends, strict=True):
        assert 0 <= start < end <= len(text)
        assert start >= previous_start
        previous_start = start
    if mapped.text:
        assert mapped.starts[0] == 0
        assert mapped.ends[-1] == len(text)


JAPANESE_HEAVY = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list("日米同盟かがｶﾞﾊﾟｰーＡＢ１２①㈱　 、。「」（）!？\u3099\u309a\u0301ßİ가\u11a8")
        ),
        st.characters(),
    ),
    max_size=60,
)


@given(JAPANESE_HEAVY)
def test_normalize_equals_nfkc_of_the_whole_text(text):
    expected = re.sub(
        r"\s+",
        lambda run: "\n" if "\n" in run.group() else " ",
        unicodedata.normalize("NFKC", text).casefold(),
    )
    assert normalize(text) == expected


def test_normalize_joins_a_voiced_mark_to_the_kana_before_it():
    assert normalize("か\u3099と\uff76\uff9e") == "がとガ"
