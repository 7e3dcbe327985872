"""A region's extracts: one folder per virtual district, written from that district's truth only, with every
code a source system numbers unique across the region, and one ground truth naming files by their path
relative to the extracts folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.link.synthetic import load_records, load_truth
from tests.synth.extracts.helpers import read_extract
from welfare_district.synth.chunk import ID_STRIDE
from welfare_district.synth.extracts.context import DISTRICT_BLOCK
from welfare_district.synth.extracts.districts import District, districts_of
from welfare_district.synth.extracts.layout import layout_for
from welfare_district.synth.extracts.randomness import scramble
from welfare_district.synth.generate import SCALES, generate

from .conftest import REGION

DISTRICTS = ("V01-028060", "V02-028060")
# per source: the column holding the code the source system gives a record, family, dwelling or school
CODES = {
    "anagrafe": ("CODICE_INDIVIDUALE", "CODICE_FAMIGLIA"),
    "inps": ("NUMERO_PRESTAZIONE",),
    "isee": ("PROTOCOLLO_DSU",),
    "tari": ("CODICE_UTENZA",),
    "tari_variazioni": ("CODICE_UTENZA",),
    "ater": ("Cod. alloggio",),
    "cpi": ("CPI COMPETENZA",),
    "scuole": ("ID_ALUNNO", "CODICE_MECCANOGRAFICO"),
    "servizi_sociali": ("N. cartella",),
    "ts_emporio": ("N. Tessera",),
    "ts_ascolto": ("N. scheda",),
    "ts_migranti": ("id",),
}


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _records(region: Path) -> pd.DataFrame:
    return pd.read_csv(region / "ground_truth" / "records.csv", dtype={"record_key": str, "errors": str},
                       keep_default_na=False)


def test_one_folder_per_district_with_the_city_file_names(region_dir: Path) -> None:
    extracts = region_dir / "extracts"
    assert sorted(p.name for p in extracts.iterdir()) == [*DISTRICTS, "catalogo"]
    names = [_files(extracts / d) for d in DISTRICTS]
    assert names[0] == names[1]
    expected = {f"anagrafe_{y}.csv" for y in (2020, 2021)} | {"tari_utenze_2021.csv", "tari_variazioni.csv",
                                                                "servizi_sociali_cartelle.xlsx",
                                                                "terzo_settore/emporio_solidale_tessere.csv"}
    assert expected <= set(names[0])
    assert all(layout_for(f"{DISTRICTS[0]}/{n}").person_level for n in names[0])
    assert _files(extracts / "catalogo") == ["catalogo.json", "enti.csv", "sedi.csv", "servizi.csv"]
    assert districts_of(region_dir / "truth") == [District(1), District(2)]


def test_each_district_holds_only_its_own_people(region_dir: Path) -> None:
    rec = _records(region_dir)
    for k, district in enumerate(DISTRICTS, start=1):
        mine = rec[rec["file"].str.startswith(district + "/")]
        assert len(mine) > 0
        for col in ("person_id", "family_id"):
            assert mine[col].between(k * ID_STRIDE, (k + 1) * ID_STRIDE - 1).all(), col
        register, _ = read_extract(region_dir / "extracts", f"{district}/anagrafe_2021.csv")
        assert set(register["COMUNE_RESIDENZA"]) == {district}
    assert rec["file"].str.match(r"^V0[12]-028060/").all()


def test_ground_truth_rows_match_the_files(region_dir: Path) -> None:
    extracts = region_dir / "extracts"
    rec = _records(region_dir)
    files = [f"{d}/{n}" for d in DISTRICTS for n in _files(extracts / d)]
    assert sorted(rec["file"].unique()) == sorted(files)
    for rel in files:
        frame, _ = read_extract(extracts, rel)
        rows = rec.loc[rec["file"] == rel, "row"].to_numpy()
        assert np.array_equal(rows, np.arange(1, len(frame) + 1)), rel
    # the linkage adapter names records <source>:<file relative to extracts>:<row>; all of them are in the truth
    truth = load_truth(region_dir / "ground_truth")
    ids = load_records(extracts)["record_id"]
    assert ids.is_unique and ids.isin(truth.index).all() and len(ids) > len(truth) // 2


def test_codes_never_collide_across_districts(region_dir: Path) -> None:
    extracts = region_dir / "extracts"
    seen: dict[tuple[str, str], list[set[str]]] = {}
    for district in DISTRICTS:
        found: dict[tuple[str, str], set[str]] = {}
        for name in _files(extracts / district):
            frame, layout = read_extract(extracts, f"{district}/{name}")
            for column in CODES.get(layout.source, ()):
                found.setdefault((layout.source, column), set()).update(frame[column])
        for key, values in found.items():
            seen.setdefault(key, []).append(values)
    assert set(seen) == {(s, c) for s, cols in CODES.items() for c in cols}
    for key, (first, second) in seen.items():
        assert first and second and not first & second, key
    rec = _records(region_dir)
    for source, group in rec.groupby("source"):
        district = group["file"].str[:10]
        keys = group["record_key"] + "@" + group["file"].str[11:]
        assert not set(keys[district == DISTRICTS[0]]) & set(keys[district == DISTRICTS[1]]), source


def test_codes_within_a_district_file_are_unique(region_dir: Path) -> None:
    extracts = region_dir / "extracts"
    for district in DISTRICTS:
        tari, _ = read_extract(extracts, f"{district}/tari_utenze_2021.csv")
        assert tari["CODICE_UTENZA"].is_unique and tari["CODICE_UTENZA"].str.fullmatch(r"1[12]\d{8}").all()
        cases, _ = read_extract(extracts, f"{district}/servizi_sociali_cartelle.xlsx")
        assert cases["N. cartella"].is_unique and cases["N. cartella"].str.startswith(district[:4]).all()
        isee, _ = read_extract(extracts, f"{district}/isee_dsu_2021.csv")
        assert isee["PROTOCOLLO_DSU"].is_unique


def test_scrambled_codes_stay_apart_for_every_district() -> None:
    """Codes scrambled from truth ids (register, housing, schools, INPS) are a bijection of the id modulo a
    prime; districts stay apart when their offsets modulo that prime are further apart than a district's ids
    span, which holds for all districts of the region (the 2-district run above cannot show it)."""
    prime = 2_147_483_647
    n = SCALES["veneto"]
    for multiple in (1, 2):  # INPS numbers a person's benefits as 2 x person + benefit
        offsets = np.sort(np.array([(multiple * k * ID_STRIDE) % prime for k in range(n + 1)]))
        gaps = np.diff(np.append(offsets, offsets[0] + prime))
        assert gaps.min() > multiple * 10_000_000  # a district holds well under 10 million ids of a kind
    local = np.arange(1, 200_001, dtype=np.int64)
    codes = np.concatenate([scramble(3, "anagrafe/famiglia", k * ID_STRIDE + local) for k in range(1, n + 1)])
    assert len(np.unique(codes)) == len(codes)
    assert DISTRICT_BLOCK * n < 2**31


def test_same_arguments_same_bytes_with_one_process(region_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "serial"
    steps: list[tuple[str, int, int]] = []
    generate(out, workers=1, progress=lambda label, done, total: steps.append((label, done, total)), **REGION)
    assert (out / "manifest.json").read_bytes() == (region_dir / "manifest.json").read_bytes()
    # each district's extracts count as a step of their own, and the run ends at its total
    extracts = [done for label, done, _ in steps if label == "writing extracts"]
    assert len(extracts) == 1 + len(DISTRICTS) and extracts == sorted(set(extracts))
    assert steps[-1][1] == steps[-1][2]


@pytest.mark.parametrize(("scale", "districts", "message"), [
    ("padova", 1, "single city"),
    ("veneto", 0, "between 1 and 24"),
    ("veneto", 25, "between 1 and 24"),
])
def test_districts_argument_is_checked(tmp_path: Path, scale: str, districts: int, message: str) -> None:
    from welfare_district.errors import InputError

    with pytest.raises(InputError, match=message):
        generate(tmp_path / "out", scale=scale, fraction=0.01, max_chunks=districts)
    assert not (tmp_path / "out").exists()
