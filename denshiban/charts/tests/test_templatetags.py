import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from denshiban.charts.models import ChartKind
from denshiban.newsroom.blocks import ChartBlock

from .factories import ChartFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def svgs(html: str) -> list[ET.Element]:
    # The markup is our own output, which never holds a DTD or an entity declaration.
    found = re.findall(r"<svg.*?</svg>", html, re.S)
    return [ET.fromstring(markup) for markup in found]  # noqa: S314


def test_figure_has_title_drawing_table_source_note_and_permalink():
    chart = ChartFactory(title="主要5社の売上高", source="各社決算", note="単体ベース")

    html = render("{% chart_figure chart %}", chart=chart)

    assert '<figure class="chart chart--bar"' in html
    assert "主要5社の売上高" in html
    assert len(svgs(html)) == 1
    assert "<details" in html and "<summary>データを表で見る</summary>" in html
    assert "<caption" in html
    assert '<th scope="col">売上高</th>' in html
    assert '<th scope="row">2024年度</th><td>3,000</td>' in html
    assert "出所: 各社決算" in html
    assert "注: 単体ベース" in html
    assert f'<a class="chart__permalink" href="/charts/{chart.pk}/">この図表のページ</a>' in html
    assert f'<div class="chart__actions" data-chart-id="{chart.pk}"></div>' in html


def test_table_chart_shows_its_table_open_and_no_drawing():
    chart = ChartFactory(kind=ChartKind.TABLE)

    html = render("{% chart_figure chart %}", chart=chart)

    assert "<svg" not in html
    assert "<details" not in html
    assert '<th scope="row">2021年度</th><td>1,200</td>' in html


def test_pie_table_adds_the_shares():
    chart = ChartFactory(kind=ChartKind.PIE, unit="万台", data="社名,台数\nA社,300\nB社,100")

    html = render("{% chart_figure chart %}", chart=chart)

    assert '<th scope="col">構成比(%)</th>' in html
    assert '<th scope="row">A社</th><td>300</td><td>75.0</td>' in html


def test_same_chart_twice_on_a_page_gets_distinct_ids():
    chart = ChartFactory()

    html = render("{% chart_figure chart %}{% chart_figure chart %}", chart=chart)

    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for svg in svgs(html):
        for target in svg.get("aria-labelledby").split():
            assert f' id="{target}"' in html


def test_hostile_title_is_escaped_in_the_figure():
    chart = ChartFactory(title="<script>alert(1)</script>", source="A&B")

    html = render("{% chart_figure chart %}", chart=chart)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A&amp;B" in html


def test_chart_with_unreadable_data_shows_a_message_instead_of_failing():
    chart = ChartFactory(data="年,値\n2024,たくさん")

    html = render("{% chart_figure chart %}", chart=chart)

    assert "表示できません" in html
    assert "<svg" not in html


def test_permalink_page_can_leave_out_the_link_to_itself():
    chart = ChartFactory()

    html = render("{% chart_figure chart link=False %}", chart=chart)

    assert "この図表のページ" not in html


def test_missing_chart_renders_nothing():
    assert render("{% chart_figure chart %}", chart=None).strip() == ""


def test_body_block_renders_the_figure_without_further_queries(django_assert_num_queries):
    chart = ChartFactory(title="輸出額の推移")
    block = ChartBlock()
    value = block.to_python({"chart": chart.pk})

    with django_assert_num_queries(0):
        html = block.render(value)

    assert "輸出額の推移" in html
    assert len(svgs(html)) == 1
