"""The indicator map's content for one choice of indicator, level, year and class method.

The page and its fragment endpoint build the same ``MapView``: the Plotly figure (geometry referenced by
URL, so the browser fetches each level's shapes once and keeps them), the rows of the table under the map,
the caption and the page URL that reproduces the view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import shapely

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.indicators.library import Indicator
from welfare_district.web import indicator_reads as reads
from welfare_district.web.areas import DISPLAY_TOLERANCE, AreaLevel
from welfare_district.web.figures import figure_payload
from welfare_district.web.figures_map import Classes, ClassMethod, MapArea, MapText, classify, indicator_map
from welfare_district.web.i18n import Language, format_int, translate
from welfare_district.web.pages.common import (
    COMPOSITE_ID,
    city_name,
    fmt_ci,
    fmt_count,
    fmt_value,
    indicator_name,
    level_label,
    provenance,
)
from welfare_district.web.pages.protection import protected_mark, protection_notes, reason_words
from welfare_district.web.read_cache import ReadCache, cached
from welfare_district.web.vendor import TOPOJSON_PATH

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

GEOMETRY_PATH = "/fragments/geometry/{level}.geojson"
# Unstable-value marks: a section is a few pixels wide at city scale, so its mark must be small too.
MARKER_SIZE = {"quartiere": 12, "zone": 10, "section": 5}


@dataclass(frozen=True)
class MapQuery:
    """A parsed, validated map choice."""

    indicator: str
    level: str
    year: int
    method: ClassMethod

    def params(self, lang: Language | None = None) -> dict[str, str]:
        """The query parameters of the page showing this view (``lang`` added when given)."""
        out = {"indicator": self.indicator, "level": self.level, "year": str(self.year), "method": self.method.value}
        return {**out, "lang": lang} if lang else out


@dataclass(frozen=True)
class MapRow:
    """One row of the table under the map, formatted for ``lang``."""

    area_id: str
    code: str
    name: str
    value: str
    numerator: str
    denominator: str
    ci: str
    klass: str
    unstable: bool
    protected: bool = False
    reason: str = ""


@dataclass(frozen=True)
class MapView:
    """Everything the map page and its fragment show for one MapQuery."""

    query: MapQuery
    title: str
    unit: str
    caption: str
    figure_label: str
    table_caption: str
    figure_json: str
    rows: list[MapRow]
    classes: Classes
    composite: bool
    any_unstable: bool
    provenance: dict[str, Any] | None
    notes: dict[str, Any] | None = None  # the protected figures' footnote and rounding note


def geometry_bytes(db: Database, level: str, cache: ReadCache) -> bytes:
    """The level's areas as a compact GeoJSON FeatureCollection (properties: area_id only), simplified."""
    from welfare_district.geo.store import read_areas_geojson

    def build() -> bytes:
        collection = read_areas_geojson(db, level, simplify_tolerance=DISPLAY_TOLERANCE[AreaLevel(level)])
        features = [{"type": "Feature", "id": f["id"], "properties": {"area_id": f["properties"]["area_id"]},
                     "geometry": f["geometry"]} for f in collection["features"]]
        return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()

    return cached(cache, db, ("page_geometry", level), build)


def label_points(db: Database, level: str, cache: ReadCache) -> dict[str, tuple[float, float]]:
    """A point inside each area of ``level`` (for markers and names), keyed by area id."""

    def build() -> dict[str, tuple[float, float]]:
        collection = json.loads(geometry_bytes(db, level, cache))
        ids = [f["properties"]["area_id"] for f in collection["features"]]
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in collection["features"]])
        points = shapely.point_on_surface(geoms)
        return {i: (float(p.x), float(p.y)) for i, p in zip(ids, points, strict=True)}

    return cached(cache, db, ("page_label_points", level), build)


def geometry_url(root: str, level: str, stamp: str) -> str:
    """The versioned URL of a level's geometry: a new stamp (new areas or figures) is a new URL."""
    return f"{root}{GEOMETRY_PATH.format(level=level)}?v={stamp}"


def _indicator_areas(db: Database, query: MapQuery, cache: ReadCache, protection: ProtectedTables | None,
                     lang: Language) -> tuple[list[reads.AreaValue], list[MapArea]]:
    values = reads.level_values(db, query.indicator, query.level, query.year, cache=cache, protection=protection)
    return values, [MapArea(v.area_id, v.name, v.value, v.numerator, v.denominator, v.ci_low, v.ci_high, v.unstable,
                            v.suppressed, reason_words(v.protection, v.protection_threshold, lang) if v.suppressed
                            else "") for v in values]


def _composite_areas(db: Database, query: MapQuery, cache: ReadCache, protection: ProtectedTables | None,
                     lang: Language) -> list[MapArea]:
    values = reads.composite(db, query.level, query.year, cache=cache, protection=protection)
    return [MapArea(v.area_id, v.name, v.value, protected=v.suppressed,
                    reason=reason_words(v.protection, None, lang) if v.suppressed else "") for v in values]


def page_url(root: str, query: MapQuery) -> str:
    """The map page's URL for ``query`` (what the address bar shows after an update)."""
    return f"{root}/?{urlencode(query.params())}"


def build_map_view(db: Database, query: MapQuery, lang: Language, cache: ReadCache, root: str, *,
                   protection: ProtectedTables | None = None) -> MapView:
    """The map, table and captions for ``query`` in ``lang``; the protected figures with ``protection``
    (suppressed areas drawn apart, out of the class breaks, "—" in the table with a footnote).

    Guarantees: the figure's geometry is the versioned geometry URL of the level; table rows follow the
    area order of the level and state the same class labels as the legend; NotFoundError when the composite
    cannot be computed (no reference city or components).
    """
    composite = query.indicator == COMPOSITE_ID
    level_text = level_label(query.level, lang, plural=True)
    if composite:
        title = translate(lang, "composite_short")
        unit = translate(lang, "composite_unit", city=city_name(db, cache), year=_reference_year(db, cache))
        areas = _composite_areas(db, query, cache, protection, lang)
        stored: list[reads.AreaValue] = []
    else:
        indicator = reads.get_indicator(query.indicator)
        title = indicator_name(indicator, lang)
        unit = _unit(indicator, lang)
        stored, areas = _indicator_areas(db, query, cache, protection, lang)
    if not areas:
        raise NotFoundError(f"No areas of level {query.level!r} are stored")
    # Two decimals for the composite: ISTAT's class limits are whole numbers, and 96.96 shown as "97.0" in
    # the class "< 97" would read as a mistake.
    digits = 2 if composite else 1
    # suppressed areas have no value, so they never move a class break
    classes = classify([None if a.protected else a.value for a in areas], query.method, lang, digits=digits)
    method_text = translate(lang, f"method_{query.method.value}")
    points = label_points(db, query.level, cache)
    fig = indicator_map(
        areas, classes, MapText(title=f"{_wrap_title(title)}<br><span style='font-size:12px'>{method_text}</span>",
                                value_label=translate(lang, "hover_value"),
                                show_counts=not composite),
        lang, geojson=geometry_url(root, query.level, cache.stamp(db)), label_points=points,
        names_on_map=query.level == "quartiere", marker_size=MARKER_SIZE[query.level], digits=digits)
    index = reads.area_index(db, cache=cache).by_id
    rows = [_row(a, index[a.area_id].code if a.area_id in index else a.area_id, classes, composite, lang, digits)
            for a in areas]
    notes = protection_notes(stored, lang) if not composite else _composite_notes(areas, protection, lang)
    common = {"indicator": title, "level": level_text.lower(), "year": query.year}
    return MapView(
        query=query, title=title, unit=unit,
        caption=translate(lang, "imap_caption", unit=unit, method=method_text, **common),
        figure_label=translate(lang, "imap_figure_label", **common),
        table_caption=translate(lang, "imap_table_caption", **common),
        figure_json=figure_payload(fig, topojson_url=root + TOPOJSON_PATH),
        rows=rows, classes=classes, composite=composite, any_unstable=any(a.unstable for a in areas),
        provenance=provenance(stored), notes=notes)


def _composite_notes(areas: list[MapArea], protection: ProtectedTables | None, lang: Language
                     ) -> dict[str, Any] | None:
    if protection is None:
        return None
    base = protection.policy.rounding_base
    return {"any_hidden": any(a.protected for a in areas),
            "footnote": translate(lang, "protected_footnote", threshold=protection.policy.threshold),
            "rounding": translate(lang, "protected_rounding_note", base=base) if base > 1 else None}


def _row(a: MapArea, code: str, classes: Classes, composite: bool, lang: Language, digits: int) -> MapRow:
    if a.protected:
        # Markup is a str: the table shows the dash read out as "protected figure", with the reason as title
        mark = protected_mark(a.reason, lang)
        return MapRow(a.area_id, code, a.name, mark, "–" if composite else mark, "–" if composite else mark, "–",
                      "–", False, True, a.reason)
    return MapRow(a.area_id, code, a.name, fmt_value(a.value, lang, digits),
                  "–" if composite else fmt_count(a.numerator, lang),
                  "–" if composite else fmt_count(a.denominator, lang), fmt_ci(a.ci_low, a.ci_high, lang),
                  _class_label(classes, a.value), a.unstable)


def _reference_year(db: Database, cache: ReadCache) -> int:
    from welfare_district.web.composite_reads import reference_year

    return reference_year(db, cache=cache)


def _class_label(classes: Classes, value: float | None) -> str:
    klass = classes.index(value)
    return "–" if klass is None else classes.labels[klass]


def _unit(indicator: Indicator, lang: Language) -> str:
    if indicator.multiplier == 1:
        return translate(lang, "unit_ratio")
    return translate(lang, "unit_per", per=format_int(indicator.multiplier, lang))


def _wrap_title(title: str, width: int = 22) -> str:
    # Plotly does not wrap colour-bar titles; break long names on spaces so the legend stays narrow.
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)
