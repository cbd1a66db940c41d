import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from denshiban.charts.data import parse_chart_data
from denshiban.charts.svg import (
    HEIGHT,
    WIDTH,
    describe,
    format_number,
    nice_axis,
    pie_slices,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    # The markup is our own output, which never holds a DTD or an entity declaration.
    return ET.fromstring(markup)  # noqa: S314


def draw(text: str, *, kind: str = "bar", title: str = "売上高", unit: str = "億円") -> ET.Element:
    data = parse_chart_data(text, kind=kind)
    markup = render_svg(
        data, kind=kind, title=title, description="説明", unit=unit, id_prefix="chart-1-1"
    )
    return parse(markup)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def baseline_y(root: ET.Element) -> float:
    (line,) = by_class(root, "chart__baseline")
    return float(line.get("y1"))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("bar", "年\tA\tB\n2023\t1\t2\n2024\t3\t▲4"),
        ("line", "月\t指数\n1月\t100\n2月\t101.5\n3月\t99"),
        ("pie", "社名\tシェア\nA社\t60\nB社\t40"),
    ],
)
def test_svg_is_labelled_by_its_title_and_desc(kind, text):
    root = draw(text, kind=kind, title="図のタイトル")

    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "図のタイトル")
    assert (desc.get("id"), desc.text) == (desc_id, "説明")


def test_hostile_text_is_escaped_and_stays_text():
    hostile = '<script>alert(1)</script> &amp; "引用"'
    data = parse_chart_data(f"年\t{hostile}\tB\n<b>2024</b>\t1\t2")
    markup = render_svg(
        data, kind="bar", title=hostile, description=hostile, unit="<i>円</i>", id_prefix="c"
    )

    root = parse(markup)

    assert "<script" not in markup
    assert root.find(f"{SVG}title").text == hostile
    assert root.find(f"{SVG}desc").text == hostile
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert "（<i>円</i>）" in texts(root)
    assert "<b>2024</b>" in texts(root)


def test_control_characters_cannot_break_the_xml():
    root = draw("年\t値\nA\x0bB\t1", title="見出し\x00")

    assert root.find(f"{SVG}title").text == "見出し"


def test_bar_heights_are_proportional_to_values():
    root = draw("年\t売上高\n2022\t1000\n2023\t2000\n2024\t3000")

    heights = [float(bar.get("height")) for bar in by_class(root, "chart__bar")]

    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(3 * heights[0], abs=0.02)


def test_grouped_bars_draw_one_bar_per_value():
    root = draw("年\tA\tB\tC\n2023\t1\t2\t3\n2024\t4\t5\t6")

    assert len(by_class(root, "chart__bar")) == 6


def test_negative_bars_hang_below_the_zero_baseline():
    root = draw("四半期\t成長率\n1～3月\t2\n4～6月\t▲1")
    positive, negative = by_class(root, "chart__bar")
    zero = baseline_y(root)

    # Coordinates are written to two decimals.
    assert float(positive.get("y")) + float(positive.get("height")) == pytest.approx(zero, abs=0.02)
    assert float(negative.get("y")) == pytest.approx(zero, abs=0.02)
    assert float(negative.get("height")) == pytest.approx(
        float(positive.get("height")) / 2, abs=0.02
    )
    assert "−1" in texts(root)


def test_line_with_negative_values_crosses_the_baseline():
    root = draw("月\t収支\n1月\t3\n2月\t▲2\n3月\t1", kind="line")
    (line,) = by_class(root, "chart__line")
    ys = [float(point.split(",")[1]) for point in line.get("d")[1:].split(" L")]
    zero = baseline_y(root)

    assert ys[0] < zero < ys[1]
    assert ys[2] < zero


def test_line_draws_one_path_per_series_with_a_legend():
    root = draw("月\t東京\t大阪\n1月\t1\t2\n2月\t3\t4", kind="line")

    assert len(by_class(root, "chart__line")) == 2
    assert {"東京", "大阪"} <= set(texts(by_class(root, "chart__legend")[0]))


def test_single_series_has_no_legend():
    root = draw("年\t売上高\n2024\t1")

    assert by_class(root, "chart__legend") == []


def test_unit_is_shown_on_the_axis():
    root = draw("年\t売上高\n2024\t1", unit="兆円")

    assert [u.text for u in by_class(root, "chart__unit")] == ["（兆円）"]


def test_bar_axis_starts_at_zero_and_uses_round_ticks():
    root = draw("年\t株価\n2024\t38000\n2025\t40000")
    grid = by_class(root, "chart__grid")[0]

    labels = [t.text for t in grid.iter(f"{SVG}text")]

    assert labels[0] == "0"
    assert labels[-1] == "40,000"


def test_line_axis_may_start_above_zero_when_values_are_far_from_it():
    root = draw("年\t株価\n2024\t38000\n2025\t40000", kind="line")
    grid = by_class(root, "chart__grid")[0]

    labels = [t.text for t in grid.iter(f"{SVG}text")]

    assert labels[0] == "38,000"
    assert by_class(root, "chart__baseline") == []


def test_pie_slices_add_up_to_a_full_circle():
    slices = pie_slices(["A", "B", "C"], [Decimal(1), Decimal(1), Decimal(1)])

    assert sum(s.sweep for s in slices) == pytest.approx(360)
    assert slices[0].start == 0
    assert slices[-1].end == 360
    assert [s.share for s in slices] == [Decimal("33.3")] * 3


def test_pie_draws_one_slice_per_label_with_its_share():
    root = draw("社名\tシェア\nA社\t50\nB社\t30\nC社\t20", kind="pie", unit="%")

    assert len(by_class(root, "chart__slice")) == 3
    assert {"50.0%", "30.0%", "20.0%"} <= set(texts(root))


def test_pie_of_a_single_label_is_a_full_circle():
    root = draw("社名\tシェア\nA社\t7", kind="pie")

    (slice_,) = by_class(root, "chart__slice")

    assert slice_.tag == f"{SVG}circle"


def test_nice_axis_picks_round_steps_that_cover_the_values():
    assert nice_axis(Decimal(0), Decimal("5.35")).ticks == tuple(Decimal(n) for n in (0, 2, 4, 6))
    axis = nice_axis(Decimal("-2.4"), Decimal("3.1"))
    assert axis.ticks[0] <= Decimal("-2.4") and axis.ticks[-1] >= Decimal("3.1")
    assert nice_axis(Decimal(0), Decimal(0)).ticks[-1] > 0


def test_numbers_get_thousands_separators_and_a_true_minus():
    assert format_number(Decimal("1234567.5")) == "1,234,567.5"
    assert format_number(Decimal("-3")) == "\u22123"


def test_description_gives_the_range_and_the_latest_value_with_unit():
    data = parse_chart_data("年度\t売上高\n2022年度\t1200\n2023年度\t800\n2024年度\t1500")

    sentence = describe(data, kind="bar", kind_label="棒グラフ", unit="億円")

    assert sentence == (
        "2022年度から2024年度までの売上高を示す棒グラフで、最小は2023年度の800億円、"
        "最大は2024年度の1,500億円、2024年度は1,500億円。"
    )


def test_description_of_several_series_names_each_latest_value():
    data = parse_chart_data("年\t日本\t米国\n2024\t▲2.4\t1.6\n2025\t0.5\t3.1")

    sentence = describe(data, kind="line", kind_label="折れ線グラフ", unit="%")

    assert sentence == (
        "2024から2025までの日本、米国を示す折れ線グラフで、最小は日本(2024)の\u22122.4%、"
        "最大は米国(2025)の3.1%、2025は日本0.5%、米国3.1%。"
    )


def test_description_of_a_pie_names_the_biggest_share():
    data = parse_chart_data("社名\t台数\nA社\t300\nB社\t100", kind="pie")

    sentence = describe(data, kind="pie", kind_label="円グラフ", unit="万台")

    assert sentence == "台数の内訳(2項目)を示す円グラフで、最も大きいのはA社の75.0%(300万台)。"


def test_description_of_a_table_names_what_its_rows_are():
    data = parse_chart_data("国・地域\t政策金利\n日本\t0.75\n米国\t3.5")

    sentence = describe(data, kind="table", kind_label="表", unit="%")

    assert sentence == "国・地域別の政策金利を示す表。"


def test_description_of_things_rather_than_periods_has_no_latest_value():
    data = parse_chart_data("業種\t騰落率\n電気機器\t6.8\n陸運業\t▲3.4")

    sentence = describe(data, kind="bar", kind_label="棒グラフ", unit="%")

    assert sentence == (
        "業種別の騰落率を示す棒グラフで、最小は陸運業の\u22123.4%、最大は電気機器の6.8%。"
    )


def test_category_names_that_do_not_fit_alternate_between_two_rows():
    names = ["電気機器", "銀行業", "情報・通信業", "不動産業", "小売業", "陸運業", "化学", "機械"]
    rows = "\n".join(f"{name}\t{n + 1}" for n, name in enumerate(names))
    root = draw(f"業種\t騰落率\n{rows}")

    labels = list(by_class(root, "chart__categories")[0].iter(f"{SVG}text"))

    assert [label.text for label in labels] == names
    assert len({label.get("y") for label in labels}) == 2


def test_a_long_series_labels_every_kth_period_and_always_the_last():
    rows = "\n".join(f"{year}年\t{year % 7}" for year in range(1950, 2026))
    root = draw(f"年\t値\n{rows}", kind="line")

    labels = [t.text for t in by_class(root, "chart__categories")[0].iter(f"{SVG}text")]

    assert 3 < len(labels) < 20
    assert labels[-1] == "2025年"
