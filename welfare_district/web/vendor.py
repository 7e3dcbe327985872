"""Third-party browser assets served straight from the installed Python packages that ship them.

Nothing third-party is copied into this repository: the plotly package carries plotly.min.js, and this
route streams that file, versioned by the package version so browsers may cache it for long.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata, resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from welfare_district.errors import ConfigError

PLOTLY_JS_PATH = "/static/vendor/plotly.min.js"
# Plotly's fallback folder for world topojson: nothing is served there (see static/js/map.js).
TOPOJSON_PATH = "/static/vendor/topojson/"
_ONE_YEAR = 365 * 24 * 3600


def plotly_js_file() -> Path:
    """The plotly.min.js shipped inside the installed plotly package; ConfigError if it is missing."""
    path = Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))
    if not path.is_file():
        raise ConfigError(f"plotly.min.js not found at {path}: reinstall the 'plotly' package")
    return path


@cache
def plotly_version() -> str:
    """The installed plotly package's version (it pins the plotly.js it ships)."""
    return metadata.version("plotly")


def vendor_url(request: Request, path: str) -> str:
    """Root-relative URL of a vendored asset with the package version as a cache-busting query."""
    return f"{request.scope.get('root_path', '')}{path}?v={plotly_version()}"


def build_router() -> APIRouter:
    """The route serving plotly.min.js from the plotly package."""
    router = APIRouter(include_in_schema=False)

    @router.get(PLOTLY_JS_PATH, name="plotly_js")
    def plotly_js() -> FileResponse:
        """Stream the package's plotly.min.js; cacheable for a year because its URL carries the version."""
        return FileResponse(plotly_js_file(), media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": f"public, max-age={_ONE_YEAR}, immutable"})

    return router
