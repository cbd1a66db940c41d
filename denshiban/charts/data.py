"""Parsing the editor's pasted table into chart data, with messages an editor understands."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


class ChartDataError(ValueError):
    """The pasted data cannot be drawn; the message says why, in Japanese."""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class ChartData:
    label_heading: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]


MAX_ROWS = 200
MAX_SERIES = 8


def _parse_number(text: str, *, row: int, column: int) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("，", "").replace("▲", "-").replace("△", "-")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ChartDataError(
            f"{row}行目{column}列目の「{text.strip()}」は数値ではありません。"
        ) from error
    if not value.is_finite():
        raise ChartDataError(f"{row}行目{column}列目の値が数値ではありません。")
    return value


def parse_chart_data(text: str, *, kind: str = "bar") -> ChartData:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    if len(lines) < 2:
        raise ChartDataError("見出しの行と、少なくとも1行のデータを入力してください。")
    if len(lines) > MAX_ROWS + 1:
        raise ChartDataError(f"データは{MAX_ROWS}行までです。")
    delimiter = "\t" if "\t" in lines[0] else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2:
        raise ChartDataError("1行目には項目名と、少なくとも1つの系列名を入力してください。")
    if len(header) - 1 > MAX_SERIES:
        raise ChartDataError(f"系列は{MAX_SERIES}つまでです。")
    if kind == "pie" and len(header) != 2:
        raise ChartDataError("円グラフの系列は1つだけにしてください。")
    labels: list[str] = []
    columns: list[list[Decimal]] = [[] for _ in header[1:]]
    for row_number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ChartDataError(
                f"{row_number}行目の列の数({len(row)})が見出し({len(header)})と合いません。"
            )
        labels.append(row[0].strip())
        for column, cell in enumerate(row[1:], start=2):
            value = _parse_number(cell, row=row_number, column=column)
            if kind == "pie" and value < 0:
                raise ChartDataError("円グラフにはマイナスの値を使えません。")
            columns[column - 2].append(value)
    series = tuple(
        Series(name=name, values=tuple(values))
        for name, values in zip(header[1:], columns, strict=True)
    )
    return ChartData(label_heading=header[0], labels=tuple(labels), series=series)
