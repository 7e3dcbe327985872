"""Geocoding quality and speed on a synthetic city, against the civico each address was written from.

Usage: python benchmarks/bench_geocode.py [--synth DIR] [--sources ts_emporio,tari,...] [--anagrafe-years N]
       [--typo-rate R]

DIR is a folder written by `welfare synth` (default var/synth). Extract files are found at the root of
DIR/extracts and in its sub-folders: a regional dataset keeps one folder per comune (V01-028060/...), whose
files are listed one by one and, when they name no comune, matched within their folder's comune (as the
pipeline does, comune by comune); --anagrafe-years counts per folder. For every source the table gives records,
matched share, matches by kind, unmatched by reason, wrong section and wrong quartiere among the matches,
time, rows per second, the process's peak RSS so far and the cores. Rows whose address is stale (ground truth error
`address_stale`) are scored against the civico of the earlier dwelling they were written from, and also
reported on a line of their own. ``--typo-rate 0.1`` first puts a typo in 10 % of the one-field addresses
(the synthetic extracts have none in street names) and reports those rows on a line of their own too.

The true civico of a row is not in the ground truth; it is derived from the truth tables the same way the
extract writers choose the dwelling shown (welfare_district/synth/extracts/*): the person's or family's
dwelling in the file's snapshot year, the previous dwelling for stale rows, and for social-services cases the
dwelling in the year the case was opened.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import random
import re
import resource
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from welfare_district.geo.comune import ComuneLookup, attach_comune
from welfare_district.geo.folder import read_area_folder
from welfare_district.geo.geocode import GeocodeIndex, geocode_frame
from welfare_district.synth.extracts.layout import layout_for
from welfare_district.synth.extracts.truth import Truth


@dataclass(frozen=True)
class Source:
    """One extract file to geocode: its source name, address column and, if structured, the number columns."""

    source: str
    file: str
    column: str
    number_column: str | None = None
    suffix_column: str | None = None


def _find(extracts: Path, pattern: str) -> list[str]:
    """The files matching ``pattern`` (a file name, or ``folder/file name``) at the root of ``extracts`` or in
    any folder below it (a regional dataset keeps one folder per comune: ``V01-028060/anagrafe_2025.csv``), as
    paths relative to ``extracts`` with '/' separators, sorted."""
    return sorted(p.relative_to(extracts).as_posix() for p in extracts.rglob(pattern) if p.is_file())


def _latest_per_folder(files: list[str], n: int) -> list[str]:
    """The last ``n`` of the sorted ``files`` of each folder (the latest years, one folder per comune)."""
    if n <= 0:
        return []
    by_folder: dict[str, list[str]] = {}
    for rel in files:
        by_folder.setdefault(posixpath.dirname(rel), []).append(rel)
    return [rel for group in by_folder.values() for rel in group[-n:]]


# the address-bearing files: source, file name pattern (relative to the extracts folder or a comune's folder in
# it), address column and, if structured, the number and suffix columns; free text first, then the registers
ADDRESS_FILES = [
    Source("ts_emporio", "terzo_settore/emporio_solidale_tessere.csv", "Indirizzo"),
    Source("ts_ascolto", "terzo_settore/centro_ascolto_schede.xlsx", "INDIRIZZO"),
    Source("ts_migranti", "terzo_settore/associazione_migranti_iscritti.csv", "indirizzo"),
    Source("ts_anziani", "terzo_settore/volontari_anziani_assistiti.xlsx", "Via e n. civico"),
    Source("tari", "tari_utenze_*.csv", "INDIRIZZO_UTENZA"),
    Source("tari_variazioni", "tari_variazioni.csv", "INDIRIZZO_UTENZA"),
    Source("ater", "ater_assegnatari_*.xlsx", "Indirizzo"),
    Source("servizi_sociali", "servizi_sociali_cartelle.xlsx", "Indirizzo"),
    Source("cpi", "cpi_iscritti_*.csv", "INDIRIZZO DOMICILIO"),
    Source("anagrafe", "anagrafe_*.csv", "INDIRIZZO", "NUMERO_CIVICO", "ESPONENTE"),
]


def sources(extracts: Path, anagrafe_years: int = 1) -> list[Source]:
    """The address-bearing files of a synthetic dataset: free text first, then the registers.

    Files are found at the root of ``extracts`` and in its sub-folders (recursively), so a regional dataset
    with one folder per comune gives every comune's files; ``Source.file`` is then the path relative to
    ``extracts`` (``V01-028060/anagrafe_2025.csv``), as in ground_truth/records.csv. ``anagrafe_years`` counts
    per folder.
    """
    found = []
    for kind in ADDRESS_FILES:
        files = _find(extracts, kind.file)
        if kind.source == "anagrafe":
            files = _latest_per_folder(files, anagrafe_years)
        found += [replace(kind, file=f) for f in files]
    return found


def read_extract(extracts: Path, rel: str) -> pd.DataFrame:
    """An extract as text columns, read with its declared layout; the index is the 1-based data row."""
    layout = layout_for(rel)
    if layout.kind == "xlsx":
        frame = pd.read_excel(extracts / rel, header=layout.header_row - 1, dtype=object)
    else:
        frame = pd.read_csv(extracts / rel, sep=layout.sep, encoding=layout.encoding, dtype=str,
                            keep_default_na=False, skiprows=layout.header_row - 1)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def _snapshot_year(file: str, truth: Truth) -> int:
    digits = "".join(c if c.isdigit() else " " for c in Path(file).stem).split()
    return int(digits[0][:4]) if digits and len(digits[0]) >= 4 else truth.years[-1]


def true_civici(truth: Truth, file: str, gt: pd.DataFrame) -> pd.DataFrame:
    """Per ground-truth row of ``file``: row, the civico its address was written from (0 if none), stale."""
    source = str(gt["source"].iloc[0])
    year = _snapshot_year(file, truth)
    pids = gt["person_id"].to_numpy(dtype=np.int64)
    fams = gt["family_id"].to_numpy(dtype=np.int64)
    stale = gt["errors"].fillna("").str.contains("address_stale").to_numpy()

    def person_dwelling(y: int, ids: np.ndarray) -> np.ndarray:
        py = truth.table("person_year", y, ["person_id", "dwelling_id"])
        return py.set_index("person_id")["dwelling_id"].reindex(ids).fillna(0).to_numpy(dtype=np.int64, copy=True)

    def family_dwelling(y: int, ids: np.ndarray) -> np.ndarray:
        fy = truth.table("family_year", y, ["family_id", "dwelling_id"])
        return fy.set_index("family_id")["dwelling_id"].reindex(ids).fillna(0).to_numpy(dtype=np.int64, copy=True)

    if source == "tari":
        dw = family_dwelling(year, fams)
    elif source == "tari_variazioni":
        parts = gt["record_key"].str.split("/", expand=True)
        years, kind = parts[1].astype(int).to_numpy(), parts[2].to_numpy()
        dw = np.zeros(len(gt), dtype=np.int64)
        for y in np.unique(years):
            here = years == y
            closing = here & (kind == "C")  # a closed account shows the dwelling left
            dw[here & ~closing] = family_dwelling(int(y), fams[here & ~closing])
            dw[closing] = family_dwelling(int(y) - 1, fams[closing])
    elif source == "servizi_sociali":
        # the case number: year of opening / number, after the district's tag in a region (V01-2024/00001)
        opened = gt["record_key"].str.extract(r"(\d{4})/\d+$", expand=False).astype(int).to_numpy()
        dw, _ = truth.dwelling_near(pids, np.minimum(opened, truth.years[-1]))
    elif source == "anagrafe":
        dw = person_dwelling(year, pids)
        if stale.any():  # the register shows the previous snapshot's dwelling
            dw[stale] = person_dwelling(year - 1, pids[stale])
    else:  # third-sector lists, public housing, labour office: the person's dwelling, the one left if stale
        dw = person_dwelling(year, pids)
        if stale.any():
            dw[stale] = truth.previous_dwelling(year, pids[stale], dw[stale])
    civ = truth.dwellings["civico_id"].reindex(dw).fillna(0).to_numpy(dtype=np.int64)
    return pd.DataFrame({"row": gt["row"].to_numpy(), "true_civico": civ, "stale": stale})


def add_typos(texts: pd.Series, rate: float, seed: int = 0) -> tuple[pd.Series, np.ndarray]:
    """A typo (two letters swapped, one dropped or one doubled) in a word of 5+ letters of a share ``rate``
    of the texts; returns the texts and which ones changed. Street-type words and the city are spared."""
    rng = random.Random(seed)
    spared = {"PADOVA", "VIALE", "PIAZZA", "VICOLO", "CORSO", "LARGO", "INTERNO", "SCALA"}
    out, changed = [], []
    for text in texts.astype(str):
        words = [m for m in re.finditer(r"[A-Za-z]{5,}", text) if m.group().upper() not in spared]
        if not words or rng.random() >= rate:
            out.append(text)
            changed.append(False)
            continue
        w = rng.choice(words)
        t, i, kind = w.group(), rng.randrange(1, len(w.group()) - 1), rng.randrange(3)
        t = (t[:i] + t[i + 1] + t[i] + t[i + 2:], t[:i] + t[i + 1:], t[:i] + t[i] + t[i:])[kind]
        out.append(text[: w.start()] + t + text[w.end():])
        changed.append(out[-1] != text)
    return pd.Series(out, index=texts.index), np.array(changed, dtype=bool)


# the column naming each row's comune, in the files that carry one (the register and job-centre files always,
# waste tax and public housing in the region); rows are matched only within that comune
COMUNE_COLUMN = {"anagrafe": "COMUNE_RESIDENZA", "cpi": "COMUNE DOMICILIO", "tari": "COMUNE",
                 "tari_variazioni": "COMUNE", "ater": "Comune"}


FOLDER_COMUNE = "_folder_comune"  # the column given to rows of a comune's folder whose file names no comune


def folder_comune(file: str, lookup: ComuneLookup) -> str | None:
    """The comune whose folder holds ``file`` (its first folder, as in ``V01-028060/anagrafe_2025.csv``) when the
    register holds several comuni and that folder names one of them; else None (a city's dataset, or a folder
    such as terzo_settore). The pipeline geocodes such a folder's records within its comune only."""
    folder, sep, _ = file.partition("/")
    if not sep or lookup.single is not None:
        return None
    comune, _ = lookup.resolve(folder)
    return comune


def register(synth: Path) -> pd.DataFrame:
    """The dataset's house numbers with the comune of each (from the areas written next to them)."""
    civici = pd.read_csv(synth / "areas" / "civici.csv", dtype={"street_code": str, "suffix": str},
                         keep_default_na=False)
    areaset, _ = read_area_folder(synth / "areas")
    return attach_comune(civici, areaset.areas)


def evaluate(synth: Path, chosen: list[Source], index: GeocodeIndex | None = None,
             typo_rate: float = 0.0) -> pd.DataFrame:
    """Geocode each source and score it; one row per source, and per source's stale rows and typo rows.

    ``typo_rate`` > 0 puts a typo in that share of the one-field addresses first (a robustness test).
    """
    civici = register(synth)
    index = index or GeocodeIndex(civici)
    where = civici.set_index("civico_id")[["section_id", "quartiere_id"]]
    truth = Truth(synth / "truth")
    files = {s.file for s in chosen}
    gt_all = pd.read_csv(synth / "ground_truth" / "records.csv", dtype={"errors": str, "record_key": str},
                         keep_default_na=False, usecols=["source", "file", "row", "record_key", "person_id",
                                                         "family_id", "errors"])
    gt_all = gt_all[gt_all["file"].isin(files)]
    lookup = ComuneLookup(civici)
    rows = []
    for src in chosen:
        frame = read_extract(synth / "extracts", src.file)
        typo = np.zeros(len(frame), dtype=bool)
        if typo_rate > 0 and src.number_column is None:
            frame[src.column], typo = add_typos(frame[src.column], typo_rate)
        comune = COMUNE_COLUMN.get(src.source)
        if comune not in frame.columns:
            comune, in_folder = None, folder_comune(src.file, lookup)
            if in_folder is not None:
                frame[FOLDER_COMUNE] = in_folder
                comune = FOLDER_COMUNE
        start = time.perf_counter()
        result = geocode_frame(frame, index, id_column=None, text_column=src.column,
                               number_column=src.number_column, suffix_column=src.suffix_column,
                               comune_column=comune)
        seconds = time.perf_counter() - start
        gt = gt_all[gt_all["file"] == src.file]
        expected = true_civici(truth, src.file, gt).set_index("row").reindex(result.index)
        has_address = frame[src.column].astype(str).str.strip().replace("nan", "") != ""
        scored = result.assign(true_civico=expected["true_civico"].fillna(0).astype("int64"),
                               stale=expected["stale"].fillna(False).astype(bool), typo=typo)[has_address.to_numpy()]
        for label, part in ((src.file, scored), (f"{src.file} (stale)", scored[scored["stale"]]),
                            (f"{src.file} (typos)", scored[scored["typo"]])):
            if label.endswith(")") and part.empty:
                continue
            rows.append(_score(src.source, label, part, where, seconds if part is scored else None))
    return pd.DataFrame(rows)


def _score(source: str, label: str, part: pd.DataFrame, where: pd.DataFrame, seconds: float | None) -> dict:
    matched = part[part["match_kind"] != "unmatched"]
    got = where.reindex(matched["civico_id"].astype("int64").to_numpy())
    want = where.reindex(matched["true_civico"].to_numpy())
    row: dict[str, object] = {
        "source": source, "file": label, "records": len(part),
        "matched_pct": 100.0 * len(matched) / max(len(part), 1),
        "wrong_civico": int((matched["civico_id"].astype("int64").to_numpy() != matched["true_civico"]).sum()),
        "wrong_section": int((got["section_id"].to_numpy() != want["section_id"].to_numpy()).sum()),
        "wrong_quartiere": int((got["quartiere_id"].to_numpy() != want["quartiere_id"].to_numpy()).sum()),
        "kinds": ", ".join(f"{k} {n}" for k, n in matched["match_kind"].value_counts().items()),
        "unmatched": ", ".join(f"{k} {n}" for k, n in part["reason"].dropna().value_counts().items()),
    }
    if seconds is not None:
        row.update(seconds=seconds, rows_per_s=len(part) / max(seconds, 1e-9), peak_rss_mb=_peak_rss_mb())
    return row


def _peak_rss_mb() -> float:
    # the process's peak so far (Linux reports KiB): it includes the truth tables the scoring reads
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Print the quality and timing table."""
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synth", type=Path, default=Path("var/synth"))
    parser.add_argument("--sources", default="", help="comma-separated source names (default: all)")
    parser.add_argument("--anagrafe-years", type=int, default=1, help="latest register years to geocode (per folder)")
    parser.add_argument("--typo-rate", type=float, default=0.0,
                        help="share of one-field addresses given a typo first (robustness test)")
    args = parser.parse_args()
    chosen = sources(args.synth / "extracts", args.anagrafe_years)
    if args.sources:
        chosen = [s for s in chosen if s.source in args.sources.split(",")]
    civici = register(args.synth)
    started = time.perf_counter()
    index = GeocodeIndex(civici)
    built = time.perf_counter() - started
    table = evaluate(args.synth, chosen, index, args.typo_rate)
    out = Table(title=f"Geocoding {args.synth} (index built in {built:.2f}s)")
    for col in ("file", "records", "matched %", "by kind", "unmatched", "wrong civico", "wrong section",
                "wrong quartiere", "time s", "rows/s", "peak RSS MB"):
        out.add_column(col, justify="left" if col in ("file", "by kind", "unmatched") else "right")
    for r in table.to_dict("records"):
        seconds = float(r["seconds"])
        timed = seconds == seconds  # NaN on the stale lines
        out.add_row(str(r["file"]), f"{int(r['records']):,}", f"{float(r['matched_pct']):.2f}", str(r["kinds"]),
                    str(r["unmatched"]), str(r["wrong_civico"]), str(r["wrong_section"]), str(r["wrong_quartiere"]),
                    f"{seconds:.2f}" if timed else "", f"{float(r['rows_per_s']):,.0f}" if timed else "",
                    f"{float(r['peak_rss_mb']):,.0f}" if timed else "")
    console = Console(width=200)
    console.print(out)
    totals = table[~table["file"].str.endswith(")")]
    free = totals[totals["source"] != "anagrafe"]
    console.print(f"free-text and one-line addresses: {int(free['records'].sum()):,} records, matched "
                  f"{(free['records'] * free['matched_pct']).sum() / max(free['records'].sum(), 1):.2f}%, "
                  f"wrong section {int(free['wrong_section'].sum())}, wrong quartiere "
                  f"{int(free['wrong_quartiere'].sum())}")
    console.print(f"total geocoding time {totals['seconds'].sum():.2f}s; peak RSS {_peak_rss_mb():,.0f} MB "
                  "(process, with the ground truth); "
                  f"cores available {os.cpu_count()} (geocoding uses one)")


if __name__ == "__main__":
    main()
