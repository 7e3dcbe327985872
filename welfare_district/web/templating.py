"""Jinja2 environment and the one ``render`` helper every page goes through.

``render`` gives each template the same context (language, translator, navigation, language-switch
link, URLs of our static files) and remembers an explicit ?lang= choice in a cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from welfare_district import __version__
from welfare_district.web.i18n import (
    COOKIE_NAME,
    LANGUAGE_NAMES,
    Language,
    format_decimal,
    format_int,
    format_percent,
    other_language,
    parse_language,
    translate,
    translate_with_code,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class NavItem:
    """One entry of the site navigation: an id pages use to mark themselves current, a path, a label key."""

    key: str
    path: str
    label_key: str


# New page types add their entry here; the base template renders the list in order.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("map", "/", "nav_map"),
    NavItem("indicators", "/indicators", "nav_indicators"),
    NavItem("trends", "/trends", "nav_trends"),
    NavItem("rankings", "/rankings", "nav_rankings"),
    NavItem("quality", "/quality", "nav_quality"),
)


def build_templates() -> Jinja2Templates:
    """A Jinja2 environment over our templates, HTML-autoescaped, with undefined names failing loudly."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def static_url(request: Request, path: str, version: str = __version__) -> str:
    """Root-relative URL of one of our static files, with a version query so upgrades bust caches."""
    return f"{request.scope.get('root_path', '')}/static/{path}?v={version}"


def language_switch_url(request: Request, lang: Language) -> str:
    """The current page's URL with ``lang`` set, keeping its other query parameters."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.scope.get('root_path', '')}{request.url.path}?{urlencode(params)}"


def render(request: Request, template: str, lang: Language, context: dict[str, Any], *,
           status_code: int = 200, active: str | None = None) -> HTMLResponse:
    """Render ``template`` in ``lang`` with the shared page context merged under ``context``.

    Guarantees: the response is text/html; when the request chose a language with ?lang=, the choice
    is stored in the language cookie so the following pages keep it.
    """
    other = other_language(lang)
    shared: dict[str, Any] = {
        "lang": lang,
        "t": partial(translate, lang),
        "t_code": partial(translate_with_code, lang),
        "fmt_int": partial(format_int, lang=lang),
        "fmt_pct": partial(format_percent, lang=lang),
        "fmt_dec": partial(format_decimal, lang=lang),
        "navigation": NAVIGATION,
        "active": active,
        "root_path": request.scope.get("root_path", ""),
        "static_url": partial(static_url, request),
        "switch": {
            "lang": other,
            "name": LANGUAGE_NAMES[other],
            "label": translate(other, "switch_to"),
            "url": language_switch_url(request, other),
        },
    }
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, {**shared, **context}, status_code=status_code)
    if parse_language(request.query_params.get("lang")) == lang:
        response.set_cookie(COOKIE_NAME, lang, max_age=LANGUAGE_COOKIE_MAX_AGE, httponly=True, samesite="lax")
    return response
