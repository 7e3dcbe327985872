"""The published catalogue in memory: HSDS documents, parsed rules and coordinates, ready for search and matching.

Built once per catalogue version (``directory_version``) and kept per database; every read first compares the
stored version (one tiny query) and rebuilds only when an import, an approved revision or a status change
moved it. Searching and matching then touch no database at all.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from welfare_district.directory.eligibility import Rule, eligibility_text, parse_rules
from welfare_district.directory.hsds_json import to_documents
from welfare_district.directory.store import current_version, read_catalogue
from welfare_district.directory.taxonomy import NEEDS
from welfare_district.engine import Database

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """One location of a service: ids, coordinates (or None) and the areas containing it."""

    service_at_location_id: str
    location_id: str
    lat: float | None
    lon: float | None
    area_ids: tuple[str, ...]


@dataclass(frozen=True)
class ServiceEntry:
    """One service as search and matching need it; ``document`` is its full HSDS object."""

    id: str
    name: str
    organization_id: str
    status: str
    needs: frozenset[str]
    rules: tuple[Rule, ...]
    places: tuple[Place, ...]
    text: str  # name, description, organisation and eligibility without accents, lower case: the text query
    document: dict[str, Any]


@dataclass
class DirectoryIndex:
    """Every published service, organisation, taxonomy term and service-at-location, by id."""

    version: int
    services: dict[str, ServiceEntry]
    organizations: dict[str, dict[str, Any]]
    taxonomies: list[dict[str, Any]]
    taxonomy_terms: list[dict[str, Any]]
    service_at_locations: dict[str, dict[str, Any]] = field(default_factory=dict)


def fold(text: str) -> str:
    """Lower case without accents, so that 'pàsti' finds 'Pasti'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _location_areas(db: Database, civico_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Section, zone, quartiere and city ids of each house number (empty when the register is not loaded)."""
    if not civico_ids:
        return {}
    inspector = sa.inspect(db.engine)
    if not inspector.has_table("civico") or not inspector.has_table("area"):
        return {}
    with db.engine.connect() as conn:
        city = conn.execute(sa.text("SELECT area_id FROM area WHERE level = 'city' ORDER BY area_id")).scalars().first()
        rows = conn.execute(sa.text("SELECT civico_id, section_id, zone_id, quartiere_id FROM civico "
                                    "WHERE civico_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                            {"ids": civico_ids}).all()
    return {int(r[0]): tuple(x for x in (r[1], r[2], r[3], city) if x) for r in rows}


def build_index(db: Database) -> DirectoryIndex:
    """Read the published catalogue and prepare it (documents, rules, coordinates, areas, search text)."""
    version = current_version(db)
    cat = read_catalogue(db)
    docs = to_documents(cat)
    civici = [int(r["external_identifier"]) for r in cat["location"]
              if r.get("external_identifier_type") == "civico" and str(r.get("external_identifier", "")).isdigit()]
    areas = _location_areas(db, civici)
    orgs = {o["id"]: o for o in [*(s["organization"] for s in docs["services"]), *docs["organizations"]]}
    services: dict[str, ServiceEntry] = {}
    sals: dict[str, dict[str, Any]] = {}
    for doc in docs["services"]:
        rules = tuple(parse_rules(doc["eligibility_rules"][0]["rules"])) if doc["eligibility_rules"] else ()
        needs = frozenset(a["taxonomy_term"]["code"] for a in doc["attributes"]
                          if a.get("taxonomy_term") and a["taxonomy_term"].get("code") in NEEDS)
        places = []
        for sal in doc["service_at_locations"]:
            loc = sal["location"]
            ext = loc.get("external_identifier")
            place_areas = areas.get(int(ext), ()) if loc.get("external_identifier_type") == "civico" and \
                str(ext or "").isdigit() else ()
            places.append(Place(sal["id"], loc["id"], loc.get("latitude"), loc.get("longitude"), place_areas))
            sals[sal["id"]] = {**{k: v for k, v in sal.items() if k != "location"}, "location": loc,
                               "service": {k: doc[k] for k in ("id", "name", "status", "organization_id")}}
        doc["eligibility_text_it"] = eligibility_text(list(rules), "it")
        doc["eligibility_text_en"] = eligibility_text(list(rules), "en")
        words = " ".join(str(x or "") for x in (doc["name"], doc.get("description"), doc["organization"]["name"],
                                                  doc.get("eligibility_description"), doc.get("alternate_name")))
        services[doc["id"]] = ServiceEntry(doc["id"], doc["name"], doc["organization_id"], doc["status"], needs,
                                           rules, tuple(places), fold(words), doc)
    return DirectoryIndex(version, services, orgs, docs["taxonomies"], docs["taxonomy_terms"], sals)


@dataclass
class _Holder:
    lock: threading.Lock = field(default_factory=threading.Lock)
    indexes: dict[str, DirectoryIndex] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _holder() -> _Holder:
    return _Holder()


def get_index(db: Database) -> DirectoryIndex:
    """The index of the published catalogue, rebuilt only when the catalogue version moved since the last call."""
    holder = _holder()
    version = current_version(db)
    with holder.lock:
        cached = holder.indexes.get(db.url)
        if cached is not None and cached.version == version:
            return cached
    built = build_index(db)
    with holder.lock:
        holder.indexes[db.url] = built
    return built


def forget_indexes() -> None:
    """Drop every cached index (tests, or after editing the tables by hand)."""
    with _holder().lock:
        _holder().indexes.clear()
