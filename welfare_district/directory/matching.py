"""Matching at the desk: the services a profile is eligible for, ranked by fit and distance from home.

Fit is the number of the profile's needs a service addresses; among equal fit, services with fewer rules
left 'unknown' come first, then the nearest (haversine from the profile's point to the service's nearest
location), then the name. Every result carries each rule's outcome and reason. Only active services are
offered unless asked otherwise. Pure over the in-memory index: no database work per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from welfare_district.directory.eligibility import Outcome, Profile, evaluate, is_eligible
from welfare_district.directory.index import DirectoryIndex, ServiceEntry, haversine_km
from welfare_district.directory.taxonomy import NEEDS
from welfare_district.errors import InputError

MAX_RESULTS = 200


@dataclass(frozen=True)
class Match:
    """One service for the profile: eligibility, needs it meets, distance and each rule's outcome."""

    service_id: str
    name: str
    organization_id: str
    status: str
    eligible: bool
    needs_matched: tuple[str, ...]
    unknown_rules: int
    distance_km: float | None
    location_id: str | None
    outcomes: tuple[Outcome, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for JSON output."""
        return {"service_id": self.service_id, "name": self.name, "organization_id": self.organization_id,
                "status": self.status, "eligible": self.eligible, "needs_matched": list(self.needs_matched),
                "unknown_rules": self.unknown_rules, "distance_km": self.distance_km,
                "location_id": self.location_id, "outcomes": [o.model_dump() for o in self.outcomes]}


def _nearest(entry: ServiceEntry, lat: float | None, lon: float | None) -> tuple[float | None, str | None]:
    best: tuple[float | None, str | None] = (None, entry.places[0].location_id if entry.places else None)
    if lat is None or lon is None:
        return best
    for p in entry.places:
        if p.lat is None or p.lon is None:
            continue
        d = haversine_km(lat, lon, p.lat, p.lon)
        if best[0] is None or d < best[0]:
            best = (d, p.location_id)
    return best


def match_services(index: DirectoryIndex, profile: Profile, *, limit: int = 20, include_ineligible: bool = False,
                   include_inactive: bool = False) -> list[Match]:
    """The best ``limit`` services for ``profile``, best first (see the module doc for the order).

    InputError for an unknown need code or a limit outside 1..MAX_RESULTS.
    """
    if not 1 <= limit <= MAX_RESULTS:
        raise InputError(f"limit must be between 1 and {MAX_RESULTS}", field="limit")
    unknown = [n for n in profile.needs if n not in NEEDS]
    if unknown:
        raise InputError(f"unknown need {unknown[0]!r}; expected one of {', '.join(NEEDS)}", field="needs")
    wanted = set(profile.needs)
    results = []
    for entry in index.services.values():
        if entry.status != "active" and not include_inactive:
            continue
        outcomes = evaluate(list(entry.rules), profile)
        eligible = is_eligible(outcomes)
        if not eligible and not include_ineligible:
            continue
        distance, location = _nearest(entry, profile.lat, profile.lon)
        results.append(Match(entry.id, entry.name, entry.organization_id, entry.status, eligible,
                             tuple(sorted(entry.needs & wanted)), sum(o.status == "unknown" for o in outcomes),
                             None if distance is None else round(distance, 3), location, tuple(outcomes)))
    results.sort(key=lambda m: (not m.eligible, -len(m.needs_matched), m.unknown_rules,
                                m.distance_km if m.distance_km is not None else float("inf"), m.name, m.service_id))
    return results[:limit]
