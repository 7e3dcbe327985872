"""Each declaration reads its synthetic extract; the generator's known corruptions are caught; all loads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.impact.importer import report_files
from welfare_district.ingest.load import read_source
from welfare_district.ingest.rules import REASONS
from welfare_district.ingest.runner import declared_files, ingest_folder
from welfare_district.ingest.validate import validate
from welfare_district.sources.vocabulary import BENEFIT_FLAGS, EDUCATION_CODES, LABOUR_CODES, to_codes

UNDECLARED = {"catalogo/enti.csv", "catalogo/sedi.csv", "catalogo/catalogo.json"}


def _truth(city: Path) -> pd.DataFrame:
    return pd.read_csv(city / "ground_truth" / "records.csv", dtype={"errors": str}, keep_default_na=False)


def test_every_extract_is_declared_and_read_row_for_row(small_city: Path) -> None:
    extracts = small_city / "extracts"
    files = declared_files(extracts)
    names = {p.relative_to(extracts).as_posix() for p, _ in files}
    every = {p.relative_to(extracts).as_posix() for p in extracts.rglob("*") if p.is_file()}
    # partners' activity reports are read by the impact importer, not by the source catalogue
    reports = {p.relative_to(extracts).as_posix() for p in report_files(extracts / "impatto")}
    assert reports and all(r.startswith("impatto/") for r in reports)
    assert every - names - reports == UNDECLARED
    assert {d.name for _, d in files} == {"anagrafe", "inps", "isee", "tari", "tari_variazioni", "ater", "cpi",
                                           "scuole", "servizi_sociali", "ts_emporio", "ts_ascolto", "ts_migranti",
                                           "ts_anziani", "catalogo_servizi"}
    truth_rows = _truth(small_city).groupby("file").size()
    for path, decl in files:
        raw = read_source(decl, path)
        name = path.relative_to(extracts).as_posix()
        if decl.name != "catalogo_servizi":
            assert len(raw.frame) == truth_rows[name], name
            assert raw.frame.index[-1] == truth_rows[name]


def test_known_corruptions_are_caught_by_row_number(small_city: Path) -> None:
    extracts = small_city / "extracts"
    truth = _truth(small_city)
    caught = {"cf_check_char": "cf_checksum", "cf_omocodia": "cf_omocode"}
    checked_any = set()
    for path, decl in declared_files(extracts):
        name = path.relative_to(extracts).as_posix()
        failures = validate(decl, read_source(decl, path)).failures
        cf_column = next(c for c, s in decl.columns.items() if s.field == "codice_fiscale") \
            if decl.name != "catalogo_servizi" else None
        rows = truth[truth["file"] == name]
        for error, reason in caught.items():
            expected = set(rows.loc[rows["errors"].str.split("|").map(lambda e, k=error: k in e), "row"])
            found = set(failures.loc[(failures["reason_code"] == reason) & (failures["field"] == cf_column),
                                     "row_number"])
            assert expected <= found, (name, error)
            checked_any |= {error} if expected else set()
        assert set(failures["message"]) <= {m for _, m in REASONS.values()}
    assert checked_any == set(caught)


def test_the_whole_city_loads_once(db: Database, small_city: Path) -> None:
    extracts = small_city / "extracts"
    results = ingest_folder(db, extracts)
    assert all(r.status == "loaded" for r in results)
    assert all(r.rows_loaded + r.rows_quarantined == r.rows_read for r in results)
    anagrafe = [r for r in results if r.source == "anagrafe"]
    # the register is the cleanest source: almost nothing is quarantined
    assert sum(r.rows_quarantined for r in anagrafe) < 0.01 * sum(r.rows_read for r in anagrafe)
    with db.engine.connect() as conn:
        logged = conn.execute(sa.text("SELECT count(*), sum(rows_loaded) FROM load_log")).one()
        persons = conn.execute(sa.text("SELECT count(*) FROM person_record")).scalar_one()
    assert logged[0] == len(results)
    assert persons == sum(r.rows_loaded for r in results if r.source not in ("catalogo_servizi",))
    again = ingest_folder(db, extracts)
    assert {r.status for r in again} == {"unchanged"}
    _register_declarations_and_benefits_match_the_truth(db, small_city)


def _register_declarations_and_benefits_match_the_truth(db: Database, city: Path) -> None:
    """Staged register education/condition and INPS benefits, mapped to warehouse codes, agree with the truth
    on every row the ground truth does not mark as stale or missing."""
    truth = _truth(city)
    year = int(truth.loc[truth["source"] == "anagrafe", "file"].str.extract(r"(\d{4})")[0].astype(int).max())
    py = pd.read_parquet(city / "truth" / "person_year.parquet",
                         columns=["year", "person_id", "education", "labour_status", "disability_allowance",
                                  "care_allowance"])
    py = py[py["year"] == year].set_index("person_id")
    with db.engine.connect() as conn:
        reg = pd.read_sql(sa.text("SELECT row_number, education, employment_status FROM person_record "
                                  "WHERE source = 'anagrafe' AND reference_year = :y"), conn, params={"y": year})
        ben = pd.read_sql(sa.text("SELECT row_number, benefit_type FROM benefit_record "
                                  "WHERE source = 'inps' AND reference_year = :y"), conn, params={"y": year})
    rows = truth[truth["file"] == f"anagrafe_{year}.csv"].set_index("row")
    reg = reg.assign(person_id=rows.loc[reg["row_number"], "person_id"].to_numpy(),
                     errors=rows.loc[reg["row_number"], "errors"].to_numpy())
    for staged, truth_col, table, kind in (("education", "education", EDUCATION_CODES, "education"),
                                           ("employment_status", "labour_status", LABOUR_CODES, "condition")):
        codes = to_codes(reg[staged], table)
        want = py.loc[reg["person_id"], truth_col].astype(object).where(lambda v: v.notna(), None).to_numpy()
        clean = ~reg["errors"].str.contains(f"{kind}_").to_numpy()
        assert (codes.to_numpy()[clean] == want[clean]).all(), staged
        assert codes.notna().mean() > 0.7, staged
    inps = truth[truth["file"] == f"inps_prestazioni_{year}.csv"].set_index("row")
    assert len(ben) == len(inps) > 0
    flags = ben["benefit_type"].map(BENEFIT_FLAGS)
    held = py.loc[inps.loc[ben["row_number"], "person_id"]]
    assert all(bool(held[flag].iloc[i]) for i, flag in enumerate(flags))
