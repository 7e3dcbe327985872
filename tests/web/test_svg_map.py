"""The server-drawn SVG map on hand-made shapes: projection, outlines, paths, marks, escaping, legend ramp."""

from __future__ import annotations

import json
import math
import re
from html import unescape
from typing import Any

import pytest
import shapely
from shapely.geometry import Polygon, box, mapping

from welfare_district.web.svg_map import (
    HATCH_ID,
    Legend,
    Marker,
    Projection,
    Region,
    hex_colour,
    outline_layer,
    outlines,
    path_data,
    render_svg,
)

# A 3 x 2 grid of squares of 0.01 degrees at Padova's latitude, like areas sharing their borders.
LAT0, LON0 = 45.40, 11.85


def _grid() -> list[dict[str, Any]]:
    cells = []
    for row in range(2):
        for col in range(3):
            cell = box(LON0 + col * 0.01, LAT0 + row * 0.01, LON0 + (col + 1) * 0.01, LAT0 + (row + 1) * 0.01)
            cells.append({"properties": {"area_id": f"A{row}{col}"}, "geometry": mapping(cell)})
    return cells


def _fit(features: list[dict[str, Any]]) -> Projection:
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return Projection.fit(shapely.total_bounds(geoms).tolist())


def _absolute(d: str) -> list[list[tuple[float, float]]]:
    """Decode the paths written by path_data (M x y, then relative l moves, z) into absolute rings."""
    rings = []
    for ring in re.findall(r"M([^lz]+)l([^z]*)z", d):
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", ring[0] + " " + ring[1])]
        x, y = numbers[0], numbers[1]
        points = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = round(x + dx, 1), round(y + dy, 1)
            points.append((x, y))
        rings.append(points)
    return rings


def test_projection_keeps_relative_positions_and_true_proportions() -> None:
    proj = Projection.fit((11.80, 45.34, 11.98, 45.46))
    assert proj.width == 1000 and 0 < proj.height < 1000
    west, east = proj.point(11.80, 45.40), proj.point(11.98, 45.40)
    north, south = proj.point(11.90, 45.46), proj.point(11.90, 45.34)
    assert west[0] == pytest.approx(0) and east[0] == pytest.approx(1000)
    assert north[1] == pytest.approx(0) and south[1] == pytest.approx(proj.height, abs=0.1)
    # one kilometre east is as long on the map as one kilometre north (local equirectangular projection)
    km_lat = 1 / 111.2
    km_lon = km_lat / math.cos(math.radians(45.40))
    a, b, c = proj.point(11.9, 45.4), proj.point(11.9 + km_lon, 45.4), proj.point(11.9, 45.4 + km_lat)
    assert b[0] - a[0] == pytest.approx(a[1] - c[1], rel=0.01)


@pytest.mark.parametrize("bounds", [(1.0, 1.0, 1.0, 2.0), (0.0, 0.0, math.nan, 1.0), (2.0, 0.0, 1.0, 1.0)])
def test_projection_refuses_empty_or_invalid_bounds(bounds: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="Cannot project"):
        Projection.fit(bounds)


def test_every_area_gets_a_path_in_its_place_and_neighbours_keep_their_order() -> None:
    features = _grid()
    shapes = outlines(features, _fit(features), tolerance=0.25)
    assert set(shapes.paths) == {f"A{r}{c}" for r in range(2) for c in range(3)}
    centres = {}
    for area_id, d in shapes.paths.items():
        (ring,) = _absolute(d)
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        centres[area_id] = (sum(xs) / len(xs), sum(ys) / len(ys))
        assert shapes.projection.width >= max(xs) and min(xs) >= 0
    # columns run west to east, rows south to north (y grows downwards on screen)
    assert centres["A00"][0] < centres["A01"][0] < centres["A02"][0]
    assert centres["A10"][1] < centres["A00"][1]
    # every anchor (where names and marks go) is inside its own area
    for area_id, (x, y) in shapes.anchors.items():
        (ring,) = _absolute(shapes.paths[area_id])
        assert Polygon(ring).buffer(0.1).contains(shapely.Point(x, y))


def test_paths_are_rounded_to_tenths_and_decode_to_the_projected_shape() -> None:
    proj = Projection.fit((0.0, 0.0, 1.0, 1.0))
    square = shapely.transform(box(0.1, 0.2, 0.6, 0.9), proj.transform)
    d = path_data(square)
    assert re.fullmatch(r"M[-\d. ]+l[-\d. ]+z", d)
    (ring,) = _absolute(d)
    expected = {(round(x, 1), round(y, 1)) for x, y in list(square.exterior.coords)[:-1]}
    assert set(ring) == expected
    with_hole = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
    assert path_data(with_hole).count("M") == 2


def test_simplification_keeps_shared_borders_without_gaps() -> None:
    # a wiggly shared border: each neighbour simplified alone would cut it differently
    wiggle = [(LON0 + 0.01 + 0.00003 * ((i % 3) - 1), LAT0 + i * 0.0005) for i in range(21)]
    west = Polygon([(LON0, LAT0), *wiggle, (LON0, LAT0 + 0.01)])
    east = Polygon([*wiggle, (LON0 + 0.02, LAT0 + 0.01), (LON0 + 0.02, LAT0)])
    features = [{"properties": {"area_id": "W"}, "geometry": mapping(west)},
                {"properties": {"area_id": "E"}, "geometry": mapping(east)}]
    shapes = outlines(features, _fit(features), tolerance=2.0)
    polys = [Polygon(_absolute(shapes.paths[i])[0]) for i in ("W", "E")]
    union = shapely.union_all(polys)
    assert union.geom_type == "Polygon" and not list(union.interiors)
    assert polys[0].intersection(polys[1]).area < 0.5  # they meet along a line, not overlapping


def _regions() -> list[Region]:
    return [Region("A00", "Alpha", "#440154", {"value": "1,0", "num": "3", "den": "–", "class": "0,0–2,0"}),
            Region("A01", 'Bad <script>alert("x")</script> & co', "#21918c",
                   {"value": "2,0", "class": "0,0–2,0", "note": "Valore instabile"}, unstable=True,
                   label_colour="#ffffff"),
            Region("A02", "Hidden", "#000000", {"value": "dato protetto", "note": "Dato protetto: 'meno di 3'"},
                   protected=True),
            Region("ZZ", "Not stored", "#ffffff")]


def _svg(**kwargs: Any) -> str:
    features = _grid()
    shapes = outlines(features, _fit(features), tolerance=0.25)
    return str(render_svg(shapes, _regions(), title="Map <of> things", desc="A & B", level="zone",
                          fields=[("value", "Valore"), ("num", "Numeratore")], shared=("class", "note"),
                          **kwargs))


def test_one_path_per_stored_region_with_its_data() -> None:
    svg = _svg()
    paths = re.findall(r'<path d="[^"]+" fill="([^"]+)" data-id="([^"]+)"([^>]*)/>', svg)
    assert [p[1] for p in paths] == ["A00", "A01", "A02"]  # ZZ has no outline: left out
    assert 'data-num="3"' in paths[0][2] and "data-den" not in paths[0][2]  # "–" is left to the page
    lookup = json.loads(unescape(re.search(r'data-lookup="([^"]*)"', svg).group(1)))  # type: ignore[union-attr]
    assert lookup["class"] == ["0,0–2,0"]  # the repeated class label is written once
    assert 'data-class="0"' in paths[0][2] and 'data-class="0"' in paths[1][2]
    assert lookup["note"][int(re.search(r'data-note="(\d+)"', paths[2][2]).group(1))] == \
        "Dato protetto: 'meno di 3'"  # type: ignore[union-attr]
    assert json.loads(unescape(re.search(r'data-fields="([^"]*)"', svg).group(1))) == \
        [["value", "Valore"], ["num", "Numeratore"]]  # type: ignore[union-attr]
    assert svg.startswith('<svg id="map-svg"') and 'role="img" aria-labelledby="map-svg-title map-svg-desc"' in svg
    assert "<title id=\"map-svg-title\">Map &lt;of&gt; things</title>" in svg and "A &amp; B" in svg


def test_protected_areas_are_hatched_and_unstable_ones_marked() -> None:
    svg = _svg()
    assert svg.count(f'<pattern id="{HATCH_ID}"') == 1
    hidden = re.search(r'<path [^>]*data-id="A02"[^>]*>', svg)
    assert hidden and f'fill="url(#{HATCH_ID})"' in hidden.group(0) and "data-protected" in hidden.group(0)
    unstable = re.search(r'<path [^>]*data-id="A01"[^>]*>', svg)
    assert unstable and "data-unstable" in unstable.group(0) and "data-protected" not in unstable.group(0)
    marks = re.search(r'<g class="svgmap__unstable" aria-hidden="true">(.*?)</g>', svg)
    assert marks and marks.group(1).count('class="svgmap__unstable-mark"') == 1
    assert svg.count("data-unstable") == 1


def test_names_and_attributes_are_escaped() -> None:
    svg = _svg(markers=[Marker(LON0 + 0.005, LAT0 + 0.005, "Mensa <b>& letto</b>")])
    assert "<script>" not in svg and "<b>" not in svg
    assert 'data-name="Bad &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"' in svg
    assert '>Bad &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</text>' in svg
    assert "<title>Mensa &lt;b&gt;&amp; letto&lt;/b&gt;</title>" in svg


def test_colours_and_ramp_in_css_form() -> None:
    assert hex_colour("rgb(68, 1, 84)") == "#440154" and hex_colour("#abcdef") == "#abcdef"
    legend = Legend("Residenti", ramp=("#000000", "#ffffff"), ramp_low="1", ramp_high="9")
    assert legend.ramp_css == "linear-gradient(to right, #000000, #ffffff)"
    assert Legend("x").ramp_css == ""


def test_outline_layer_draws_the_chosen_areas_over_the_fills_under_the_markers() -> None:
    feats = _grid()
    shapes = outlines(feats, _fit(feats), 0.0)
    layer = outline_layer(shapes, ["A01", "A00", "A01", "missing"])
    halo, line = re.findall(r'<path class="svgmap__outlined-(halo|line)" d="([^"]*)"/>', layer)
    assert halo[1] == line[1] == shapes.paths["A00"] + shapes.paths["A01"]  # sorted, once each, unknown left out
    assert 'aria-hidden="true"' in layer and outline_layer(shapes, ["missing"]) == ""
    regions = [Region(a, a, "#ffffff") for a in shapes.paths]
    svg = str(render_svg(shapes, regions, title="t", desc="d", overlay=layer,
                         markers=[Marker(LON0 + 0.005, LAT0 + 0.005, "s")]))
    assert svg.index('</g><g class="svgmap__outlined"') < svg.index('class="svgmap__services"')
    assert layer not in str(render_svg(shapes, regions, title="t", desc="d"))
