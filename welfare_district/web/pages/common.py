"""What several pages share: parsing the indicator, level, year and area of a page URL into a clear 404,
and the words (indicator names, level names, provenance) a page shows next to a figure.

A page's query parameters are part of its address, so an unknown value is "no such page" (NotFoundError,
an HTML 404 in the page's language), never a traceback or a silently different page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.indicators.library import Indicator
from welfare_district.web import indicator_reads as reads
from welfare_district.web.i18n import Language, format_decimal, translate
from welfare_district.web.read_cache import ReadCache

MAP_LEVELS = ("quartiere", "zone", "section")
COMPOSITE_ID = "ivsm"


@dataclass(frozen=True)
class Choice:
    """One option of a select: its value, its label, whether it is selected."""

    value: str
    label: str
    selected: bool = False
    disabled: bool = False


def parse_level(value: str | None, allowed: Iterable[str] = MAP_LEVELS, default: str = "quartiere") -> str:
    """``value`` (default ``default``) when it is one of ``allowed``; NotFoundError naming it otherwise."""
    level = default if value in (None, "") else str(value)
    options = tuple(allowed)
    if level not in options:
        raise NotFoundError(f"Unknown area level {level!r}; known: {', '.join(options)}")
    return level


def parse_indicator(value: str | None, default: str, *, composite: bool = False) -> str:
    """The indicator id asked for (or ``default``); the composite id is accepted only with ``composite``."""
    chosen = default if value in (None, "") else str(value)
    if composite and chosen == COMPOSITE_ID:
        return chosen
    return reads.get_indicator(chosen).id


def parse_year(db: Database, value: str | None, cache: ReadCache) -> int:
    """The year asked for (default: the latest stored); NotFoundError when it is not a stored year."""
    if value in (None, ""):
        return reads.latest_year(db, cache=cache)
    try:
        year = int(str(value))
    except ValueError:
        raise NotFoundError(f"Year {value!r} is not a year") from None
    return reads.check_year(db, year, cache=cache)


def city_name(db: Database, cache: ReadCache) -> str:
    """The name of the stored city area (the composite's reference), or an empty string when there is none."""
    cities = reads.area_index(db, cache=cache).by_level.get("city", [])
    return cities[0].name if cities else ""


def indicator_name(indicator: Indicator, lang: Language) -> str:
    """The indicator's name in ``lang``."""
    return indicator.name_it if lang == "it" else indicator.name_en


def indicator_description(indicator: Indicator, lang: Language) -> str:
    """The indicator's one-line definition in ``lang``."""
    return indicator.description_it if lang == "it" else indicator.description_en


def level_label(level: str, lang: Language, *, plural: bool = True) -> str:
    """The level's name in ``lang`` ("Quartieri", or "quartiere" when not ``plural``)."""
    return translate(lang, f"level_{level}" if plural else f"level_one_{level}")


def indicator_choices(selected: str, lang: Language, *, composite: bool) -> list[Choice]:
    """Options for an indicator select: the composite first (when offered), then the library in order."""
    options = [Choice(COMPOSITE_ID, translate(lang, "composite_name"), selected == COMPOSITE_ID)] if composite else []
    options += [Choice(i.id, indicator_name(i, lang), i.id == selected) for i in reads.indicators()]
    return options


def level_choices(selected: str, lang: Language, levels: Iterable[str] = MAP_LEVELS) -> list[Choice]:
    """Options for a level select."""
    return [Choice(level, level_label(level, lang), level == selected) for level in levels]


def year_choices(db: Database, selected: int, cache: ReadCache) -> list[Choice]:
    """Options for a year select: every stored year, newest first."""
    return [Choice(str(y), str(y), y == selected) for y in reversed(reads.available_years(db, cache=cache))]


def fmt_value(value: float | None, lang: Language, digits: int = 1) -> str:
    """A figure for a table cell: ``digits`` decimals in ``lang``, or the "n/a" mark when missing."""
    return translate(lang, "no_data") if value is None else format_decimal(value, lang, digits)


def fmt_count(value: float | None, lang: Language) -> str:
    """A numerator or denominator (whole units) for a table cell."""
    return translate(lang, "no_data") if value is None else format_decimal(value, lang, 0)


def fmt_ci(low: float | None, high: float | None, lang: Language, digits: int = 1) -> str:
    """A confidence interval as "low–high", or a dash when there is none (ratios, missing values)."""
    if low is None or high is None:
        return "–"
    return f"{format_decimal(low, lang, digits)}–{format_decimal(high, lang, digits)}"


def fmt_time(value: datetime | None) -> str:
    """A stored timestamp as "YYYY-MM-DD HH:MM" (UTC as stored), or a dash."""
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M")


def provenance(values: Iterable[reads.AreaValue]) -> dict[str, Any] | None:
    """The provenance shared by ``values`` (versions, snapshot, computation time, joined when they differ)."""
    stored = [v for v in values if v.definition_version is not None]
    if not stored:
        return None

    def joined(items: Iterable[str]) -> str:
        return ", ".join(sorted(set(items)))

    return {
        "definition": joined(str(v.definition_version) for v in stored),
        "boundary": joined(str(v.boundary_version or "–") for v in stored),
        "snapshot": joined(fmt_time(v.snapshot_built_at) for v in stored),
        "computed": joined(fmt_time(v.computed_at) for v in stored),
    }
