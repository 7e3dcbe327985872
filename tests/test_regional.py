"""A regional dataset (one extracts folder per comune) runs comune by comune, each in its own file, then merges.

On a region of two virtual districts at 2 %: the merged tables hold every comune's rows once, each source is
geocoded within its folder's comune (no ``no_comune``), indicators exist for both comuni, a second run skips
the comuni and the merge and keeps every id, two workers give the same result as one, a register's family
codes repeated in another comune stay two families, a resident who moved between comuni is one person, and
bad layouts are refused before anything is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from welfare_district.engine import Database, connect
from welfare_district.errors import InputError
from welfare_district.pipeline import PipelineInput, run_pipeline
from welfare_district.regional_link import movers
from welfare_district.regional_merge import merge_comuni, open_merge
from welfare_district.synth.generate import generate
from welfare_district.warehouse.build import _case_keys

COMUNI = ("V01-028060", "V02-028060")


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("region") / "veneto"
    generate(out, scale="veneto", years=(2020, 2021), seed=5, fraction=0.02, workers=1, max_chunks=2)
    return out


def _count(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def _file_count(path: Path, sql: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def _links(db: Database) -> pd.DataFrame:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT record_id, file_name, person_id, family_id FROM person_link")).fetchall()
    return pd.DataFrame(rows, columns=["record_id", "file_name", "person_id", "family_id"]).sort_values(
        "record_id", ignore_index=True)


def test_region_runs_comune_by_comune_and_merges(database_url: str, region: Path, tmp_path: Path) -> None:
    comuni_dir = tmp_path / "comuni"
    seen: list[str] = []
    with connect(database_url) as db:
        results = run_pipeline(db, PipelineInput(region, partition_dir=comuni_dir, workers=1), on_stage=seen.append)
        assert seen == ["areas", "ingest", "comuni", "merge", "indicators", "directory", "impact"]
        # a first merge copies each comune as soon as it ends
        assert {r.stage: r.summary for r in results}["merge"].startswith("copied as each comune ended; 2 comuni: ")
        stages = [r.stage for r in results]
        assert [s for s in stages if s.startswith("comune ")] == [f"comune {c}" for c in sorted(COMUNI)]
        files = [comuni_dir / f"{c}.duckdb" for c in COMUNI]
        # every comune's rows once, and only its own files in its file
        for table in ("person_record", "person_link", "geocode_result", "wh_person", "wh_family", "load_log"):
            expected = sum(_file_count(f, f"SELECT COUNT(*) FROM {table}") for f in files)
            # the service catalogue, outside the comune folders, is the region's own load
            own = 1 if table == "load_log" else 0
            assert _count(db, f"SELECT COUNT(*) FROM {table}") == expected + own > own, table
        for comune, path in zip(COMUNI, files, strict=True):
            assert _file_count(path, f"SELECT COUNT(*) FROM load_log WHERE file_name NOT LIKE '{comune}/%'") == 0
        links = _links(db)
        folder = links["file_name"].str.split("/").str[0]
        assert set(folder) == set(COMUNI)
        # no person and no family spans two comuni (the synthetic districts share nobody)
        assert links.groupby("person_id")["file_name"].apply(lambda f: f.str.split("/").str[0].nunique()).max() == 1
        fam = links.dropna(subset=["family_id"])
        assert fam.groupby("family_id")["file_name"].apply(lambda f: f.str.split("/").str[0].nunique()).max() == 1
        # sources without a comune column are placed in their folder's comune
        assert _count(db, "SELECT COUNT(*) FROM geocode_result WHERE reason = 'no_comune'") == 0
        placed = _count(db, "SELECT COUNT(*) FROM geocode_result WHERE match_kind <> 'unmatched'")
        addressed = _count(db, "SELECT COUNT(*) FROM geocode_result WHERE reason <> 'empty'")
        assert placed / addressed > 0.98
        assert _count(db, "SELECT COUNT(*) FROM wh_snapshot") == 2
        for comune in COMUNI:
            assert _count(db, "SELECT COUNT(*) FROM indicator_value WHERE area_id = "
                              f"'{comune}' AND indicator_id = 'old_age_index'") == 2
        persons = _count(db, "SELECT COUNT(*) FROM wh_person")
        before = _links(db)

        again = run_pipeline(db, PipelineInput(region, partition_dir=comuni_dir, workers=1))
        summary = {r.stage: r.summary for r in again}
        assert summary["merge"].startswith("unchanged comuni")
        assert all("unchanged loads" in summary[f"comune {c}"] for c in COMUNI)
        assert summary["indicators"] == "every year up to date"
        pd.testing.assert_frame_equal(_links(db), before)
        assert _count(db, "SELECT COUNT(*) FROM wh_person") == persons


def test_two_workers_link_like_one(region: Path, tmp_path: Path) -> None:
    links = []
    for workers in (1, 2):
        with connect(f"duckdb:///{tmp_path / f'w{workers}.duckdb'}") as db:
            run_pipeline(db, PipelineInput(region, partition_dir=tmp_path / f"c{workers}", workers=workers))
            links.append(_links(db))
    pd.testing.assert_frame_equal(links[0], links[1])


def test_family_codes_repeated_in_another_comune_stay_apart(region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    codes = {}
    for comune in COMUNI:
        for path in sorted((copy / "extracts" / comune).glob("anagrafe_*.csv")):
            frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
            # both comuni number their families 1, 2, 3...: the same codes, different families
            frame["CODICE_FAMIGLIA"] = (pd.factorize(frame["CODICE_FAMIGLIA"])[0] + 1).astype(str)
            frame.to_csv(path, sep=";", index=False)
            codes[f"{comune}/{path.name}"] = frame["CODICE_FAMIGLIA"]
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as db:
        run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=1))
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT file_name, row_number, family_id FROM person_link "
                                        "WHERE source = 'anagrafe'")).fetchall()
    reg = pd.DataFrame(rows, columns=["file_name", "row_number", "family_id"])
    reg["comune"] = reg["file_name"].str.split("/").str[0]
    assert reg.groupby("family_id")["comune"].nunique().max() == 1
    assert reg["comune"].nunique() == 2
    # within a file, one family per code and one code per family
    reg["code"] = [codes[f].iloc[int(r) - 1] for f, r in zip(reg["file_name"], reg["row_number"], strict=True)]
    assert (reg.groupby(["file_name", "code"])["family_id"].nunique() == 1).all()
    assert (reg.groupby(["file_name", "family_id"])["code"].nunique() == 1).all()


def test_case_numbers_are_a_comune_own() -> None:
    cases = pd.DataFrame({"record_id": ["servizi_sociali:cartelle.xlsx:3", "servizi_sociali:V01-028060/c.xlsx:3",
                                        "servizi_sociali:V02-028060/c.xlsx:3"],
                          "source": ["servizi_sociali"] * 3, "case_number": ["C12"] * 3})
    assert _case_keys(cases).tolist() == ["servizi_sociali:C12", "servizi_sociali:V01-028060:C12",
                                          "servizi_sociali:V02-028060:C12"]


def test_person_file_outside_the_comune_folders_is_refused(region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    shutil.copy(copy / "extracts" / COMUNI[0] / "isee_dsu_2021.csv", copy / "extracts" / "isee_dsu_2021.csv")
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as db:
        with pytest.raises(InputError, match=r"outside the comune folders \(first: isee_dsu_2021\.csv\)"):
            run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=1))
        assert not sa.inspect(db.engine).has_table("load_log")  # nothing was written, not even a table
    assert not (tmp_path / "c").exists()


def test_two_folders_naming_one_comune_are_refused(region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    shutil.copytree(copy / "extracts" / COMUNI[1], copy / "extracts" / "Padova (virtual district V02)")
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as db, pytest.raises(InputError, match="both name comune"):
        run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=1))


def test_merge_failing_midway_changes_nothing(region: Path, tmp_path: Path) -> None:
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as db:
        run_pipeline(db, PipelineInput(region, partition_dir=tmp_path / "c", workers=1))
        links = _count(db, "SELECT COUNT(*) FROM person_link")
        broken = tmp_path / "c" / "V09-028060.duckdb"
        broken.write_bytes(b"not a database" * 1000)
        files = [tmp_path / "c" / f"{COMUNI[0]}.duckdb", broken]
        # the first comune's rows are copied, then the second file cannot be read: all rolled back
        with pytest.raises(InputError, match="cannot read the comune's database file"):
            merge_comuni(db, files, lambda name: name.startswith("V"))
        assert _count(db, "SELECT COUNT(*) FROM person_link") == links
        assert _count(db, "SELECT COUNT(*) FROM load_log") == 2 * 18 + 1
        with pytest.raises(InputError, match="missing"):
            merge_comuni(db, [tmp_path / "c" / "V10-028060.duckdb"], lambda name: name.startswith("V"))
    # a merge open while the comuni run: an error after a comune was copied leaves a fresh database empty
    with connect(f"duckdb:///{tmp_path / 'fresh.duckdb'}") as db:
        for error in (ValueError("a comune failed"), None):
            with (pytest.raises((ValueError, RuntimeError), match=r"a comune failed|before finish"),
                  open_merge(db, lambda name: name.startswith("V")) as merge):
                merge.add(files[0])
                assert merge.report.rows["person_link"] > 0
                if error is not None:
                    raise error
            assert not sa.inspect(db.engine).has_table("person_link")


def test_a_failing_comune_is_named_and_nothing_is_merged(region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    path = copy / "extracts" / COMUNI[1] / "anagrafe_2021.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    frame.drop(columns=["CODICE_FAMIGLIA"]).to_csv(path, sep=";", index=False)
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as db:
        with pytest.raises(InputError, match=f"comune folder {COMUNI[1]}: .*CODICE_FAMIGLIA"):
            run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=2))
        assert not sa.inspect(db.engine).has_table("person_link")


def test_link_and_geocode_commands_refuse_a_regional_database(region: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from welfare_district.cli import build_app

    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    with connect(url) as db:
        run_pipeline(db, PipelineInput(region, partition_dir=tmp_path / "c", workers=1))
        links = _count(db, "SELECT COUNT(*) FROM person_link")
    for command in (["link"], ["geocode"]):
        result = CliRunner().invoke(build_app(), [*command, "--database-url", url])
        assert result.exit_code == 1
        assert "holds a region's comuni" in result.output
    with connect(url) as db:
        assert _count(db, "SELECT COUNT(*) FROM person_link") == links


def _register(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)


def test_a_resident_who_moved_between_comuni_is_one_person(database_url: str, region: Path, tmp_path: Path) -> None:
    copy = tmp_path / "region"
    shutil.copytree(region, copy)
    first, second = (copy / "extracts" / c for c in COMUNI)
    old_2020, old_2021, new_2021 = (_register(first / "anagrafe_2020.csv"), _register(first / "anagrafe_2021.csv"),
                                   _register(second / "anagrafe_2021.csv"))
    # a single-person family of the first comune moves to the second at the end of 2020
    singles = old_2021.groupby("CODICE_FAMIGLIA")["CODICE_FISCALE"].transform("size") == 1
    mover = old_2021[singles & old_2021["CODICE_FISCALE"].isin(old_2020["CODICE_FISCALE"])].iloc[0].copy()
    # and another resident appears in both registers of 2021: an error, not a move
    twice = old_2021[~old_2021["CODICE_FISCALE"].isin([mover["CODICE_FISCALE"]])].iloc[5].copy()
    old_2021[old_2021["CODICE_FISCALE"] != mover["CODICE_FISCALE"]].to_csv(first / "anagrafe_2021.csv", sep=";",
                                                                           index=False)
    host = new_2021.iloc[0]
    arrivals = []
    for person, code in ((mover, "990001"), (twice, "990002")):
        row = person.copy()
        for column in ("INDIRIZZO", "NUMERO_CIVICO", "ESPONENTE", "INTERNO", "COMUNE_RESIDENZA"):
            row[column] = host[column]
        row["CODICE_INDIVIDUALE"], row["CODICE_FAMIGLIA"] = f"9{code}", code
        row["RELAZIONE_PARENTELA"] = "INTESTATARIO SCHEDA"
        arrivals.append(row)
    pd.concat([new_2021, pd.DataFrame(arrivals)], ignore_index=True).to_csv(second / "anagrafe_2021.csv", sep=";",
                                                                          index=False)
    with connect(database_url) as db:
        results = run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=1))
        merge = next(r.summary for r in results if r.stage == "merge")
        assert "1 residents registered in two comuni joined" in merge
        assert "1 codes in two registers in the same years left apart" in merge
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT l.file_name, l.person_id FROM person_link l JOIN person_record r "
                "ON r.load_id = l.load_id AND r.row_number = l.row_number "
                "WHERE l.source = 'anagrafe' AND r.codice_fiscale = :cf"), {"cf": mover["CODICE_FISCALE"]}).fetchall()
            assert sorted(f for f, _ in rows) == [f"{COMUNI[0]}/anagrafe_2020.csv", f"{COMUNI[1]}/anagrafe_2021.csv"]
            assert len({p for _, p in rows}) == 1
            # one person in the warehouse too: in the first comune in 2020, in the second in 2021
            person = int(rows[0][1][1:], 16) & ((1 << 63) - 1)
            years = conn.execute(sa.text("SELECT snapshot_year, quartiere_id FROM wh_person WHERE person_id = :p "
                                         "ORDER BY snapshot_year"), {"p": person}).fetchall()
            assert [(y, q.split("-")[0]) for y, q in years] == [(2020, "V01"), (2021, "V02")]
            apart = conn.execute(sa.text(
                "SELECT COUNT(DISTINCT l.person_id) FROM person_link l JOIN person_record r "
                "ON r.load_id = l.load_id AND r.row_number = l.row_number "
                "WHERE l.source = 'anagrafe' AND r.codice_fiscale = :cf AND r.reference_year = 2021"),
                {"cf": twice["CODICE_FISCALE"]}).scalar_one()
            assert apart == 2
        before = _links(db)
        again = run_pipeline(db, PipelineInput(copy, partition_dir=tmp_path / "c", workers=1))
        assert next(r.summary for r in again if r.stage == "merge").startswith("unchanged comuni")
        pd.testing.assert_frame_equal(_links(db), before)


def test_movers_map_each_code_to_its_first_comune() -> None:
    codes = pd.DataFrame({
        "codice_fiscale": ["A", "A", "A", "B", "B", "C", "C"],
        "person_id": ["P3", "P1", "P2", "P5", "P4", "P7", "P6"],
        "first_year": [2023, 2019, 2021, 2019, 2021, 2019, 2019],
        "last_year": [2025, 2020, 2022, 2020, 2025, 2025, 2019],
    })
    mapping, apart = movers(codes)
    # A moved twice (2019-20, 2021-22, 2023-25): its later ids become the first; B once, the first comune's
    # id listed second; C is in two registers in 2019
    assert sorted(zip(mapping["old_id"], mapping["new_id"], strict=True)) == [("P2", "P1"), ("P3", "P1"),
                                                                            ("P4", "P5")]
    assert apart == 1
    overlapping = codes.assign(first_year=codes["first_year"].where(codes["person_id"] != "P4", 2020))
    assert sorted(movers(overlapping)[0]["old_id"]) == ["P2", "P3"]  # B's comuni now share 2020
    assert movers(overlapping)[1] == 2
    assert movers(codes.iloc[:0])[0].empty
