"""Search over the published catalogue (public): filters, text query, proximity, HSDS pagination.

Pure functions over a ``DirectoryIndex``; the API and the pages call them. Pages are HSDS 3.0 pages:
``total_items``, ``total_pages``, ``page_number`` (from 1), ``size``, ``first_page``, ``last_page``,
``empty`` and ``contents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from welfare_district.directory.hsds_spec import SERVICE_STATUS
from welfare_district.directory.index import DirectoryIndex, ServiceEntry, fold, haversine_km
from welfare_district.directory.taxonomy import NEEDS, term_id
from welfare_district.errors import InputError, NotFoundError

MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 50.0


@dataclass(frozen=True)
class Page:
    """One page of results, as HSDS 3.0 pages them."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


def paginate(items: list[dict[str, Any]], page: int, per_page: int) -> Page:
    """The ``page``-th page (from 1) of ``per_page`` items; InputError outside the bounds."""
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InputError(f"per_page must be between 1 and {MAX_PAGE_SIZE}", field="per_page")
    total = len(items)
    pages = max(1, -(-total // per_page))
    contents = items[(page - 1) * per_page: page * per_page]
    return Page(total, pages, page, len(contents), page == 1, page >= pages, not contents, contents)


def _need_code(taxonomy_term: str) -> str:
    code = taxonomy_term.split(":", 1)[1] if taxonomy_term.startswith("wd-needs:") else taxonomy_term
    if code not in NEEDS:
        raise InputError(f"unknown taxonomy term {taxonomy_term[:64]!r}; expected one of "
                         f"{', '.join(term_id(c) for c in NEEDS)} (or the bare codes)", field="taxonomy_term_id")
    return code


def find_services(index: DirectoryIndex, *, taxonomy_term: str | None = None, query: str | None = None,
                  organization_id: str | None = None, area_id: str | None = None,
                  status: str | None = None) -> list[ServiceEntry]:
    """Services passing every given filter, sorted by name then id (deterministic).

    ``query``: every word must appear (accents and case ignored) in the name, description, organisation or
    eligibility; ``area_id``: a location of the service lies in that section, zone, quartiere or city.
    """
    if status is not None and status not in SERVICE_STATUS:
        raise InputError(f"unknown status; expected one of {', '.join(SERVICE_STATUS)}", field="status")
    need = None if taxonomy_term is None else _need_code(taxonomy_term)
    words = [] if query is None else fold(query).split()
    if len(words) > 20:
        raise InputError("a text query has at most 20 words", field="query")
    out = []
    for s in index.services.values():
        if need is not None and need not in s.needs:
            continue
        if organization_id is not None and s.organization_id != organization_id:
            continue
        if status is not None and s.status != status:
            continue
        if area_id is not None and not any(area_id in p.area_ids for p in s.places):
            continue
        if words and not all(w in s.text for w in words):
            continue
        out.append(s)
    return sorted(out, key=lambda s: (s.name.lower(), s.id))


def get_service(index: DirectoryIndex, service_id: str) -> dict[str, Any]:
    """The full HSDS service object; NotFoundError naming the id when unknown."""
    entry = index.services.get(service_id)
    if entry is None:
        raise NotFoundError(f"no service with id {service_id!r}")
    return entry.document


def get_organization(index: DirectoryIndex, organization_id: str) -> dict[str, Any]:
    """An organisation with its identifiers (RUNTS), phones and the ids of its services; NotFoundError if unknown."""
    org = index.organizations.get(organization_id)
    if org is None:
        raise NotFoundError(f"no organization with id {organization_id!r}")
    services = sorted(s.id for s in index.services.values() if s.organization_id == organization_id)
    return {**org, "services": [{"id": sid, "name": index.services[sid].name} for sid in services]}


def list_organizations(index: DirectoryIndex, query: str | None = None) -> list[dict[str, Any]]:
    """Organisations sorted by name, optionally those whose name contains every word of ``query``."""
    words = [] if query is None else fold(query).split()
    orgs = [o for o in index.organizations.values() if all(w in fold(str(o["name"])) for w in words)]
    return sorted(orgs, key=lambda o: (str(o["name"]).lower(), o["id"]))


def near(index: DirectoryIndex, lat: float, lon: float, radius_km: float, *,
         taxonomy_term: str | None = None) -> list[dict[str, Any]]:
    """Service-at-locations within ``radius_km`` of the point, nearest first, each with ``distance_km``.

    InputError for coordinates off the globe or a radius outside (0, MAX_RADIUS_KM].
    """
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise InputError("lat must be within -90..90 and lon within -180..180", field="lat")
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise InputError(f"radius must be above 0 and at most {MAX_RADIUS_KM:g} km", field="radius")
    need = None if taxonomy_term is None else _need_code(taxonomy_term)
    hits = []
    for s in index.services.values():
        if need is not None and need not in s.needs:
            continue
        for p in s.places:
            if p.lat is None or p.lon is None:
                continue
            d = haversine_km(lat, lon, p.lat, p.lon)
            if d <= radius_km:
                hits.append((d, p.service_at_location_id))
    hits.sort()
    return [{**index.service_at_locations[sal_id], "distance_km": round(d, 3)} for d, sal_id in hits]
