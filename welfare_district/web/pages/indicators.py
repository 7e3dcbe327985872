"""The indicator pages: the library by theme, and one indicator's definition, formula and the provenance of
its stored figures."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from welfare_district.engine import Database
from welfare_district.indicators.library import Indicator
from welfare_district.web import indicator_reads as reads
from welfare_district.web.deps import DatabaseDep, LanguageDep
from welfare_district.web.i18n import Language, format_int, translate
from welfare_district.web.pages.common import fmt_time, indicator_description, indicator_name, level_label
from welfare_district.web.pages.indicator_words import describe_count
from welfare_district.web.templating import render

THEMES = ("ivsm", "demography", "economy", "care")
LEVEL_ORDER = {"city": 0, "quartiere": 1, "zone": 2, "section": 3}


def provenance_rows(db: Database, indicator: Indicator) -> list[dict[str, Any]]:
    """Per stored (year, level): definition and boundary versions, snapshot and computation times, area count.

    One grouped query; several versions within one (year, level) give one row each. Newest year first.
    """
    from welfare_district.indicators.store import indicator_value_table

    if not sa.inspect(db.engine).has_table("indicator_value"):
        return []
    t = indicator_value_table()
    keys = (t.c.year, t.c.level, t.c.definition_version, t.c.boundary_version, t.c.snapshot_built_at,
            t.c.computed_at)
    query = sa.select(*keys, sa.func.count().label("areas")).where(t.c.indicator_id == indicator.id).group_by(*keys)
    with db.engine.connect() as conn:
        rows = list(conn.execute(query))
    rows.sort(key=lambda r: (-int(r.year), LEVEL_ORDER.get(str(r.level), 9)))
    return [{"year": int(r.year), "level": str(r.level), "definition_version": str(r.definition_version),
             "current": str(r.definition_version) == indicator.version, "boundary_version": r.boundary_version or "–",
             "snapshot": fmt_time(r.snapshot_built_at), "computed": fmt_time(r.computed_at), "areas": int(r.areas)}
            for r in rows]


def _summary(ind: Indicator, lang: Language) -> dict[str, Any]:
    return {"id": ind.id, "name": indicator_name(ind, lang), "description": indicator_description(ind, lang),
            "unit": translate(lang, f"unit_{ind.unit}"), "polarity": translate(lang, f"polarity_{ind.polarity}")}


def build_router() -> APIRouter:
    """The pages /indicators and /indicators/{indicator_id}."""
    router = APIRouter()

    @router.get("/indicators", response_class=HTMLResponse, name="indicators_page")
    def indicators_page(request: Request, lang: LanguageDep) -> HTMLResponse:
        """Every indicator of the library, grouped by theme."""
        groups = [{"theme": theme, "title": translate(lang, f"theme_{theme}"),
                   "entries": [_summary(i, lang) for i in reads.indicators() if i.theme == theme]} for theme in THEMES]
        return render(request, "indicators.html", lang, {"groups": [g for g in groups if g["entries"]]},
                      active="indicators")

    @router.get("/indicators/{indicator_id}", response_class=HTMLResponse, name="indicator_page")
    def indicator_page(request: Request, db: DatabaseDep, lang: LanguageDep, indicator_id: str) -> HTMLResponse:
        """One indicator's definition, formula in words, ISTAT alignment and the provenance of its figures."""
        ind = reads.get_indicator(indicator_id)
        multiplier = format_int(ind.multiplier, lang)
        numerator, denominator = describe_count(ind.numerator, lang), describe_count(ind.denominator, lang)
        rows = provenance_rows(db, ind)
        for row in rows:
            row["level_name"] = level_label(row["level"], lang)
        context = {
            "ind": _summary(ind, lang),
            "theme": translate(lang, f"theme_{ind.theme}"),
            "numerator": numerator,
            "denominator": denominator,
            "multiplier": multiplier,
            "formula": translate(lang, "indicator_formula_text",
                                 numerator=translate(lang, "indicator_numerator").lower(),
                                 denominator=translate(lang, "indicator_denominator").lower(), multiplier=multiplier),
            "kind": translate(lang, f"kind_{ind.kind}"),
            "alignment": ind.alignment or "–",
            "istat_code": ind.istat_code or "–",
            "variant": ind.variant,
            "version": ind.version,
            "provenance": rows,
            "latest_year": rows[0]["year"] if rows else None,
        }
        return render(request, "indicator.html", lang, context, active="indicators")

    return router
