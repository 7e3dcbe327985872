"""The municipal catalogue extract (``catalogo/enti.csv``, ``sedi.csv``, ``servizi.csv``) -> HSDS tables.

Italian column names, ';'-separated UTF-8, as the synthetic Padova writes them. Organisations keep their RUNTS
section and number as an HSDS ``organization_identifier`` (scheme IT-RUNTS); each service gets its need as a
taxonomy attribute and its requisites both as the published text and, where the phrasing is recognised, as
typed eligibility rules. The result goes through the same validation as any HSDS import.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from welfare_district.directory.eligibility import AgeRange, rules_json
from welfare_district.directory.hsds_spec import RUNTS_SCHEME, Catalogue, empty_catalogue
from welfare_district.directory.requisites import rules_from_text
from welfare_district.directory.taxonomy import taxonomy_rows, term_id
from welfare_district.errors import InputError

FILES = {
    "enti.csv": ("id_ente", "denominazione", "forma_giuridica", "sezione_runts", "numero_repertorio_runts", "email",
                 "telefono", "sito_web"),
    "sedi.csv": ("id_sede", "id_ente", "nome_sede", "telefono", "indirizzo", "civico_id", "lon", "lat", "quartiere"),
    "servizi.csv": ("id_servizio", "id_ente", "id_sede", "nome", "ambito", "codice_ambito", "descrizione",
                    "destinatari", "requisiti", "modalita_accesso", "costo", "orari", "telefono", "email", "lingue"),
}
LANGUAGE_CODES = {"italiano": "it", "inglese": "en", "francese": "fr", "arabo": "ar", "romeno": "ro",
                  "ucraino": "uk", "cinese": "zh", "spagnolo": "es", "albanese": "sq", "russo": "ru"}


def has_catalogue(folder: Path) -> bool:
    """True when ``folder`` holds the three files of a catalogue extract."""
    return all((folder / name).is_file() for name in FILES)


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    try:
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the catalogue file: {type(exc).__name__}", path=name) from None
    missing = [c for c in FILES[name] if c not in frame.columns]
    if missing:
        raise InputError(f"missing columns {', '.join(missing)}", path=name)
    return frame


def _reference_date(folder: Path) -> date | None:
    path = folder / "catalogo.json"
    if not path.is_file():
        return None
    try:
        year = int(json.loads(path.read_text(encoding="utf-8"))["anno_riferimento"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None
    return date(year, 12, 31)


def _text(value: str) -> str | None:
    return value.strip() or None


def read_catalogo(folder: Path, *, city_id: str = "028060", city_name: str = "Padova",
                  province: str = "PD") -> Catalogue:
    """The extract in ``folder`` as HSDS tables (not yet validated); InputError for a missing file or column.

    Deterministic: the same files give the same rows (record dates come from the extract's reference year).
    """
    if not has_catalogue(folder):
        raise InputError(f"not a catalogue folder: it needs {', '.join(FILES)}", path=folder.name)
    enti, sedi, servizi = (_read(folder, n) for n in FILES)
    checked = _reference_date(folder)
    stamp = None if checked is None else datetime(checked.year, 12, 31, tzinfo=UTC)
    cat = empty_catalogue()
    cat["taxonomy"], cat["taxonomy_term"] = taxonomy_rows()
    for e in enti.to_dict("records"):
        oid = e["id_ente"].strip()
        legal = e["forma_giuridica"].strip()
        section = e["sezione_runts"].strip()
        cat["organization"].append({
            "id": oid, "name": e["denominazione"].strip(), "alternate_name": None,
            "description": f"{legal} ({section})" if section else legal, "email": _text(e["email"]),
            "website": _text(e["sito_web"]), "legal_status": _text(legal), "last_modified": stamp})
        if e["numero_repertorio_runts"].strip():
            cat["organization_identifier"].append({
                "id": f"{oid}-runts", "organization_id": oid, "identifier_scheme": RUNTS_SCHEME,
                "identifier_type": section or "RUNTS", "identifier": e["numero_repertorio_runts"].strip()})
        if e["telefono"].strip():
            cat["phone"].append({"id": f"{oid}-tel", "organization_id": oid, "service_id": None,
                                 "location_id": None, "number": e["telefono"].strip(), "type": "voice",
                                 "description": None})
    for s in sedi.to_dict("records"):
        lid = s["id_sede"].strip()
        cat["location"].append({
            "id": lid, "location_type": "physical", "organization_id": s["id_ente"].strip(),
            "name": s["nome_sede"].strip(), "description": None, "latitude": _float(s["lat"]),
            "longitude": _float(s["lon"]), "external_identifier": _text(s["civico_id"]),
            "external_identifier_type": "civico" if s["civico_id"].strip() else None, "last_modified": stamp})
        cat["address"].append({
            "id": f"{lid}-addr", "location_id": lid, "address_1": s["indirizzo"].strip(), "city": city_name,
            "state_province": province, "postal_code": None, "country": "IT", "address_type": "physical"})
        if s["telefono"].strip():
            cat["phone"].append({"id": f"{lid}-tel", "location_id": lid, "service_id": None,
                                 "organization_id": None, "number": s["telefono"].strip(), "type": "voice",
                                 "description": None})
    for s in servizi.to_dict("records"):
        _service(cat, {str(k): str(v) for k, v in s.items()}, city_id=city_id, city_name=city_name,
                 checked=checked, stamp=stamp)
    return cat


def _float(text: str) -> float | str | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return text  # left as text: validation reports it with its row


def _service(cat: Catalogue, s: dict[str, str], *, city_id: str, city_name: str, checked: date | None,
             stamp: datetime | None) -> None:
    sid = s["id_servizio"].strip()
    rules = rules_from_text(s["requisiti"], city_id=city_id, city_name=city_name)
    ages = [r for r in rules if isinstance(r, AgeRange)]
    cat["service"].append({
        "id": sid, "organization_id": s["id_ente"].strip(), "name": s["nome"].strip(), "alternate_name": None,
        "description": " ".join(p for p in (_sentence("", s["descrizione"]), _sentence("Destinatari",
                                                                                         s["destinatari"])) if p),
        "url": None, "email": _text(s["email"]), "status": "active",
        "application_process": _text(s["modalita_accesso"]), "fees_description": _text(s["costo"]),
        "eligibility_description": _text(s["requisiti"]),
        "minimum_age": ages[0].min_age if ages else None, "maximum_age": ages[0].max_age if ages else None,
        "assured_date": checked, "last_modified": stamp})
    if s["id_sede"].strip():
        cat["service_at_location"].append({"id": f"{sid}@{s['id_sede'].strip()}", "service_id": sid,
                                           "location_id": s["id_sede"].strip(), "description": None})
    if s["telefono"].strip():
        cat["phone"].append({"id": f"{sid}-tel", "service_id": sid, "organization_id": None, "location_id": None,
                             "number": s["telefono"].strip(), "type": "voice", "description": None})
    if s["email"].strip():
        cat["contact"].append({"id": f"{sid}-contact", "service_id": sid, "organization_id": None,
                               "name": None, "department": s["nome"].strip(), "email": s["email"].strip()})
    if s["orari"].strip():
        cat["schedule"].append({"id": f"{sid}-hours", "service_id": sid, "location_id": None, "byday": None,
                                "opens_at": None, "closes_at": None, "description": s["orari"].strip()})
    cost = s["costo"].strip()
    if cost:
        cat["cost_option"].append({"id": f"{sid}-cost", "service_id": sid, "option": cost, "currency": "EUR",
                                   "amount": 0.0 if cost.lower() == "gratuito" else None,
                                   "amount_description": None})
    for k, name in enumerate(n.strip() for n in s["lingue"].split(",") if n.strip()):
        cat["language"].append({"id": f"{sid}-lang{k + 1}", "service_id": sid, "location_id": None,
                                "name": name, "code": LANGUAGE_CODES.get(name.lower()), "note": None})
    need = s["codice_ambito"].strip()
    cat["attribute"].append({"id": f"{sid}-need", "link_id": sid, "link_type": "need", "link_entity": "service",
                             "taxonomy_term_id": term_id(need) if need else "", "value": None,
                             "label": _text(s["ambito"])})
    cat["eligibility_rule"].append({"id": f"{sid}-rules", "service_id": sid, "rules": rules_json(rules)})


def _sentence(label: str, text: str) -> str:
    body = text.strip().rstrip(".")
    return "" if not body else f"{label}: {body}." if label else f"{body}."


def catalogue_summary(cat: Catalogue) -> dict[str, Any]:
    """Row counts per table (for CLI and pipeline summaries)."""
    return {name: len(rows) for name, rows in cat.items() if rows}
