"""Declarative row filters and counts over the warehouse tables: plain data, no engine.

An indicator's numerator and denominator are each a ``Count``: the rows of one source table that pass a
filter, counted or summed over one column. Filters are frozen dataclasses, so a definition can be hashed
(its version), rendered as text (the documentation) and translated to any engine (``compute``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Scalar = int | float | str | bool

OPS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Field:
    """A reference to another column of the same row, usable as the right side of a comparison."""

    name: str


@dataclass(frozen=True)
class Cmp:
    """``field op value``; a null field never passes."""

    field: str
    op: str
    value: Scalar | Field


@dataclass(frozen=True)
class Between:
    """``low <= field <= high`` (both ends included)."""

    field: str
    low: int | float
    high: int | float


@dataclass(frozen=True)
class In:
    """``field`` is one of ``values``."""

    field: str
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class IsNull:
    """``field`` is null."""

    field: str


@dataclass(frozen=True)
class All:
    """Every part passes; the empty ``All()`` passes every row."""

    parts: tuple[Filter, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one part passes."""

    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    """The part does not pass (a null comparison inside counts as not passing the whole filter)."""

    part: Filter


Filter = Cmp | Between | In | IsNull | All | AnyOf | Not


def where(*parts: Filter) -> All:
    """The conjunction of ``parts``."""
    return All(tuple(parts))


@dataclass(frozen=True)
class Count:
    """Rows of ``source`` passing ``where`` (None: every row), counted or summed over column ``measure``."""

    source: str
    where: Filter | None = None
    measure: str | None = None


def fields_of(f: Filter) -> set[str]:
    """Every column name a filter reads."""
    if isinstance(f, Cmp):
        return {f.field} | ({f.value.name} if isinstance(f.value, Field) else set())
    if isinstance(f, Between | In | IsNull):
        return {f.field}
    if isinstance(f, All | AnyOf):
        return set().union(*(fields_of(p) for p in f.parts)) if f.parts else set()
    return fields_of(f.part)


def to_data(obj: Any) -> Any:
    """A JSON-ready, canonical form of a filter or count (type name first), used for versions."""
    if isinstance(obj, Field):
        return {"field": obj.name}
    if isinstance(obj, tuple):
        return [to_data(x) for x in obj]
    if isinstance(obj, Cmp | Between | In | IsNull | All | AnyOf | Not | Count):
        return {"type": type(obj).__name__, **{k: to_data(v) for k, v in vars(obj).items()}}
    return obj


def describe(f: Filter) -> str:
    """The filter as readable text (used in the generated documentation)."""
    if isinstance(f, Cmp):
        value = f.value.name if isinstance(f.value, Field) else _lit(f.value)
        return f"{f.field} {f.op} {value}"
    if isinstance(f, Between):
        return f"{f.field} between {_lit(f.low)} and {_lit(f.high)}"
    if isinstance(f, In):
        return f"{f.field} in {{{', '.join(_lit(v) for v in f.values)}}}"
    if isinstance(f, IsNull):
        return f"{f.field} is null"
    if isinstance(f, All | AnyOf):
        if not f.parts:
            return "every row"
        joiner = " and " if isinstance(f, All) else " or "
        return joiner.join(_wrap(p) for p in f.parts)
    return f"not {_wrap(f.part)}"


def describe_count(c: Count) -> str:
    """A count as text: ``count of person where ...`` or ``sum of occupants over dwelling where ...``."""
    head = f"count of {c.source} rows" if c.measure is None else f"sum of {c.measure} over {c.source} rows"
    return head if c.where is None else f"{head} where {describe(c.where)}"


def _wrap(f: Filter) -> str:
    text = describe(f)
    return f"({text})" if isinstance(f, All | AnyOf) and len(f.parts) > 1 else text


def _lit(v: Scalar) -> str:
    return f"'{v}'" if isinstance(v, str) else str(v)
