"""The comune of house numbers and of records: a register may hold several comuni (an ambito, a consortium,
the synthetic region), and the same street name and number exist in many of them.

A civico's comune is the city-level area above its quartiere. A record names its comune by ISTAT code
(``028060``, also as the number ``28060`` a spreadsheet leaves), by the stored area id or code, or by name
(``PADOVA``, ``Comune di Padova``); ``ComuneLookup`` turns any of these into the register's comune id.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

COMUNE_COLUMNS = ("comune_id", "comune_code", "comune_name")
NO_COMUNE = "no_comune"  # the record names no comune and the register holds several
OUTSIDE = "comune_outside_register"  # the record names a comune the register does not hold
_PREFIX = re.compile(r"^(COMUNE\s+DI\s+|COMUNE\s+)")


def attach_comune(civici: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """``civici`` plus COMUNE_COLUMNS, the city-level area above each civico's quartiere.

    ``areas`` needs area_id, level, code, name and parent_id for the quartieri and cities (other levels are
    ignored). A civico whose quartiere is not stored gets empty comune columns, so it is never matched
    from a record that names a comune.
    """
    quartiere = areas[areas["level"] == "quartiere"].set_index("area_id")["parent_id"]
    cities = areas[areas["level"] == "city"].set_index("area_id")
    comune = civici["quartiere_id"].map(quartiere)
    out = civici.copy()
    out["comune_id"] = comune.astype(object).where(comune.notna(), "")
    out["comune_code"] = comune.map(cities["code"]).astype(object).where(lambda c: c.notna(), "")
    out["comune_name"] = comune.map(cities["name"]).astype(object).where(lambda c: c.notna(), "")
    return out


def comune_key(value: object) -> str:
    """The comparable form of a comune as written: upper case, no accents or punctuation, no 'Comune di',
    ISTAT codes back to six digits."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    if re.fullmatch(r"\d{4,6}(\.0)?", text):
        return text.split(".")[0].zfill(6)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").upper()
    text = re.sub(r"[^A-Z0-9-]+", " ", text).strip()
    return _PREFIX.sub("", text).strip()


class ComuneLookup:
    """The register's comuni and every way a record may name them."""

    def __init__(self, civici: pd.DataFrame) -> None:
        """``civici`` with or without COMUNE_COLUMNS; without them the register counts as one unnamed comune,
        and the comune a record names cannot be checked (every record is looked up in the whole register)."""
        self.checked = "comune_id" in civici.columns
        if not self.checked:
            self.ids: list[str] = [""]
            self._alias: dict[str, str] = {}
            return
        ids = civici["comune_id"].astype(object).where(civici["comune_id"].notna(), "").astype(str)
        self.ids = sorted(set(ids))
        self._alias = {}
        names = civici[[c for c in COMUNE_COLUMNS if c in civici.columns]].drop_duplicates()
        for row in names.itertuples(index=False):
            if not row[0]:
                continue
            for alias in row:
                key = comune_key(alias)
                if key:
                    # a name two comuni share (rare, e.g. Samone TO and TN) must not pick either
                    self._alias[key] = row[0] if self._alias.get(key, row[0]) == row[0] else ""

    @property
    def single(self) -> str | None:
        """The register's only comune id, or None when it holds several."""
        return self.ids[0] if len(self.ids) == 1 else None

    def resolve(self, value: object) -> tuple[str | None, str | None]:
        """(comune id, None) for the comune ``value`` names, or (None, reason) with NO_COMUNE or OUTSIDE.

        An empty value means the register's only comune when there is one. An unchecked register accepts
        any value.
        """
        if not self.checked:
            return "", None
        key = comune_key(value)
        if not key:
            single = self.single
            return (single, None) if single is not None else (None, NO_COMUNE)
        hit = self._alias.get(key)
        return (hit, None) if hit else (None, OUTSIDE)
