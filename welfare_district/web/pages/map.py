"""The home page: Padova's quartieri on a map coloured by residents, with the same figures in a table."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from welfare_district.engine import Database, redact
from welfare_district.web import areas as area_reads
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep, LanguageDep
from welfare_district.web.figures import figure_payload, residents_map
from welfare_district.web.i18n import Language
from welfare_district.web.templating import render
from welfare_district.web.vendor import PLOTLY_JS_PATH, TOPOJSON_PATH, vendor_url

CITY_NAME = "Padova"


def map_context(request: Request, db: Database, lang: Language) -> dict[str, Any]:
    """Everything map.html needs; ``areas`` is empty when the database has no quartieri yet.

    Guarantees: each row's share is residents / total (0 when the total is 0) and ``total`` is the sum
    of the rows, so the table adds up exactly as printed.
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
    root = request.scope.get("root_path", "")
    return {
        "areas": table,
        "total": total,
        "city_name": CITY_NAME,
        "synthetic": any(r["synthetic"] for r in rows),
        "boundary_version": ", ".join(sorted({str(r["boundary_version"]) for r in rows})),
        "figure_json": figure_payload(residents_map(features, lang), topojson_url=root + TOPOJSON_PATH),
        "plotly_url": vendor_url(request, PLOTLY_JS_PATH),
        "register_year": None if register is None else register.year,
        "unplaced": 0 if register is None else register.unplaced,
    }


def build_router() -> APIRouter:
    """The map page at /."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, name="map_page")
    def map_page(request: Request, db: DatabaseDep, lang: LanguageDep) -> HTMLResponse:
        """Render the quartieri map in the request's language, or the how-to when there are no areas."""
        return render(request, "map.html", lang, map_context(request, db, lang), active="map")

    return router
