"""Machine-readable eligibility: typed rules per service, their evaluation over a profile, and their text.

A service's rules are a list (all must hold). Each rule reads a few fields of a ``Profile``; evaluation gives
one ``Outcome`` per rule: ``passed``, ``failed``, or ``unknown`` when the profile lacks a field the rule needs
(a desk profile is often partial: unknown is not a refusal). The Italian and English eligibility texts are
generated from the rules, so the published words and the checked conditions cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from welfare_district.errors import InputError

Status = Literal["passed", "failed", "unknown"]
Language = Literal["it", "en"]
EU_COUNTRIES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
                          "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})


class Profile(BaseModel):
    """What the desk knows of a person or family; None means unknown (the rule reading it is 'unknown')."""

    model_config = ConfigDict(extra="forbid")

    ages: list[Annotated[int, Field(ge=0, le=120)]] | None = Field(default=None, description="Ages of the members.")
    isee_eur: float | None = Field(default=None, ge=0, description="The family's latest ISEE, in euro.")
    area_ids: list[str] | None = Field(default=None, description="Every area of the residence: section, zone, "
                                                                 "quartiere, city ids.")
    minors: bool | None = Field(default=None, description="At least one member under 18 (derived from ages if unset).")
    single_parent: bool | None = None
    elderly_alone: bool | None = Field(default=None, description="A person aged 65+ living alone.")
    disability: bool | None = Field(default=None, description="A member with a certified disability or care allowance.")
    citizenships: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] | None = Field(
        None, description="ISO 3166-1 alpha-2 citizenships of the members.")
    needs: list[str] = Field(default_factory=list, description="Need codes of the taxonomy (economic, housing...).")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _derive(self) -> Profile:
        if self.minors is None and self.ages is not None:
            self.minors = any(a < 18 for a in self.ages)
        return self


class AgeRange(BaseModel):
    """At least one member's age is within [min_age, max_age] (either end may be open)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["age"] = "age"
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)


class IseeRange(BaseModel):
    """The family's ISEE is within [min_eur, max_eur)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["isee"] = "isee"
    min_eur: float | None = Field(default=None, ge=0)
    max_eur: float | None = Field(default=None, gt=0)


class Residence(BaseModel):
    """Resident in one of the areas (city, quartiere or zone ids)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["residence"] = "residence"
    area_ids: list[str] = Field(min_length=1)
    area_names: list[str] = Field(default_factory=list, description="Names for the generated text.")


class FlagRule(BaseModel):
    """A yes/no condition of the family: minors in it, single parent, elderly alone, disability."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["minors", "single_parent", "elderly_alone", "disability"]


class Citizenship(BaseModel):
    """Citizenship where the law requires it: a foreign, EU or non-EU citizen among the members."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["citizenship"] = "citizenship"
    group: Literal["foreign", "eu", "non_eu", "italian"]


Rule = Annotated[AgeRange | IseeRange | Residence | FlagRule | Citizenship, Field(discriminator="kind")]
_RULES = TypeAdapter(list[Rule])


class Outcome(BaseModel):
    """One rule's result on one profile, with the reason in words."""

    rule: str
    status: Status
    reason: str


def parse_rules(data: str | list[Any]) -> list[Rule]:
    """Rules from JSON text or decoded JSON; InputError naming what is wrong (unknown kind, bad bound...)."""
    try:
        decoded = json.loads(data) if isinstance(data, str) else data
        rules = _RULES.validate_python(decoded)
    except json.JSONDecodeError as exc:
        raise InputError(f"eligibility rules are not valid JSON: {exc.msg}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(f"invalid eligibility rule at {where or 'top level'}: {first.get('msg')}") from None
    for rule in rules:
        lo, hi = ((rule.min_age, rule.max_age) if isinstance(rule, AgeRange) else
                  (rule.min_eur, rule.max_eur) if isinstance(rule, IseeRange) else (None, None))
        if isinstance(rule, AgeRange | IseeRange) and lo is None and hi is None:
            raise InputError(f"eligibility rule '{rule.kind}' needs a lower or an upper bound")
        if lo is not None and hi is not None and lo > hi:
            raise InputError(f"eligibility rule '{rule.kind}': lower bound {lo} above upper bound {hi}")
    return rules


def rules_json(rules: list[Rule]) -> str:
    """Canonical JSON of the rules (sorted keys, no unset defaults), as stored and exported."""
    return json.dumps(_RULES.dump_python(rules, mode="json", exclude_none=True), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def fields_needed(rules: list[Rule]) -> set[str]:
    """The profile fields the rules read: the minimum a referral may carry to the partner."""
    needed = {"age": "ages", "isee": "isee_eur", "residence": "area_ids", "citizenship": "citizenships"}
    return {needed.get(r.kind, r.kind) for r in rules}


def evaluate(rules: list[Rule], profile: Profile) -> list[Outcome]:
    """One outcome per rule, in order; never raises for missing profile fields (they give 'unknown')."""
    return [_evaluate_one(rule, profile) for rule in rules]


def is_eligible(outcomes: list[Outcome]) -> bool:
    """No rule failed (unknown ones are to be checked at the desk)."""
    return all(o.status != "failed" for o in outcomes)


def _evaluate_one(rule: Rule, p: Profile) -> Outcome:
    name = describe(rule, "en")
    if isinstance(rule, AgeRange):
        if not p.ages:
            return Outcome(rule=name, status="unknown", reason="ages not known")
        lo, hi = rule.min_age or 0, 200 if rule.max_age is None else rule.max_age
        hits = [a for a in p.ages if lo <= a <= hi]
        return (Outcome(rule=name, status="passed", reason=f"a member aged {hits[0]}") if hits else
                Outcome(rule=name, status="failed", reason=f"no member in the age range (ages {sorted(p.ages)})"))
    if isinstance(rule, IseeRange):
        if p.isee_eur is None:
            return Outcome(rule=name, status="unknown", reason="no ISEE declaration known")
        ok = (rule.min_eur is None or p.isee_eur >= rule.min_eur) and (rule.max_eur is None
                                                                         or p.isee_eur < rule.max_eur)
        return Outcome(rule=name, status="passed" if ok else "failed", reason=f"ISEE {p.isee_eur:,.0f} euro")
    if isinstance(rule, Residence):
        if p.area_ids is None:
            return Outcome(rule=name, status="unknown", reason="residence not known")
        inside = set(rule.area_ids) & set(p.area_ids)
        return (Outcome(rule=name, status="passed", reason=f"resident in {sorted(inside)[0]}") if inside else
                Outcome(rule=name, status="failed", reason="resident outside the areas"))
    if isinstance(rule, Citizenship):
        if not p.citizenships:
            return Outcome(rule=name, status="unknown", reason="citizenship not known")
        test = {"foreign": lambda c: c != "IT", "italian": lambda c: c == "IT",
                "eu": lambda c: c in EU_COUNTRIES, "non_eu": lambda c: c not in EU_COUNTRIES}[rule.group]
        ok = any(test(c) for c in p.citizenships)
        return Outcome(rule=name, status="passed" if ok else "failed",
                       reason=f"citizenships {', '.join(sorted(set(p.citizenships)))}")
    value = getattr(p, rule.kind)
    if value is None:
        return Outcome(rule=name, status="unknown", reason=f"{rule.kind.replace('_', ' ')} not known")
    return Outcome(rule=name, status="passed" if value else "failed",
                   reason=f"{rule.kind.replace('_', ' ')}: {'yes' if value else 'no'}")


_FLAG_TEXT = {
    "minors": ("nuclei con figli minori", "families with children under 18"),
    "single_parent": ("nuclei monoparentali", "single-parent families"),
    "elderly_alone": ("persone di 65 anni e più che vivono sole", "people aged 65+ living alone"),
    "disability": ("persone con disabilità certificata", "people with a certified disability"),
}
_CITIZENSHIP_TEXT = {
    "foreign": ("cittadini stranieri", "foreign citizens"), "italian": ("cittadini italiani", "Italian citizens"),
    "eu": ("cittadini dell'Unione europea", "EU citizens"), "non_eu": ("cittadini di paesi extra UE",
                                                                       "non-EU citizens"),
}


def _euro(value: float, lang: Language) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", ".") + " euro" if lang == "it" else "EUR " + text


def describe(rule: Rule, lang: Language = "it") -> str:
    """One rule in words, in Italian or English."""
    it = lang == "it"
    if isinstance(rule, AgeRange):
        lo, hi = rule.min_age, rule.max_age
        if lo is not None and hi is not None:
            return f"età dai {lo} ai {hi} anni" if it else f"aged {lo} to {hi}"
        return (f"età di almeno {lo} anni" if it else f"aged {lo} or over") if lo is not None else (
            f"età fino a {hi} anni" if it else f"aged up to {hi}")
    if isinstance(rule, IseeRange):
        parts = []
        if rule.min_eur is not None:
            parts.append(f"almeno {_euro(rule.min_eur, lang)}" if it else f"at least {_euro(rule.min_eur, lang)}")
        if rule.max_eur is not None:
            parts.append(f"inferiore a {_euro(rule.max_eur, lang)}" if it else f"below {_euro(rule.max_eur, lang)}")
        return f"ISEE {' e '.join(parts)}" if it else f"ISEE {' and '.join(parts)}"
    if isinstance(rule, Residence):
        names = ", ".join(rule.area_names or rule.area_ids)
        return f"residenza a {names}" if it else f"resident in {names}"
    if isinstance(rule, Citizenship):
        return _CITIZENSHIP_TEXT[rule.group][0 if it else 1]
    return _FLAG_TEXT[rule.kind][0 if it else 1]


def eligibility_text(rules: list[Rule], lang: Language = "it") -> str:
    """The whole eligibility as one sentence; 'open to everyone' when there are no rules."""
    if not rules:
        return "Accesso aperto a tutti." if lang == "it" else "Open to everyone."
    head = "Possono accedere: " if lang == "it" else "Eligible: "
    return head + "; ".join(describe(r, lang) for r in rules) + "."
