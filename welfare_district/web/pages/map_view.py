"""The indicator map's content for one choice of indicator, level, year and class method.

The page and its fragment endpoint build the same ``MapView``: the map as server-drawn SVG (``web.svg_map``,
each level's projected outlines cached until the data change) with its legend, one page of the table under
the map (sorted by value, highest first), the caption and the page URL that reproduces the view. The
impact page draws its actions map from the same view.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import shapely
from markupsafe import Markup

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.indicators.library import Indicator
from welfare_district.web import indicator_reads as reads
from welfare_district.web.figures_map import (
    MISSING_COLOUR,
    Classes,
    ClassMethod,
    MapArea,
    classify,
    hover_rows,
    text_colour,
)
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
from welfare_district.web.svg_map import (
    TOLERANCE,
    Legend,
    LegendEntry,
    Marker,
    Outlines,
    Projection,
    Region,
    hex_colour,
    outlines,
    render_svg,
)

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

PAGE_ROWS = 50


@dataclass(frozen=True)
class MapQuery:
    """A parsed, validated map choice; ``page`` is the page of the table, ``services`` the services layer."""

    indicator: str
    level: str
    year: int
    method: ClassMethod
    services: bool = False
    page: int = 1

    def params(self, lang: Language | None = None, page: int | None = None) -> dict[str, str]:
        """The query parameters of the page showing this view (``lang`` added when given; the table's
        ``page`` when given, else this query's own page when it is not the first)."""
        out = {"indicator": self.indicator, "level": self.level, "year": str(self.year), "method": self.method.value}
        if self.services:
            out["services"] = "1"
        shown = self.page if page is None else page
        if shown != 1:
            out["page"] = str(shown)
        return {**out, "lang": lang} if lang else out


@dataclass(frozen=True)
class TablePage:
    """One page of the table under the map: its rows and where it sits among all of them."""

    rows: list[MapRow]
    number: int
    pages: int
    first: int  # 1-based position of the first row shown (0 when there are none)
    last: int
    total: int
    previous_url: str | None
    next_url: str | None


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
    rows: list[MapRow]
    classes: Classes
    composite: bool
    any_unstable: bool
    provenance: dict[str, Any] | None
    notes: dict[str, Any] | None = None  # the protected figures' footnote and rounding note
    svg: Markup = field(default_factory=Markup)
    legend: Legend | None = None
    table: TablePage | None = None
    areas: list[MapArea] = field(default_factory=list)


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
    """The map page's URL for ``query`` (what the address bar shows after an update), table page included."""
    return f"{root}/?{urlencode(query.params())}"


def level_outlines(db: Database, level: str, cache: ReadCache | None) -> Outlines:
    """The level's areas projected for the SVG map and simplified for display, cached with the data stamp.

    Every level shares one projection (fitted to the quartieri when stored), so a change of level keeps
    the map's zoom on the same place.
    """
    from welfare_district.geo.store import read_areas_geojson

    def projection() -> Projection:

        for lvl in ("quartiere", level):
            features = read_areas_geojson(db, lvl)["features"]
            if features:
                geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
                return Projection.fit(shapely.total_bounds(geoms).tolist())
        raise NotFoundError(f"No areas of level {level!r} are stored")

    def build() -> Outlines:
        proj = cached(cache, db, ("svg_projection",), projection)
        return outlines(read_areas_geojson(db, level)["features"], proj, TOLERANCE.get(level, 0.5))

    return cached(cache, db, ("svg_outlines", level), build)


def build_map_view(db: Database, query: MapQuery, lang: Language, cache: ReadCache, root: str, *,
                   protection: ProtectedTables | None = None, markers: Sequence[Marker] = ()) -> MapView:
    """The map, table and captions for ``query`` in ``lang``; the protected figures with ``protection``
    (suppressed areas drawn apart, out of the class breaks, "—" in the table with a footnote).

    Guarantees: the view carries the SVG map, its legend and the table page ``query.page`` (NotFoundError
    past the last page); table rows are sorted by value, highest first (areas without a shown value last, in
    area order) and state the same class labels as the legend; NotFoundError when the composite cannot be
    computed (no reference city or components). ``markers`` (the services layer) are drawn over the SVG map.
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
    index = reads.area_index(db, cache=cache).by_id
    notes = protection_notes(stored, lang) if not composite else _composite_notes(areas, protection, lang)
    common = {"indicator": title, "level": level_text.lower(), "year": query.year}
    figure_label = translate(lang, "imap_figure_label", **common)
    view = MapView(
        query=query, title=title, unit=unit,
        caption=translate(lang, "imap_caption", unit=unit, method=method_text, **common),
        figure_label=figure_label,
        table_caption=translate(lang, "imap_table_caption", **common),
        rows=[], classes=classes, composite=composite,
        any_unstable=any(a.unstable for a in areas), provenance=provenance(stored), notes=notes, areas=areas)
    ordered = _by_value(areas)
    rows = [_row(a, index[a.area_id].code if a.area_id in index else a.area_id, classes, composite, lang, digits)
            for a in ordered]
    table = _table_page(rows, query, root)
    shapes = level_outlines(db, query.level, cache)
    regions = [_region(a, classes, lang, digits, names=query.level == "quartiere") for a in areas]
    fields = [("value", translate(lang, "hover_value"))]
    if not composite:
        fields += [("num", translate(lang, "hover_numerator")), ("den", translate(lang, "hover_denominator"))]
    fields += [("ci", translate(lang, "hover_ci")), ("class", translate(lang, "hover_class"))]
    drawn = render_svg(shapes, regions, title=figure_label, desc=view.caption, level=query.level, fields=fields,
                       shared=("class", "note"), markers=markers)
    legend = _legend(title, method_text, classes, areas, lang)
    if markers:
        legend = replace(legend, entries=(*legend.entries,
                                          LegendEntry(translate(lang, "services_map_points"), kind="services")))
    return replace(view, rows=rows, svg=drawn, legend=legend, table=table)


def _by_value(areas: list[MapArea]) -> list[MapArea]:
    # Highest value first; protected areas and those without a value keep their area order after the rest.
    shown = [a for a in areas if not a.protected and a.value is not None and math.isfinite(a.value)]
    ids = {a.area_id for a in shown}
    return sorted(shown, key=lambda a: -float(a.value or 0.0)) + [a for a in areas if a.area_id not in ids]


def _table_page(rows: list[MapRow], query: MapQuery, root: str) -> TablePage:
    pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
    if query.page < 1 or query.page > pages:
        raise NotFoundError(f"Page {query.page} of the table does not exist: it has {pages} page(s)")
    start = (query.page - 1) * PAGE_ROWS
    shown = rows[start:start + PAGE_ROWS]

    def url(page: int) -> str:
        return f"{root}/?{urlencode(query.params(page=page))}"

    return TablePage(shown, query.page, pages, start + 1 if shown else 0, start + len(shown), len(rows),
                     url(query.page - 1) if query.page > 1 else None,
                     url(query.page + 1) if query.page < pages else None)


def _region(area: MapArea, classes: Classes, lang: Language, digits: int, *, names: bool) -> Region:
    _, value, num, den, ci, klass, note = hover_rows(area, classes, lang, digits)
    index = classes.index(area.value)
    fill = MISSING_COLOUR if area.protected or index is None else hex_colour(classes.colours[index])
    return Region(area.area_id, area.name, fill,
                  {"value": value, "num": num, "den": den, "ci": ci, "class": klass, "note": note},
                  unstable=area.unstable and not area.protected, protected=area.protected,
                  label_colour=text_colour(classes, area.value) if names else None)


def _legend(title: str, method: str, classes: Classes, areas: list[MapArea], lang: Language) -> Legend:
    entries = [LegendEntry(label, hex_colour(colour)) for label, colour in zip(classes.labels, classes.colours,
                                                                              strict=True)]
    if any(not a.protected and classes.index(a.value) is None for a in areas):
        entries.append(LegendEntry(translate(lang, "legend_missing"), MISSING_COLOUR, "missing"))
    if any(a.protected for a in areas):
        entries.append(LegendEntry(translate(lang, "legend_protected"), kind="protected"))
    if any(a.unstable and not a.protected for a in areas):
        entries.append(LegendEntry(translate(lang, "legend_unstable"), kind="unstable"))
    return Legend(title, method, tuple(entries))


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
