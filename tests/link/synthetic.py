"""Adapter: the synthetic extracts as person records in the linkage contract, plus their ground truth.

Used by the linkage tests and benchmark only; the product reads records produced by ingestion.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from welfare_district.link.deterministic import RECORD_COLUMNS
from welfare_district.synth.extracts.layout import layout_for

_MONTHS_IT = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
}
_TEXT_DATE = re.compile(r"^(\d{1,2}) ([a-z]+) (\d{4})$")


def _read(extracts: Path, relative: str) -> pd.DataFrame:
    layout = layout_for(relative)
    path = extracts / relative
    if layout.kind == "csv":
        return pd.read_csv(path, sep=layout.sep, encoding=layout.encoding, dtype=str, keep_default_na=False,
                           skiprows=layout.header_row - 1)
    return pd.read_excel(path, header=layout.header_row - 1, dtype=str).fillna("")


def parse_dates(values: pd.Series) -> pd.Series:
    """Birth dates written in any of the extracts' styles, as datetime64 (NaT when unreadable)."""
    text = values.fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        todo = out.isna()
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    todo = out.isna() & text.str.match(r"^\d{1,2}-\d{1,2}-\d{2}$")
    if todo.any():
        parts = text[todo].str.split("-", expand=True).astype(int)
        # two-digit years appear only in adults' lists: beyond 2007 they belong to the previous century
        year = parts[2] + 2000
        year[year > 2007] -= 100
        out[todo] = pd.to_datetime(
            pd.DataFrame({"year": year, "month": parts[1], "day": parts[0]}), errors="coerce"
        )
    todo = out.isna() & text.str.lower().str.match(_TEXT_DATE.pattern)
    for idx in text[todo].index:
        m = _TEXT_DATE.match(text[idx].lower())
        if m and m.group(2) in _MONTHS_IT:
            out[idx] = pd.Timestamp(int(m.group(3)), _MONTHS_IT[m.group(2)], int(m.group(1)))
    return out


def _none(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    return text.where(text != "", None)


def _split_name(full: pd.Series, surname_first: bool) -> tuple[pd.Series, pd.Series]:
    text = full.fillna("").astype(str).str.strip()
    parts = text.str.rsplit(" ", n=1, expand=True) if surname_first else text.str.split(" ", n=1, expand=True)
    second = parts[1] if parts.shape[1] > 1 else pd.Series(None, index=text.index, dtype="object")
    if surname_first:
        return _none(parts[0]), _none(second)
    return _none(second), _none(parts[0])


def _frame(source: str, relative: str, n: int, **cols: pd.Series | None) -> pd.DataFrame:
    rows = pd.RangeIndex(1, n + 1)
    frame = pd.DataFrame({"record_id": [f"{source}:{relative}:{r}" for r in rows], "source": source})
    for col in RECORD_COLUMNS[2:]:
        value = cols.get(col)
        frame[col] = None if value is None else value.reset_index(drop=True).to_numpy()
    upper = ["codice_fiscale", "surname", "first_name", "sex", "birth_place_code", "street_text"]
    for col in upper:
        frame[col] = _none(frame[col].astype("object")).str.upper()
    frame["birth_date"] = parse_dates(frame["birth_date"].astype("object")).dt.date
    frame["birth_date"] = frame["birth_date"].astype("object").where(frame["birth_date"].notna(), None)
    frame["family_key"] = _none(frame["family_key"].astype("object"))
    return frame


def _street(*parts: pd.Series) -> pd.Series:
    joined = parts[0].fillna("").astype(str)
    for part in parts[1:]:
        joined = joined + " " + part.fillna("").astype(str)
    return joined.str.replace(r"\s+", " ", regex=True).str.strip()


def _records_of(extracts: Path, relative: str) -> pd.DataFrame | None:
    source = layout_for(relative).source
    df = _read(extracts, relative)
    n = len(df)
    if source == "anagrafe":
        return _frame(source, relative, n, codice_fiscale=df["CODICE_FISCALE"], surname=df["COGNOME"],
                      first_name=df["NOME"], sex=df["SESSO"], birth_date=df["DATA_NASCITA"],
                      birth_place_code=df["CODICE_CATASTALE_NASCITA"],
                      street_text=_street(df["INDIRIZZO"], df["NUMERO_CIVICO"] + df["ESPONENTE"]),
                      family_key=df["CODICE_FAMIGLIA"])
    if source == "isee":
        return _frame(source, relative, n, codice_fiscale=df["CF_DICHIARANTE"], surname=df["COGNOME_DICHIARANTE"],
                      first_name=df["NOME_DICHIARANTE"], family_key=df["PROTOCOLLO_DSU"])
    if source in ("tari", "tari_variazioni"):
        surname, first = _split_name(df["NOMINATIVO"], surname_first=True)
        return _frame(source, relative, n, codice_fiscale=df["CF_CONTRIBUENTE"], surname=surname, first_name=first,
                      street_text=df["INDIRIZZO_UTENZA"], family_key=df["CODICE_UTENZA"])
    if source == "ater":
        surname, first = _split_name(df["Componente"], surname_first=True)
        return _frame(source, relative, n, codice_fiscale=df["Cod. fiscale componente"], surname=surname,
                      first_name=first, birth_date=df["Data nascita"], street_text=df["Indirizzo"],
                      family_key=df["Cod. alloggio"])
    if source == "cpi":
        return _frame(source, relative, n, codice_fiscale=df["CODICE FISCALE"], surname=df["COGNOME"],
                      first_name=df["NOME"], sex=df["SESSO"], birth_date=df["DATA NASCITA"],
                      street_text=df["INDIRIZZO DOMICILIO"])
    if source == "scuole":
        return _frame(source, relative, n, codice_fiscale=df["CODICE_FISCALE_ALUNNO"], surname=df["COGNOME_ALUNNO"],
                      first_name=df["NOME_ALUNNO"], sex=df["SESSO"], birth_date=df["DATA_NASCITA"])
    if source == "servizi_sociali":
        surname, first = _split_name(df["Cognome e nome"], surname_first=True)
        return _frame(source, relative, n, codice_fiscale=df["Codice fiscale"], surname=surname, first_name=first,
                      sex=df["Sesso"], birth_date=df["Data di nascita"], street_text=df["Indirizzo"])
    if source == "ts_emporio":
        surname, first = _split_name(df["Cognome e Nome"], surname_first=True)
        return _frame(source, relative, n, codice_fiscale=df["Codice Fiscale"], surname=surname, first_name=first,
                      birth_date=df["Data di nascita"], street_text=df["Indirizzo"], family_key=df["N. Tessera"])
    if source == "ts_ascolto":
        return _frame(source, relative, n, codice_fiscale=df["CODICE FISCALE"], surname=df["COGNOME"],
                      first_name=df["NOME"], birth_date=df["NATO/A IL"], street_text=df["INDIRIZZO"])
    if source == "ts_migranti":
        surname, first = _split_name(df["nominativo"], surname_first=False)
        return _frame(source, relative, n, codice_fiscale=df["cod_fiscale"], surname=surname, first_name=first,
                      sex=df["sesso"], birth_date=df["data_nascita"], street_text=df["indirizzo"])
    if source == "ts_anziani":
        surname, first = _split_name(df["Assistito/a"], surname_first=True)
        return _frame(source, relative, n, codice_fiscale=df["C.F."], surname=surname, first_name=first,
                      birth_date=df["Nato/a il"], street_text=df["Via e n. civico"])
    return None


def person_files(extracts: Path) -> list[str]:
    """Person-level extract files under ``extracts`` (relative, '/' separators), sorted."""
    files = []
    for path in sorted(extracts.rglob("*")):
        if path.suffix in (".csv", ".xlsx"):
            rel = path.relative_to(extracts).as_posix()
            try:
                if layout_for(rel).person_level:
                    files.append(rel)
            except KeyError:
                continue
    return files


def load_records(extracts: Path, sources: set[str] | None = None) -> pd.DataFrame:
    """Every person-level row of the extracts as a contract record; ``sources`` keeps only those sources."""
    frames = []
    for rel in person_files(extracts):
        if sources is not None and layout_for(rel).source not in sources:
            continue
        frame = _records_of(extracts, rel)
        if frame is not None:
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def load_truth(ground_truth: Path) -> pd.Series:
    """The true person of every record: a Series record_id -> person_id (str)."""
    gt = pd.read_csv(ground_truth / "records.csv", dtype=str, keep_default_na=False,
                     usecols=["source", "file", "row", "person_id"])
    ids = gt["source"] + ":" + gt["file"] + ":" + gt["row"]
    return pd.Series(gt["person_id"].to_numpy(), index=ids.to_numpy(), name="person_id")
