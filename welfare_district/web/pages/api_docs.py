"""The open API's interactive documentation at /docs, drawn by Swagger UI from an installed package."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from welfare_district.web.deps import LanguageDep
from welfare_district.web.templating import render
from welfare_district.web.vendor import SWAGGER_UI_PATH, swagger_ui_version


def build_router() -> APIRouter:
    """The /docs page: our layout, Swagger UI's script and style from fastapi-swagger, our own starter."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs", response_class=HTMLResponse, name="api_docs")
    def api_docs(request: Request, lang: LanguageDep) -> HTMLResponse:
        """Render the documentation page; the browser reads /openapi.json from this server only."""
        root = request.scope.get("root_path", "")
        version = swagger_ui_version()
        return render(request, "api_docs.html", lang, {
            "openapi_url": root + "/openapi.json",
            "swagger_js": f"{root}{SWAGGER_UI_PATH}swagger-ui-bundle.js?v={version}",
            "swagger_css": f"{root}{SWAGGER_UI_PATH}swagger-ui.css?v={version}",
        }, active="api")

    return router
