"""Figures of the impact pages: where the city acts drawn over where the need is, and a project's timeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from welfare_district.web.figures_map import FONT
from welfare_district.web.i18n import Language, plotly_separators, translate

ACTION_COLOUR = "#c2185b"


def with_actions(figure_json: str, points: dict[str, tuple[float, float]], projects_by_area: dict[str, list[str]],
                 lang: Language) -> str:
    """The map payload ``figure_json`` with one marker per target area placed in ``points`` (sized by how many
    projects act there, hover naming them); areas without a point are left out. Escaping is kept safe for a
    <script> element like ``figures.figure_payload``."""
    payload = json.loads(figure_json)
    located = sorted(a for a in projects_by_area if a in points)
    if located:
        payload["data"].append({
            "type": "scattergeo", "mode": "markers", "name": translate(lang, "impact_map_legend"),
            "lon": [points[a][0] for a in located], "lat": [points[a][1] for a in located],
            "text": [f"{a}: {', '.join(projects_by_area[a])}" for a in located],
            "hovertemplate": "%{text}<extra></extra>", "showlegend": True,
            "marker": {"symbol": "circle-open", "size": [16 + 4 * min(len(projects_by_area[a]), 5) for a in located],
                       "color": ACTION_COLOUR, "line": {"width": 3, "color": ACTION_COLOUR}}})
        payload.setdefault("layout", {})["showlegend"] = True
    text = json.dumps(payload, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def timeline_chart(rows: Sequence[dict[str, Any]], lang: Language) -> go.Figure:
    """Monthly activities (bars) and hours (line, right axis) of one project, months in order."""
    months = [r["month"] for r in rows]
    fig = go.Figure([
        go.Bar(x=months, y=[r["activities"] for r in rows], name=translate(lang, "impact_activities"),
               marker={"color": "#35608d"}),
        go.Scatter(x=months, y=[r["hours"] for r in rows], name=translate(lang, "impact_hours"), yaxis="y2",
                   mode="lines+markers", line={"color": ACTION_COLOUR}),
    ])
    fig.update_layout(
        height=320, margin={"l": 60, "r": 60, "t": 20, "b": 40}, separators=plotly_separators(lang),
        font={"family": FONT, "size": 14}, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        xaxis={"type": "category", "title": {"text": translate(lang, "impact_month")}},
        yaxis={"title": {"text": translate(lang, "impact_activities")}, "rangemode": "tozero", "tickformat": "d",
               "dtick": max(1, -(-max((r["activities"] for r in rows), default=1) // 5))},
        yaxis2={"title": {"text": translate(lang, "impact_hours")}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False},
        legend={"orientation": "h", "y": -0.25}, dragmode=False)
    return fig
