"""Third-party browser assets served straight from the installed Python packages that ship them.

Nothing third-party is copied into this repository: the plotly package carries plotly.min.js and the
fastapi-swagger package Swagger UI's script and style sheet (for the interactive API documentation); these routes stream
those files, versioned by the package version so browsers may cache them for long.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata, resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from welfare_district.errors import ConfigError, NotFoundError

PLOTLY_JS_PATH = "/static/vendor/plotly.min.js"
# Plotly's fallback folder for world topojson: nothing is served there (see static/js/charts.js).
TOPOJSON_PATH = "/static/vendor/topojson/"
SWAGGER_UI_PATH = "/static/vendor/swagger-ui/"
# only the two files the API documentation page loads; nothing else of the package is reachable
SWAGGER_UI_FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
                    "swagger-ui.css": "text/css; charset=utf-8"}
_ONE_YEAR = 365 * 24 * 3600


def package_file(package: str, distribution: str, *parts: str) -> Path:
    """A data file inside an installed package (``parts`` below its folder); ConfigError naming the
    distribution to reinstall when it is missing."""
    path = Path(str(resources.files(package).joinpath(*parts)))
    if not path.is_file():
        raise ConfigError(f"{parts[-1]} not found at {path}: reinstall the {distribution!r} package")
    return path


def plotly_js_file() -> Path:
    """The plotly.min.js shipped inside the installed plotly package; ConfigError if it is missing."""
    return package_file("plotly", "plotly", "package_data", "plotly.min.js")


def swagger_ui_file(name: str) -> Path:
    """One of SWAGGER_UI_FILES as shipped in the fastapi-swagger package; ConfigError if missing.

    Only the package's data files are used (Swagger UI 5, which reads OpenAPI 3.1 as FastAPI writes it),
    not its code.
    """
    return package_file("fastapi_swagger", "fastapi-swagger", "resources", name)


@cache
def plotly_version() -> str:
    """The installed plotly package's version (it pins the plotly.js it ships)."""
    return metadata.version("plotly")


@cache
def swagger_ui_version() -> str:
    """The installed fastapi-swagger package's version (it pins the Swagger UI it ships)."""
    return metadata.version("fastapi-swagger")


def vendor_url(request: Request, path: str) -> str:
    """Root-relative URL of a vendored asset with the package version as a cache-busting query."""
    return f"{request.scope.get('root_path', '')}{path}?v={plotly_version()}"


def build_router() -> APIRouter:
    """The routes serving plotly.min.js and the API documentation's assets from their packages."""
    router = APIRouter(include_in_schema=False)

    @router.get(PLOTLY_JS_PATH, name="plotly_js")
    def plotly_js() -> FileResponse:
        """Stream the package's plotly.min.js; cacheable for a year because its URL carries the version."""
        return FileResponse(plotly_js_file(), media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": f"public, max-age={_ONE_YEAR}, immutable"})

    @router.get(SWAGGER_UI_PATH + "{name}", name="swagger_ui_asset")
    def swagger_ui_asset(name: str) -> FileResponse:
        """Stream swagger-ui-bundle.js or swagger-ui.css from the package (404 for any other name)."""
        media_type = SWAGGER_UI_FILES.get(name)
        if media_type is None:
            raise NotFoundError(f"no documentation asset named {name!r}")
        return FileResponse(swagger_ui_file(name), media_type=media_type,
                            headers={"Cache-Control": f"public, max-age={_ONE_YEAR}, immutable"})

    return router
