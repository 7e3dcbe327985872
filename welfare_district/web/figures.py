"""Plotly figures built in Python and handed to the page as JSON.

Maps use ``Choropleth`` on our own GeoJSON with the base map hidden, so they draw without tiles or any
other download; the page registers an empty world topology so Plotly does not fetch one either.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel

from welfare_district.web.i18n import Language, plotly_separators, translate

# Colour-blind-safe and monotonic in lightness, so the order of values survives greyscale printing.
COLORSCALE = "Viridis"
# Below this position on the scale Viridis is dark: labels there are drawn white, above it black.
_DARK_LIMIT = 0.55


def residents_map(features: list[dict[str, Any]], lang: Language) -> go.Figure:
    """A choropleth of ``features`` coloured by properties.residents, names written on each area.

    Guarantees: one location per feature, keyed by properties.area_id; hover shows name and residents;
    the colour bar is titled in ``lang``; numbers use ``lang``'s separators; no trace needs map tiles.
    """
    ids = [f["properties"]["area_id"] for f in features]
    names = [f["properties"]["name"] for f in features]
    residents = [f["properties"]["residents"] or 0 for f in features]
    label = translate(lang, "hover_residents")
    # Explicit bounds, so the label colours below use the very scale Plotly paints with.
    zmin, zmax = (min(residents), max(residents)) if residents else (0, 1)
    span = (zmax - zmin) or 1
    choropleth = go.Choropleth(
        geojson={"type": "FeatureCollection", "features": features},
        featureidkey="properties.area_id",
        locations=ids,
        z=residents,
        customdata=[[n] for n in names],
        colorscale=COLORSCALE,
        zmin=zmin,
        zmax=zmax,
        marker={"line": {"color": "#ffffff", "width": 1.5}},
        colorbar={"title": {"text": translate(lang, "residents"), "side": "top"}, "thickness": 16,
                  "tickformat": ",d", "outlinewidth": 0},
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>{label}: %{{z:,d}}<extra></extra>",
        name=translate(lang, "residents"),
    )
    lons, lats = _label_points(features)
    labels = go.Scattergeo(
        lon=lons, lat=lats, text=names, mode="text", hoverinfo="skip", showlegend=False,
        textfont={"size": 13, "weight": "bold",
                  "color": ["#ffffff" if (r - zmin) / span < _DARK_LIMIT else "#000000" for r in residents]},
    )
    fig = go.Figure([choropleth, labels])
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        separators=plotly_separators(lang),
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif", "size": 14},
        paper_bgcolor="#ffffff",
        hoverlabel={"font": {"size": 14}},
        dragmode=False,
    )
    return fig


def _label_points(features: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    # The pole of inaccessibility is the interior point farthest from the edges: unlike the centroid it
    # is inside even a crescent-shaped area, and unlike representative_point it is not near a border.
    points = []
    for feature in features:
        geom = shape(feature["geometry"])
        if isinstance(geom, MultiPolygon):
            geom = max(geom.geoms, key=lambda part: part.area)
        inside = polylabel(geom, tolerance=1e-5) if isinstance(geom, Polygon) else geom.representative_point()
        points.append(inside)
    return [p.x for p in points], [p.y for p in points]


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
