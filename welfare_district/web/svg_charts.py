"""Small charts drawn on the server as inline SVG: bars of one series and a line of another on a second axis.

A page with such a chart needs no charting library: the markup is the finished drawing, readable in print
and without scripts. Colours come from the Okabe-Ito palette (distinct under the common colour-vision
deficiencies), and the two series also differ by shape (filled bars, a line with round points).

Nothing here reads the database: callers pass the categories, the values and the words to show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from welfare_district.web.i18n import Language, format_decimal

BAR_COLOUR = "#0072b2"  # Okabe-Ito blue
LINE_COLOUR = "#d55e00"  # Okabe-Ito vermillion
WIDTH, HEIGHT = 720.0, 320.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 64.0, 40.0, 52.0
MAX_TICKS = 12  # category labels written at most; the others keep their <title>
_MONTHS = {"it": ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
           "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


@dataclass(frozen=True)
class Series:
    """One series: its name (legend, axis title, tooltips) and one value per category."""

    name: str
    values: Sequence[float]


def month_label(month: str, lang: Language) -> tuple[str, str]:
    """("mar", "2024") in Italian, ("Mar", "2024") in English, for a "YYYY-MM" month.

    Raises ValueError for any other text.
    """
    year, _, number = month.partition("-")
    if len(year) != 4 or not year.isdigit() or not number.isdigit() or not 1 <= int(number) <= 12:
        raise ValueError(f"Not a month in the form YYYY-MM: {month!r}")
    return _MONTHS[lang][int(number) - 1], year


def nice_ticks(top: float, *, whole: bool = False, most: int = 5) -> list[float]:
    """Evenly spaced ticks from 0 to the first step at or above ``top`` (1, 2, 2.5 or 5 times a power of
    ten; whole steps only with ``whole``), at most ``most`` + 1 of them."""
    top = top if top > 0 and math.isfinite(top) else 1.0
    raw = top / most
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _digits(step: float) -> int:
    # as many decimals as the step needs (2.5 -> 1, 0.25 -> 2), never more than 2
    return next((d for d in range(3) if abs(step * 10 ** d - round(step * 10 ** d)) < 1e-9), 2)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    if not categories:
        raise ValueError("A chart needs at least one category")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"Series {s.name!r} has {len(s.values)} values for {len(categories)} categories")
        if any(not math.isfinite(v) or v < 0 for v in s.values):
            raise ValueError(f"Series {s.name!r} has a negative or non-finite value")


def bar_line_chart(months: Sequence[str], bars: Series, line: Series, lang: Language, *, title: str, desc: str,
                   chart_id: str = "chart", line_digits: int = 1) -> Markup:
    """One <svg> with ``bars`` (whole numbers, left axis) and ``line`` (right axis) over ``months`` in order.

    Guarantees: bar heights are proportional to their values on an axis from 0; both axes are titled with
    their series' name and ticked with ``lang``'s separators; months are written in ``lang`` (at most
    MAX_TICKS of them, the year under January and the first one); every bar and point has a <title> naming
    its month and value; all text is escaped; the SVG has role="img" named by ``title`` and described by
    ``desc``. Raises ValueError for no months, a bad month, a series of another length or a negative value.
    """
    _check(months, (bars, line))
    labels = [month_label(m, lang) for m in months]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    left_ticks = nice_ticks(max(bars.values), whole=True)
    right_ticks = nice_ticks(max(line.values))
    band = plot_w / len(months)

    def y_left(v: float) -> float:
        return base - v / left_ticks[-1] * plot_h

    def y_right(v: float) -> float:
        return base - v / right_ticks[-1] * plot_h

    out = [f'<svg id="{escape(chart_id)}" class="svgchart__svg" viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" '
           f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
           f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-title">{escape(title)}</title>'
           f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>', '<g class="svgchart__grid">']
    left_digits, right_digits = _digits(left_ticks[1]), _digits(right_ticks[1])
    for tick in left_ticks:
        level = _n(y_left(tick))
        out.append(f'<line x1="{_n(LEFT)}" x2="{_n(WIDTH - RIGHT)}" y1="{level}" y2="{level}"/>')
    out.append('</g><g class="svgchart__axis svgchart__axis--left">')
    for tick in left_ticks:
        out.append(f'<text x="{_n(LEFT - 6)}" y="{_n(y_left(tick))}">{format_decimal(tick, lang, left_digits)}</text>')
    out.append('</g><g class="svgchart__axis svgchart__axis--right">')
    for tick in right_ticks:
        out.append(f'<text x="{_n(WIDTH - RIGHT + 6)}" y="{_n(y_right(tick))}">'
                   f'{format_decimal(tick, lang, right_digits)}</text>')
    every = math.ceil(len(months) / MAX_TICKS)
    out.append('</g><g class="svgchart__axis svgchart__axis--months">')
    for i, (name, year) in enumerate(labels):
        if i % every:
            continue
        centre = _n(LEFT + (i + 0.5) * band)
        under = f'<tspan x="{centre}" dy="1.2em">{year}</tspan>' if i == 0 or name == _MONTHS[lang][0] else ""
        out.append(f'<text x="{centre}" y="{_n(base + 16)}">{escape(name)}{under}</text>')
    out.append("</g>")
    out += _axis_titles(bars.name, line.name, plot_h)
    out.append(f'<g class="svgchart__bars" fill="{BAR_COLOUR}">')
    for i, value in enumerate(bars.values):
        top = y_left(value)
        tip = f"{labels[i][0]} {labels[i][1]}: {bars.name} {format_decimal(value, lang, 0)}"
        out.append(f'<rect x="{_n(LEFT + (i + 0.2) * band)}" y="{_n(top)}" width="{_n(band * 0.6)}" '
                   f'height="{_n(base - top)}" data-value="{_n(value)}"><title>{escape(tip)}</title></rect>')
    points = [(LEFT + (i + 0.5) * band, y_right(v)) for i, v in enumerate(line.values)]
    out.append(f'</g><g class="svgchart__line"><polyline fill="none" stroke="{LINE_COLOUR}" '
               f'points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}"/>')
    for (x, y), value, (name, year) in zip(points, line.values, labels, strict=True):
        tip = f"{name} {year}: {line.name} {format_decimal(value, lang, line_digits)}"
        out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{LINE_COLOUR}" data-value="{value:g}">'
                   f'<title>{escape(tip)}</title></circle>')
    out.append("</g>")
    out += _key(bars.name, line.name)
    out.append(f'<line class="svgchart__base" x1="{_n(LEFT)}" x2="{_n(WIDTH - RIGHT)}" y1="{_n(base)}" '
               f'y2="{_n(base)}"/></svg>')
    return Markup("".join(out))


def _axis_titles(left: str, right: str, plot_h: float) -> list[str]:
    middle = _n(TOP + plot_h / 2)
    return [f'<text class="svgchart__title" transform="translate(14 {middle}) rotate(-90)">{escape(left)}</text>',
            f'<text class="svgchart__title" transform="translate({_n(WIDTH - 10)} {middle}) rotate(90)">'
            f"{escape(right)}</text>"]


def _key(bar_name: str, line_name: str) -> list[str]:
    # the legend above the plot: a bar swatch, then a line with a point, each with its series' name
    return ['<g class="svgchart__key" aria-hidden="true">',
            f'<rect x="{_n(LEFT)}" y="12" width="14" height="14" fill="{BAR_COLOUR}"/>',
            f'<text x="{_n(LEFT + 20)}" y="19">{escape(bar_name)}</text>',
            f'<line x1="{_n(LEFT + 180)}" x2="{_n(LEFT + 206)}" y1="19" y2="19" stroke="{LINE_COLOUR}" '
            'stroke-width="2.5"/>',
            f'<circle cx="{_n(LEFT + 193)}" cy="19" r="4" fill="{LINE_COLOUR}"/>',
            f'<text x="{_n(LEFT + 212)}" y="19">{escape(line_name)}</text>', "</g>"]


__all__ = ["BAR_COLOUR", "LINE_COLOUR", "Series", "bar_line_chart", "month_label", "nice_ticks"]
