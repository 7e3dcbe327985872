"""Choropleth maps drawn on the server as inline SVG: projection, per-level outlines and the markup.

The browser receives finished markup, so a map shows as soon as the page is parsed, with no charting
library to download and compile. Areas arrive in EPSG:4326; a city is small enough for a local
equirectangular projection (longitudes shrunk by the cosine of the mean latitude) to keep shapes and
relative positions true to the eye. Outlines are simplified in view units after projecting, so the
tolerance means the same on screen at every level, and coordinates are written in tenths of a unit.

Nothing here reads the database: callers pass features, fills and the words to show.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import shapely
import shapely.errors
from markupsafe import Markup
from shapely.ops import polylabel

VIEW_WIDTH = 1000.0
# Simplification tolerance in view units (1 unit is about 13 m over Padova and about 0.9 px on a laptop
# screen at the initial zoom): coarse levels are drawn with big shapes and can lose more.
TOLERANCE = {"city": 0.8, "quartiere": 0.6, "zone": 0.4, "section": 0.25}
# Polylabel is the nicest label point but costs about 0.2 ms per area; above this many areas the cheaper
# point-on-surface is used (it only places unstable-value marks, never names).
_POLYLABEL_MAX = 100
# Unstable-value mark half-size in view units per level: small areas need small marks.
MARK_SIZE = {"city": 8.0, "quartiere": 8.0, "zone": 5.0, "section": 2.2}
HATCH_ID = "map-hatch"
PROTECTED_COLOUR = "#a3a3a3"
PROTECTED_MARK_COLOUR = "#4d4d4d"


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to view units: x grows east, y grows south, the bounds fill ``width``."""

    west: float
    north: float
    scale: float  # view units per degree of latitude
    shrink: float  # cos(mean latitude): a degree of longitude is this much shorter
    width: float
    height: float

    @classmethod
    def fit(cls, bounds: Sequence[float], width: float = VIEW_WIDTH) -> Projection:
        """The projection drawing ``bounds`` (west, south, east, north) exactly ``width`` units wide.

        Raises ValueError for empty or non-finite bounds.
        """
        west, south, east, north = (float(b) for b in bounds)
        if not all(math.isfinite(b) for b in (west, south, east, north)) or east <= west or north <= south:
            raise ValueError(f"Cannot project empty or invalid bounds {tuple(bounds)!r}")
        shrink = math.cos(math.radians((south + north) / 2))
        scale = width / ((east - west) * shrink)
        return cls(west, north, scale, shrink, width, round((north - south) * scale, 1))

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """(x, y) in view units of one longitude/latitude pair."""
        return (lon - self.west) * self.shrink * self.scale, (self.north - lat) * self.scale

    def transform(self, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """An (n, 2) array of lon/lat as view units (shapely.transform's callback)."""
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - self.west) * self.shrink * self.scale
        out[:, 1] = (self.north - coords[:, 1]) * self.scale
        return out

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute value."""
        return f"0 0 {_num(round(self.width * 10))} {_num(round(self.height * 10))}"


@dataclass(frozen=True)
class Outlines:
    """One level's areas projected and simplified: an SVG path and a label point per area id."""

    projection: Projection
    paths: Mapping[str, str]
    anchors: Mapping[str, tuple[float, float]]


def outlines(features: Iterable[Mapping[str, Any]], projection: Projection, tolerance: float) -> Outlines:
    """Project and simplify GeoJSON ``features`` (id in properties.area_id) for ``projection``.

    Guarantees: one path per feature; shared borders are simplified once for both neighbours (coverage
    simplification), so no gaps open between areas; every anchor lies inside its area's outline as drawn
    before rounding; coordinates are rounded to tenths of a unit and repeated points dropped.
    """
    feats = list(features)
    ids = [str(f["properties"]["area_id"]) for f in feats]
    geoms = shapely.from_geojson([_geojson_text(f["geometry"]) for f in feats]) if feats else np.array([])
    projected = shapely.transform(geoms, projection.transform)
    simple = _simplify(projected, tolerance)
    paths = {i: path_data(g) for i, g in zip(ids, simple, strict=True)}
    if len(ids) <= _POLYLABEL_MAX:
        points = [_polylabel(g) for g in projected]
    else:
        points = [(float(p.x), float(p.y)) for p in shapely.point_on_surface(projected)]
    return Outlines(projection, paths, dict(zip(ids, points, strict=True)))


def _geojson_text(geometry: Mapping[str, Any] | str) -> str:
    return geometry if isinstance(geometry, str) else json.dumps(geometry)


def _simplify(geoms: np.ndarray[Any, Any], tolerance: float) -> np.ndarray[Any, Any]:
    if tolerance <= 0 or len(geoms) == 0:
        return geoms
    try:
        simple = shapely.coverage_simplify(geoms, tolerance)
    except shapely.errors.GEOSException:
        # not a clean coverage (overlapping imported layers): simplify each area on its own
        return shapely.simplify(geoms, tolerance, preserve_topology=True)
    # a sliver can collapse under simplification; keep its unsimplified outline rather than lose the area
    empty = shapely.is_empty(simple)
    return np.where(empty, geoms, simple) if empty.any() else simple


def _polylabel(geom: Any) -> tuple[float, float]:
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    point = polylabel(part, tolerance=0.5) if part.geom_type == "Polygon" else part.representative_point()
    return float(point.x), float(point.y)


def _num(tenths: int) -> str:
    # Tenths of a unit as the shortest decimal text: 1234 -> "123.4", 1230 -> "123", -5 -> "-.5".
    sign, t = ("-", -tenths) if tenths < 0 else ("", tenths)
    whole, frac = divmod(t, 10)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac}"


def _ring(coords: np.ndarray[Any, Any]) -> str:
    tenths = np.rint(coords[:, :2] * 10).astype(np.int64)
    keep = np.ones(len(tenths), dtype=bool)
    keep[1:] = np.any(tenths[1:] != tenths[:-1], axis=1)
    tenths = tenths[keep]
    if len(tenths) > 1 and (tenths[-1] == tenths[0]).all():
        tenths = tenths[:-1]  # "z" closes the ring
    if len(tenths) < 3:
        return ""
    # relative moves are shorter than absolute ones and exact, since they are differences of rounded values
    deltas = np.diff(tenths, axis=0).ravel().tolist()
    out = [f"M{_num(int(tenths[0][0]))} {_num(int(tenths[0][1]))}l"]
    for i, v in enumerate(deltas):
        text = _num(v)
        # a minus sign separates numbers by itself
        out.append(text if i == 0 or text.startswith("-") else " " + text)
    out.append("z")
    return "".join(out)


def path_data(geom: Any) -> str:
    """The SVG path ``d`` of a projected Polygon or MultiPolygon (holes included, even-odd safe)."""
    parts = getattr(geom, "geoms", [geom])
    rings = []
    for poly in parts:
        if poly.is_empty:
            continue
        rings.append(_ring(np.asarray(poly.exterior.coords)))
        rings += [_ring(np.asarray(hole.coords)) for hole in poly.interiors]
    return "".join(r for r in rings if r)


@dataclass(frozen=True)
class Region:
    """One area as drawn: its fill, the data-* attributes the page's script reads, its marks."""

    area_id: str
    name: str
    fill: str
    data: Mapping[str, str] = field(default_factory=dict)
    unstable: bool = False
    protected: bool = False
    label_colour: str | None = None  # write the name on the area in this colour


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: a swatch (a class colour, or the look of missing, protected, unstable) and words."""

    label: str
    colour: str = ""
    kind: str = "class"  # class, missing, protected, unstable or services


@dataclass(frozen=True)
class Legend:
    """What the legend beside the map states: title, class method, class entries or a continuous ramp."""

    title: str
    subtitle: str = ""
    entries: tuple[LegendEntry, ...] = ()
    ramp: tuple[str, ...] = ()  # colours of a continuous scale, low to high
    ramp_low: str = ""
    ramp_high: str = ""

    @property
    def ramp_css(self) -> str:
        """The ramp as a CSS linear-gradient ("" without a ramp)."""
        return f"linear-gradient(to right, {', '.join(self.ramp)})" if self.ramp else ""


@dataclass(frozen=True)
class Marker:
    """A point drawn over the areas (a service location), named on hover."""

    lon: float
    lat: float
    title: str


def hex_colour(colour: str) -> str:
    """``colour`` as #rrggbb when it is an "rgb(r, g, b)" text (shorter in markup), else unchanged."""
    found = re.fullmatch(r"rgb\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)", colour.strip())
    if not found:
        return colour
    return "#" + "".join(f"{min(255, round(float(c))):02x}" for c in found.groups())


def _attr(value: str) -> str:
    return escape(value, quote=True)


def render_svg(shapes: Outlines, regions: Sequence[Region], *, title: str, desc: str, level: str = "zone",
               fields: Sequence[tuple[str, str]] = (), shared: Sequence[str] = (), markers: Sequence[Marker] = (),
               svg_id: str = "map-svg", overlay: str = "") -> Markup:
    """The whole map as one <svg> element.

    Guarantees: one <path> per region placed in ``shapes`` (regions without an outline are left out), in
    the regions' order, inside <g class="svgmap__areas">, with data-id, data-name and every non-empty
    ``data`` entry as escaped data-* attributes (an entry of "–" is left out: the page shows "–" for a
    missing one); the ``shared`` keys (texts many areas repeat) are written as an index into the lists
    of the SVG's data-lookup JSON; protected areas are filled with a hatch pattern defined once in the
    SVG and flagged data-protected; unstable ones flagged data-unstable and marked with an ✕; the SVG has
    role="img" named by its <title> and described by its <desc>; ``fields`` (data key, label) are the
    hover rows, in order, as JSON in the SVG's data-fields; ``overlay`` (markup such as ``outline_layer``'s)
    is drawn over the areas and their marks, under the markers.
    """
    proj = shapes.projection
    drawn = [r for r in regions if r.area_id in shapes.paths]
    lookup: dict[str, list[str]] = {k: [] for k in shared}
    positions: dict[str, dict[str, int]] = {k: {} for k in shared}
    rows = []
    for r in drawn:
        attrs = []
        for k, v in r.data.items():
            if v in ("", "–"):
                continue
            if k in positions:
                v = str(positions[k].setdefault(v, len(positions[k])))
            attrs.append(f' data-{k}="{_attr(v)}"')
        flags = (" data-protected" if r.protected else "") + (" data-unstable" if r.unstable else "")
        fill = f"url(#{HATCH_ID})" if r.protected else r.fill
        rows.append(f'<path d="{shapes.paths[r.area_id]}" fill="{_attr(fill)}" data-id="{_attr(r.area_id)}" '
                    f'data-name="{_attr(r.name)}"{"".join(attrs)}{flags}/>')
    for k, known in positions.items():
        lookup[k] = list(known)  # dicts keep insertion order: position i holds the text numbered i
    out = [f'<svg id="{_attr(svg_id)}" class="svgmap__svg" viewBox="{proj.view_box}" role="img" '
           f'aria-labelledby="{svg_id}-title {svg_id}-desc" preserveAspectRatio="xMidYMid meet" '
           f'data-fields="{_attr(json.dumps([list(f) for f in fields], ensure_ascii=False))}" '
           f'data-lookup="{_attr(json.dumps(lookup, ensure_ascii=False))}" xmlns="http://www.w3.org/2000/svg">'
           f'<title id="{svg_id}-title">{escape(title)}</title><desc id="{svg_id}-desc">{escape(desc)}</desc>',
           _hatch(), '<g class="svgmap__areas">', *rows, "</g>",
           _unstable_marks(shapes, [r for r in drawn if r.unstable], MARK_SIZE.get(level, 4.0)),
           _labels(shapes, [r for r in drawn if r.label_colour]), overlay, _markers(proj, markers), "</svg>"]
    return Markup("".join(out))


def _hatch() -> str:
    # Grey with dark diagonal strokes: distinct from every class colour, and still readable in greyscale.
    return (f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="5" height="5" '
            f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{PROTECTED_COLOUR}"/>'
            f'<path d="M0 0v5" stroke="{PROTECTED_MARK_COLOUR}" stroke-width="1.6"/></pattern></defs>')


def _unstable_marks(shapes: Outlines, regions: Sequence[Region], size: float) -> str:
    if not regions:
        return ""
    d = []
    s = round(size * 10)
    for r in regions:
        x, y = shapes.anchors[r.area_id]
        x0, y0 = round(x * 10) - s, round(y * 10) - s
        d.append(f"M{_num(x0)} {_num(y0)}l{_num(2 * s)} {_num(2 * s)}m0 {_num(-2 * s)}l{_num(-2 * s)} {_num(2 * s)}")
    path = "".join(d)
    # a white stroke under the black one keeps the ✕ visible on the darkest classes
    return (f'<g class="svgmap__unstable" aria-hidden="true"><path class="svgmap__unstable-halo" d="{path}"/>'
            f'<path class="svgmap__unstable-mark" d="{path}"/></g>')


def _labels(shapes: Outlines, regions: Sequence[Region]) -> str:
    if not regions:
        return ""
    out = ['<g class="svgmap__labels" aria-hidden="true">']
    for r in regions:
        x, y = shapes.anchors[r.area_id]
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" fill="{_attr(r.label_colour or "#000")}">{escape(r.name)}</text>')
    out.append("</g>")
    return "".join(out)


def outline_layer(shapes: Outlines, area_ids: Iterable[str], css_class: str = "svgmap__outlined") -> str:
    """The outlines of ``area_ids`` (those placed in ``shapes``) as one group drawn twice, a white halo
    under a dark line, so the mark reads on every fill; "" when none is placed. The group is hidden
    from assistive technology and lets the pointer through to the areas under it."""
    d = "".join(shapes.paths[a] for a in sorted(set(area_ids)) if a in shapes.paths)
    if not d:
        return ""
    return (f'<g class="{_attr(css_class)}" aria-hidden="true"><path class="{_attr(css_class)}-halo" d="{d}"/>'
            f'<path class="{_attr(css_class)}-line" d="{d}"/></g>')


def _markers(proj: Projection, markers: Sequence[Marker]) -> str:
    if not markers:
        return ""
    out = ['<g class="svgmap__services">']
    for m in markers:
        x, y = proj.point(m.lon, m.lat)
        out.append(f'<path d="M{x:.1f} {y - 6:.1f}l6 6l-6 6l-6-6z"><title>{escape(m.title)}</title></path>')
    out.append("</g>")
    return "".join(out)


__all__ = ["HATCH_ID", "Legend", "LegendEntry", "Marker", "Outlines", "Projection", "Region", "hex_colour",
           "outline_layer", "outlines", "path_data", "render_svg"]
