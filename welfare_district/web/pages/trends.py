"""The trends page: one indicator over the years for the areas the reader picks, with the city for reference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from welfare_district.engine import Database
from welfare_district.web import indicator_reads as reads
from welfare_district.web.deps import DatabaseDep, LanguageDep, ReadCacheDep
from welfare_district.web.figures import figure_payload
from welfare_district.web.figures_access import FiguresDep
from welfare_district.web.figures_charts import Line, trend_chart
from welfare_district.web.i18n import Language, translate
from welfare_district.web.pages.common import (
    fmt_value,
    indicator_choices,
    indicator_name,
    level_label,
    parse_indicator,
)
from welfare_district.web.pages.protection import protection_notes, shown
from welfare_district.web.read_cache import ReadCache
from welfare_district.web.templating import render
from welfare_district.web.vendor import PLOTLY_JS_PATH, TOPOJSON_PATH, vendor_url

if TYPE_CHECKING:
    from welfare_district.privacy.cache import ProtectedTables

PICKABLE_LEVELS = ("quartiere", "zone")  # in the list; census sections are typed or picked from suggestions
MAX_AREAS = 8


def trends_context(request: Request, db: Database, indicator_id: str, area_ids: list[str], lang: Language,
                   cache: ReadCache, protection: ProtectedTables | None = None) -> dict[str, Any]:
    """The chart, the year-by-area table and the form options; NotFoundError for an unknown area.

    Guarantees: the city's line is always drawn (last, grey, dashed); at most MAX_AREAS areas, first ones kept;
    with ``protection`` the protected figures (a suppressed year is a gap in the line and "—" in the table).
    """
    root = request.scope.get("root_path", "")
    index = reads.area_index(db, cache=cache)
    chosen = list(dict.fromkeys(area_ids))[:MAX_AREAS] or [a.area_id for a in index.by_level.get("quartiere", [])]
    cities = [a.area_id for a in index.by_level.get("city", []) if a.area_id not in chosen]
    data = reads.series(db, indicator_id, chosen + cities[:1], cache=cache, protection=protection)
    indicator = reads.get_indicator(indicator_id)
    lines = [Line(translate(lang, "series_city") if aid in cities else index.by_id[aid].name,
                  [y for y, _ in points], [v.value for _, v in points], city=aid in cities)
             for aid, points in data.items()]
    years = reads.available_years(db, cache=cache)
    by_year = [dict(points) for points in data.values()]
    table = [{"year": y, "cells": [shown(values.get(y), fmt_value(_value(values.get(y)), lang), lang)
                                   for values in by_year]} for y in years]
    name = indicator_name(indicator, lang)
    groups = [{"label": level_label(level, lang),
               "options": [{"value": a.area_id, "label": a.name, "selected": a.area_id in chosen}
                           for a in index.by_level.get(level, [])]} for level in PICKABLE_LEVELS]
    sections = index.by_level.get("section", [])
    return {
        "section_options": [{"value": a.area_id, "label": a.name} for a in sections],
        "chosen_sections": [{"value": a.area_id, "label": a.name} for a in sections if a.area_id in chosen],
        "indicator_name": name,
        "indicators": indicator_choices(indicator_id, lang, composite=False),
        "groups": groups,
        "columns": [line.name for line in lines],
        "table": table,
        "figure_json": figure_payload(trend_chart(lines, name, lang), topojson_url=root + TOPOJSON_PATH),
        "plotly_url": vendor_url(request, PLOTLY_JS_PATH),
        "notes": protection_notes((v for points in data.values() for _, v in points), lang),
    }


def resolve_areas(db: Database, texts: list[str], cache: ReadCache) -> list[str]:
    """Area ids for what the form sent: ids, or area names typed in full (any case); blanks are ignored.

    Guarantees: anything else raises NotFoundError naming it, so a mistyped area is never silently dropped.
    """
    index = reads.area_index(db, cache=cache)
    by_name = {a.name.casefold(): a.area_id for a in index.by_id.values()}
    ids = []
    for text in (t.strip() for t in texts):
        if not text:
            continue
        found = text if text in index.by_id else by_name.get(text.casefold())
        if found is None:
            reads.find_area_summary(db, text, cache=cache)  # raises, naming the text
        ids.append(found or text)
    return ids


def _value(v: reads.AreaValue | None) -> float | None:
    return None if v is None else v.value


def build_router() -> APIRouter:
    """The trends page at /trends."""
    router = APIRouter()

    @router.get("/trends", response_class=HTMLResponse, name="trends_page")
    def trends_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep, figures: FiguresDep,
                    indicator: Annotated[str | None, Query()] = None,
                    area: Annotated[list[str] | None, Query()] = None) -> HTMLResponse:
        """Render one indicator over the years for the chosen areas (default: every quartiere)."""
        chosen = parse_indicator(indicator, reads.indicators()[0].id)
        reads.latest_year(db, cache=cache)  # nothing to draw before the indicators are computed: a 404
        area_ids = resolve_areas(db, area or [], cache)
        context = trends_context(request, db, chosen, area_ids, lang, cache, figures.protection)
        response = render(request, "trends.html", lang, context, active="trends")
        response.headers.update(figures.headers())
        return response

    return router
