"""Free-text requisites (Italian) -> eligibility rules, for the conditions a catalogue states in set phrases.

Catalogues write eligibility as prose. The phrases below are the ones Italian social-service catalogues
(and the synthetic Padova) use for the conditions the rules model: ISEE ceilings, age bands, residence,
disability, minors, living alone, foreign citizenship. A phrase that is not recognised gives no rule: the
service stays open on that point and its text is still published as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from welfare_district.directory.eligibility import (
    AgeRange,
    Citizenship,
    FlagRule,
    IseeRange,
    Residence,
    Rule,
)

_NUMBER = r"(\d{1,3}(?:\.\d{3})*|\d+)"


def _int(text: str) -> int:
    return int(text.replace(".", ""))


def rules_from_text(text: str, *, city_id: str, city_name: str) -> list[Rule]:
    """The rules a requisites sentence states, each at most once, in a fixed order (deterministic)."""
    t = " ".join(text.split())
    rules: list[Rule] = []
    isee = re.search(rf"ISEE (?:inferiore|fino) a {_NUMBER} euro", t, re.IGNORECASE)
    if isee and "quota ridotta" not in t.lower():  # an ISEE band for a reduced fee is a price, not a condition
        rules.append(IseeRange(max_eur=_int(isee.group(1))))
    age = _age(t)
    if age is not None:
        rules.append(age)
    if re.search(r"\bresident[ei] (?:nel Comune di |a |in )" + re.escape(city_name), t, re.IGNORECASE):
        rules.append(Residence(area_ids=[city_id], area_names=[city_name]))
    checks: tuple[tuple[str, Callable[[], Rule]], ...] = (
        (r"\bfigli minori\b|\bfigli piccoli\b", lambda: FlagRule(kind="minors")),
        (r"\bmonoparentali\b", lambda: FlagRule(kind="single_parent")),
        (r"\bvivono sol[ei]\b|\bsenza rete familiare\b", lambda: FlagRule(kind="elderly_alone")),
        (r"\bcon disabilità\b|\bdisabilità certificata\b", lambda: FlagRule(kind="disability")),
        (r"\b(?:cittadini|donne) stranier[ie]\b", lambda: Citizenship(group="foreign")),
    )
    lowered = t.lower()
    for pattern, build in checks:
        if re.search(pattern, lowered):
            rules.append(build())
    if "priorità ai nuclei monoparentali" in lowered:  # a priority is not a condition
        rules = [r for r in rules if not (isinstance(r, FlagRule) and r.kind == "single_parent")]
    return rules


def _age(t: str) -> AgeRange | None:
    band = re.search(r"\bdai (\d{1,3}) ai (\d{1,3}) anni\b", t)
    if band:
        return AgeRange(min_age=int(band.group(1)), max_age=int(band.group(2)))
    over = re.search(r"\bover (\d{1,3})\b|\bpiù di (\d{1,3}) anni\b|\bdi almeno (\d{1,3}) anni\b", t)
    if over:
        # "più di 65 anni" is how Italian catalogues write 65 and over
        return AgeRange(min_age=int(next(g for g in over.groups() if g)))
    if re.search(r"\bmaggiorenni\b", t, re.IGNORECASE):
        return AgeRange(min_age=18)
    if re.search(r"\banziani\b", t, re.IGNORECASE):
        return AgeRange(min_age=65)
    return None
