from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from denshiban.charts.data import ChartDataError, parse_chart_data
from denshiban.charts.models import Chart, ChartKind


def test_tab_separated_paste_from_a_spreadsheet_is_read():
    data = parse_chart_data("年度\t売上高\t営業利益\n2023年度\t1,200\t80\n2024年度\t1,500\t95")

    assert data.label_heading == "年度"
    assert data.labels == ("2023年度", "2024年度")
    assert [s.name for s in data.series] == ["売上高", "営業利益"]
    assert data.series[0].values == (Decimal(1200), Decimal(1500))
    assert data.series[1].values == (Decimal(80), Decimal(95))


def test_comma_separated_data_takes_quoted_thousands():
    data = parse_chart_data('国,人口\n日本,"12,400"\n韓国,"5,170"')

    assert data.series[0].values == (Decimal(12400), Decimal(5170))


def test_full_width_commas_and_digits_are_numbers():
    data = parse_chart_data("月\t件数\n1月\t１，２３４")

    assert data.series[0].values == (Decimal(1234),)


@pytest.mark.parametrize("cell", ["▲1.5", "△1.5", "−1.5", "-1.5"])
def test_triangle_and_minus_signs_mark_negatives(cell):
    data = parse_chart_data(f"四半期\t成長率\n1～3月\t{cell}")

    assert data.series[0].values == (Decimal("-1.5"),)


def test_blank_lines_are_ignored():
    data = parse_chart_data("\n年\t値\n\n2024\t1\n\n2025\t2\n")

    assert data.labels == ("2024", "2025")


def test_row_with_wrong_column_count_names_the_row():
    with pytest.raises(ChartDataError, match="3行目の列の数\\(2\\)が見出し\\(3\\)と合いません"):
        parse_chart_data("年\tA\tB\n2024\t1\t2\n2025\t3")


def test_text_in_a_number_cell_is_named():
    with pytest.raises(ChartDataError, match="2行目2列目の「約10」は数値ではありません"):
        parse_chart_data("年\t値\n2024\t約10")


def test_empty_number_cell_is_named():
    with pytest.raises(ChartDataError, match="2行目3列目が空です"):
        parse_chart_data("年\tA\tB\n2024\t1\t")


def test_infinity_is_not_a_number():
    with pytest.raises(ChartDataError, match="数値ではありません"):
        parse_chart_data("年\t値\n2024\tInfinity")


def test_header_alone_is_not_enough():
    with pytest.raises(ChartDataError, match="少なくとも1行のデータ"):
        parse_chart_data("年\t値")


def test_header_needs_a_series():
    with pytest.raises(ChartDataError, match="系列名を入力してください"):
        parse_chart_data("年\n2024")


def test_too_many_series_are_refused():
    header = "年\t" + "\t".join(f"系列{n}" for n in range(9))
    row = "2024\t" + "\t".join("1" for _n in range(9))

    with pytest.raises(ChartDataError, match="系列は8つまでです"):
        parse_chart_data(f"{header}\n{row}")


def test_pie_with_two_series_is_refused():
    with pytest.raises(ChartDataError, match="円グラフの系列は1つだけ"):
        parse_chart_data("社名\t2023\t2024\nA社\t1\t2", kind="pie")


def test_the_same_two_series_make_a_bar_chart():
    data = parse_chart_data("社名\t2023\t2024\nA社\t1\t2", kind="bar")

    assert len(data.series) == 2


def test_pie_refuses_negative_values():
    with pytest.raises(ChartDataError, match="マイナスの値"):
        parse_chart_data("社名\tシェア\nA社\t60\nB社\t▲5", kind="pie")


def test_pie_refuses_a_zero_total():
    with pytest.raises(ChartDataError, match="合計が0"):
        parse_chart_data("社名\tシェア\nA社\t0\nB社\t0", kind="pie")


def test_pie_with_too_many_slices_asks_for_その他():
    rows = "\n".join(f"{n}社\t{n + 1}" for n in range(9))

    with pytest.raises(ChartDataError, match="「その他」にまとめて"):
        parse_chart_data(f"社名\tシェア\n{rows}", kind="pie")


def test_rows_give_values_per_label():
    data = parse_chart_data("年\tA\tB\n2024\t1\t2\n2025\t3\t4")

    assert data.rows() == [
        ("2024", (Decimal(1), Decimal(2))),
        ("2025", (Decimal(3), Decimal(4))),
    ]


def test_model_clean_puts_the_message_on_the_data_field():
    chart = Chart(title="シェア", kind=ChartKind.PIE, data="社名\t2023\t2024\nA社\t1\t2")

    with pytest.raises(ValidationError) as raised:
        chart.clean()

    assert raised.value.message_dict == {"data": ["円グラフの系列は1つだけにしてください。"]}


def test_model_clean_accepts_good_data():
    chart = Chart(title="売上高", kind=ChartKind.BAR, data="年\t値\n2024\t1")

    chart.clean()


def test_empty_corner_cell_of_a_spreadsheet_paste_keeps_the_columns():
    data = parse_chart_data("\t2023年\t2024年\nA社\t1\t2")

    assert data.label_heading == ""
    assert [s.name for s in data.series] == ["2023年", "2024年"]
