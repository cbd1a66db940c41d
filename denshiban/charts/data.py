"""Parsing the editor's pasted table into chart data, with messages an editor understands."""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


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

    @property
    def all_values(self) -> tuple[Decimal, ...]:
        return tuple(value for series in self.series for value in series.values)

    def rows(self) -> list[tuple[str, tuple[Decimal, ...]]]:
        """The table the chart was pasted from: one (label, values per series) per row."""
        return [
            (label, tuple(series.values[index] for series in self.series))
            for index, label in enumerate(self.labels)
        ]


MAX_ROWS = 200
MAX_SERIES = 8
# More slices than this cannot be told apart by colour; editors group the rest as その他.
MAX_PIE_SLICES = 8

# Newspaper tables mark negatives with ▲ or △; spreadsheets and word processors paste
# several different minus signs.
_MINUS_SIGNS = str.maketrans({"▲": "-", "△": "-", "−": "-", "－": "-", "‐": "-"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEPARATORS = str.maketrans({",": None, "，": None, " ": None, "\u3000": None})


def _parse_number(text: str, *, row: int, column: int) -> Decimal:
    shown = text.strip()
    if not shown:
        raise ChartDataError(
            _("%(row)d行目%(column)d列目が空です。数値を入力してください。")
            % {"row": row, "column": column}
        )
    cleaned = shown.translate(_MINUS_SIGNS).translate(_SEPARATORS)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ChartDataError(
            _("%(row)d行目%(column)d列目の「%(text)s」は数値ではありません。")
            % {"row": row, "column": column, "text": shown}
        ) from error
    if not value.is_finite():
        raise ChartDataError(
            _("%(row)d行目%(column)d列目の値が数値ではありません。")
            % {"row": row, "column": column}
        )
    return value


def _check_pie(header: list[str], row_count: int) -> None:
    if len(header) != 2:
        raise ChartDataError(_("円グラフの系列は1つだけにしてください。"))
    if row_count > MAX_PIE_SLICES:
        raise ChartDataError(
            _("円グラフの項目は%(count)dつまでです。小さな項目は「その他」にまとめてください。")
            % {"count": MAX_PIE_SLICES}
        )


def _check_pie_values(values: list[Decimal]) -> None:
    if any(value < 0 for value in values):
        raise ChartDataError(_("円グラフにはマイナスの値を使えません。"))
    if sum(values) == 0:
        raise ChartDataError(_("円グラフの値の合計が0です。"))


def parse_chart_data(text: str, *, kind: str = "bar") -> ChartData:
    # Lines are kept whole: a pasted table may start with an empty corner cell or end with an
    # empty cell, and stripping their tabs would shift the columns.
    # Only real line breaks end a row (str.splitlines would also split at a stray \v or \x1c).
    lines = [line for line in _LINE_BREAK.split(text or "") if line.strip()]
    if len(lines) < 2:
        raise ChartDataError(_("見出しの行と、少なくとも1行のデータを入力してください。"))
    if len(lines) > MAX_ROWS + 1:
        raise ChartDataError(_("データは%(count)d行までです。") % {"count": MAX_ROWS})
    # A paste from a spreadsheet is tab separated; typed data uses commas.
    delimiter = "\t" if "\t" in lines[0] else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2:
        raise ChartDataError(_("1行目には項目名と、少なくとも1つの系列名を入力してください。"))
    if len(header) - 1 > MAX_SERIES:
        raise ChartDataError(_("系列は%(count)dつまでです。") % {"count": MAX_SERIES})
    if kind == "pie":
        _check_pie(header, len(rows) - 1)
    labels: list[str] = []
    columns: list[list[Decimal]] = [[] for _name in header[1:]]
    for row_number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ChartDataError(
                _("%(row)d行目の列の数(%(found)d)が見出し(%(expected)d)と合いません。")
                % {"row": row_number, "found": len(row), "expected": len(header)}
            )
        labels.append(row[0].strip())
        for column, cell in enumerate(row[1:], start=2):
            columns[column - 2].append(_parse_number(cell, row=row_number, column=column))
    if kind == "pie":
        _check_pie_values(columns[0])
    series = tuple(
        Series(name=name, values=tuple(values))
        for name, values in zip(header[1:], columns, strict=True)
    )
    return ChartData(label_heading=header[0], labels=tuple(labels), series=series)
