"""What the service pages show, built in Python: the search form's choices, the result rows, the map of service
locations over the quartieri, the detail of one service and the referral figures table.

Everything here is pure over the in-memory directory index and plain rows, so the pages hold the database only
for the index's version check, the area outlines and the referral figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from welfare_district.directory.eligibility import describe, parse_rules
from welfare_district.directory.index import DirectoryIndex, ServiceEntry
from welfare_district.directory.taxonomy import NEEDS
from welfare_district.web.i18n import Language, format_decimal, plotly_separators, translate

OUTLINE = "#5b6270"
MARKER = "#b3261e"  # dark red: contrast over the light grey quartieri and for red-green colour blindness
RUNTS_SCHEME = "IT-RUNTS"


@dataclass(frozen=True)
class SearchForm:
    """The filters of the search page, already checked (None: not given)."""

    need: str | None
    text: str | None
    organization_id: str | None
    area_id: str | None
    active_only: bool
    page: int

    def query(self, page: int | None = None) -> str:
        """The query string of these filters (for the pagination links)."""
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in (("need", self.need), ("text", self.text), ("organization", self.organization_id),
                                     ("area", self.area_id)) if v]
        pairs.append(("active", "1" if self.active_only else "0"))
        pairs.append(("page", str(page or self.page)))
        return urlencode(pairs)


def need_name(code: str, lang: Language) -> str:
    """The need's name in ``lang`` (the code itself when it is not in the taxonomy)."""
    names = NEEDS.get(code)
    return code if names is None else names[0 if lang == "it" else 1]


def need_choices(lang: Language) -> list[tuple[str, str]]:
    """(code, name) of every need, in the taxonomy's order."""
    return [(code, need_name(code, lang)) for code in NEEDS]


def organisation_choices(index: DirectoryIndex) -> list[tuple[str, str]]:
    """(id, name) of every organisation with at least one service, by name."""
    used = {s.organization_id for s in index.services.values()}
    return sorted(((o["id"], str(o["name"])) for o in index.organizations.values() if o["id"] in used),
                  key=lambda pair: (pair[1].lower(), pair[0]))


def runts_number(organisation: dict[str, Any]) -> str | None:
    """The organisation's national third-sector register number with its section, if it has one."""
    for ident in organisation.get("organization_identifiers") or []:
        if ident.get("identifier_scheme") == RUNTS_SCHEME:
            section = ident.get("identifier_type")
            return f"{ident.get('identifier')} ({section})" if section else str(ident.get("identifier"))
    return None


def result_row(entry: ServiceEntry, index: DirectoryIndex, lang: Language) -> dict[str, Any]:
    """One line of the result list: id, name, organisation, needs, status and the first address."""
    doc = entry.document
    org = index.organizations.get(entry.organization_id, {})
    addresses = [a.get("address_1") for sal in doc.get("service_at_locations", [])
                 for a in sal["location"].get("addresses", []) if a.get("address_1")]
    return {"id": entry.id, "name": entry.name, "organisation": org.get("name", entry.organization_id),
            "needs": [need_name(n, lang) for n in sorted(entry.needs)], "status": entry.status,
            "address": addresses[0] if addresses else None, "description": doc.get("description")}


def service_detail(index: DirectoryIndex, entry: ServiceEntry, lang: Language) -> dict[str, Any]:
    """Everything the detail page shows of one service, with the eligibility text generated in ``lang``."""
    doc = entry.document
    org = index.organizations.get(entry.organization_id) or doc.get("organization") or {}
    rules = parse_rules(doc["eligibility_rules"][0]["rules"]) if doc.get("eligibility_rules") else []
    locations = []
    for sal in doc.get("service_at_locations", []):
        loc = sal["location"]
        locations.append({"name": loc.get("name"),
                          "addresses": [", ".join(x for x in (a.get("address_1"), a.get("postal_code"), a.get("city"))
                                                  if x) for a in loc.get("addresses", [])],
                          "phones": [p["number"] for p in loc.get("phones", []) if p.get("number")]})
    costs = []
    for c in doc.get("cost_options", []):
        amount = c.get("amount")
        costs.append(" ".join(x for x in (c.get("option"), None if amount is None else
                                          f"{format_decimal(float(amount), lang, 2)} {c.get('currency') or ''}",
                                          c.get("amount_description")) if x))
    return {
        "id": entry.id, "name": entry.name, "description": doc.get("description"), "status": entry.status,
        "url": doc.get("url"), "email": doc.get("email"), "application_process": doc.get("application_process"),
        "assured_date": doc.get("assured_date"),
        "last_modified": doc.get("last_modified"),
        "organisation": {"id": org.get("id"), "name": org.get("name"), "runts": runts_number(org),
                         "website": org.get("website") or org.get("url"), "email": org.get("email"),
                         "phones": [p["number"] for p in org.get("phones", []) if p.get("number")]},
        "needs": [need_name(n, lang) for n in sorted(entry.needs)],
        "locations": locations,
        "schedules": [s.get("description") or " ".join(x for x in (s.get("byday"), s.get("opens_at"),
                                                                   s.get("closes_at")) if x)
                      for s in doc.get("schedules", [])],
        "contacts": [" · ".join(x for x in (c.get("name"), c.get("department"), c.get("email"), c.get("title"))
                                if x) for c in doc.get("contacts", [])],
        "phones": [p["number"] for p in doc.get("phones", []) if p.get("number")],
        "costs": _unique([*costs, doc.get("fees_description")]),
        "languages": [lang_row.get("name") or lang_row.get("code") for lang_row in doc.get("languages", [])],
        "eligibility_text": doc.get(f"eligibility_text_{lang}") or None,
        "eligibility_rules": [describe(r, lang) for r in rules],
        "eligibility_description": doc.get("eligibility_description"),
    }


def _unique(texts: list[str | None]) -> list[str]:
    seen: list[str] = []
    for text in texts:
        if text and text.strip() and text.strip().lower() not in (s.lower() for s in seen):
            seen.append(text.strip())
    return seen


def services_map(entries: list[ServiceEntry], quartieri: list[dict[str, Any]], lang: Language) -> go.Figure:
    """Service locations as markers over the quartieri outlines (no tiles: the base map is hidden).

    Guarantees: one marker per located service-at-location, hover naming the service and its organisation;
    the quartieri drawn in one light grey with their names on hover; ``lang``'s number separators.
    """
    traces: list[Any] = []
    if quartieri:
        traces.append(go.Choropleth(
            geojson={"type": "FeatureCollection", "features": quartieri}, featureidkey="properties.area_id",
            locations=[f["properties"]["area_id"] for f in quartieri], z=[0] * len(quartieri),
            colorscale=[[0, "#eef0f3"], [1, "#eef0f3"]], showscale=False,
            marker={"line": {"color": OUTLINE, "width": 1}},
            customdata=[[f["properties"].get("name") or f["properties"]["area_id"]] for f in quartieri],
            hovertemplate="%{customdata[0]}<extra></extra>", name=translate(lang, "services_map_quartieri")))
    lats, lons, text = [], [], []
    for entry in entries:
        for place in entry.places:
            if place.lat is None or place.lon is None:
                continue
            lats.append(place.lat)
            lons.append(place.lon)
            org = entry.document.get("organization", {}).get("name", entry.organization_id)
            text.append(f"{entry.name}<br>{org}")
    traces.append(go.Scattergeo(lat=lats, lon=lons, text=text, mode="markers", hovertemplate="%{text}<extra></extra>",
                                marker={"size": 9, "color": MARKER, "line": {"color": "#ffffff", "width": 1}},
                                name=translate(lang, "services_map_points"), showlegend=False))
    fig = go.Figure(traces)
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, separators=plotly_separators(lang),
                      paper_bgcolor="#ffffff", dragmode=False,
                      font={"family": "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif",
                            "size": 14})
    return fig


def service_markers(entries: list[ServiceEntry]) -> go.Scattergeo:
    """The services layer of the dashboard map: one marker per located service-at-location."""
    lats, lons, text = [], [], []
    for entry in entries:
        for place in entry.places:
            if place.lat is not None and place.lon is not None:
                lats.append(place.lat)
                lons.append(place.lon)
                text.append(entry.name)
    return go.Scattergeo(lat=lats, lon=lons, text=text, mode="markers", hovertemplate="%{text}<extra></extra>",
                         marker={"size": 8, "color": MARKER, "symbol": "diamond",
                                 "line": {"color": "#ffffff", "width": 1}}, showlegend=False, name="services")
