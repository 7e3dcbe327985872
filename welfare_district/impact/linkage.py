"""Beneficiaries to warehouse people: the identities a partner's list gives, matched as the pipeline does.

The integration stage has already decided who is who among the staged records (``person_link``): a
beneficiary is matched to that decision, never re-clustered. Rules, in order:

1. ``codice_fiscale``: a structurally valid code that agrees with the row's birth date, whose level-0 form
   (omocodic variants merge, as in link.deterministic) belongs to exactly one linked person;
2. ``name_birth``: surname, first name (accents, case and spaces folded) and birth date that identify
   exactly one linked person;
3. ``unlinked``: otherwise. The row is still counted, by a keyed pseudonym of its identity, so the same
   person reported twice (by two projects) counts once even outside the registers.

Only the person id or the pseudonym leaves this module: no name, code or birth date is stored or logged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

import pandas as pd

from welfare_district.engine import Database
from welfare_district.ingest.codice_fiscale import base_form, decode_birth, is_valid
from welfare_district.privacy.pseudonym import Pseudonymiser

METHOD_CF, METHOD_NAME, METHOD_NONE = "codice_fiscale", "name_birth", "unlinked"
PSEUDONYM_DOMAIN = "impact.beneficiary"


@dataclass(frozen=True)
class PersonIndex:
    """Lookups from identities to warehouse person ids; ambiguous keys are left out (never guessed)."""

    by_code: dict[str, int]
    by_name_birth: dict[tuple[str, str, date], int]

    @classmethod
    def from_frame(cls, people: pd.DataFrame) -> PersonIndex:
        """Build from rows of (person_id int, codice_fiscale, surname, first_name, birth_date).

        Vectorised over the distinct codes and names (the staged records of a city run to millions): a code
        is kept when ``is_valid`` accepts it, under its level-0 form; names are compared ``fold``-ed.
        """
        from welfare_district.ingest.rules import analyse_cf

        frame = people.loc[people["person_id"].notna(),
                           ["person_id", "codice_fiscale", "surname", "first_name", "birth_date"]]
        pid = frame["person_id"].astype("int64")
        checked = analyse_cf(frame["codice_fiscale"].where(_is_text(frame["codice_fiscale"]), ""))
        valid = checked["status"].isin(["valid", "omocode"])
        by_code = _unique_keys(pd.DataFrame({"key": checked["base"][valid], "pid": pid[valid]}), ["key"])
        born = pd.to_datetime(frame["birth_date"], errors="coerce")
        named = _is_text(frame["surname"]) & _is_text(frame["first_name"]) & born.notna()
        names = pd.DataFrame({"surname": _fold_all(frame["surname"][named]),
                              "first": _fold_all(frame["first_name"][named]),
                              "born": born[named].dt.date, "pid": pid[named]})
        by_name = _unique_keys(names, ["surname", "first", "born"])
        return cls({str(k): v for k, v in by_code.items()},
                   {(str(k[0]), str(k[1]), k[2]): v for k, v in by_name.items() if isinstance(k, tuple)})


def _is_text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: isinstance(v, str))


def _unique_keys(frame: pd.DataFrame, keys: list[str]) -> dict[object, int]:
    # keys that name exactly one person: an ambiguous key is left out, never guessed
    counts = frame.drop_duplicates([*keys, "pid"]).groupby(keys, sort=False)["pid"].agg(["first", "size"])
    single = counts[counts["size"] == 1]["first"]
    return dict(zip(single.index, single.astype(int), strict=True))


def _fold_all(values: pd.Series) -> pd.Series:
    # ``fold`` once per distinct text
    codes, uniq = pd.factorize(values)
    folded = pd.Index([fold(str(u)) for u in uniq], dtype=object)
    return pd.Series(folded[codes], index=values.index, dtype=object)


def index_from_pipeline(db: Database) -> PersonIndex:
    """The index of every staged record the integration stage linked (empty when nothing is linked)."""
    from welfare_district.link.staging import link_tables, read_frame, staged_person_records
    from welfare_district.warehouse.inputs import int_ids

    link_tables().metadata.create_all(db.engine, checkfirst=True)
    links = read_frame(db, "person_link", ["record_id", "person_id"])
    if links.empty:
        return PersonIndex({}, {})
    records = staged_person_records(db)[["record_id", "codice_fiscale", "surname", "first_name", "birth_date"]]
    # a code or a name seen many times (every yearly extract) is read once
    records = records.merge(links, on="record_id", how="inner").drop(columns="record_id")
    records = records.drop_duplicates(ignore_index=True)
    records["person_id"] = int_ids(records["person_id"])
    return PersonIndex.from_frame(records)


def fold(text: str) -> str:
    """Upper case without accents, apostrophes or repeated spaces: how names are compared."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.upper().replace("'", " ").replace("-", " ").split())


def _as_date(value: object) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, date) else None


def link_beneficiaries(rows: pd.DataFrame, index: PersonIndex, pseudonymiser: Pseudonymiser) -> pd.DataFrame:
    """For rows with codice_fiscale, surname, first_name, birth_date: person_id (Int64), link_method, person_ref.

    Guarantees: same index, one output row per input row; ``person_ref`` is ``P<id>`` for linked rows and a
    keyed pseudonym of (code, or names and birth date) otherwise, so equal identities give equal refs.
    """
    ids: list[int | None] = []
    methods: list[str] = []
    refs: list[str] = []
    for cf, surname, first, born in rows[["codice_fiscale", "surname", "first_name",
                                          "birth_date"]].itertuples(index=False):
        code = cf.strip().upper() if isinstance(cf, str) and cf.strip() else None
        born_day = _as_date(born)
        pid, method = None, METHOD_NONE
        if code is not None and is_valid(code) and _agrees(code, born_day):
            pid = index.by_code.get(base_form(code))
            method = METHOD_CF if pid is not None else METHOD_NONE
        if pid is None and isinstance(surname, str) and isinstance(first, str) and born_day is not None:
            pid = index.by_name_birth.get((fold(surname), fold(first), born_day))
            method = METHOD_NAME if pid is not None else METHOD_NONE
        ids.append(pid)
        methods.append(method)
        if pid is not None:
            refs.append(f"P{pid}")
        else:
            identity = (base_form(code) if code is not None and is_valid(code)
                        else f"{fold(str(surname or ''))}|{fold(str(first or ''))}|{born_day}")
            refs.append(pseudonymiser.pseudonym(identity, PSEUDONYM_DOMAIN))
    return pd.DataFrame({"person_id": pd.array(ids, dtype="Int64"), "link_method": methods,
                         "person_ref": refs}, index=rows.index)


def _agrees(code: str, born: date | None) -> bool:
    if born is None:
        return True
    decoded = decode_birth(code, reference_year=born.year + 1)
    return decoded is not None and decoded[0] == born
