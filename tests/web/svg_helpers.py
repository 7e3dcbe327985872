"""Reading the server-drawn SVG map back in tests: the areas as drawn, with the hover texts resolved."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

_SVG = re.compile(r'<svg id="map-svg".*?</svg>', re.S)
_PATH = re.compile(r'<path d="[^"]*" fill="([^"]*)" data-id="[^"]*"[^>]*/>')
_ATTR = re.compile(r'\s(data-[a-z-]+)(?:="([^"]*)")?')


def map_svg(html: str) -> str:
    """The map's <svg> element in a page or fragment (AssertionError when there is none)."""
    found = _SVG.search(html)
    assert found, "no SVG map in the page"
    return found.group(0)


def drawn_areas(html: str) -> list[dict[str, Any]]:
    """Every area path of the map in drawing order: fill, data-* values (shared texts looked up, flags as
    True) and the hover rows the page's script shows, keyed by the field labels."""
    svg = map_svg(html)
    head = svg[:svg.index(">")]
    fields = json.loads(unescape(re.search(r'data-fields="([^"]*)"', head).group(1)))  # type: ignore[union-attr]
    lookup = json.loads(unescape(re.search(r'data-lookup="([^"]*)"', head).group(1)))  # type: ignore[union-attr]
    areas = []
    for path in _PATH.finditer(svg):
        attrs: dict[str, Any] = {"fill": unescape(path.group(1))}
        for name, value in _ATTR.findall(path.group(0)):
            key = name.removeprefix("data-")
            text: Any = True if value == "" else unescape(value)  # render_svg writes no empty values
            attrs[key] = lookup[key][int(text)] if key in lookup and isinstance(text, str) else text
        attrs["hover"] = {label: attrs.get(key, "–") for key, label in fields}
        areas.append(attrs)
    return areas


def legend_labels(html: str) -> list[str]:
    """The legend's entries as read, in order."""
    return [re.sub(r"<[^>]+>|✕", "", unescape(m)).strip()
            for m in re.findall(r'<li class="svgmap-legend__entry"[^>]*>(.*?)</li>', html, re.S)]
