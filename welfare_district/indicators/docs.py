"""Generate docs/indicators.md from the library, so the documentation cannot drift from the definitions."""

from __future__ import annotations

from pathlib import Path

from welfare_district.indicators.filters import describe_count
from welfare_district.indicators.intervals import MAX_INTERVAL_WIDTH, MAX_RELATIVE_SE, MIN_DENOMINATOR
from welfare_district.indicators.library import FAMILY_FEATURES, Indicator, default_library

REGENERATE = "welfare indicators docs"
_POLARITY = {1: "positive (higher = more vulnerable)", -1: "negative (higher = less vulnerable)",
             0: "descriptive (not used in composites)"}
_INTERVALS = {"wilson": "Wilson 95% interval", "poisson": "Poisson score 95% interval on the numerator",
              "count_ratio": "95% interval from the binomial split of the two counts", "none": "no interval"}
_THEMES = {"ivsm": "IVSM components (ISTAT social and material vulnerability)", "demography": "Demography",
           "economy": "Economic conditions (ISEE)", "care": "Care and social services"}


def _intro() -> list[str]:
    return [
        "# Indicators",
        "",
        f"Generated from `welfare_district/indicators/library.py` by `{REGENERATE}`; do not edit by hand "
        "(a test fails when this file is out of date).",
        "",
        "Every indicator is computed for every area level in the area table (section, zone, quartiere, city) and "
        "every warehouse snapshot year (31 December), from the warehouse tables `wh_person`, `wh_family`, "
        "`wh_dwelling`, `wh_isee`, `wh_case` and `wh_snapshot` only. Rows whose address was not placed have no "
        "area ids and count at city level only. Results go to the table `indicator_value`, replaced per year in "
        "one transaction; by default only stale years are recomputed (no stored values, a rebuilt snapshot, or a "
        "changed definition version).",
        "",
        "## Conventions",
        "",
        "- **value** = numerator / denominator x multiplier. A zero denominator gives a NULL value with "
        "`null_reason` = 'zero denominator' (never an error or infinity).",
        "- **Interval** (95%, scaled like the value), by the indicator's interval method: `wilson` for "
        "proportions (the numerator's units are a subset of the denominator's): the Wilson score interval; "
        "`poisson` for rates of events over a population at risk (declarations per 100 families, open cases "
        "per 1,000 residents): the numerator as a Poisson count, the denominator fixed, score interval "
        "x + z²/2 ∓ z·√(x + z²/4) over the denominator; `count_ratio` for ratios of two disjoint population "
        "counts (old-age and dependency indices): Wilson on the numerator's share of both, p, mapped through "
        "p / (1 − p); `none` where no sampling model fits (average family size): NULL.",
        f"- **unstable** is true when the denominator is below {MIN_DENOMINATOR}; for a proportion, when its "
        f"interval is wider than {MAX_INTERVAL_WIDTH:.2f} on the 0-1 scale ({MAX_INTERVAL_WIDTH * 100:.0f} "
        "percentage points); for a rate or a ratio of counts, when its relative standard error (the interval's "
        f"half-width over 1.96, divided by the value) is above {MAX_RELATIVE_SE:.0%}, which includes every zero "
        "count.",
        "- **Provenance** of each row: `definition_version` (12 hex digits of SHA-256 over the defining fields: "
        "id, unit, numerator, denominator, multiplier, polarity, kind, variant, and the interval method when "
        "it is not the kind's default; names and descriptions are not part of it), "
        "the area's `boundary_version`, the snapshot's `built_at`, and `computed_at`.",
        "- **Composites** (`composite.py`): AMPI as ISTAT computes IVSM (goalposts over all units and periods "
        "normalised together, reference from fixed external values or a unit such as the city in a base year "
        "= 100, r in 70-130, index = M + S*cv with the population standard deviation) and the older MPI. An "
        "indicator with the same value in every unit (Sup = Inf) gives r = 100 to every unit, with a warning. "
        "IVSM classes: < 97 low, 97-98 medium-low, 98-99 medium, 99-103 medium-high, > 103 high.",
        "",
        "## Family features",
        "",
        "Computed once per family and year from `wh_person` and available to family and person filters:",
        "",
        *[f"- `{name}`: {text}" for name, text in FAMILY_FEATURES.items()],
        "",
        "A single-parent family is a family whose head lives with at least one child and no spouse or partner "
        "(other relatives may be present).",
    ]


def _indicator(ind: Indicator) -> list[str]:
    return [
        f"### `{ind.id}`: {ind.name_en}",
        "",
        f"*{ind.name_it}*: {ind.description_it}.",
        "",
        f"{ind.description_en}.",
        "",
        "| field | value |",
        "| --- | --- |",
        f"| unit of analysis | {ind.unit} |",
        f"| numerator | {describe_count(ind.numerator)} |",
        f"| denominator | {describe_count(ind.denominator)} |",
        f"| formula | numerator / denominator x {ind.multiplier:,} |",
        f"| kind | {ind.kind} |",
        f"| interval | {_INTERVALS[ind.interval or 'none']} |",
        f"| polarity | {_POLARITY[ind.polarity]} |",
        f"| ISTAT code | {ind.istat_code or '-'} |",
        f"| aligned with | {ind.alignment or '-'} |",
        f"| variant | {ind.variant} |",
        f"| version | `{ind.version}` |",
        "",
    ]


def render_markdown(library: dict[str, Indicator] | None = None) -> str:
    """The full text of docs/indicators.md for ``library`` (default: the standard library)."""
    lib = default_library() if library is None else library
    lines = _intro()
    lines += ["", "## Summary", "", "| id | name | unit | kind | ISTAT | version |", "| --- | --- | --- | --- | --- "
              "| --- |"]
    lines += [f"| `{i.id}` | {i.name_en} | {i.unit} | {i.kind} | {i.istat_code or '-'} | `{i.version}` |"
              for i in lib.values()]
    for theme, title in _THEMES.items():
        members = [i for i in lib.values() if i.theme == theme]
        if members:
            lines += ["", f"## {title}", ""]
            for ind in members:
                lines += _indicator(ind)
    return "\n".join(lines).rstrip() + "\n"


def docs_path() -> Path:
    """Where the generated file lives in the source tree."""
    return Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def write_docs(path: Path | None = None) -> Path:
    """Write the generated documentation; returns the path written."""
    target = docs_path() if path is None else path
    target.write_text(render_markdown(), encoding="utf-8")
    return target
