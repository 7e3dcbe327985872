"""How to read each extract back: format, separator, encoding, header row and the codice fiscale column.

This is the contract the documentation describes and the ingest source catalogue can declare.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class FileLayout:
    """Reading instructions for the extract files matching ``pattern`` (relative to the extracts folder)."""

    pattern: str
    source: str
    kind: Literal["csv", "xlsx", "json"]
    sep: str = ""
    encoding: str = "utf-8"
    header_row: int = 1  # 1-based line (CSV) or worksheet row (xlsx) of the column header
    cf_column: str = ""  # the person's own codice fiscale, if the file has one
    person_level: bool = True  # rows describe persons and are covered by ground_truth/records.csv


LAYOUTS: tuple[FileLayout, ...] = (
    FileLayout("anagrafe_*.csv", "anagrafe", "csv", ";", "utf-8", cf_column="CODICE_FISCALE"),
    FileLayout("inps_prestazioni_*.csv", "inps", "csv", ";", "utf-8", cf_column="CF_BENEFICIARIO"),
    FileLayout("isee_dsu_*.csv", "isee", "csv", ";", "cp1252", cf_column="CF_DICHIARANTE"),
    FileLayout("tari_utenze_*.csv", "tari", "csv", ",", "utf-8", cf_column="CF_CONTRIBUENTE"),
    FileLayout("tari_variazioni.csv", "tari_variazioni", "csv", ",", "utf-8", cf_column="CF_CONTRIBUENTE"),
    FileLayout("ater_assegnatari_*.xlsx", "ater", "xlsx", cf_column="Cod. fiscale componente"),
    FileLayout("cpi_iscritti_*.csv", "cpi", "csv", ";", "utf-8", cf_column="CODICE FISCALE"),
    FileLayout("scuole_iscrizioni_*.csv", "scuole", "csv", ",", "utf-8", cf_column="CODICE_FISCALE_ALUNNO"),
    FileLayout("servizi_sociali_cartelle.xlsx", "servizi_sociali", "xlsx", header_row=5, cf_column="Codice fiscale"),
    FileLayout(
        "terzo_settore/emporio_solidale_tessere.csv",
        "ts_emporio",
        "csv",
        ";",
        "utf-8-sig",
        cf_column="Codice Fiscale",
    ),
    FileLayout("terzo_settore/centro_ascolto_schede.xlsx", "ts_ascolto", "xlsx", cf_column="CODICE FISCALE"),
    FileLayout(
        "terzo_settore/associazione_migranti_iscritti.csv",
        "ts_migranti",
        "csv",
        ",",
        "utf-8",
        cf_column="cod_fiscale",
    ),
    FileLayout("terzo_settore/volontari_anziani_assistiti.xlsx", "ts_anziani", "xlsx", cf_column="C.F."),
    FileLayout("catalogo/*.csv", "catalogo", "csv", ";", "utf-8", person_level=False),
    FileLayout("catalogo/catalogo.json", "catalogo", "json", person_level=False),
)


# a region's extracts hold one folder per virtual district, named by its city area id (V01-028060)
_DISTRICT = re.compile(r"^V\d+-\d{6}/")


def layout_for(relative_path: str) -> FileLayout:
    """The layout of an extract file given its path relative to the extracts folder ('/' separators); a
    leading district folder (``V01-028060/anagrafe_2025.csv``) does not change it."""
    inner = _DISTRICT.sub("", relative_path, count=1)
    for layout in LAYOUTS:
        if fnmatch.fnmatchcase(inner, layout.pattern):
            return layout
    raise KeyError(f"no layout declared for {relative_path}")
