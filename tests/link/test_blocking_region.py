"""Blocking in a region: the loose rules (name alone, name part and birth year) pair records of one comune
only, so their blocks stay city-sized; in a city, or without comuni, the rules are the plain ones."""

from __future__ import annotations

import duckdb
import pandas as pd

from welfare_district.link.model import _count_pairs, comune_blocks, model_frame


def _nodes(municipality: list[str | None] | None) -> pd.DataFrame:
    # an entity and an orphan with the same name but another birth year (a pair of the name-alone rule),
    # and a second orphan sharing the entity's exact birth date and surname (a tight-rule pair)
    frame = pd.DataFrame({
        "unique_id": ["e1", "o1", "o2"], "is_entity": [1, 0, 0],
        "surname": ["ROSSI", "ROSSI", "ROSSI"], "first_name": ["MARIO", "MARIO", "MARCO"],
        "sex": ["M", "M", "M"], "birth_date": ["1980-03-04", "1981-07-09", "1980-03-04"],
        "birth_place_code": ["G224", "G224", "G224"], "codice_fiscale": [None, None, None],
        "street_text": ["VIA ROMA 1", "VIA ROMA 1", None],
    })
    if municipality is not None:
        frame["municipality"] = municipality
    return frame


def _pairs(nodes: pd.DataFrame) -> int:
    con = duckdb.connect()
    try:
        return _count_pairs(con, model_frame(nodes), use_cf=True, orphan_only=True)
    finally:
        con.close()


def test_city_keeps_the_plain_rules() -> None:
    plain = _pairs(_nodes(None))
    assert plain == 2  # e1-o1 by name alone, e1-o2 by surname and birth date
    # one comune (the staging step writes the register's id for every spelling of it)
    assert _pairs(_nodes(["028060", "028060", None])) == plain
    assert comune_blocks(_nodes(["028060", None, "028060"])).tolist() == ["", "", ""]


def test_loose_rules_stay_within_a_comune() -> None:
    across = _nodes(["V01-028060", "V02-028060", "V01-028060"])
    # e1-o1 differ in birth year and comune: no pair; e1-o2 agree on surname and birth date (a tight rule)
    assert _pairs(across) == 1
    assert comune_blocks(across).tolist() == ["V01-028060", "V02-028060", "V01-028060"]
    same = _nodes(["V02-028060", "V02-028060", "V01-028060"])
    assert _pairs(same) == 2


def test_records_without_a_comune_in_a_region_block_together() -> None:
    nodes = _nodes([None, None, "V01-028060"])
    nodes.loc[3] = nodes.loc[0].copy()
    nodes.loc[3, ["unique_id", "municipality"]] = ["e2", "V02-028060"]
    blocks = comune_blocks(nodes)
    assert blocks.tolist() == ["", "", "V01-028060", "V02-028060"]
