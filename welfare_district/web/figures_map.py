"""The indicator map: values put into classes, a stepped colour-blind-safe scale, unstable values marked.

Classes are computed here (quantiles, equal intervals, or ISTAT's fixed IVSM classes for the composite) so
the legend, the hover text and the table under the map state the same intervals; the maps are drawn as SVG
from these classes (``web.svg_map``). Protected (suppressed) areas have no value, take no part in the class
breaks and are drawn apart: a neutral grey with diagonal hatch marks and their own legend entry, the reason
in the hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import plotly.colors as pc

from welfare_district.indicators.composite import IVSM_CLASSES, ivsm_class
from welfare_district.web.i18n import Language, format_decimal, translate

FONT = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"
MISSING_COLOUR = "#d9d9d9"
# Indicators go from light (low) to dark (high) Viridis, the composite along Cividis: both stay readable to
# the common colour-vision deficiencies and keep their order in greyscale.
INDICATOR_SCALE = "Viridis_r"
COMPOSITE_SCALE = "Cividis_r"
DEFAULT_CLASSES = 5
# ISTAT's IVSM class limits: < 97, 97-98, 98-99, 99-103, > 103.
IVSM_LIMITS = (97.0, 98.0, 99.0, 103.0)


class ClassMethod(StrEnum):
    """How values are put into classes on the map."""

    QUANTILES = "quantiles"
    EQUAL = "equal"
    IVSM = "ivsm"


@dataclass(frozen=True)
class Classes:
    """Class edges (``len(colours) + 1`` of them, ascending), one colour and one label per class."""

    method: ClassMethod
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def index(self, value: float | None) -> int | None:
        """The class of ``value`` (None when missing); a value on an inner edge goes to the upper class,
        except under IVSM, where ISTAT puts exactly 103 in medium-high."""
        if value is None or not math.isfinite(value):
            return None
        if self.method is ClassMethod.IVSM:
            return IVSM_CLASSES.index(str(ivsm_class(value)))
        for i in range(len(self.colours) - 1):
            if value < self.edges[i + 1]:
                return i
        return len(self.colours) - 1


@dataclass(frozen=True)
class MapArea:
    """One area on the map; ``text`` fields are already formatted in the page language."""

    area_id: str
    name: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    unstable: bool = False
    protected: bool = False  # suppressed by disclosure control: drawn apart, never classed
    reason: str = ""  # why it is protected, in the page language


def _colours(scale: str, n: int) -> tuple[str, ...]:
    if n == 1:
        return tuple(pc.sample_colorscale(scale, [0.5]))
    return tuple(pc.sample_colorscale(scale, [i / (n - 1) for i in range(n)]))


def classify(values: Sequence[float | None], method: ClassMethod, lang: Language, *, digits: int = 1,
             classes: int = DEFAULT_CLASSES) -> Classes:
    """Classes for ``values`` by ``method``.

    Guarantees: quantile edges are distinct (ties merge classes, so there may be fewer than ``classes``;
    when ties leave fewer classes than distinct values, the distinct values are split by quantiles instead);
    equal intervals split [min, max] in ``classes`` parts; IVSM classes are ISTAT's five fixed ones whatever
    the values; with no finite value there is one empty class; labels use ``lang``'s decimal separator.
    """
    if method is ClassMethod.IVSM:
        names = [translate(lang, f"ivsm_class_{c.replace('-', '_')}") for c in IVSM_CLASSES]
        limits = [format_decimal(v, lang, 0) for v in IVSM_LIMITS]
        ranges = [f"< {limits[0]}", f"{limits[0]}–{limits[1]}", f"{limits[1]}–{limits[2]}",
                  f"{limits[2]}–{limits[3]}", f"> {limits[3]}"]
        labels = tuple(f"{n} ({r})" for n, r in zip(names, ranges, strict=True))
        return Classes(method, (-math.inf, *IVSM_LIMITS, math.inf), labels, _colours(COMPOSITE_SCALE, 5))
    finite = sorted(v for v in values if v is not None and math.isfinite(v))
    if not finite:
        return Classes(method, (0.0, 0.0), (translate(lang, "no_data"),), _colours(INDICATOR_SCALE, 1))
    lo, hi = finite[0], finite[-1]
    if method is ClassMethod.EQUAL:
        step = (hi - lo) / classes
        edges = [lo + i * step for i in range(classes)] + [hi] if step > 0 else [lo, hi]
    else:
        edges = sorted({_quantile(finite, i / classes) for i in range(classes + 1)})
        distinct = sorted(set(finite))
        if len(edges) - 1 < classes and len(distinct) > len(edges):
            # Many equal values (often zeros in small areas) swallowed the classes: split the distinct
            # values instead, so the spread among the others still shows.
            n = min(classes, len(distinct) - 1)
            edges = sorted({_quantile(distinct, i / n) for i in range(n + 1)})
        if len(edges) == 1:
            edges = [lo, hi]
    text = [format_decimal(e, lang, digits) for e in edges]
    labels = tuple(f"{text[i]}–{text[i + 1]}" for i in range(len(edges) - 1))
    return Classes(method, tuple(edges), labels, _colours(INDICATOR_SCALE, len(labels)))


def _quantile(ordered: list[float], q: float) -> float:
    # Linear interpolation between closest ranks (the usual "type 7" definition).
    pos = q * (len(ordered) - 1)
    below = math.floor(pos)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (pos - below)


def hover_rows(area: MapArea, classes: Classes, lang: Language, digits: int) -> list[str]:
    """What hovering an area tells: name, value, numerator, denominator, interval, class, and a note
    (the instability warning, or why a protected figure is hidden), formatted in ``lang``."""
    klass = classes.index(area.value)
    if area.protected:
        return [area.name, translate(lang, "protected_short"), "–", "–", "–", "–", area.reason]
    value = translate(lang, "no_data") if area.value is None else format_decimal(area.value, lang, digits)
    ci = "–" if area.ci_low is None or area.ci_high is None else \
        f"{format_decimal(area.ci_low, lang, digits)}–{format_decimal(area.ci_high, lang, digits)}"
    def count(v: float | None) -> str:
        return "–" if v is None else format_decimal(v, lang, 0)

    return [area.name, value, count(area.numerator), count(area.denominator), ci,
            "–" if klass is None else classes.labels[klass],
            translate(lang, "unstable_hover") if area.unstable else ""]


def _luminance(colour: str) -> float:
    r, g, b = (int(float(c)) for c in pc.unlabel_rgb(pc.convert_colors_to_same_type(colour, "rgb")[0][0]))

    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def text_colour(classes: Classes, value: float | None) -> str:
    """Black or white, whichever contrasts more with the fill of ``value``'s class (WCAG luminance)."""
    klass = classes.index(value)
    fill = MISSING_COLOUR if klass is None else classes.colours[klass]  # protected areas have no class either
    lum = _luminance(fill)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"
