"""The indicator map: values put into classes, a stepped colour-blind-safe scale, unstable values marked.

Classes are computed here (quantiles, equal intervals, or ISTAT's fixed IVSM classes for the composite) so
the legend, the hover text and the table under the map state the same intervals. The dashboard's map is
drawn as SVG from these classes (``web.svg_map``); ``indicator_map`` draws them as a Plotly choropleth for
the impact page, each area coloured by its class index on a stepped scale whose ticks are the intervals.
Protected (suppressed) areas have no value, take no part in the class breaks and are drawn apart: a neutral
grey with diagonal hatch marks and their own legend entry, the reason in the hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import plotly.colors as pc
import plotly.graph_objects as go

from welfare_district.indicators.composite import IVSM_CLASSES, ivsm_class
from welfare_district.web.i18n import Language, format_decimal, plotly_separators, translate

FONT = "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"
MISSING_COLOUR = "#d9d9d9"
# Protected areas: a mid grey (darker than "no value") with darker diagonal marks, readable in greyscale.
PROTECTED_COLOUR = "#a3a3a3"
PROTECTED_MARK_COLOUR = "#4d4d4d"
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


def stepped_colorscale(colours: Sequence[str]) -> list[list[Any]]:
    """A Plotly colour scale with one flat band per class (class i spans [i/n, (i+1)/n])."""
    n = len(colours)
    scale: list[list[Any]] = []
    for i, colour in enumerate(colours):
        scale.append([i / n, colour])
        scale.append([(i + 1) / n, colour])
    return scale


@dataclass(frozen=True)
class MapText:
    """The translated words a map needs: legend title, hover labels, legend entries."""

    title: str
    value_label: str
    show_counts: bool = True


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


def indicator_map(areas: Sequence[MapArea], classes: Classes, text: MapText, lang: Language, *,
                  geojson: str | dict[str, Any], label_points: dict[str, tuple[float, float]] | None = None,
                  names_on_map: bool = False, digits: int = 1, marker_size: int = 11) -> go.Figure:
    """A choropleth of ``areas`` coloured by class, with missing values grey and unstable ones marked.

    Guarantees: the first trace holds every area with a value, keyed by area_id (featureidkey
    properties.area_id in ``geojson``, a URL or a FeatureCollection); its colour bar lists the class labels;
    hover gives name, value, numerator, denominator, confidence interval, class and the instability flag;
    areas without a value form a grey trace with a legend entry; unstable areas get a marker trace with a
    legend entry when ``label_points`` places them (``marker_size`` px: smaller for small areas, so the marks
    do not hide the colours); no trace needs map tiles or a world topology.
    """
    t = partial_translate(lang)
    rows = {a.area_id: hover_rows(a, classes, lang, digits) for a in areas}
    hover = ("<b>%{customdata[0]}</b><br>" + text.value_label + ": %{customdata[1]}"
             + (f"<br>{t('hover_numerator')}: %{{customdata[2]}}<br>{t('hover_denominator')}: %{{customdata[3]}}"
                if text.show_counts else "")
             + f"<br>{t('hover_ci')}: %{{customdata[4]}}<br>{t('hover_class')}: %{{customdata[5]}}"
             + "<br><i>%{customdata[6]}</i><extra></extra>")
    valued = [a for a in areas if not a.protected and classes.index(a.value) is not None]
    missing = [a for a in areas if not a.protected and classes.index(a.value) is None]
    protected = [a for a in areas if a.protected]
    n = len(classes.colours)
    common: dict[str, Any] = {"geojson": geojson, "featureidkey": "properties.area_id",
                              "hovertemplate": hover, "marker": {"line": {"color": "#ffffff", "width": 1}}}
    main = go.Choropleth(
        locations=[a.area_id for a in valued], z=[classes.index(a.value) for a in valued],
        customdata=[rows[a.area_id] for a in valued], colorscale=stepped_colorscale(classes.colours),
        zmin=-0.5, zmax=n - 0.5, name=text.title, showlegend=False,
        colorbar={"title": {"text": text.title, "side": "top"}, "tickvals": list(range(n)),
                  "ticktext": list(classes.labels), "thickness": 16, "outlinewidth": 0, "len": 0.9},
        **common)
    traces: list[Any] = [main]
    if missing:
        traces.append(go.Choropleth(
            locations=[a.area_id for a in missing], z=[0] * len(missing),
            customdata=[rows[a.area_id] for a in missing], colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]],
            showscale=False, showlegend=True, name=t("legend_missing"), **common))
    if protected:
        traces += _protected_traces(protected, rows, hover, common, t("legend_protected"), label_points,
                                    marker_size)
    unstable = [a for a in areas if a.unstable and label_points and a.area_id in label_points]
    if unstable and label_points:
        traces.append(go.Scattergeo(
            lon=[label_points[a.area_id][0] for a in unstable], lat=[label_points[a.area_id][1] for a in unstable],
            mode="markers", name=t("legend_unstable"), customdata=[rows[a.area_id] for a in unstable],
            hovertemplate=hover, ids=[a.area_id for a in unstable],
            marker={"symbol": "x", "size": marker_size, "color": "#000000",
                    "line": {"width": 1.5 if marker_size > 7 else 0.5, "color": "#ffffff"}}))
    if names_on_map and label_points:
        located = [a for a in areas if a.area_id in label_points]
        traces.append(go.Scattergeo(
            lon=[label_points[a.area_id][0] for a in located], lat=[label_points[a.area_id][1] for a in located],
            text=[a.name for a in located], mode="text", hoverinfo="skip", showlegend=False,
            textfont={"size": 13, "weight": "bold",
                      "color": [text_colour(classes, a.value) for a in located]}))
    fig = go.Figure(traces)
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, separators=plotly_separators(lang),
        font={"family": FONT, "size": 14}, paper_bgcolor="#ffffff", hoverlabel={"font": {"size": 14}},
        dragmode=False, showlegend=len(traces) > 1, legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "bottom",
                                "bgcolor": "rgba(255,255,255,0.85)"},
    )
    return fig


def _protected_traces(protected: Sequence[MapArea], rows: dict[str, list[str]], hover: str, common: dict[str, Any],
                      name: str, label_points: dict[str, tuple[float, float]] | None, marker_size: int) -> list[Any]:
    # Choropleths cannot be pattern-filled: the grey fill carries the legend entry and diagonal marks on each
    # area (same legend group, so one entry toggles both) give the hatched look.
    style = {**common, "marker": {"line": {"color": PROTECTED_MARK_COLOUR, "width": 1}}}
    traces: list[Any] = [go.Choropleth(
        locations=[a.area_id for a in protected], z=[0] * len(protected),
        customdata=[rows[a.area_id] for a in protected], colorscale=[[0, PROTECTED_COLOUR], [1, PROTECTED_COLOUR]],
        showscale=False, showlegend=True, name=name, legendgroup="protected", **style)]
    placed = [a for a in protected if label_points and a.area_id in label_points]
    if placed and label_points:
        traces.append(go.Scattergeo(
            lon=[label_points[a.area_id][0] for a in placed], lat=[label_points[a.area_id][1] for a in placed],
            mode="markers", name=name, legendgroup="protected", showlegend=False, hovertemplate=hover,
            customdata=[rows[a.area_id] for a in placed], ids=[a.area_id for a in placed],
            marker={"symbol": "line-ne-open", "size": marker_size + 2, "color": PROTECTED_MARK_COLOUR,
                    "line": {"width": 1.5 if marker_size > 7 else 1, "color": PROTECTED_MARK_COLOUR}}))
    return traces


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


def partial_translate(lang: Language) -> Any:
    """``translate`` bound to ``lang`` (a small helper for figure builders)."""
    return lambda key, **params: translate(lang, key, **params)
