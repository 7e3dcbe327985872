"""What the indicator routes share: bounded query parameters, error answers, conversions and HTTP caching."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel

from welfare_district.engine import Database
from welfare_district.web.api.indicator_schemas import AreaRef, AreaValueOut, Provenance, ValueFields, YearValue
from welfare_district.web.api.schemas import ErrorResponse
from welfare_district.web.areas import AreaLevel
from welfare_district.web.figures_access import Figures, reason_text
from welfare_district.web.indicator_reads import AreaValue
from welfare_district.web.read_cache import ReadCache

MAX_AREAS = 50  # ids one request may list (series, values)
ID_PATTERN = r"^[A-Za-z0-9_.-]+$"

IndicatorQuery = Annotated[str, Query(description="Indicator id, as listed by /api/v1/indicators.",
                                      min_length=1, max_length=64, pattern=ID_PATTERN)]
LevelQuery = Annotated[AreaLevel, Query(description="Level of the hierarchy.")]
YearQuery = Annotated[int | None, Query(description="Snapshot year (default: the latest stored).",
                                        ge=1900, le=2200)]
AreaPath = Annotated[str, Path(description="Area id, e.g. Q1 or 028060.", max_length=64, pattern=ID_PATTERN)]
AreaListQuery = Annotated[list[str] | None, Query(
    description=f"Area id; repeat for several (at most {MAX_AREAS}).", max_length=MAX_AREAS)]

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown indicator, area or year (the message names it)."},
    422: {"model": ErrorResponse, "description": "Malformed or out-of-range parameter."},
    503: {"model": ErrorResponse, "description": "Database unavailable."},
}


def check_area_ids(ids: list[str]) -> list[str]:
    """The area ids without repeats; InputError naming the parameter when one is malformed."""
    import re

    from welfare_district.errors import InputError

    for area_id in ids:
        if not area_id or len(area_id) > 64 or not re.fullmatch(ID_PATTERN, area_id):
            raise InputError(f"Invalid area id in parameter 'area': {area_id[:64]!r}")
    return list(dict.fromkeys(ids))


class HasArea(Protocol):
    """Anything naming an area: AreaSummary, AreaValue, CompositeValue."""

    @property
    def area_id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...


def area_ref(area: HasArea) -> AreaRef:
    """The published identity of an area."""
    return AreaRef(area_id=area.area_id, code=area.code, name=area.name, level=area.level,  # type: ignore[arg-type]
                   parent_id=area.parent_id)


def value_fields(v: AreaValue) -> dict[str, Any]:
    """The figure fields of an AreaValue, as the API names them."""
    return {"value": v.value, "numerator": v.numerator, "denominator": v.denominator, "ci_low": v.ci_low,
            "ci_high": v.ci_high, "unstable": v.unstable, "null_reason": v.null_reason, "suppressed": v.suppressed,
            "protection": v.protection,
            "protection_reason": reason_text(v.protection, v.protection_threshold, v.rounding_base),
            "protection_threshold": v.protection_threshold, "rounding_base": v.rounding_base}


def value_out(v: AreaValue) -> AreaValueOut:
    """An AreaValue as the API publishes it."""
    return AreaValueOut(**area_ref(v).model_dump(), **value_fields(v))


def figure(v: AreaValue) -> ValueFields:
    """Only the figure of an AreaValue."""
    return ValueFields(**value_fields(v))


def year_value(year: int, v: AreaValue) -> YearValue:
    """A point of a series."""
    return YearValue(year=year, **value_fields(v))


def provenance(values: list[AreaValue]) -> Provenance:
    """The distinct definition versions, boundary versions and snapshots behind ``values``."""
    computed = [v.computed_at for v in values if v.computed_at is not None]
    return Provenance(
        definition_versions=sorted({v.definition_version for v in values if v.definition_version}),
        boundary_versions=sorted({v.boundary_version for v in values if v.boundary_version}),
        snapshots_built_at=sorted({v.snapshot_built_at for v in values if v.snapshot_built_at is not None}),
        computed_at=max(computed) if computed else None,
    )


def etag_for(stamp: str, *parts: object) -> str:
    """A weak ETag for the representation of ``parts`` under the data stamp."""
    digest = hashlib.sha256("|".join([stamp, *map(str, parts)]).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def not_modified(request: Request, etag: str) -> bool:
    """True when the request's If-None-Match lists ``etag`` (weak comparison) or is '*'."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == bare for tag in header[:2048].split(","))


def accepts_gzip(request: Request) -> bool:
    """True when the client accepts a gzip-encoded body."""
    return "gzip" in request.headers.get("accept-encoding", "").lower()


@dataclass(frozen=True)
class JsonBody:
    """A serialised JSON answer and its ETag, kept in the read cache."""

    etag: str
    raw: bytes

    @property
    def nbytes(self) -> int:
        """Size of the body, for the read cache's budget."""
        return len(self.raw)


def cached_json(request: Request, db: Database, cache: ReadCache, key: tuple[object, ...],
                build: Callable[[], BaseModel], figures: Figures | None = None) -> Response:
    """The JSON of ``build()`` for ``key`` under the current data stamp, built and validated once per stamp.

    Guarantees: the ETag changes with the stamp and with the figures' mode (exact or protected), so neither
    the cache nor a 304 ever hands one mode's body to the other; If-None-Match with it gets an empty 304;
    errors raised by ``build`` are not cached. ``key`` must name everything else the answer depends on
    (resolved year included). ``figures`` None: an answer without indicator figures (the catalogue).
    """
    key = ("none" if figures is None else figures.mode, *key)
    stamp = cache.stamp(db)
    body: JsonBody = cache.get(db, ("json", *key), lambda: JsonBody(
        etag_for(stamp, "json", *key), build().model_dump_json().encode("utf-8")))
    # Clients may keep the answer but must revalidate it: the figures change when the pipeline runs.
    headers = {"ETag": body.etag, **({"Cache-Control": "no-cache"} if figures is None else figures.headers())}
    if not_modified(request, body.etag):
        return Response(status_code=304, headers=headers)
    return Response(body.raw, media_type="application/json", headers=headers)
