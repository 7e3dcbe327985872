"""A small hand-made catalogue extract (the municipal shape) and helpers shared by the directory tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from welfare_district.access.policy import Grant, Principal
from welfare_district.engine import Database
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

ENTI = """id_ente;denominazione;forma_giuridica;sezione_runts;numero_repertorio_runts;email;telefono;sito_web
E000;Comune di Padova;Ente pubblico;;;servizi@comune.example.org;049 000 0000;https://comune.example.org
E001;Associazione Alfa APS;Associazione;APS;123456;info@alfa.example.org;049 000 0001;https://alfa.example.org
E002;Cooperativa Beta;Cooperativa sociale;Imprese sociali;654321;info@beta.example.org;;
"""
SEDI = """id_sede;id_ente;nome_sede;telefono;indirizzo;civico_id;lon;lat;quartiere
L001;E000;Sportello Centro;049 000 1000;Via Roma 1;101;11.876000;45.407000;1 Centro
L002;E001;Sede Alfa;;Via Nord 2;102;11.880000;45.430000;2 Nord
L003;E002;Sede Beta;;Via Sud 3;103;11.890000;45.380000;4 Sud-Est
"""
SERVIZI_ROWS = [
    ("id_servizio", "id_ente", "id_sede", "nome", "ambito", "codice_ambito", "descrizione", "destinatari",
     "requisiti", "modalita_accesso", "costo", "orari", "telefono", "email", "lingue"),
    ("S0001", "E000", "L001", "Contributi economici", "Sostegno economico", "economic", "Contributi", "Famiglie",
     "Residenti nel Comune di Padova con ISEE inferiore a 9360 euro.", "su appuntamento", "gratuito",
     "lun-ven 9:00-12:30", "049 000 1000", "servizi@comune.example.org", "italiano"),
    ("S0002", "E001", "L002", "Doposcuola Alfa", "Minori e famiglie", "minors_family", "Aiuto compiti", "Ragazzi",
     "Bambini e ragazzi dai 6 ai 14 anni, su segnalazione della scuola o della famiglia.", "accesso libero",
     "contributo libero", "mar e gio 15:00-18:30", "", "info@alfa.example.org", "italiano, inglese"),
    ("S0003", "E002", "L003", "Pasti a domicilio", "Anziani e cura", "elderly_care", "Pasti", "Anziani",
     "Persone con più di 65 anni che vivono sole o senza rete familiare.", "su invio dei servizi sociali",
     "tariffa agevolata in base all'ISEE", "lun-ven 9:00-12:30", "", "info@beta.example.org", "italiano"),
    ("S0004", "E001", "L002", "Emporio solidale", "Sostegno economico", "economic", "Spesa", "Famiglie",
     '"Accesso libero nei giorni di apertura; è richiesto un documento di identità."', "accesso libero",
     "gratuito", "sab 9:00-12:00", "", "info@alfa.example.org", "italiano"),
]
SERVIZI = "".join(";".join(row) + "\n" for row in SERVIZI_ROWS)

RING = Keyring({"k1": b"d" * 40}, "k1")
PSEUDO = Pseudonymiser(RING)
OPERATOR = Principal("u00000000000000a1", "operator", grants=frozenset({Grant("quartiere", "Q1")}))
PARTNER_ALFA = Principal("u00000000000000b1", "partner", grants=frozenset({Grant("organisation", "E001")}))
PARTNER_BETA = Principal("u00000000000000b2", "partner", grants=frozenset({Grant("organisation", "E002")}))
ADMIN = Principal("u00000000000000c1", "admin")


def write_extract(folder: Path) -> Path:
    """Write the small extract into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("enti.csv", ENTI), ("sedi.csv", SEDI), ("servizi.csv", SERVIZI)):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "catalogo.json").write_text(json.dumps({"anno_riferimento": 2025, "enti": []}), encoding="utf-8")
    return folder


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    """A catalogue extract folder with 3 organisations, 3 sites and 4 services."""
    return write_extract(tmp_path / "catalogo")


# house numbers of the tiny city: the three service sites, and one more in the empty section
CIVICI = [(101, 45.407, 11.876, "Q1Z01S001"), (102, 45.430, 11.880, "Q2Z01S001"), (103, 45.380, 11.890, "Q1Z01S002"),
          (104, 45.384, 11.890, "Q1Z01S002")]


def build_city(db: Database, folder: Path) -> None:
    """The tiny city of the indicator tests (areas, one snapshot), house numbers, the small catalogue and the
    family profiles."""
    import sqlalchemy as sa

    from tests.indicators.tiny_city import save_tiny_areas, save_tiny_warehouse
    from welfare_district.directory.profile import build_family_profiles
    from welfare_district.directory.transfer import import_catalogue
    from welfare_district.model.areas import area_tables

    save_tiny_areas(db)
    save_tiny_warehouse(db, [2025])
    with db.engine.begin() as conn:
        conn.execute(sa.insert(area_tables().civico), [
            {"civico_id": cid, "street_code": "X", "street_type": "via", "street_name": "prova", "number": cid,
             "suffix": None, "lat": lat, "lon": lon, "section_id": sec, "zone_id": sec[:5], "quartiere_id": sec[:2]}
            for cid, lat, lon, sec in CIVICI])
    import_catalogue(db, write_extract(folder))
    build_family_profiles(db)
