"""The rankings page: the areas of one level ordered by an indicator, sorted on the server through links."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from welfare_district.errors import NotFoundError
from welfare_district.web import indicator_reads as reads
from welfare_district.web.deps import DatabaseDep, LanguageDep, ReadCacheDep
from welfare_district.web.figures_access import FiguresDep
from welfare_district.web.i18n import translate
from welfare_district.web.pages.common import (
    MAP_LEVELS,
    fmt_ci,
    fmt_count,
    fmt_value,
    indicator_choices,
    indicator_name,
    level_choices,
    level_label,
    parse_indicator,
    parse_level,
    parse_year,
    provenance,
    year_choices,
)
from welfare_district.web.pages.protection import protection_notes, shown
from welfare_district.web.templating import render

ORDERS = ("desc", "asc")
SORTS = ("value", "name")
EXPORT_FORMATS = ("csv", "xlsx", "geojson")
Param = Annotated[str | None, Query()]


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str:
    chosen = allowed[0] if value in (None, "") else str(value)
    if chosen not in allowed:
        raise NotFoundError(f"Unknown {what} {chosen!r}; known: {', '.join(allowed)}")
    return chosen


def build_router() -> APIRouter:
    """The rankings page at /rankings."""
    router = APIRouter()

    @router.get("/rankings", response_class=HTMLResponse, name="rankings_page")
    def rankings_page(request: Request, db: DatabaseDep, lang: LanguageDep, cache: ReadCacheDep, figures: FiguresDep,
                      indicator: Param = None, level: Param = None, year: Param = None, order: Param = None,
                      sort: Param = None) -> HTMLResponse:
        """Render the ranking; ``sort`` is value (ranked, ``order`` desc or asc) or name (alphabetical).
        Protected (suppressed) areas are not ranked: they follow the ranked ones, marked "—"."""
        root = request.scope.get("root_path", "")
        ind = parse_indicator(indicator, reads.indicators()[0].id)
        lvl = parse_level(level, MAP_LEVELS)
        yr = parse_year(db, year, cache)
        how = _choice(order, ORDERS, "order")
        by = _choice(sort, SORTS, "sort")
        ranked = reads.ranking(db, ind, lvl, yr, descending=how == "desc", cache=cache,
                               protection=figures.protection)
        if by == "name":
            ranked = sorted(ranked, key=lambda r: (r.value.name.casefold(), r.value.area_id),
                            reverse=how == "desc")
        base = {"indicator": ind, "level": lvl, "year": str(yr)}

        def link(sort_by: str) -> str:
            # The sorted column's link flips the order; another column starts from its natural order.
            natural = "desc" if sort_by == "value" else "asc"
            flip = ("asc" if how == "desc" else "desc") if sort_by == by else natural
            return f"{root}/rankings?{urlencode({**base, 'sort': sort_by, 'order': flip})}"

        aria = "descending" if how == "desc" else "ascending"
        name = indicator_name(reads.get_indicator(ind), lang)
        context: dict[str, Any] = {
            "indicator_name": name,
            "caption": translate(lang, "rankings_caption", indicator=name, level=level_label(lvl, lang).lower(),
                                 year=yr),
            "rows": [{"rank": "–" if r.rank is None else str(r.rank), "area_id": r.value.area_id,
                      "code": r.value.code, "name": r.value.name,
                      "value": shown(r.value, fmt_value(r.value.value, lang), lang),
                      "numerator": shown(r.value, fmt_count(r.value.numerator, lang), lang),
                      "denominator": shown(r.value, fmt_count(r.value.denominator, lang), lang),
                      "ci": fmt_ci(r.value.ci_low, r.value.ci_high, lang), "unstable": r.value.unstable,
                      "protected": r.value.suppressed}
                     for r in ranked],
            "notes": protection_notes((r.value for r in ranked), lang),
            "sort": {"by": by, "aria": aria, "value_link": link("value"), "name_link": link("name"),
                     "order_text": translate(lang, f"order_{how}")},
            "indicators": indicator_choices(ind, lang, composite=False),
            "levels": level_choices(lvl, lang),
            "years": year_choices(db, yr, cache),
            "orders": [{"value": o, "label": translate(lang, f"order_{o}"), "selected": o == how} for o in ORDERS],
            "exports": [{"format": f, "label": translate(lang, f"export_{f}"),
                         "url": f"{root}/api/v1/exports/values.{f}?{urlencode(base)}"} for f in EXPORT_FORMATS],
            "year": yr,
            "provenance": provenance(r.value for r in ranked),
        }
        response = render(request, "rankings.html", lang, context, active="rankings")
        response.headers.update(figures.headers())
        return response

    return router
