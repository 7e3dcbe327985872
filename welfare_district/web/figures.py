"""Plotly figures built in Python and handed to the page as JSON (the dashboard's map is SVG: svg_map.py).

Geo charts (the services and impact maps) use our own GeoJSON with the base map hidden, so they draw
without tiles or any other download; charts.js registers an empty world topology so Plotly does not
fetch one either.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go

# Colour-blind-safe and monotonic in lightness, so the order of values survives greyscale printing.
COLORSCALE = "Viridis"


def figure_payload(fig: go.Figure, topojson_url: str) -> str:
    """The figure and its Plotly config as JSON that is safe inside a <script type="application/json">.

    ``<``, ``>`` and ``&`` are written as JSON unicode escapes, so no string in the data can close the
    script element; the config keeps Plotly's own topojson look-ups on this server.
    """
    config = {
        "displaylogo": False,
        "displayModeBar": False,
        "responsive": True,
        "scrollZoom": False,
        # Never used while the page registers its empty topology; a fallback that stays on this server.
        "topojsonURL": topojson_url,
    }
    payload = {**json.loads(fig.to_json()), "config": config}
    text = json.dumps(payload, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
