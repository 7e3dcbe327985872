"""Translation of the platform's errors into HTTP responses: JSON under /api, an HTML page elsewhere.

Handlers live at this edge only; the core raises WelfareError subclasses and never knows about HTTP.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from welfare_district.errors import (
    ConfigError,
    EngineError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    WelfareError,
)
from welfare_district.web.deps import get_language
from welfare_district.web.i18n import translate
from welfare_district.web.templating import render

API_PREFIX = "/api/"

# Most specific first: the first matching class decides the status.
_STATUS: tuple[tuple[type[WelfareError], int, str], ...] = (
    (NotFoundError, 404, "not_found"),
    (PermissionDeniedError, 403, "forbidden"),
    (InputError, 422, "invalid_input"),
    (EngineError, 503, "database_unavailable"),
    (ConfigError, 500, "configuration_error"),
    (WelfareError, 400, "error"),
)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON shape of every API error: {"error": {"code", "message", "details"?}}."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json"


def _classify(exc: WelfareError) -> tuple[int, str]:
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            return status, code
    return 400, "error"  # unreachable: WelfareError is the last entry


def _html_error(request: Request, status: int, title_key: str, message: str) -> Response:
    lang = get_language(request, request.query_params.get("lang"))
    return render(request, "error.html", lang, {"title": translate(lang, title_key), "message": message},
                  status_code=status)


async def _welfare_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WelfareError)
    status, code = _classify(exc)
    if _is_api(request):
        return JSONResponse(error_body(code, str(exc)), status_code=status)
    lang = get_language(request, request.query_params.get("lang"))
    message = translate(lang, "unavailable_body", message=str(exc)) if status == 503 else str(exc)
    return _html_error(request, status, "not_found_title" if status == 404 else "error_title", message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": ".".join(str(p) for p in err.get("loc", ())), "message": str(err.get("msg", ""))}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{d['location']}: {d['message']}" for d in details) or "invalid request"
    body = error_body("invalid_request", f"Invalid request: {summary}", details)
    return JSONResponse(body, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request) or exc.status_code != 404:
        body = error_body(f"http_{exc.status_code}", str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))
    lang = get_language(request, request.query_params.get("lang"))
    return _html_error(request, 404, "not_found_title", translate(lang, "not_found_body"))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn WelfareError, validation and HTTP errors into responses."""
    app.add_exception_handler(WelfareError, _welfare_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
