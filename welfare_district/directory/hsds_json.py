"""HSDS 3.0 JSON: service objects with their organization, locations, phones, schedules... nested inside.

Export writes ``{"services": [...], "organizations": [...]}``: every service as a full HSDS service object
(``organization``, ``service_at_locations[].location`` with ``addresses`` and ``phones``, ``phones``,
``contacts``, ``schedules``, ``cost_options``, ``languages``, ``attributes[].taxonomy_term`` with its
``taxonomy_detail``) plus this platform's ``eligibility_rules``; organisations and locations with no service
are listed on their own. Import flattens the same shape back into tables; an object repeated under several services
(an organisation, a location) must be identical each time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from welfare_district.directory.hsds_spec import Catalogue, empty_catalogue
from welfare_district.directory.hsds_validate import ROW, SOURCE, HsdsImportError, Issue
from welfare_district.errors import InputError

HSDS_VERSION = "3.0"


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, datetime):
            v = v.astimezone(UTC).isoformat()
        elif isinstance(v, date):
            v = v.isoformat()
        out[k] = v
    return out


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get(key) is not None:
            index[str(r[key])].append(r)
    return index


def to_documents(cat: Catalogue) -> dict[str, Any]:
    """The catalogue as nested HSDS service objects (typed catalogue in, JSON-ready dict out)."""
    orgs = {r["id"]: r for r in cat["organization"]}
    locations = {r["id"]: r for r in cat["location"]}
    terms = {r["id"]: r for r in cat["taxonomy_term"]}
    taxonomies = {r["id"]: r for r in cat["taxonomy"]}
    idents, addresses = _by(cat["organization_identifier"], "organization_id"), _by(cat["address"], "location_id")
    phones_s, phones_o, phones_l = (_by(cat["phone"], k) for k in ("service_id", "organization_id", "location_id"))
    contacts, schedules = _by(cat["contact"], "service_id"), _by(cat["schedule"], "service_id")
    costs, languages = _by(cat["cost_option"], "service_id"), _by(cat["language"], "service_id")
    sal, attrs, rules = (_by(cat["service_at_location"], "service_id"), _by(cat["attribute"], "link_id"),
                         _by(cat["eligibility_rule"], "service_id"))

    def organization(oid: str) -> dict[str, Any]:
        return {**_plain(orgs[oid]), "organization_identifiers": [_plain(r) for r in idents.get(oid, [])],
                "phones": [_plain(r) for r in phones_o.get(oid, [])]}

    def location(lid: str) -> dict[str, Any]:
        return {**_plain(locations[lid]), "addresses": [_plain(a) for a in addresses.get(lid, [])],
                "phones": [_plain(p) for p in phones_l.get(lid, [])]}

    def term(tid: str) -> dict[str, Any]:
        t = terms[tid]
        detail = taxonomies.get(t["taxonomy_id"]) if t.get("taxonomy_id") else None
        return {**_plain(t), "taxonomy_detail": None if detail is None else _plain(detail)}

    services = []
    for s in cat["service"]:
        sid = s["id"]
        services.append({
            **_plain(s),
            "organization": organization(s["organization_id"]),
            "service_at_locations": [{**_plain(x), "location": location(x["location_id"])}
                                     for x in sal.get(sid, [])],
            "phones": [_plain(r) for r in phones_s.get(sid, [])],
            "contacts": [_plain(r) for r in contacts.get(sid, [])],
            "schedules": [_plain(r) for r in schedules.get(sid, [])],
            "cost_options": [_plain(r) for r in costs.get(sid, [])],
            "languages": [_plain(r) for r in languages.get(sid, [])],
            "attributes": [{**_plain(a), "taxonomy_term": term(a["taxonomy_term_id"])}
                           for a in attrs.get(sid, []) if a["link_entity"] == "service"],
            "eligibility_rules": [{**_plain(r), "rules": json.loads(r["rules"])} for r in rules.get(sid, [])],
        })
    served = {s["organization_id"] for s in cat["service"]}
    placed = {x["location_id"] for x in cat["service_at_location"]}
    return {"hsds_version": HSDS_VERSION, "services": services,
            "organizations": [organization(o) for o in orgs if o not in served],
            "locations": [location(lid) for lid in locations if lid not in placed],
            "taxonomies": [_plain(t) for t in cat["taxonomy"]],
            "taxonomy_terms": [_plain(t) for t in cat["taxonomy_term"]]}


def export_json(cat: Catalogue, path: Path) -> None:
    """Write the catalogue as one HSDS JSON document (UTF-8, stable key order)."""
    path.write_text(json.dumps(to_documents(cat), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


# HSDS 3.0 fields and nested lists this directory does not keep: dropped on import, so that a complete HSDS
# file loads (every other unknown key is reported as an error)
NOT_KEPT = frozenset({
    "interpretation_services", "accreditations", "licenses", "wait_time", "alert", "assurer_email", "program",
    "program_id", "required_documents", "service_areas", "funding", "capacities", "fees", "metadata", "tax_status",
    "tax_id", "year_incorporated", "logo", "uri", "parent_organization_id", "programs", "transportation",
    "accessibility",
})

# nested key -> (table, the field that ties the child to its parent, the parent's id field used)
_CHILDREN: dict[str, dict[str, tuple[str, str | None]]] = {
    "service": {"phones": ("phone", "service_id"), "contacts": ("contact", "service_id"),
                "schedules": ("schedule", "service_id"), "cost_options": ("cost_option", "service_id"),
                "languages": ("language", "service_id"), "service_at_locations": ("service_at_location", "service_id"),
                "attributes": ("attribute", "link_id"), "eligibility_rules": ("eligibility_rule", "service_id"),
                "organization": ("organization", None)},
    "organization": {"organization_identifiers": ("organization_identifier", "organization_id"),
                     "phones": ("phone", "organization_id")},
    "service_at_location": {"location": ("location", None)},
    "location": {"addresses": ("address", "location_id"), "phones": ("phone", "location_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", None)},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", None)},
}


def from_documents(doc: Any, source: str) -> tuple[Catalogue, list[Issue]]:
    """Flatten an HSDS JSON document (or a bare list of service objects) into raw tables, with the problems of
    its shape (an object where a list belongs, two different copies of one object); HsdsImportError when it has
    no 'services' list at all."""
    if isinstance(doc, list):
        doc = {"services": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("services", []), list):
        raise HsdsImportError([Issue(source, None, "service", None, None, "bad_shape",
                                    "expected an object with a 'services' list, or a list of service objects")])
    cat = empty_catalogue()
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    issues: list[Issue] = []

    def walk(table: str, obj: Any, pointer: str, parent: tuple[str, Any] | None) -> str | None:
        if not isinstance(obj, dict):
            issues.append(Issue(source, None, table, None, None, "bad_shape", f"{pointer} is not an object"))
            return None
        row: dict[str, Any] = {}
        nested: list[tuple[str, Any]] = []
        for key, value in obj.items():
            if key in NOT_KEPT:
                continue
            if key in _CHILDREN.get(table, {}):
                nested.append((key, value))
            elif table == "eligibility_rule" and key == "rules":
                row[key] = value if isinstance(value, str) else json.dumps(value)
            else:
                row[key] = value
        if parent is not None and parent[0] not in row:
            row[parent[0]] = parent[1]
        if table == "attribute":
            row.setdefault("link_entity", "service")
        for key, value in nested:
            child_table, link = _CHILDREN[table][key]
            if link is None:  # a referenced object nested in place: keep it, point to its id
                child_id = walk(child_table, value, f"{pointer}/{key}", None) if value is not None else None
                ref = {"organization": "organization_id", "location": "location_id",
                       "taxonomy_term": "taxonomy_term_id", "taxonomy_detail": "taxonomy_id"}[key]
                if child_id is not None and row.get(ref) not in (None, child_id):
                    issues.append(Issue(f"{source}#{pointer}", None, table, str(row.get("id")), ref,
                                        "conflicting_reference",
                                        f"{ref} {row.get(ref)} differs from the nested {key} {child_id}"))
                elif child_id is not None:
                    row[ref] = child_id
                continue
            if not isinstance(value, list):
                issues.append(Issue(f"{source}#{pointer}", None, table, str(row.get("id")), key, "bad_shape",
                                    f"{pointer}/{key} must be a list"))
                continue
            for k, child in enumerate(value):
                walk(child_table, child, f"{pointer}/{key}/{k}", (link, row.get("id")))
        key_id = str(row.get("id"))
        previous = kept.get((table, key_id))
        if previous is not None and row.get("id") is not None:
            if {k: v for k, v in previous.items() if k not in (SOURCE, ROW)} != row:
                issues.append(Issue(f"{source}#{pointer}", None, table, key_id, None, "conflicting_copies",
                                    f"{pointer} differs from another copy of {table} {key_id}"))
            return key_id
        row[SOURCE] = f"{source}#{pointer}"
        cat[table].append(row)
        if row.get("id") is not None:
            kept[(table, key_id)] = row
        return key_id

    for i, service in enumerate(doc.get("services", [])):
        walk("service", service, f"/services/{i}", None)
    for i, org in enumerate(doc.get("organizations", []) or []):
        walk("organization", org, f"/organizations/{i}", None)
    for name, table in (("locations", "location"), ("taxonomies", "taxonomy"), ("taxonomy_terms", "taxonomy_term")):
        for i, item in enumerate(doc.get(name, []) or []):
            walk(table, item, f"/{name}/{i}", None)
    return cat, issues


def read_json(path: Path) -> tuple[Catalogue, list[Issue]]:
    """Raw tables from an HSDS JSON file and the problems of its shape; InputError when it is not readable JSON."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {type(exc).__name__}", path=path.name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}: {exc.msg})", path=path.name) from None
    return from_documents(doc, path.name)
