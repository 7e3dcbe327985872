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
        """Build from rows of (person_id int, codice_fiscale, surname, first_name, birth_date)."""
        codes: dict[str, set[int]] = {}
        names: dict[tuple[str, str, date], set[int]] = {}
        for pid, cf, surname, first, born in people[["person_id", "codice_fiscale", "surname", "first_name",
                                                     "birth_date"]].itertuples(index=False):
            if pd.isna(pid):
                continue
            if isinstance(cf, str) and is_valid(cf.strip().upper()):
                codes.setdefault(base_form(cf.strip().upper()), set()).add(int(pid))
            born_day = _as_date(born)
            if isinstance(surname, str) and isinstance(first, str) and born_day is not None:
                names.setdefault((fold(surname), fold(first), born_day), set()).add(int(pid))
        return cls({k: next(iter(v)) for k, v in codes.items() if len(v) == 1},
                   {k: next(iter(v)) for k, v in names.items() if len(v) == 1})


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
