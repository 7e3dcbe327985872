"""Line charts, small multiples and bar charts built in Python for the profile and trend pages.

Lines are told apart by colour and by dash and marker shape together, so no reader depends on colour
alone; the colours are a qualitative set chosen to stay distinct under the common colour-vision
deficiencies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from welfare_district.web.figures_map import FONT
from welfare_district.web.i18n import Language, plotly_separators

# Black, orange, sky blue, bluish green, blue, vermillion, reddish purple, yellow (darkened for contrast).
QUALITATIVE = ("#000000", "#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c7a00")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
CITY_COLOUR = "#555555"


@dataclass(frozen=True)
class Line:
    """One named series: values by year (None where there is no value)."""

    name: str
    years: Sequence[int]
    values: Sequence[float | None]
    city: bool = False


def _layout(fig: go.Figure, lang: Language, height: int) -> None:
    fig.update_layout(height=height, margin={"l": 56, "r": 16, "t": 24, "b": 48}, separators=plotly_separators(lang),
                      font={"family": FONT, "size": 13}, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
                      hoverlabel={"font": {"size": 13}}, dragmode=False)


def trend_chart(lines: Sequence[Line], y_title: str, lang: Language) -> go.Figure:
    """One line per series over the years (the city grey and dashed), legend under the chart.

    Guarantees: one trace per Line in order, named as the Line; x values are whole years; gaps where a
    value is missing.
    """
    fig = go.Figure()
    for i, line in enumerate(lines):
        colour = CITY_COLOUR if line.city else QUALITATIVE[i % len(QUALITATIVE)]
        fig.add_trace(go.Scatter(
            x=list(line.years), y=list(line.values), name=line.name, mode="lines+markers",
            line={"color": colour, "width": 3 if line.city else 2,
                  "dash": "dash" if line.city else DASHES[i % len(DASHES)]},
            marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 8, "color": colour},
            hovertemplate="%{x}: %{y:,.1f}<extra>" + line.name + "</extra>"))
    fig.update_xaxes(dtick=1, tickformat="d", showgrid=False, linecolor="#444444")
    fig.update_yaxes(title={"text": y_title}, gridcolor="#e3e3e3", zeroline=False, linecolor="#444444")
    _layout(fig, lang, 420)
    fig.update_layout(legend={"orientation": "h", "y": -0.18, "x": 0})
    return fig


@dataclass(frozen=True)
class Panel:
    """One small chart: a title, the area's line and the city's line."""

    title: str
    area: Line
    city: Line | None


def small_multiples(panels: Sequence[Panel], lang: Language, columns: int = 4) -> go.Figure:
    """A grid of small line charts, one per panel: the area solid, the city dashed and grey.

    Guarantees: ``len(panels)`` subplots in order, each with its own y range; one legend entry per kind of
    line; the figure's height grows with the number of rows so panels keep their size.
    """
    rows = max(1, math.ceil(len(panels) / columns))
    height = 170 * rows + 80
    # The grid is laid out here rather than with make_subplots: building 29 panels through the graph-object
    # API takes over a second per request, a plain dict validated once a small fraction of that.
    gap_x, gap_y = 0.06, min(0.5 / rows + 0.02, 0.12)
    width_x, width_y = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"annotations": []}
    for i, panel in enumerate(panels):
        row, col = divmod(i, columns)
        x0, y1 = col * (width_x + gap_x), 1 - row * (width_y + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {"domain": [x0, min(1.0, x0 + width_x)], "anchor": f"y{suffix}", "dtick": 1,
                                    "tickformat": "d", "showgrid": False, "tickfont": {"size": 10}}
        layout[f"yaxis{suffix}"] = {"domain": [max(0.0, y1 - width_y), y1], "anchor": f"x{suffix}",
                                    "gridcolor": "#e3e3e3", "tickfont": {"size": 10}, "nticks": 4}
        layout["annotations"].append({"text": _short(panel.title), "x": x0 + width_x / 2, "y": y1,
                                      "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 12}})
        for line, dash, colour in ((panel.area, "solid", QUALITATIVE[2]), (panel.city, "dash", CITY_COLOUR)):
            if line is None:
                continue
            data.append({"type": "scatter", "x": list(line.years), "y": list(line.values), "mode": "lines+markers",
                         "name": line.name, "legendgroup": line.name, "showlegend": i == 0,
                         "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                         "line": {"color": colour, "dash": dash, "width": 2}, "marker": {"size": 5, "color": colour},
                         "hovertemplate": "%{x}: %{y:,.1f}<extra>" + line.name + "</extra>"})
    fig = go.Figure(data=data, layout=layout)
    _layout(fig, lang, height)
    # The legend sits at the very top of the figure, above the first row's titles, not on them.
    fig.update_layout(legend={"orientation": "h", "yref": "container", "y": 1.0, "yanchor": "top", "x": 0},
                      margin={"l": 40, "r": 10, "t": 70, "b": 30})
    return fig


def _short(title: str, width: int = 36) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def components_chart(names: Sequence[str], scores: Sequence[float | None], reference_label: str,
                     lang: Language) -> go.Figure:
    """Horizontal bars of normalised components around the reference 100, drawn as a vertical line.

    Guarantees: one bar per name in order (top to bottom); missing scores are left out of the bars.
    """
    present = [(n, s) for n, s in zip(names, scores, strict=True) if s is not None]
    fig = go.Figure(go.Bar(
        y=[n for n, _ in present][::-1], x=[s for _, s in present][::-1], orientation="h",
        marker={"color": QUALITATIVE[2]}, base=0, hovertemplate="%{y}: %{x:,.1f}<extra></extra>", showlegend=False))
    fig.add_vline(x=100, line={"color": "#000000", "dash": "dash", "width": 2})
    values = [s for _, s in present] or [100.0]
    fig.update_xaxes(range=[min(60.0, min(values) - 5), max(140.0, max(values) + 5)], gridcolor="#e3e3e3",
                     title={"text": reference_label, "font": {"size": 13}})
    fig.update_yaxes(automargin=True)
    _layout(fig, lang, 60 + 38 * max(1, len(present)))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 10, "b": 50})
    return fig
