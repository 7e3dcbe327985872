"""/api/v1/exports: indicator values and rankings as CSV, XLSX and GeoJSON downloads, with provenance.

Every export carries where its figures come from: definition version, boundary version, snapshot build time
and computation time on each row (and, in XLSX, a second sheet describing the indicator). Text is neutralised
against spreadsheet formulas (see ``tabular``); the file name is built from validated parameters only.
Partners and the public download the disclosure-controlled figures (only ``exports.exact`` gets exact ones):
each row says whether and why it is protected (columns suppressed, protection, protection_reason,
protection_threshold, rounding_base) and the XLSX provenance sheet and the GeoJSON carry a note.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from welfare_district import __version__
from welfare_district.engine import Database
from welfare_district.web import indicator_reads as reads
from welfare_district.web.api.common import ERRORS, IndicatorQuery, LevelQuery, YearQuery
from welfare_district.web.api.map_body import build_map, map_key
from welfare_district.web.api.routes.map import map_response
from welfare_district.web.api.tabular import csv_bytes, safe_filename, xlsx_bytes
from welfare_district.web.areas import AreaLevel
from welfare_district.web.deps import DatabaseDep, ReadCacheDep
from welfare_district.web.figures_access import ExportFiguresDep, Figures, reason_text
from welfare_district.web.indicator_reads import AreaValue
from welfare_district.web.read_cache import ReadCache

VALUE_COLUMNS = ["area_id", "code", "name", "level", "parent_id", "indicator_id", "year", "value", "numerator",
                 "denominator", "ci_low", "ci_high", "unstable", "null_reason", "definition_version",
                 "boundary_version", "snapshot_built_at", "computed_at", "suppressed", "protection",
                 "protection_reason", "protection_threshold", "rounding_base"]
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(v: AreaValue, indicator: str, year: int) -> list[Any]:
    return [v.area_id, v.code, v.name, v.level, v.parent_id, indicator, year, v.value, v.numerator,
            v.denominator, v.ci_low, v.ci_high, v.unstable, v.null_reason, v.definition_version,
            v.boundary_version, v.snapshot_built_at, v.computed_at, v.suppressed, v.protection,
            reason_text(v.protection, v.protection_threshold, v.rounding_base), v.protection_threshold,
            v.rounding_base]


def protection_note(figures: Figures) -> str:
    """What an export says about its figures as a whole."""
    if figures.exact:
        return ("exact figures for authorised analysts: not for publication (statistical confidentiality, "
                "SISTAN code of ethics art. 5)")
    return ("disclosure-controlled figures: counts below the threshold and the cells that could rebuild them "
            "are suppressed (empty, suppressed=true), the other counts are randomly rounded and values "
            "recomputed from them; see the protection and protection_reason columns of each row")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store", "Vary": "Cookie"})


def _resolve(db: Database, cache: ReadCache, indicator: str, year: int | None) -> int:
    reads.get_indicator(indicator)
    return reads.latest_year(db, cache=cache) if year is None else reads.check_year(db, year, cache=cache)


def _about(indicator: str, level: str, year: int, values: list[AreaValue], figures: Figures) -> list[list[Any]]:
    ind = reads.get_indicator(indicator)
    snapshots = sorted({v.snapshot_built_at.isoformat() for v in values if v.snapshot_built_at})
    return [["indicator_id", ind.id], ["name_it", ind.name_it], ["name_en", ind.name_en],
            ["description_it", ind.description_it], ["description_en", ind.description_en],
            ["unit", ind.unit], ["multiplier", ind.multiplier], ["polarity", ind.polarity], ["kind", ind.kind],
            ["alignment", ind.alignment], ["variant", ind.variant], ["level", level], ["year", year],
            ["definition_version", ", ".join(sorted({v.definition_version for v in values
                                                      if v.definition_version}))],
            ["boundary_version", ", ".join(sorted({v.boundary_version for v in values if v.boundary_version}))],
            ["snapshot_built_at", ", ".join(snapshots)],
            ["exported_at", datetime.now(UTC).isoformat(timespec="seconds")],
            ["exported_by", f"Welfare District {__version__}"], ["figures", figures.mode],
            ["disclosure_control", protection_note(figures)],
            ["suppressed_cells", sum(v.suppressed for v in values)]]


def build_router() -> APIRouter:
    """Routes of the exports resource."""
    router = APIRouter(prefix="/exports", tags=["exports"])

    def values_of(db: Database, cache: ReadCache, figures: Figures, indicator: str, level: AreaLevel,
                  year: int | None) -> tuple[int, list[AreaValue]]:
        chosen = _resolve(db, cache, indicator, year)
        return chosen, reads.level_values(db, indicator, level.value, chosen, cache=cache,
                                          protection=figures.protection)

    @router.get("/values.csv", response_class=Response, responses={200: {"content": {CSV_TYPE: {}}}, **ERRORS},
                summary="Indicator values as CSV")
    def values_csv(db: DatabaseDep, cache: ReadCacheDep, figures: ExportFiguresDep, indicator: IndicatorQuery,
                   level: LevelQuery = AreaLevel.QUARTIERE, year: YearQuery = None) -> Response:
        """One row per area of ``level`` (RFC 4180, UTF-8, header row) with the provenance and protection
        columns."""
        chosen, values = values_of(db, cache, figures, indicator, level, year)
        body = csv_bytes(VALUE_COLUMNS, [_row(v, indicator, chosen) for v in values])
        return _download(body, CSV_TYPE, safe_filename("values", indicator, level.value, chosen, suffix="csv"))

    @router.get("/values.xlsx", response_class=Response, responses={200: {"content": {XLSX_TYPE: {}}}, **ERRORS},
                summary="Indicator values as an Excel workbook")
    def values_xlsx(db: DatabaseDep, cache: ReadCacheDep, figures: ExportFiguresDep, indicator: IndicatorQuery,
                    level: LevelQuery = AreaLevel.QUARTIERE, year: YearQuery = None) -> Response:
        """Sheet 'values' as the CSV; sheet 'provenance' describes the indicator, versions, snapshot and the
        disclosure control applied."""
        chosen, values = values_of(db, cache, figures, indicator, level, year)
        body = xlsx_bytes([("values", VALUE_COLUMNS, [_row(v, indicator, chosen) for v in values]),
                           ("provenance", ["field", "value"], _about(indicator, level.value, chosen, values,
                                                                          figures))])
        return _download(body, XLSX_TYPE, safe_filename("values", indicator, level.value, chosen, suffix="xlsx"))

    @router.get("/values.geojson", response_class=Response,
                responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
                summary="Indicator values as a GeoJSON file")
    def values_geojson(request: Request, db: DatabaseDep, cache: ReadCacheDep, figures: ExportFiguresDep,
                       indicator: IndicatorQuery, level: LevelQuery = AreaLevel.QUARTIERE,
                       year: YearQuery = None) -> Response:
        """The map of the indicator as a download (as /map, with the provenance and a disclosure_control
        note)."""
        chosen = _resolve(db, cache, indicator, year)
        stamp = cache.stamp(db)
        extra = {"disclosure_control": protection_note(figures)}
        body = cache.get(db, ("export", *map_key(figures.mode, indicator, level.value, chosen)),
                         lambda: build_map(db, cache, stamp, indicator, level.value, chosen, extra,
                                           protection=figures.protection))
        name = safe_filename("values", indicator, level.value, chosen, suffix="geojson")
        return map_response(request, body, figures, {"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/rankings.csv", response_class=Response, responses={200: {"content": {CSV_TYPE: {}}}, **ERRORS},
                summary="A ranking as CSV")
    def rankings_csv(db: DatabaseDep, cache: ReadCacheDep, figures: ExportFiguresDep, indicator: IndicatorQuery,
                     level: LevelQuery = AreaLevel.QUARTIERE, year: YearQuery = None,
                     order: Annotated[Literal["desc", "asc"], Query(description="desc: highest first.")] = "desc",
                     ) -> Response:
        """The ranking of /rankings as CSV: a rank column first, then the value columns."""
        chosen = _resolve(db, cache, indicator, year)
        ranked = reads.ranking(db, indicator, level.value, chosen, descending=order == "desc", cache=cache,
                               protection=figures.protection)
        body = csv_bytes(["rank", *VALUE_COLUMNS], [[r.rank, *_row(r.value, indicator, chosen)] for r in ranked])
        return _download(body, CSV_TYPE, safe_filename("ranking", indicator, level.value, chosen, order,
                                                       suffix="csv"))

    return router

