"""The indicator library: every definition the platform computes, as plain data.

Each ``Indicator`` says what it counts (numerator and denominator as ``Count`` filters over the warehouse
tables), how to scale it, its polarity, its kind and interval method (a proportion gets a Wilson interval,
a rate a Poisson one, a ratio of two counts one from their binomial split, an average none) and which
ISTAT definition and variant it follows (see /work/shared/design/INDICATORS.md and docs/indicators.md).
Family-level features (members, children, ages...) are named here and computed once in ``compute``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from welfare_district.errors import NotFoundError
from welfare_district.indicators.filters import (
    AnyOf,
    Between,
    Cmp,
    Count,
    Field,
    Filter,
    In,
    IsNull,
    Not,
    fields_of,
    to_data,
    where,
)
from welfare_district.indicators.intervals import INTERVAL_METHODS, IntervalMethod

Kind = Literal["proportion", "ratio"]


def default_interval(kind: Kind) -> IntervalMethod:
    """The interval a kind gets unless its definition says otherwise: Wilson for proportions, none for ratios."""
    return "wilson" if kind == "proportion" else "none"


UNITS = ("person", "family", "dwelling")

# Derived per (snapshot_year, family_id) from wh_person; available on the family and person sources.
FAMILY_FEATURES: dict[str, str] = {
    "family_members": "resident members of the family in the snapshot",
    "family_children": "members whose relation to the head is 'child'",
    "family_spouses_partners": "members who are the head's spouse or partner",
    "family_min_age": "age of the youngest member",
    "family_max_age": "age of the oldest member",
    "family_head_age": "age of the head (reference person)",
    "family_employed_or_retired": "members whose labour status is employed or retired",
}
_AREA = ("snapshot_year", "section_id", "zone_id", "quartiere_id")
SOURCE_FIELDS: dict[str, frozenset[str]] = {
    "person": frozenset({*_AREA, "person_id", "family_id", "relation", "dwelling_id", "sex", "birth_date", "age",
                         "citizenship", "education", "labour_status", "disability_allowance", "care_allowance",
                         *FAMILY_FEATURES}),
    "family": frozenset({*_AREA, "family_id", "head_person_id", "size", "dwelling_id", "tenure",
                         *FAMILY_FEATURES}),
    "dwelling": frozenset({*_AREA, "dwelling_id", "surface_m2", "occupants"}),
    "isee": frozenset({*_AREA, "family_id", "declarations", "isee_eur"}),
    "case": frozenset({*_AREA, "case_id", "person_id", "family_id", "need", "opened", "closed", "reference_date"}),
}
# Default ISEE thresholds (EUR): 9,360 is the ADI means-test ceiling, 25,000 and 40,000 the nursery-bonus bands.
DEFAULT_ISEE_THRESHOLDS: tuple[int, ...] = (9360, 25000, 40000)


@dataclass(frozen=True)
class Indicator:
    """One indicator definition; ``version`` changes whenever a field that defines the figure changes."""

    id: str
    theme: str
    name_it: str
    name_en: str
    description_it: str
    description_en: str
    unit: str
    numerator: Count
    denominator: Count
    multiplier: int
    polarity: int  # +1: higher means more vulnerable; -1: higher means less; 0: descriptive only
    kind: Kind
    istat_code: str | None
    alignment: str
    variant: str
    interval: IntervalMethod | None = None  # None: the kind's default (default_interval)

    def __post_init__(self) -> None:
        if self.interval is None:
            object.__setattr__(self, "interval", default_interval(self.kind))
        elif self.interval not in INTERVAL_METHODS:
            raise ValueError(f"indicator {self.id}: unknown interval method {self.interval!r}")

    @property
    def version(self) -> str:
        """12 hex digits of SHA-256 over the defining fields (names and descriptions excluded)."""
        data = {"id": self.id, "unit": self.unit, "numerator": to_data(self.numerator),
                "denominator": to_data(self.denominator), "multiplier": self.multiplier,
                "polarity": self.polarity, "kind": self.kind, "variant": self.variant}
        if self.interval != default_interval(self.kind):
            # only a non-default method is part of the version, so adding the field changed no existing version
            data["interval"] = self.interval
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


# Shared filters: one place for each concept several indicators use.
def low_education() -> Filter:
    """Illiterate, or literate without any qualification (ISTAT classes)."""
    return In("education", ("none_illiterate", "none_literate"))


def single_parent() -> Filter:
    """A family whose head lives with at least one child and no spouse or partner (other relatives allowed)."""
    return where(Cmp("family_children", ">=", 1), Cmp("family_spouses_partners", "==", 0))


def overcrowded() -> Filter:
    """ISTAT severe overcrowding bands: <40 m2 with >4 occupants, 40-59 with >5, 60-79 with >6."""
    return AnyOf((
        where(Cmp("surface_m2", "<", 40), Cmp("occupants", ">", 4)),
        where(Between("surface_m2", 40, 59), Cmp("occupants", ">", 5)),
        where(Between("surface_m2", 60, 79), Cmp("occupants", ">", 6)),
    ))


def open_on_reference_date() -> Filter:
    """A case opened on or before the snapshot's reference date and not closed by then."""
    return where(Cmp("opened", "<=", Field("reference_date")),
                 AnyOf((IsNull("closed"), Cmp("closed", ">", Field("reference_date")))))


def _persons(f: Filter | None = None) -> Count:
    return Count("person", f)


def _families(f: Filter | None = None) -> Count:
    return Count("family", f)


def _age(lo: int, hi: int = 200) -> Filter:
    return Between("age", lo, hi)


_IVSM = "ISTAT, Le misure della vulnerabilità (2020); 8milaCensus"


def _ind(id: str, theme: str, it: tuple[str, str], en: tuple[str, str], num: Count, den: Count, *,
         mult: int = 100, polarity: int = 1, kind: Kind = "proportion", code: str | None = None,
         alignment: str = "", variant: str = "as defined", unit: str | None = None,
         interval: IntervalMethod | None = None) -> Indicator:
    return Indicator(id, theme, it[0], en[0], it[1], en[1], unit or num.source, num, den, mult, polarity, kind,
                     code, alignment, variant, interval)


def _ivsm() -> list[Indicator]:
    fam = _families()
    single_parent_head = where(single_parent(), Cmp("family_head_age", "<=", 64))
    return [
        _ind("ivsm_low_education", "ivsm",
             ("Bassa istruzione", "Residenti 25-64 anni analfabeti o alfabeti senza titolo di studio, per 100"),
             ("Low education", "Residents aged 25-64 illiterate or literate without qualification, per 100"),
             _persons(where(_age(25, 64), low_education())), _persons(_age(25, 64)),
             alignment=_IVSM + ", IVSM indicator 1", variant="ages 25-64 (default)"),
        _ind("ivsm_low_education_6plus", "ivsm",
             ("Bassa istruzione (6 anni e più)", "Residenti di 6 anni e più analfabeti o alfabeti senza titolo"),
             ("Low education (aged 6+)", "Residents aged 6+ illiterate or literate without qualification"),
             _persons(where(_age(6), low_education())), _persons(_age(6)),
             alignment="8milaCensus codebook variant of IVSM indicator 1", variant="ages 6+ (8milaCensus)"),
        _ind("ivsm_large_families", "ivsm", ("Famiglie numerose", "Famiglie con 6 o più componenti, per 100"),
             ("Large families", "Families with 6 or more members, per 100 families"),
             _families(Cmp("size", ">=", 6)), fam, code="V5", alignment=_IVSM + ", IVSM indicator 2"),
        _ind("ivsm_single_parent", "ivsm",
             ("Famiglie monogenitoriali", "Famiglie monogenitoriali con genitore di meno di 65 anni, per 100"),
             ("Single-parent families", "Single-parent families with a parent aged under 65, per 100 families"),
             _families(single_parent_head), fam, alignment=_IVSM + ", IVSM indicator 3",
             variant="young and adult parents together (head < 65); single parent = head with at least one "
                     "child and no spouse or partner in the family"),
        _ind("ivsm_single_parent_young", "ivsm",
             ("Famiglie monogenitoriali giovani", "Famiglie monogenitoriali con genitore di meno di 35 anni"),
             ("Young single-parent families", "Single-parent families with a parent aged under 35, per 100"),
             _families(where(single_parent(), Cmp("family_head_age", "<", 35))), fam,
             alignment=_IVSM + ", IVSM indicator 3 (young)", variant="head aged < 35"),
        _ind("ivsm_single_parent_adult", "ivsm",
             ("Famiglie monogenitoriali adulte", "Famiglie monogenitoriali con genitore di 35-64 anni"),
             ("Adult single-parent families", "Single-parent families with a parent aged 35-64, per 100"),
             _families(where(single_parent(), Between("family_head_age", 35, 64))), fam,
             alignment=_IVSM + ", IVSM indicator 3 (adult)", variant="head aged 35-64"),
        _ind("ivsm_care_hardship", "ivsm",
             ("Potenziale disagio assistenziale", "Famiglie di almeno 2 componenti tutti di 65 anni e più, "
              "con almeno un componente di 80 anni e più, per 100"),
             ("Potential care hardship", "Families of 2+ members all aged 65+, at least one aged 80+, per 100"),
             _families(where(Cmp("family_members", ">=", 2), Cmp("family_min_age", ">=", 65),
                             Cmp("family_max_age", ">=", 80))), fam,
             code="V9", alignment=_IVSM + ", IVSM indicator 4", variant="a person aged 80+ living alone is not "
                                                                        "counted"),
        _ind("ivsm_overcrowding", "ivsm",
             ("Grave affollamento", "Residenti in abitazioni <40 m2 con più di 4 occupanti, 40-59 m2 con più di "
              "5, 60-79 m2 con più di 6, per 100 residenti in abitazioni occupate"),
             ("Severe overcrowding", "Residents in dwellings <40 m2 with >4 occupants, 40-59 m2 with >5 or "
              "60-79 m2 with >6, per 100 residents of occupied dwellings"),
             Count("dwelling", overcrowded(), "occupants"),
             Count("dwelling", where(Cmp("occupants", ">", 0), Not(IsNull("surface_m2"))), "occupants"),
             code="V7", alignment=_IVSM + ", IVSM indicator 5",
             variant="dwellings of unknown surface are left out of numerator and denominator"),
        _ind("ivsm_young_outside", "ivsm",
             ("Giovani fuori dal mercato del lavoro e dalla formazione", "Residenti 15-29 anni fuori dalle forze "
              "di lavoro e non studenti, per 100 residenti 15-29"),
             ("Young people outside labour market and education", "Residents 15-29 outside the labour force and "
              "not students, per 100 residents aged 15-29"),
             _persons(where(_age(15, 29), In("labour_status", ("retired", "other_inactive")))),
             _persons(_age(15, 29)), code="V8", alignment=_IVSM + ", IVSM indicator 6",
             variant="not the NEET rate: the unemployed are not counted"),
        _ind("ivsm_economic_hardship", "ivsm",
             ("Potenziale disagio economico", "Famiglie con figli, capofamiglia fino a 64 anni, nessun componente "
              "occupato o ritirato dal lavoro, per 100"),
             ("Potential economic hardship", "Families with children, head aged <= 64, no member employed or "
              "retired, per 100 families"),
             _families(where(Cmp("family_children", ">=", 1), Cmp("family_head_age", "<=", 64),
                             Cmp("family_employed_or_retired", "==", 0))), fam,
             code="V6", alignment=_IVSM + ", IVSM indicator 7", variant="children of any age"),
    ]


def _demography() -> list[Indicator]:
    res = _persons()
    young, working, old = _persons(_age(0, 14)), _persons(_age(15, 64)), _persons(_age(65))
    alone = Cmp("family_members", "==", 1)
    istat = "ISTAT demographic indicators"
    return [
        _ind("old_age_index", "demography", ("Indice di vecchiaia", "Residenti 65+ per 100 residenti 0-14"),
             ("Old-age index", "Residents 65+ per 100 residents aged 0-14"), old, young, kind="ratio",
             alignment=istat, interval="count_ratio"),
        _ind("structural_dependency", "demography",
             ("Indice di dipendenza strutturale", "Residenti 0-14 e 65+ per 100 residenti 15-64"),
             ("Structural dependency ratio", "Residents 0-14 and 65+ per 100 residents aged 15-64"),
             _persons(AnyOf((_age(0, 14), _age(65)))), working, kind="ratio", alignment=istat,
             interval="count_ratio"),
        _ind("youth_dependency", "demography", ("Indice di dipendenza giovanile", "Residenti 0-14 per 100 15-64"),
             ("Youth dependency ratio", "Residents 0-14 per 100 residents aged 15-64"), young, working,
             kind="ratio", alignment=istat, interval="count_ratio"),
        _ind("elderly_dependency", "demography", ("Indice di dipendenza degli anziani", "Residenti 65+ per 100 "
                                                  "15-64"),
             ("Elderly dependency ratio", "Residents 65+ per 100 residents aged 15-64"), old, working,
             kind="ratio", alignment=istat, interval="count_ratio"),
        _ind("share_75plus", "demography", ("Residenti di 75 anni e più", "Per 100 residenti"),
             ("Residents aged 75+", "Per 100 residents"), _persons(_age(75)), res, alignment=istat),
        _ind("share_85plus", "demography", ("Residenti di 85 anni e più", "Per 100 residenti"),
             ("Residents aged 85+", "Per 100 residents"), _persons(_age(85)), res, alignment=istat),
        _ind("foreign_citizens", "demography", ("Cittadini stranieri", "Residenti non italiani per 100 residenti"),
             ("Foreign citizens", "Residents without Italian citizenship per 100 residents"),
             _persons(Cmp("citizenship", "!=", "IT")), res, polarity=0, alignment=istat),
        _ind("average_family_size", "demography", ("Numero medio di componenti", "Componenti per famiglia"),
             ("Average family size", "Members per family"), Count("family", None, "size"), _families(),
             mult=1, polarity=0, kind="ratio", alignment=istat),
        _ind("one_person_families", "demography", ("Famiglie unipersonali", "Per 100 famiglie"),
             ("One-person families", "Per 100 families"), _families(Cmp("size", "==", 1)), _families(),
             alignment=istat),
        _ind("elderly_alone_65plus", "demography", ("Anziani soli 65+", "Residenti 65+ in famiglie unipersonali, "
                                                    "per 100 residenti 65+"),
             ("Elderly living alone 65+", "Residents 65+ in one-person families per 100 residents 65+"),
             _persons(where(_age(65), alone)), old, alignment=istat),
        _ind("elderly_alone_80plus", "demography", ("Anziani soli 80+", "Residenti 80+ in famiglie unipersonali, "
                                                    "per 100 residenti 80+"),
             ("Elderly living alone 80+", "Residents 80+ in one-person families per 100 residents 80+"),
             _persons(where(_age(80), alone)), _persons(_age(80)), alignment=istat),
        _ind("minors_single_parent", "demography",
             ("Minori in famiglie monogenitoriali", "Figli minori in famiglie monogenitoriali, per 100 minori"),
             ("Minors in single-parent families", "Children under 18 in single-parent families per 100 minors"),
             _persons(where(_age(0, 17), Cmp("relation", "==", "child"), single_parent())), _persons(_age(0, 17)),
             alignment=istat, variant="parent of any age"),
    ]


def isee_below(threshold_eur: int) -> Indicator:
    """Families whose latest ISEE of the year is at most ``threshold_eur``, per 100 resident families."""
    label = f"{threshold_eur:,}".replace(",", ".")
    return _ind(f"isee_below_{threshold_eur}", "economy",
                (f"Famiglie con ISEE fino a {label} euro", "Per 100 famiglie residenti"),
                (f"Families with ISEE up to EUR {label}", "Per 100 resident families"),
                Count("isee", Cmp("isee_eur", "<=", threshold_eur)), _families(), unit="family",
                alignment="municipal ISEE bands (each comune sets its own)",
                variant="all resident families as denominator; families without a declaration are not counted")


def _economy(thresholds: tuple[int, ...]) -> list[Indicator]:
    return [*(isee_below(t) for t in thresholds),
            _ind("isee_declarations", "economy", ("Dichiarazioni ISEE", "DSU presentate per 100 famiglie"),
                 ("ISEE declarations", "Declarations (DSU) submitted per 100 families"),
                 Count("isee", None, "declarations"), _families(), polarity=0, kind="ratio", unit="family",
                 alignment="municipal welfare reporting", interval="poisson")]


def _care() -> list[Indicator]:
    res = _persons()
    return [
        _ind("disability_allowance", "care", ("Pensioni di invalidità civile", "Beneficiari per 1.000 residenti"),
             ("Disability allowances", "Recipients per 1,000 residents"),
             _persons(Cmp("disability_allowance", "==", True)), res, mult=1000, alignment="INPS benefits"),
        _ind("care_allowance", "care", ("Indennità di accompagnamento", "Beneficiari per 1.000 residenti"),
             ("Care allowances", "Recipients per 1,000 residents"),
             _persons(Cmp("care_allowance", "==", True)), res, mult=1000, alignment="INPS benefits"),
        _ind("open_cases", "care", ("Cartelle sociali aperte", "Cartelle aperte al 31 dicembre per 1.000 residenti"),
             ("Open social-services cases", "Cases open on the reference date per 1,000 residents"),
             Count("case", open_on_reference_date()), res, mult=1000, kind="ratio", unit="person",
             alignment="municipal social services", variant="a person may hold several cases", interval="poisson"),
    ]


def default_library(isee_thresholds: tuple[int, ...] = DEFAULT_ISEE_THRESHOLDS) -> dict[str, Indicator]:
    """Every standard indicator by id, in documentation order; ISEE thresholds are configurable."""
    items = [*_ivsm(), *_demography(), *_economy(tuple(isee_thresholds)), *_care()]
    return {i.id: i for i in items}


IVSM_COMPONENTS = ("ivsm_low_education", "ivsm_large_families", "ivsm_single_parent", "ivsm_care_hardship",
                   "ivsm_overcrowding", "ivsm_young_outside", "ivsm_economic_hardship")


def get_indicator(indicator_id: str, library: dict[str, Indicator] | None = None) -> Indicator:
    """The definition with this id; NotFoundError listing the known ids otherwise."""
    lib = default_library() if library is None else library
    if indicator_id not in lib:
        raise NotFoundError(f"Unknown indicator {indicator_id!r}; known: {', '.join(lib)}")
    return lib[indicator_id]


def check_definition(ind: Indicator) -> list[str]:
    """Problems in a definition (unknown source or column, bad multiplier or polarity); empty when sound."""
    problems = []
    for part, count in (("numerator", ind.numerator), ("denominator", ind.denominator)):
        if count.source not in SOURCE_FIELDS:
            problems.append(f"{part}: unknown source {count.source!r}")
            continue
        used = fields_of(count.where) if count.where is not None else set()
        used |= {count.measure} if count.measure else set()
        unknown = sorted(used - SOURCE_FIELDS[count.source])
        if unknown:
            problems.append(f"{part}: {count.source} has no column(s) {unknown}")
    if ind.multiplier <= 0:
        problems.append("multiplier must be positive")
    if ind.polarity not in (-1, 0, 1):
        problems.append("polarity must be -1, 0 or 1")
    if ind.unit not in UNITS:
        problems.append(f"unknown unit {ind.unit!r}")
    return problems
