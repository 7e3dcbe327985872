"""The probabilistic model: Splink (DuckDB) scores records without a trusted code against person entities.

Input is one row per node: an *entity* (all records sharing a trusted codice fiscale, represented by one of
its records) or an *orphan* (a record whose code is missing, invalid or contradicts it). Every blocking rule
requires at least one orphan in the pair, so entities, already distinct by their codes, are never compared
with each other and the pair count grows with the number of orphans, not with the register.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from welfare_district.link.clusters import spread

_NON_LETTERS = re.compile(r"[^A-Z]")
_ADDRESS_NOISE = frozenset((
    "VIA", "V", "VIALE", "VLE", "LE", "PIAZZA", "PZZA", "PZA", "ZZA", "ZA", "P", "PIAZZALE", "PLE", "CORSO",
    "CSO", "SO", "C", "VICOLO", "VLO", "LO", "LARGO", "LGO", "GO", "N", "NR", "INT", "INTERNO", "SCALA", "SC",
    "PADOVA", "PD", "ITALIA",
))
_CF_SHAPE = re.compile(r"^[A-Z0-9]{16}$")

ORPHAN_ONLY = "(l.is_entity = 0 OR r.is_entity = 0)"


@dataclass(frozen=True)
class ModelSettings:
    """Thresholds (match weights) and training knobs of the probabilistic model."""

    upper_weight: float = 5.0  # at or above: linked (tuned on the synthetic Padova)
    lower_weight: float = 0.0  # at or above (and below upper): review queue
    seed: int = 20231231
    u_max_pairs: float = 1e6
    max_iterations: int = 25
    em_max_pairs: float = 5e6  # only when every record is a node (no codice fiscale rules)
    use_codice_fiscale: bool = True  # the (untrusted) code as one more comparison


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    norm = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in norm if not unicodedata.combining(c))


def name_key(text: str | None) -> str | None:
    """Letters only, upper case, no accents: 'D'Angelo' and 'DANGELO' agree; None when nothing is left."""
    folded = _fold(text)
    if folded is None:
        return None
    letters = _NON_LETTERS.sub("", folded)
    return letters or None


def street_key(text: str | None) -> tuple[str | None, str | None]:
    """(street words, house number) of a free-text address, without street type, flat, staircase or city.

    'V. G. Garibaldi, 3/b int. 2 - Padova' gives ('GARIBALDI', '3'); words of one letter (initials, suffixes)
    are dropped so that the many styles of the same address agree.
    """
    folded = _fold(text)
    if folded is None:
        return None, None
    tokens = re.sub(r"[^A-Z0-9]+", " ", folded).split()
    words: list[str] = []
    number: str | None = None
    skip_next = False
    for tok in tokens:
        if skip_next:
            skip_next = False
            continue
        if tok in ("INT", "INTERNO", "SCALA", "SC"):
            skip_next = True  # the flat or staircase that follows is not part of the address
            continue
        digits = re.match(r"^(\d+)", tok)
        if digits:
            if number is None and not tok.startswith("35"):  # 351xx is the postcode
                number = digits.group(1)
            continue
        if tok in _ADDRESS_NOISE or len(tok) < 2:
            continue
        if number is None:
            words.append(tok)
    return (" ".join(words) or None), number


def _cf15(cf: str | None) -> str | None:
    if cf is None or not _CF_SHAPE.match(cf):
        return cf
    # the omocodia letters go back to digits so that variants of one code agree
    from welfare_district.ingest.codice_fiscale import OMOCODIA, OMOCODIA_POSITIONS

    chars = list(cf[:15])
    for pos in OMOCODIA_POSITIONS:
        if chars[pos] in OMOCODIA:
            chars[pos] = str(OMOCODIA.index(chars[pos]))
    return "".join(chars)


def _mapped(values: pd.Series, fn: Any) -> pd.Series:
    """``fn`` of every non-null value (None for nulls), computed once per distinct value; same index."""
    codes, uniques = pd.factorize(values)
    return _spread([fn(value) for value in uniques], codes, values.index)


def _spread(per_unique: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``clusters.spread`` as an object Series on ``index``."""
    return pd.Series(spread(per_unique, codes), index=index, dtype="object")


def _street_parts(text: str) -> tuple[str | None, str | None]:
    """(``street``, ``street_last``) of one address text: street words and number, last word and number."""
    words, number = street_key(text)
    if words is None:
        return None, None
    return f"{words} {number or ''}".strip(), (None if number is None else f"{words.split()[-1]} {number}")


def _birth_columns(birth_date: pd.Series) -> pd.DataFrame:
    """``dob``, ``dob_swapped`` and ``birth_year`` texts of every birth date (None where unknown); same index.

    The texts are made once per distinct date, by the same datetime operations as for every row.
    """
    codes, uniques = pd.factorize(birth_date)
    born = pd.to_datetime(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    per_unique = {
        "dob": born.dt.strftime("%Y%m%d").where(born.notna(), None),
        "dob_swapped": (born.dt.strftime("%Y") + born.dt.strftime("%d") + born.dt.strftime("%m")).where(
            born.notna() & (born.dt.day <= 12), None
        ),
        "birth_year": born.dt.strftime("%Y").where(born.notna(), None),
    }
    return pd.DataFrame({name: _spread(texts.astype("object").tolist(), codes, birth_date.index)
                         for name, texts in per_unique.items()}, index=birth_date.index)


def model_frame(nodes: pd.DataFrame) -> pd.DataFrame:
    """The comparison columns of the nodes (``unique_id``, contract columns, ``is_entity``).

    Guarantees: one row per node, same order; keys are normalised so that spelling styles compare equal.
    """
    out = pd.DataFrame({"unique_id": nodes["unique_id"].to_numpy(), "is_entity": nodes["is_entity"].astype(int)})
    out["surname"] = _mapped(nodes["surname"].reset_index(drop=True), name_key)
    out["first_name"] = _mapped(nodes["first_name"].reset_index(drop=True), name_key)
    both = out["surname"].notna() & out["first_name"].notna()
    out["name_sf"] = (out["surname"] + out["first_name"]).where(both, None)
    out["name_fs"] = (out["first_name"] + out["surname"]).where(both, None)
    out["sex"] = nodes["sex"].to_numpy()
    births = _birth_columns(nodes["birth_date"].reset_index(drop=True))
    for column in ("dob", "dob_swapped", "birth_year"):
        out[column] = births[column]
    out["birth_place_code"] = nodes["birth_place_code"].to_numpy()
    street_codes, street_texts = pd.factorize(nodes["street_text"].reset_index(drop=True))
    streets = [_street_parts(text) for text in street_texts]
    out["street"] = _spread([street for street, _ in streets], street_codes, out.index)
    out["street_last"] = _spread([last for _, last in streets], street_codes, out.index)
    out["cf15"] = _mapped(nodes["codice_fiscale"].reset_index(drop=True), _cf15)
    out["comune"] = comune_blocks(nodes)
    return out


def comune_blocks(nodes: pd.DataFrame) -> pd.Series:
    """The comune of each node for the loose blocking rules: '' everywhere when the nodes name at most one
    comune (a city: the rules are then unchanged), else the comune's key, '' where the source gives none."""
    from welfare_district.geo.comune import comune_key

    if "municipality" not in nodes.columns:
        return pd.Series("", index=range(len(nodes)), dtype="object")
    keys = _mapped(nodes["municipality"].reset_index(drop=True), comune_key).fillna("")
    named = set(keys.unique()) - {""}
    return keys.astype("object") if len(named) > 1 else pd.Series("", index=keys.index, dtype="object")


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _rare(sql: str, label: str, m: float) -> dict[str, Any]:
    # matches hardly ever fall in this level, so EM drives its m towards zero until Splink refuses the value:
    # it is fixed at a small plausible share instead of estimated
    return _level(sql, label, m_probability=m, fix_m_probability=True)


def _null(col: str) -> dict[str, Any]:
    return _level(f"{col}_l IS NULL OR {col}_r IS NULL", f"{col} missing", is_null_level=True)


def comparisons(use_codice_fiscale: bool) -> list[dict[str, Any]]:
    """Splink comparison definitions (custom SQL levels, most specific first)."""
    jw = "jaro_winkler_similarity"
    names_swapped = "(name_sf_l = name_fs_r)"
    same_full_name = "(name_sf_l = name_sf_r)"
    result: list[dict[str, Any]] = [
        {
            "output_column_name": "surname",
            "comparison_levels": [
                _null("surname"),
                _level("surname_l = surname_r", "exact", tf_adjustment_column="surname"),
                _level(f"{same_full_name} OR {names_swapped}", "same full name, other split or order"),
                _level("surname_l = first_name_r OR first_name_l = surname_r", "name and surname swapped"),
                _level(f"{jw}(surname_l, surname_r) >= 0.95", "jaro-winkler >= 0.95"),
                _level(f"{jw}(surname_l, surname_r) >= 0.88", "jaro-winkler >= 0.88"),
                _level("ELSE", "other"),
            ],
        },
        {
            "output_column_name": "first_name",
            "comparison_levels": [
                _null("first_name"),
                _level("first_name_l = first_name_r", "exact"),
                _level(f"{same_full_name} OR {names_swapped}", "same full name, other split or order"),
                _level("surname_l = first_name_r OR first_name_l = surname_r", "name and surname swapped"),
                _level(f"{jw}(first_name_l, first_name_r) >= 0.95", "jaro-winkler >= 0.95"),
                _level(f"{jw}(first_name_l, first_name_r) >= 0.88", "jaro-winkler >= 0.88"),
                _level("ELSE", "other"),
            ],
        },
        {
            "output_column_name": "birth_date",
            "comparison_levels": [
                _null("dob"),
                _level("dob_l = dob_r", "exact"),
                _level("dob_l = dob_swapped_r OR dob_swapped_l = dob_r", "day and month swapped"),
                _rare("damerau_levenshtein(dob_l, dob_r) <= 1", "one digit wrong or two swapped", 0.01),
                _level("birth_year_l = birth_year_r", "same year"),
                _rare("ELSE", "other", 0.005),
            ],
        },
        {
            "output_column_name": "sex",
            "comparison_levels": [_null("sex"), _level("sex_l = sex_r", "exact"), _rare("ELSE", "other", 0.002)],
        },
        {
            "output_column_name": "birth_place_code",
            "comparison_levels": [
                _null("birth_place_code"),
                _level("birth_place_code_l = birth_place_code_r", "exact"),
                _rare("ELSE", "other", 0.01),
            ],
        },
        {
            "output_column_name": "street",
            "comparison_levels": [
                _null("street"),
                _level("street_l = street_r", "exact"),
                _level("street_last_l = street_last_r", "same last street word and number"),
                _level(f"{jw}(street_l, street_r) >= 0.9", "jaro-winkler >= 0.9"),
                _level("ELSE", "other"),
            ],
        },
    ]
    if use_codice_fiscale:
        result.append({
            "output_column_name": "codice_fiscale",
            "comparison_levels": [
                _null("cf15"),
                _level("cf15_l = cf15_r", "same first 15 characters"),
                _level("damerau_levenshtein(cf15_l, cf15_r) <= 1", "one character wrong or two swapped"),
                _rare("ELSE", "other", 0.01),
            ],
        })
    return result


def blocking_rules(use_codice_fiscale: bool, orphan_only: bool) -> list[str]:
    """Blocking rules (SQL). With ``orphan_only`` every rule also requires an orphan in the pair; without it
    (every record a node, the register's yearly copies included) the rules on birth year alone are left out,
    as their blocks grow with the square of the copies.
    """
    rules = [
        "l.surname = r.surname AND l.dob = r.dob",
        "l.first_name = r.first_name AND l.dob = r.dob",
        "l.name_sf = r.name_sf AND l.birth_year = r.birth_year",
        "l.name_sf = r.name_fs",
        "l.dob = r.dob AND l.street = r.street",
        "l.dob = r.dob_swapped AND l.first_name = r.first_name",
    ]
    if orphan_only:
        # the loose rules' blocks grow with the population: within one comune they stay city-sized in a
        # region (every node has the same comune in a city, so there they are the plain rules)
        rules += [
            "l.name_sf = r.name_sf AND l.comune = r.comune",
            "l.surname = r.surname AND l.birth_year = r.birth_year AND l.comune = r.comune",
            "l.first_name = r.first_name AND l.birth_year = r.birth_year AND l.comune = r.comune",
        ]
    if use_codice_fiscale:
        rules += [
            "substr(l.cf15, 1, 11) = substr(r.cf15, 1, 11)",
            "substr(l.cf15, 1, 6) = substr(r.cf15, 1, 6) AND substr(r.cf15, 12, 4) = substr(l.cf15, 12, 4)",
        ]
    return [f"({rule}) AND {ORPHAN_ONLY}" if orphan_only else rule for rule in rules]


@dataclass
class ScoredPairs:
    """Scored pairs above the lower threshold and the size of the comparison space."""

    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_weight (rounded to 1e-6, so reruns agree exactly)
    pairs_compared: int


def score_pairs(frame: pd.DataFrame, settings: ModelSettings, *, orphan_only: bool = True) -> ScoredPairs:
    """Train the model by EM on ``frame`` (from ``model_frame``) and score its blocked pairs.

    Guarantees: deterministic for the same frame and seed (u by seeded random sampling, EM from fixed starting
    values); only pairs with weight >= ``settings.lower_weight`` are returned, each once, ordered.
    """
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator

    con = duckdb.connect()
    try:
        db_api = DuckDBAPI(connection=con)
        n = len(frame)
        orphans = int((frame["is_entity"] == 0).sum())
        # about one match per orphan among all n*(n-1)/2 pairs
        prior = min(0.5, max(1e-9, orphans / max(1.0, n * (n - 1) / 2)))
        creator = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=comparisons(settings.use_codice_fiscale),  # type: ignore[arg-type]
            blocking_rules_to_generate_predictions=blocking_rules(  # type: ignore[arg-type]
                settings.use_codice_fiscale, orphan_only
            ),
            probability_two_random_records_match=prior,
            max_iterations=settings.max_iterations,
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
        )
        table = db_api.register(frame, table_name="nodes")
        linker = Linker(table, creator, log_level=logging.ERROR)
        if not orphan_only:
            # every record is a node: the share of matching pairs is counted from an exact-agreement rule
            linker.training.estimate_probability_two_random_records_match(
                ["l.name_sf = r.name_sf AND l.dob = r.dob"], recall=0.9
            )
        linker.training.estimate_u_using_random_sampling(max_pairs=settings.u_max_pairs, seed=settings.seed)
        orphan_sql = f" AND {ORPHAN_ONLY}" if orphan_only else ""
        # without the orphan restriction the training blocks are large: a hash-based, deterministic sample
        max_pairs = None if orphan_only else settings.em_max_pairs
        linker.training.estimate_parameters_using_expectation_maximisation(
            f"l.dob = r.dob AND l.comune = r.comune{orphan_sql}", max_pairs=max_pairs
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            f"l.surname = r.surname AND l.first_name = r.first_name{orphan_sql}", max_pairs=max_pairs
        )
        # the blocked pairs are made once and counted here; predict then scores this cached table instead of
        # blocking again, and a second blocking pass only to count them (_count_pairs) is not needed
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        counted = con.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchall()
        compared = int(counted[0][0]) if counted else 0
        predictions = linker.inference.predict(threshold_match_weight=settings.lower_weight)
        pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_weight"]]
        pairs = pairs.astype({"unique_id_l": "object", "unique_id_r": "object", "match_weight": "float64"})
        pairs["match_weight"] = pairs["match_weight"].round(6)
    finally:
        con.close()
    pairs = pairs.sort_values(["unique_id_l", "unique_id_r"], kind="mergesort").reset_index(drop=True)
    return ScoredPairs(pairs=pairs, pairs_compared=compared)


def _count_pairs(con: Any, frame: pd.DataFrame, use_cf: bool, orphan_only: bool) -> int:
    """Distinct pairs produced by the blocking rules (each pair once, as Splink scores it), counted by a query of
    its own; score_pairs gives the same number from the pairs Splink blocked."""
    con.register("count_nodes", frame)
    union = " UNION ".join(
        f"SELECT l.unique_id AS a, r.unique_id AS b FROM count_nodes l JOIN count_nodes r "
        f"ON l.unique_id < r.unique_id AND {rule}"
        for rule in blocking_rules(use_cf, orphan_only)
    )
    rows = con.execute(f"SELECT count(*) FROM ({union})").fetchall()
    con.unregister("count_nodes")
    return int(rows[0][0]) if rows else 0
