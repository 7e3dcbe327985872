"""The home page: the indicator map with its selectors, and the fragments it updates itself from.

``/`` renders the whole page with the map drawn on the server as SVG (it works without JavaScript: the
selectors are a GET form and the table's pages are links). With JavaScript, a change of selector or of
table page fetches ``/fragments/map`` (the SVG, legend and table as HTML) and swaps them in place.
Before any indicator is computed the page shows residents by quartiere instead.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from welfare_district.engine import Database, redact
from welfare_district.errors import NotFoundError
from welfare_district.web import areas as area_reads
from welfare_district.web import indicator_reads as reads
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep, LanguageDep, ReadCacheDep
from welfare_district.web.figures import COLORSCALE
from welfare_district.web.figures_access import FiguresDep
from welfare_district.web.figures_map import ClassMethod
from welfare_district.web.i18n import Language, format_int, translate
from welfare_district.web.pages.common import (
    COMPOSITE_ID,
    MAP_LEVELS,
    Choice,
    indicator_choices,
    level_choices,
    level_label,
    parse_indicator,
    parse_level,
    parse_year,
    year_choices,
)
from welfare_district.web.pages.map_view import (
    MapQuery,
    MapView,
    build_map_view,
    level_outlines,
    page_url,
)
from welfare_district.web.read_cache import ReadCache
from welfare_district.web.svg_map import Legend, Marker, Region, hex_colour, render_svg
from welfare_district.web.templating import render

CITY_NAME = "Padova"
# Names on the residents map are white on the dark (low) end of Viridis, black on the light end.
_DARK_LIMIT = 0.55
Param = Annotated[str | None, Query()]


def residents_context(request: Request, db: Database, lang: Language, cache: ReadCache | None = None
                      ) -> dict[str, Any]:
    """Everything map.html needs; ``areas`` is empty when the database has no quartieri yet.

    Guarantees: each row's share is residents / total (0 when the total is 0) and ``total`` is the sum
    of the rows, so the table adds up exactly as printed; the SVG map has one area per row.
    """
    from welfare_district.warehouse.read import residents_by_area

    features = area_reads.area_features(db, AreaLevel.QUARTIERE)
    if not features:
        return {"areas": [], "database": redact(db.url)}
    register = residents_by_area(db, AreaLevel.QUARTIERE.value)
    rows = [f["properties"] for f in features]
    total = sum(int(r["residents"] or 0) for r in rows)
    table = [{**r, "residents": int(r["residents"] or 0),
              "share": (int(r["residents"] or 0) / total) if total else 0.0} for r in rows]
    svg, legend = _residents_svg(db, table, lang, cache)
    return {
        "areas": table,
        "total": total,
        "city_name": CITY_NAME,
        "synthetic": any(r["synthetic"] for r in rows),
        "boundary_version": ", ".join(sorted({str(r["boundary_version"]) for r in rows})),
        "svg": svg,
        "legend": legend,
        "register_year": None if register is None else register.year,
        "unplaced": 0 if register is None else register.unplaced,
    }


def _residents_svg(db: Database, rows: list[dict[str, Any]], lang: Language, cache: ReadCache | None
                   ) -> tuple[str, Legend]:
    import plotly.colors as pc

    counts = [int(r["residents"]) for r in rows]
    low, high = min(counts), max(counts)
    span = (high - low) or 1
    shares = [(c - low) / span for c in counts]
    fills = [hex_colour(c) for c in pc.sample_colorscale(COLORSCALE, shares)]
    regions = [Region(str(r["area_id"]), str(r["name"]), fill, {"value": format_int(c, lang)},
                      label_colour="#ffffff" if share < _DARK_LIMIT else "#000000")
               for r, c, share, fill in zip(rows, counts, shares, fills, strict=True)]
    title = translate(lang, "map_figure_label")
    svg = render_svg(level_outlines(db, AreaLevel.QUARTIERE.value, cache), regions, title=title, desc=title,
                     level=AreaLevel.QUARTIERE.value, fields=[("value", translate(lang, "hover_residents"))])
    ramp = tuple(hex_colour(c) for c in pc.sample_colorscale(COLORSCALE, [i / 8 for i in range(9)]))
    return svg, Legend(translate(lang, "residents"), ramp=ramp, ramp_low=format_int(low, lang),
                       ramp_high=format_int(high, lang))


def parse_map_query(db: Database, cache: ReadCache, indicator: str | None, level: str | None,
                    year: str | None, method: str | None, services: str | None = None,
                    page: str | None = None) -> MapQuery:
    """A validated MapQuery; NotFoundError naming any unknown value or a page that is not a positive number.

    The default view is the composite in the latest year by quartiere in ISTAT's IVSM classes; IVSM classes
    apply to the composite only, so a plain indicator asked with them falls back to quantiles.
    """
    chosen = parse_indicator(indicator, COMPOSITE_ID, composite=True)
    lvl = parse_level(level, MAP_LEVELS)
    yr = parse_year(db, year, cache)
    if method in (None, ""):
        how = ClassMethod.IVSM if chosen == COMPOSITE_ID else ClassMethod.QUANTILES
    else:
        try:
            how = ClassMethod(str(method))
        except ValueError:
            raise NotFoundError(f"Unknown class method {method!r}; known: "
                                f"{', '.join(m.value for m in ClassMethod)}") from None
    if how is ClassMethod.IVSM and chosen != COMPOSITE_ID:
        how = ClassMethod.QUANTILES
    number = 1
    if page not in (None, ""):
        if not re.fullmatch(r"[0-9]{1,6}", str(page)) or int(str(page)) < 1:
            raise NotFoundError(f"Unknown table page {page!r}; pages are numbered from 1")
        number = int(str(page))
    return MapQuery(chosen, lvl, yr, how, services=services == "1", page=number)


def first_with_values(db: Database, cache: ReadCache, level: str, year: int) -> str:
    """The first indicator of the library with a stored figure at ``level`` in ``year`` (else the first of all)."""
    for indicator in reads.indicators():
        # the exact read only says whether figures are stored; nothing of it is shown
        if any(v.value is not None for v in reads.level_values(db, indicator.id, level, year, cache=cache)):
            return indicator.id
    return reads.indicators()[0].id


def method_choices(query: MapQuery, lang: Language) -> list[Choice]:
    """Options of the class-method select; ISTAT's IVSM classes only for the composite."""
    return [Choice(m.value, translate(lang, f"method_{m.value}"), m is query.method,
                   disabled=m is ClassMethod.IVSM and query.indicator != COMPOSITE_ID) for m in ClassMethod]


def service_markers(db: Database) -> list[Marker]:
    """The active services' located places, one marker each, named by the service."""
    from welfare_district.directory.index import get_index

    return [Marker(place.lon, place.lat, entry.name) for entry in get_index(db).services.values()
            if entry.status == "active" for place in entry.places
            if place.lat is not None and place.lon is not None]


def _view(request: Request, db: Database, lang: Language, cache: ReadCache, figures: Any, query: MapQuery
          ) -> MapView:
    root = request.scope.get("root_path", "")
    markers = service_markers(db) if query.services else []
    return build_map_view(db, query, lang, cache, root, protection=figures.protection, markers=markers)


def build_router() -> APIRouter:
    """The map page at /, its fragment and the per-level geometry."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, name="map_page")
    def map_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep, figures: FiguresDep,
                 indicator: Param = None, level: Param = None, year: Param = None,
                 method: Param = None, services: Param = None, page: Param = None) -> HTMLResponse:
        """The indicator map (or residents by quartiere before any indicator is computed); ``services=1`` adds
        the service locations as markers; ``page`` is the page of the table under the map."""
        if not reads.available_years(db, cache=cache):
            context = residents_context(request, db, lang, cache)
            context["no_indicators"] = bool(context["areas"])
            return render(request, "map.html", lang, context, active="map")
        query = parse_map_query(db, cache, indicator, level, year, method, services, page)
        try:
            view = _view(request, db, lang, cache, figures, query)
        except NotFoundError:
            if indicator not in (None, ""):
                raise
            # The default composite needs the city and every component: without them, start on the first
            # indicator with values rather than answering the home page with a 404.
            query = parse_map_query(db, cache, first_with_values(db, cache, query.level, query.year), level,
                                    year, None, services, page)
            view = _view(request, db, lang, cache, figures, query)
        context = {
            "view": view,
            "services_layer": query.services,
            "indicators": indicator_choices(query.indicator, lang, composite=True),
            "levels": level_choices(query.level, lang),
            "years": year_choices(db, query.year, cache),
            "methods": method_choices(query, lang),
        }
        response = render(request, "indicator_map.html", lang, context, active="map")
        response.headers.update(figures.headers())
        return response

    @router.get("/fragments/map", name="map_fragment")
    def map_fragment(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep, figures: FiguresDep,
                     indicator: Param = None, level: Param = None, year: Param = None,
                     method: Param = None, services: Param = None, page: Param = None) -> Response:
        """The map (SVG), legend, table and captions of one view as JSON, for the page to swap in place."""
        root = request.scope.get("root_path", "")
        query = parse_map_query(db, cache, indicator, level, year, method, services, page)
        view = _view(request, db, lang, cache, figures, query)
        templates = request.app.state.templates

        def part(name: str) -> str:
            return str(templates.get_template(name).render(
                view=view, legend=view.legend, t=lambda key, **p: translate(lang, key, **p), root_path=root,
                lang=lang, fmt_int=lambda v: format_int(v, lang)))

        url = page_url(root, query)
        body = {
            "svg": str(view.svg), "legend": part("_map_legend.html"), "table": part("_map_table.html"),
            "caption": view.caption, "label": view.figure_label,
            "status": translate(lang, "imap_updated", indicator=view.title, year=query.year,
                                level=level_label(query.level, lang).lower()),
            "url": url, "switch_url": language_switch_url_for(url, lang),
            "methods": [{"value": c.value, "disabled": c.disabled} for c in method_choices(query, lang)],
            "method": query.method.value,
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Vary": "Cookie"})

    return router


def language_switch_url_for(url: str, lang: Language) -> str:
    """``url`` with the other language's ?lang= (the switch link after an in-place update)."""
    other = "en" if lang == "it" else "it"
    return f"{url}&lang={other}" if "?" in url else f"{url}?lang={other}"


__all__ = ["build_router", "language_switch_url_for", "parse_map_query", "residents_context", "service_markers"]
