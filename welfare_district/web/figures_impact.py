"""Figures of the impact pages, drawn on the server as SVG: where the city acts over where the need is (the
IVSM map with the projects' zones outlined) and a project's monthly timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from markupsafe import Markup

from welfare_district.web.i18n import Language, format_decimal, format_int, translate
from welfare_district.web.svg_charts import Series, bar_line_chart, month_label
from welfare_district.web.svg_map import Legend, LegendEntry, Outlines, Region, outline_layer, render_svg

MAP_ID = "impact-map-svg"
TIMELINE_ID = "impact-timeline-svg"


def projects_by_area(projects: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each target area's project ids, in the projects' order, each id once."""
    out: dict[str, list[str]] = {}
    for p in projects:
        for area in p["target_areas"]:
            ids = out.setdefault(str(area), [])
            if p["project_id"] not in ids:
                ids.append(str(p["project_id"]))
    return out


def actions_svg(shapes: Outlines, regions: Sequence[Region], by_area: Mapping[str, Sequence[str]],
                fields: Sequence[tuple[str, str]], lang: Language, *, title: str, desc: str) -> Markup:
    """The map of ``regions`` with every area of ``by_area`` outlined; each area's hover rows are ``fields``
    followed by the projects acting there (ids joined by commas, "–" where none)."""
    acting = [replace(r, data={**r.data, "projects": ", ".join(by_area.get(r.area_id, ()))}) for r in regions]
    return render_svg(shapes, acting, title=title, desc=desc, level="zone",
                      fields=[*fields, ("projects", translate(lang, "impact_map_projects"))],
                      shared=("class", "note", "projects"), svg_id=MAP_ID,
                      overlay=outline_layer(shapes, by_area))


def actions_legend(legend: Legend, lang: Language) -> Legend:
    """``legend`` (the IVSM classes) with a last line saying what the outlines mean."""
    return replace(legend, entries=(*legend.entries,
                                    LegendEntry(translate(lang, "impact_map_legend"), kind="outlined")))


def timeline_svg(rows: Sequence[Mapping[str, Any]], lang: Language) -> Markup:
    """Monthly activities (bars, left axis) and hours (line, right axis) of one project, months in the rows'
    order, described in words for screen readers (the table under the chart holds every figure)."""
    activities = Series(translate(lang, "impact_activities"), [float(r["activities"]) for r in rows])
    hours = Series(translate(lang, "impact_hours"), [float(r["hours"]) for r in rows])
    first, last = (" ".join(month_label(rows[i]["month"], lang)) for i in (0, -1))
    desc = translate(lang, "impact_timeline_desc", months=format_int(len(rows), lang), first=first, last=last,
                     activities=format_int(int(sum(activities.values)), lang),
                     hours=format_decimal(sum(hours.values), lang, 1))
    return bar_line_chart([str(r["month"]) for r in rows], activities, hours, lang,
                          title=translate(lang, "impact_timeline_caption"), desc=desc, chart_id=TIMELINE_ID)


__all__ = ["actions_legend", "actions_svg", "projects_by_area", "timeline_svg"]
