"""Charts drawn on the server as accessible inline SVG: no JavaScript, legible on phones and paper.

Every text that comes from the editor's data goes through `_text`, which escapes it for XML and
drops the control characters XML forbids, so the output is always well-formed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from .data import ChartData, Series

# The kinds drawn as a picture; a table chart is its own table.
DRAWN_KINDS = frozenset({"bar", "line", "pie"})
# The drawing scales with the column. This viewBox keeps its text at about 10px on a phone
# 340px wide without growing too large in a desktop column.
WIDTH = 560
HEIGHT = 340
FONT_SIZE = 16
SMALL_FONT_SIZE = 14
MARGIN = 16
INK = "#1a1a1a"
INK_SOFT = "#555555"
GRID = "#d9d9d9"

# Okabe–Ito colours, safe for the common colour-blindnesses, ordered so that neighbours also
# differ in lightness when the page is printed in grey.
PALETTE = ("#0b4f8a", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c8c8c", "#1a1a1a")
# Text drawn on a pie slice: white only where the slice colour is dark enough to carry it.
ON_PALETTE = ("#ffffff", INK, INK, INK, INK, INK, INK, "#ffffff")
# Lines also differ in dash and marker shape, so they stay apart in black and white.
DASHES = ("", "9 5", "3 4", "12 4 3 4")
MARKERS = ("circle", "square", "triangle", "diamond")
MAX_MARKED_POINTS = 24
MAX_VALUE_LABELS = 12
MAX_LABEL_WIDTH = 140
LABEL_ROW = 18

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A row label that names a period: a year, a fiscal year, a month, a quarter, a day.
_PERIOD = re.compile(r"^\d{4}$|\d.*[年月日期度週]|[年月日期度週].*\d")
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def _text(value: str) -> str:
    return escape(_XML_FORBIDDEN.sub("", value), {'"': "&quot;"})


def _n(value: float) -> str:
    """A coordinate, short: 12.5 rather than 12.500000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def format_number(value: Decimal) -> str:
    """3400 → 3,400; negatives take the true minus sign, which screen readers say as マイナス."""
    text = format(abs(value), ",f")
    return f"\u2212{text}" if value < 0 else text


def with_unit(value: Decimal, unit: str) -> str:
    return f"{format_number(value)}{unit}"


def _text_width(text: str, size: float) -> float:
    """Roughly how wide a text is drawn: full-width characters are one em, others about half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def _fit(text: str, max_width: float, size: float) -> str:
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


# --- the value axis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    ticks: tuple[Decimal, ...]

    @property
    def low(self) -> float:
        return float(self.ticks[0])

    @property
    def high(self) -> float:
        return float(self.ticks[-1])

    def label(self, tick: Decimal) -> str:
        step = self.ticks[1] - self.ticks[0]
        decimals = max(0, -step.normalize().as_tuple().exponent)
        return format_number(tick.quantize(Decimal(1).scaleb(-decimals)))


def nice_axis(low: Decimal, high: Decimal, *, target: int = 5) -> Axis:
    """Round ticks (1, 2, 2.5 or 5 times a power of ten) that cover low..high."""
    if low == high:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
        if low == high:
            high = Decimal(1)
    raw = (high - low) / target
    magnitude = Decimal(1).scaleb(math.floor(math.log10(raw)))
    step = next(nice * magnitude for nice in _NICE_STEPS if nice * magnitude >= raw)
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    count = int((last - first) / step)
    return Axis(ticks=tuple(first + step * index for index in range(count + 1)))


def value_range(data: ChartData, kind: str) -> tuple[Decimal, Decimal]:
    """Bars always start at zero. A line shows change, so its axis may start above zero when
    every value is well away from it (a share price moving between 38,000 and 40,000)."""
    values = data.all_values
    low, high = min(values), max(values)
    if kind == "line" and (0 < high / 2 < low or high < low / 2 < 0):
        return low, high
    return min(low, Decimal(0)), max(high, Decimal(0))


@dataclass(frozen=True)
class Plot:
    left: float
    top: float
    right: float
    bottom: float
    axis: Axis

    @property
    def width(self) -> float:
        return self.right - self.left

    def y(self, value: float) -> float:
        share = (value - self.axis.low) / (self.axis.high - self.axis.low)
        return self.bottom - share * (self.bottom - self.top)

    def band(self, count: int) -> float:
        return self.width / count

    def x(self, index: int, count: int) -> float:
        """The centre of the index-th category."""
        return self.left + self.band(count) * (index + 0.5)


# --- pie geometry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    label: str
    value: Decimal
    share: Decimal  # percent of the whole, one decimal
    start: float  # degrees clockwise from twelve o'clock
    end: float

    @property
    def sweep(self) -> float:
        return self.end - self.start


def pie_slices(labels: Sequence[str], values: Sequence[Decimal]) -> list[Slice]:
    total = sum(values, Decimal(0))
    slices = []
    angle = 0.0
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        # The last slice closes the circle exactly, whatever the float arithmetic left over.
        end = 360.0 if index == len(values) - 1 else angle + 360.0 * float(value / total)
        share = (value * 100 / total).quantize(Decimal("0.1"))
        slices.append(Slice(label=label, value=value, share=share, start=angle, end=end))
        angle = end
    return slices


def _point(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return cx + radius * math.sin(radians), cy - radius * math.cos(radians)


# --- the one-sentence summary -----------------------------------------------------------------


def describe(data: ChartData, *, kind: str, kind_label: str, unit: str) -> str:
    """What the chart shows, in one Japanese sentence, for <desc> and the page's description."""
    series_names = "、".join(s.name for s in data.series)
    if kind == "pie":
        biggest = max(pie_slices(data.labels, data.series[0].values), key=lambda s: s.value)
        # Shares of a whole given in percent would only repeat themselves in brackets.
        amount = "" if unit in {"%", "％"} else f"({with_unit(biggest.value, unit)})"
        return _(
            "%(series)sの内訳(%(count)d項目)を示す%(kind)sで、最も大きいのは%(label)sの"
            "%(share)s%%%(amount)s。"
        ) % {
            "series": series_names,
            "count": len(data.labels),
            "kind": kind_label,
            "label": biggest.label,
            "share": biggest.share,
            "amount": amount,
        }
    what = {"series": series_names, "kind": kind_label, "span": _span(data)}
    subject = (
        _("%(span)sの%(series)sを示す%(kind)s") if what["span"] else _("%(series)sを示す%(kind)s")
    ) % what
    if kind not in DRAWN_KINDS:
        return subject + "。"
    return _("%(subject)sで、%(values)s。") % {
        "subject": subject,
        "values": _values_phrase(data, unit),
    }


def _is_sequence(labels: Sequence[str]) -> bool:
    """Whether the rows are periods (2024年度, 4～6月, 2025) rather than things (国, 業種)."""
    return all(_PERIOD.search(label) for label in labels)


def _span(data: ChartData) -> str:
    if _is_sequence(data.labels) and len(data.labels) > 1:
        return _("%(first)sから%(last)sまで") % {"first": data.labels[0], "last": data.labels[-1]}
    if data.label_heading:
        return _("%(heading)s別") % {"heading": data.label_heading}
    return ""


def _values_phrase(data: ChartData, unit: str) -> str:
    several = len(data.series) > 1

    def where(series: Series, index: int) -> str:
        label = data.labels[index]
        return f"{series.name}({label})" if several else label

    points = [(value, s, i) for s in data.series for i, value in enumerate(s.values)]
    low = min(points, key=lambda point: point[0])
    high = max(points, key=lambda point: point[0])
    phrase = _("最小は%(low_at)sの%(low)s、最大は%(high_at)sの%(high)s") % {
        "low": with_unit(low[0], unit),
        "low_at": where(low[1], low[2]),
        "high": with_unit(high[0], unit),
        "high_at": where(high[1], high[2]),
    }
    if not _is_sequence(data.labels):
        return phrase
    latest = "、".join(
        f"{s.name}{with_unit(s.values[-1], unit)}" if several else with_unit(s.values[-1], unit)
        for s in data.series
    )
    return phrase + _("、%(last)sは%(latest)s") % {"last": data.labels[-1], "latest": latest}


# --- drawing ----------------------------------------------------------------------------------


def _label_text(x: float, y: float, text: str, *, anchor: str = "middle", **attrs: str) -> str:
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{value}"' for name, value in attrs.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{_text(text)}</text>'


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    common = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}" {common}/>'
    if shape == "square":
        return (
            f'<rect x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(2 * size)}" '
            f'height="{_n(2 * size)}" {common}/>'
        )
    if shape == "triangle":
        points = [
            (x, y - size * 1.2),
            (x + size * 1.1, y + size * 0.8),
            (x - size * 1.1, y + size * 0.8),
        ]
    else:
        points = [
            (x, y - size * 1.3),
            (x + size * 1.3, y),
            (x, y + size * 1.3),
            (x - size * 1.3, y),
        ]
    joined = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
    return f'<polygon points="{joined}" {common}/>'


def _legend(series: Sequence[Series], kind: str) -> tuple[list[str], float]:
    """Series names across the top, wrapping to a new row when the width runs out."""
    parts = ['<g class="chart__legend">']
    x, y = float(MARGIN), 18.0
    for index, item in enumerate(series):
        name = _fit(item.name, 240, FONT_SIZE)
        item_width = 30 + _text_width(name, FONT_SIZE) + 18
        if x > MARGIN and x + item_width > WIDTH - MARGIN:
            x, y = float(MARGIN), y + 24
        colour = PALETTE[index % len(PALETTE)]
        if kind == "line":
            dash = DASHES[index % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" '
                f'stroke="{colour}" stroke-width="3"{dash_attr}/>'
            )
            parts.append(_marker(MARKERS[index % len(MARKERS)], x + 12, y, colour))
        else:
            parts.append(
                f'<rect x="{_n(x + 6)}" y="{_n(y - 7)}" width="14" height="14" fill="{colour}"/>'
            )
        parts.append(_label_text(x + 30, y + FONT_SIZE * 0.35, name, anchor="start"))
        x += item_width
    parts.append("</g>")
    return parts, y + 14


def _frame(data: ChartData, kind: str, unit: str) -> tuple[Plot, list[str]]:
    """The legend, the unit, the gridlines with their tick labels and the category labels."""
    parts: list[str] = []
    top = 6.0
    if len(data.series) > 1:
        legend, top = _legend(data.series, kind)
        parts += legend
    axis = nice_axis(*value_range(data, kind))
    tick_width = max(_text_width(axis.label(t), SMALL_FONT_SIZE) for t in axis.ticks)
    if unit:
        parts.append(
            _label_text(
                MARGIN / 2,
                top + 14,
                _("（%(unit)s）") % {"unit": unit},
                anchor="start",
                class_="chart__unit",
                font_size=str(SMALL_FONT_SIZE),
                fill=INK_SOFT,
            )
        )
        top += 14
    left = MARGIN / 2 + tick_width + 8
    labels = _label_layout(data.labels, band=(WIDTH - MARGIN - left) / len(data.labels))
    plot = Plot(
        left=left,
        top=top + 16,
        right=WIDTH - MARGIN,
        bottom=HEIGHT - 36 - LABEL_ROW * (labels.rows - 1),
        axis=axis,
    )
    parts.append(f'<g class="chart__grid" font-size="{SMALL_FONT_SIZE}" fill="{INK_SOFT}">')
    for tick in axis.ticks:
        y = plot.y(float(tick))
        parts.append(
            f'<line x1="{_n(plot.left)}" y1="{_n(y)}" x2="{_n(plot.right)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            _label_text(plot.left - 6, y + SMALL_FONT_SIZE * 0.35, axis.label(tick), anchor="end")
        )
    parts.append("</g>")
    parts += _category_labels(labels, plot)
    return plot, parts


@dataclass(frozen=True)
class LabelLayout:
    texts: tuple[str, ...]
    rows: int  # 2: neighbours alternate between two rows
    step: int  # k: only every k-th label is shown


def _label_layout(labels: Sequence[str], *, band: float) -> LabelLayout:
    """All category names when they fit, side by side or in two alternating rows (a bar
    chart of sectors needs every name); otherwise, as in a long time series, every k-th."""
    texts = tuple(_fit(label, MAX_LABEL_WIDTH, SMALL_FONT_SIZE) for label in labels)
    widest = max(_text_width(text, SMALL_FONT_SIZE) for text in texts) + 8
    if widest <= band:
        return LabelLayout(texts=texts, rows=1, step=1)
    if widest <= 2 * band:
        return LabelLayout(texts=texts, rows=2, step=1)
    return LabelLayout(texts=texts, rows=1, step=math.ceil(widest / band))


def _category_labels(layout: LabelLayout, plot: Plot) -> list[str]:
    count = len(layout.texts)
    # Counting back from the last keeps the latest period labelled.
    shown = sorted(range(count - 1, -1, -layout.step))
    parts = [f'<g class="chart__categories" font-size="{SMALL_FONT_SIZE}" fill="{INK}">']
    for index in shown:
        text = layout.texts[index]
        half = _text_width(text, SMALL_FONT_SIZE) / 2
        x = min(max(plot.x(index, count), half + 2), WIDTH - half - 2)
        y = plot.bottom + 20 + LABEL_ROW * (index % layout.rows)
        parts.append(_label_text(x, y, text))
    parts.append("</g>")
    return parts


def _baseline(plot: Plot) -> list[str]:
    if not plot.axis.low <= 0 <= plot.axis.high:
        return []
    y = plot.y(0)
    return [
        f'<line class="chart__baseline" x1="{_n(plot.left)}" y1="{_n(y)}" x2="{_n(plot.right)}" '
        f'y2="{_n(y)}" stroke="{INK}" stroke-width="1.5"/>'
    ]


def _bars(data: ChartData, plot: Plot, unit: str) -> list[str]:
    count, groups = len(data.labels), len(data.series)
    band = plot.band(count)
    group_width = band * (0.65 if groups == 1 else 0.8)
    bar_width = group_width / groups
    gap = min(1.5, bar_width * 0.1) if groups > 1 else 0
    label_values = groups == 1 and count <= MAX_VALUE_LABELS
    parts = ['<g class="chart__bars">']
    for index, label in enumerate(data.labels):
        left = plot.left + band * index + (band - group_width) / 2
        for number, series in enumerate(data.series):
            value = series.values[index]
            top, bottom = plot.y(max(float(value), 0)), plot.y(min(float(value), 0))
            x = left + bar_width * number
            tip = f"{label} {series.name}: {with_unit(value, unit)}"
            parts.append(
                f'<rect class="chart__bar" x="{_n(x)}" y="{_n(top)}" '
                f'width="{_n(bar_width - gap)}" height="{_n(bottom - top)}" '
                f'fill="{PALETTE[number % len(PALETTE)]}"><title>{_text(tip)}</title></rect>'
            )
            shown = format_number(value)
            if label_values and _text_width(shown, SMALL_FONT_SIZE) < band:
                y = top - 5 if value >= 0 else bottom + SMALL_FONT_SIZE + 2
                parts.append(
                    _label_text(
                        x + bar_width / 2,
                        y,
                        shown,
                        class_="chart__value",
                        font_size=str(SMALL_FONT_SIZE),
                        fill=INK,
                    )
                )
    parts.append("</g>")
    return parts


def _lines(data: ChartData, plot: Plot, unit: str) -> list[str]:
    count = len(data.labels)
    parts = ['<g class="chart__lines">']
    for number, series in enumerate(data.series):
        colour = PALETTE[number % len(PALETTE)]
        points = [(plot.x(i, count), plot.y(float(v))) for i, v in enumerate(series.values)]
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_n(x)},{_n(y)}" for i, (x, y) in enumerate(points)
        )
        dash = DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path class="chart__line" d="{path}" fill="none" stroke="{colour}" stroke-width="3" '
            f'stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>'
        )
        if count <= MAX_MARKED_POINTS:
            shape = MARKERS[number % len(MARKERS)]
            parts += [_marker(shape, x, y, colour) for x, y in points]
    parts.append("</g>")
    return parts


def _pie(data: ChartData) -> list[str]:
    radius = HEIGHT / 2 - 24
    cx, cy = MARGIN + radius, HEIGHT / 2
    slices = pie_slices(data.labels, data.series[0].values)
    parts = ['<g class="chart__slices" stroke="#ffffff" stroke-width="2">']
    for index, piece in enumerate(slices):
        colour = PALETTE[index % len(PALETTE)]
        tip = f"<title>{_text(piece.label)}: {piece.share}%</title>"
        if piece.sweep >= 359.999:
            parts.append(
                f'<circle class="chart__slice" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" '
                f'fill="{colour}">{tip}</circle>'
            )
        elif piece.sweep > 0:
            x1, y1 = _point(cx, cy, radius, piece.start)
            x2, y2 = _point(cx, cy, radius, piece.end)
            large = 1 if piece.sweep > 180 else 0
            parts.append(
                f'<path class="chart__slice" d="M{_n(cx)},{_n(cy)} L{_n(x1)},{_n(y1)} '
                f'A{_n(radius)},{_n(radius)} 0 {large} 1 {_n(x2)},{_n(y2)} Z" fill="{colour}">'
                f"{tip}</path>"
            )
    parts.append("</g>")
    parts.append(f'<g class="chart__shares" font-size="{FONT_SIZE}" font-weight="bold">')
    for index, piece in enumerate(slices):
        if piece.share >= 5:
            x, y = _point(cx, cy, radius * 0.64, (piece.start + piece.end) / 2)
            colour = ON_PALETTE[index % len(ON_PALETTE)]
            parts.append(_label_text(x, y + FONT_SIZE * 0.35, f"{piece.share}%", fill=colour))
    parts.append("</g>")
    return parts + _pie_legend(slices, left=cx + radius + 28)


def _pie_legend(slices: Sequence[Slice], *, left: float) -> list[str]:
    row = 30.0
    y = HEIGHT / 2 - row * (len(slices) - 1) / 2
    parts = [f'<g class="chart__legend" font-size="{FONT_SIZE}" fill="{INK}">']
    for index, piece in enumerate(slices):
        parts.append(
            f'<rect x="{_n(left)}" y="{_n(y - 8)}" width="16" height="16" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
        )
        label = _fit(piece.label, WIDTH - MARGIN - left - 84, FONT_SIZE)
        parts.append(_label_text(left + 24, y + FONT_SIZE * 0.35, label, anchor="start"))
        parts.append(
            _label_text(
                WIDTH - MARGIN,
                y + FONT_SIZE * 0.35,
                f"{piece.share}%",
                anchor="end",
                font_weight="bold",
            )
        )
        y += row
    parts.append("</g>")
    return parts


def render_svg(
    data: ChartData, *, kind: str, title: str, description: str, unit: str, id_prefix: str
) -> str:
    """The chart as an <svg> element. `id_prefix` must be unique on the page."""
    if kind == "pie":
        body = _pie(data)
    else:
        plot, body = _frame(data, kind, unit)
        body += _lines(data, plot, unit) if kind == "line" else _bars(data, plot, unit)
        body += _baseline(plot)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg chart__svg--{_text(kind)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{desc_id}">{_text(description)}</desc>' + "".join(body) + "</svg>"
    )
