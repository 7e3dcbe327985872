"""The area profile: every indicator of one area against its parent and the city, with its trend, and the
area's composite vulnerability index with its components."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.web import indicator_reads as reads
from welfare_district.web.deps import DatabaseDep, LanguageDep, ReadCacheDep
from welfare_district.web.figures import figure_payload
from welfare_district.web.figures_access import FiguresDep
from welfare_district.web.figures_charts import Line, Panel, components_chart, small_multiples
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.common import (
    city_name,
    fmt_ci,
    fmt_value,
    indicator_name,
    level_label,
    parse_year,
    provenance,
)
from welfare_district.web.pages.protection import protection_notes, reason_words, shown
from welfare_district.web.read_cache import ReadCache
from welfare_district.web.templating import render
from welfare_district.web.vendor import PLOTLY_JS_PATH, TOPOJSON_PATH, vendor_url

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

CHILD_LEVEL = {"city": "quartiere", "quartiere": "zone", "zone": "section"}


def _composite(db: Database, area: Any, year: int, lang: Language, cache: ReadCache,
               root: str, protection: ProtectedTables | None) -> dict[str, Any] | None:
    from welfare_district.web.composite_reads import reference_year

    try:
        values = reads.composite(db, area.level, year, cache=cache, protection=protection)
        base = reference_year(db, cache=cache)
    except NotFoundError:
        return None
    mine = next((v for v in values if v.area_id == area.area_id), None)
    if mine is None:
        return None
    names = [indicator_name(reads.get_indicator(c.indicator_id), lang) for c in mine.components]
    klass = None if mine.ivsm_class is None else translate(lang, f"ivsm_class_{mine.ivsm_class.replace('-', '_')}")
    chart = components_chart(names, [c.normalised for c in mine.components],
                             translate(lang, "components_axis", city=city_name(db, cache), year=base), lang)
    return {
        "value": None if mine.value is None else fmt_value(mine.value, lang, 2),
        "klass": klass,
        "components": [{"id": c.indicator_id, "name": n, "value": fmt_value(c.value, lang),
                        "normalised": fmt_value(c.normalised, lang)} for c, n in zip(mine.components, names,
                                                                                       strict=True)],
        "figure_json": figure_payload(chart, topojson_url=root + TOPOJSON_PATH),
        "protected": reason_words(mine.protection, None, lang) if mine.suppressed else None,
    }


def profile_context(request: Request, db: Database, area_id: str, year: int, lang: Language,
                    cache: ReadCache, protection: ProtectedTables | None = None) -> dict[str, Any]:
    """Everything area.html needs for ``area_id`` in ``year``; NotFoundError for an unknown area; the
    protected figures with ``protection`` ("—" with a footnote where suppressed, gaps in the trends)."""
    root = request.scope.get("root_path", "")
    prof = reads.profile(db, area_id, year, cache=cache, protection=protection)
    area = prof.area
    parent = prof.ancestors[-1] if prof.ancestors else None
    city = prof.ancestors[0] if prof.ancestors and prof.ancestors[0].level == "city" else None
    city_profile = (reads.profile(db, city.area_id, year, cache=cache, protection=protection)
                    if city is not None else None)
    city_series = {e.indicator.id: e.series for e in city_profile.entries} if city_profile else {}
    rows, panels = [], []
    for entry in prof.entries:
        name = indicator_name(entry.indicator, lang)
        rows.append({
            "id": entry.indicator.id, "name": name,
            "value": shown(entry.value, fmt_value(entry.value.value, lang), lang),
            "ci": fmt_ci(entry.value.ci_low, entry.value.ci_high, lang), "unstable": entry.value.unstable,
            "parent": None if entry.parent is None else shown(entry.parent, fmt_value(entry.parent.value, lang),
                                                              lang),
            "city": None if entry.city is None else shown(entry.city, fmt_value(entry.city.value, lang), lang),
        })
        area_line = Line(translate(lang, "series_area") + f": {area.name}", [y for y, _ in entry.series],
                         [v.value for _, v in entry.series])
        city_points = city_series.get(entry.indicator.id)
        city_line = None if not city_points else Line(
            translate(lang, "series_city"), [y for y, _ in city_points], [v.value for _, v in city_points], city=True)
        panels.append(Panel(name, area_line, city_line))
    index = reads.area_index(db, cache=cache)
    child_level = CHILD_LEVEL.get(area.level)
    children = [a for a in index.by_level.get(child_level, []) if a.parent_id == area.area_id] if child_level else []
    return {
        "area": area,
        "city_name": city.name if city is not None else area.name,
        "level_name": level_label(area.level, lang, plural=False),
        "ancestors": [a for a in prof.ancestors if a.level != "city"],
        "parent": parent,
        "parent_name": parent.name if parent is not None else None,
        "year": year,
        "years": list(reversed(prof.years)),
        "rows": rows,
        "trends_json": figure_payload(small_multiples(panels, lang), topojson_url=root + TOPOJSON_PATH),
        "composite": _composite(db, area, year, lang, cache, root, protection),
        "notes": protection_notes([v for e in prof.entries for v in (e.value, e.parent, e.city)], lang),
        "children": children[:200],
        "children_more": max(0, len(children) - 200),
        "child_level_name": level_label(child_level, lang) if child_level else None,
        "provenance": provenance(e.value for e in prof.entries),
        "plotly_url": vendor_url(request, PLOTLY_JS_PATH),
    }


def build_router() -> APIRouter:
    """The area profile at /areas/{area_id}."""
    router = APIRouter()

    @router.get("/areas/{area_id}", response_class=HTMLResponse, name="area_page")
    def area_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep, figures: FiguresDep,
                  area_id: str,
                  year: Annotated[str | None, Query()] = None) -> HTMLResponse:
        """Render the profile of one area (any level) in one year (default: the latest)."""
        reads.find_area_summary(db, area_id, cache=cache)
        chosen = parse_year(db, year, cache)
        context = profile_context(request, db, area_id, chosen, lang, cache, figures.protection)
        response = render(request, "area.html", lang, context)
        response.headers.update(figures.headers())
        return response

    return router
