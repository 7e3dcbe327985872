"""An indicator's numerator and denominator in words, in Italian or English.

Field names stay as the warehouse spells them (shown as code), so a reader can find them in the data
dictionary; only the connecting words are translated.
"""

from __future__ import annotations

from welfare_district.indicators.filters import (
    All,
    AnyOf,
    Between,
    Cmp,
    Count,
    Field,
    Filter,
    In,
    IsNull,
    Not,
    Scalar,
)
from welfare_district.web.i18n import Language, translate

_WORDS: dict[Language, dict[str, str]] = {
    "it": {"and": " e ", "or": " oppure ", "not": "non ", "between": "{f} tra {lo} e {hi}",
           "in": "{f} in {values}", "null": "{f} mancante", "true": "sì", "false": "no", "every": "tutte",
           "==": "=", "!=": "≠", ">=": "≥", "<=": "≤", ">": ">", "<": "<"},
    "en": {"and": " and ", "or": " or ", "not": "not ", "between": "{f} between {lo} and {hi}",
           "in": "{f} in {values}", "null": "{f} missing", "true": "yes", "false": "no", "every": "all",
           "==": "=", "!=": "≠", ">=": "≥", "<=": "≤", ">": ">", "<": "<"},
}


def _lit(value: Scalar, lang: Language) -> str:
    if isinstance(value, bool):
        return _WORDS[lang]["true" if value else "false"]
    return f"«{value}»" if isinstance(value, str) else str(value)


def describe_filter(f: Filter, lang: Language) -> str:
    """``f`` as a readable condition in ``lang`` (nested conditions in brackets)."""
    w = _WORDS[lang]
    if isinstance(f, Cmp):
        value = f.value.name if isinstance(f.value, Field) else _lit(f.value, lang)
        return f"{f.field} {w.get(f.op, f.op)} {value}"
    if isinstance(f, Between):
        if f.high >= 200:  # the library's "and over" bound
            return f"{f.field} ≥ {_lit(f.low, lang)}"
        return w["between"].format(f=f.field, lo=_lit(f.low, lang), hi=_lit(f.high, lang))
    if isinstance(f, In):
        return w["in"].format(f=f.field, values="{" + ", ".join(_lit(v, lang) for v in f.values) + "}")
    if isinstance(f, IsNull):
        return w["null"].format(f=f.field)
    if isinstance(f, All | AnyOf):
        if not f.parts:
            return w["every"]
        joiner = w["and"] if isinstance(f, All) else w["or"]
        return joiner.join(_wrap(p, lang) for p in f.parts)
    assert isinstance(f, Not)
    return w["not"] + _wrap(f.part, lang)


def _wrap(f: Filter, lang: Language) -> str:
    text = describe_filter(f, lang)
    return f"({text})" if isinstance(f, All | AnyOf) and len(f.parts) > 1 else text


def describe_count(count: Count, lang: Language) -> str:
    """What a numerator or denominator counts, e.g. "resident people with: age ≥ 65"."""
    unit = translate(lang, f"unit_{count.source}")
    if count.measure is not None:
        head = translate(lang, "count_sum", measure=count.measure, unit=unit)
        return head if count.where is None else f"{head}: {describe_filter(count.where, lang)}"
    if count.where is None:
        return translate(lang, "count_of", unit=unit)
    return translate(lang, "count_where", unit=unit, condition=describe_filter(count.where, lang))
