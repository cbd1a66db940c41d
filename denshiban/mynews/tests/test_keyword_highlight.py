from html import escape
from html.parser import HTMLParser

from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from denshiban.mynews.keywords.highlight import highlight_html, highlight_text

MARK = '<mark class="kw">'


def test_headline_is_escaped_and_marked():
    result = highlight_text("日米同盟と<中国>の対話", ["中国", "日米"])
    assert result == f"{MARK}日米</mark>同盟と&lt;{MARK}中国</mark>&gt;の対話"
    assert isinstance(result, SafeString)


def test_headline_without_keywords_is_only_escaped():
    assert highlight_text("A&B <i>", []) == "A&amp;B &lt;i&gt;"
    assert highlight_text("ロシアの動き", ["ロシ"]) == "ロシアの動き"


def test_markup_like_keywords_are_harmless_in_headlines():
    result = highlight_text('<b>"速報"</b>', ["<b>", '"', "&amp;"])
    assert "<b>" not in result
    assert result.count(MARK) == result.count("</mark>")
    assert "&lt;b&gt;" in result


def test_headline_marks_the_text_as_written_when_normalization_changes_it():
    assert highlight_text("ＵＳｽﾁｰﾙを㈱日立が", ["usスチール", "(株)日立"]) == (
        f"{MARK}ＵＳｽﾁｰﾙ</mark>を{MARK}㈱日立</mark>が"
    )


def test_body_text_is_marked_but_not_tags_or_attributes():
    html = '<p class="中国"><a href="/topics/中国" title="中国">中国</a>と日米同盟</p>'
    result = highlight_html(html, ["中国", "日米"])
    assert result == (
        f'<p class="中国"><a href="/topics/中国" title="中国">{MARK}中国</mark></a>'
        f"と{MARK}日米</mark>同盟</p>"
    )
    assert isinstance(result, SafeString)


def test_script_style_svg_and_existing_marks_are_left_alone():
    html = (
        "<style>.中国{}</style><script>const s = '中国';</script>"
        "<svg><text>中国</text></svg><mark>中国</mark><title>中国</title><p>中国</p>"
    )
    result = highlight_html(html, ["中国"])
    assert result == html.replace("<p>中国</p>", f"<p>{MARK}中国</mark></p>")


def test_character_references_are_never_cut():
    html = "<p>AT&amp;Tと&quot;ロシア&quot;、&lt;b&gt;。</p>"
    result = highlight_html(html, ["at&t", '"ロシア"', "<b>"])
    assert result == (
        f"<p>{MARK}AT&amp;T</mark>と{MARK}&quot;ロシア&quot;</mark>、{MARK}&lt;b&gt;</mark>。</p>"
    )


def test_a_keyword_that_looks_like_an_entity_matches_the_text_not_the_source():
    html = "<p>A &amp; B と A &amp;amp; B</p>"
    result = highlight_html(html, ["&amp;"])
    assert result == f"<p>A &amp; B と A {MARK}&amp;amp;</mark> B</p>"


def test_body_marks_land_on_the_original_characters():
    html = "<p>㈱日立とＵＳｽﾁｰﾙ、ｶﾞｿﾘﾝ</p>"
    result = highlight_html(html, ["(株)日立", "ＵＳスチール", "ｶﾞｿﾘﾝ"])
    assert result == (f"<p>{MARK}㈱日立</mark>と{MARK}ＵＳｽﾁｰﾙ</mark>、{MARK}ｶﾞｿﾘﾝ</mark></p>")


def test_body_follows_the_token_boundary_rule():
    html = "<p>ロシアとASEANの首脳、中国人観光客</p>"
    assert highlight_html(html, ["ロシ", "sea", "中国"]) == (
        f"<p>ロシアとASEANの首脳、{MARK}中国</mark>人観光客</p>"
    )


def test_text_split_by_the_parser_around_a_lone_angle_bracket_is_still_marked():
    html = "<p>中国 < 日米</p>"
    assert highlight_html(html, ["中国", "日米"]) == f"<p>{MARK}中国</mark> < {MARK}日米</mark></p>"


def test_body_without_keywords_comes_back_unchanged():
    html = '<p class="x">中国<br/>日米</p><!-- 中国 -->'
    assert highlight_html(html, []) == html
    assert highlight_html(html, ["ロシア"]) == html
    assert highlight_html(html, ["中国"]) == html.replace('"x">中国', f'"x">{MARK}中国</mark>')


def test_text_across_lines_keeps_its_place():
    html = "<p>\n日米\n</p>\n<p>\n  中国の\n  動き</p>"
    assert highlight_html(html, ["中国"]) == html.replace("中国", f"{MARK}中国</mark>")


class Structure(HTMLParser):
    """The tags (with attributes) and the text of a document, marks counted apart."""

    def __init__(self, html, *, drop_marks):
        super().__init__(convert_charrefs=True)
        self.drop_marks = drop_marks
        self.items = []
        self.text = []
        self.open_marks = 0
        self.marks = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "mark" and self.drop_marks:
            assert attrs == [("class", "kw")]
            assert self.open_marks == 0, "a mark inside a mark"
            self.open_marks += 1
            self.marks += 1
            return
        assert self.open_marks == 0, "a tag inside a mark"
        self.items.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        if tag == "mark" and self.drop_marks:
            assert self.open_marks == 1, "a mark closed that was not open"
            self.open_marks -= 1
            return
        self.items.append(("end", tag))

    def handle_data(self, data):
        self.text.append(data)
        if self.items and self.items[-1][0] == "text":
            self.items[-1] = ("text", self.items[-1][1] + data)
        else:
            self.items.append(("text", data))


FRAGMENTS = [
    "日米",
    "同盟",
    "中国",
    "中国人",
    "ロシア",
    "ロシ",
    "ＵＳスチール",
    "usスチール",
    "ASEAN",
    "sea",
    "㈱日立",
    "<b>",
    "&amp;",
    "&",
    '"',
    "'",
    "<",
    ">",
    " ",
    "\u3000",
    "、",
    "。",
    "a",
]
text_strategy = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("".join)
keyword_strategy = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map("".join),
    st.text(alphabet="日米中国ロシア<>&\"' ab", min_size=1, max_size=6),
)


def wrap(text, tag):
    """The text, escaped, alone or inside <strong> or a link whose attributes hold it too."""
    safe = escape(text)
    if tag == "strong":
        return f"<strong>{safe}</strong>"
    if tag == "a":
        return f'<a href="/search?q={safe}&amp;p=1" title="{safe}">{safe}</a>'
    return safe


def inline(text):
    return st.sampled_from(["", "strong", "a"]).map(lambda tag: wrap(text, tag))


paragraph = st.lists(text_strategy.flatmap(inline), min_size=1, max_size=4).map(
    lambda parts: "<p>" + "".join(parts) + "</p>"
)
body_strategy = st.lists(paragraph, min_size=1, max_size=4).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(body=body_strategy, keywords=st.lists(keyword_strategy, max_size=5))
def test_highlighted_body_is_well_formed_and_reads_the_same(body, keywords):
    result = highlight_html(body, keywords)
    before = Structure(body, drop_marks=False)
    after = Structure(result, drop_marks=True)
    assert after.open_marks == 0
    assert after.items == before.items
    assert "".join(after.text) == "".join(before.text)
    if not keywords:
        assert result == body


@settings(max_examples=300, deadline=None)
@given(text=text_strategy, keywords=st.lists(keyword_strategy, max_size=5))
def test_highlighted_headline_is_well_formed_and_reads_the_same(text, keywords):
    after = Structure(highlight_text(text, keywords), drop_marks=True)
    assert after.open_marks == 0
    assert [item for item in after.items if item[0] != "text"] == []
    assert "".join(after.text) == text


def test_the_property_bodies_do_get_marked():
    # Guards the property tests above against passing only because nothing ever matches.
    body = '<p>日米<strong>中国</strong><a href="/search?q=中国&amp;p=1" title="中国">中国</a></p>'
    result = highlight_html(body, ["中国"])
    assert result.count(MARK) == 2


HTMLISH = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "&",
            ";",
            "amp",
            "#38",
            '"',
            "'",
            "=",
            "/",
            "!--",
            "p",
            "a href",
            "script",
            "svg",
            " ",
            "\n",
            "中国",
            "日米",
            "ロシア",
            "sea",
            "asean",
            "㈱",
            "ｶﾞ",
            "\u3099",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    html=HTMLISH, keywords=st.lists(st.sampled_from(["中国", "日米", "&", "<", "a"]), max_size=3)
)
def test_any_input_only_gains_marks(html, keywords):
    # Malformed input included: whatever the parser makes of it, the output is the input
    # with whole <mark class="kw">…</mark> pairs inserted and nothing else changed.
    result = highlight_html(html, keywords)
    assert result.replace(MARK, "").replace("</mark>", "") == html
    assert result.count(MARK) == result.count("</mark>")


def test_button_labels_are_not_marked():
    html = '<p>保存の仕組み</p><button type="submit">図表を保存する</button>'
    out = highlight_html(html, ["保存"])
    assert "<mark" in out.split("<button", 1)[0]
    assert '<button type="submit">図表を保存する</button>' in out
