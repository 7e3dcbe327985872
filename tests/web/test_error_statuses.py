"""Each kind of platform error reaches an API client with its own status and code, whoever raised it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from welfare_district.directory.permissions import NotAllowedError
from welfare_district.errors import (
    ConfigError,
    EngineError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    WelfareError,
)
from welfare_district.web.errors import install_error_handlers


@pytest.mark.parametrize(("error", "status", "code"), [
    (NotFoundError("no such area"), 404, "not_found"),
    (PermissionDeniedError("this account may not read families"), 403, "forbidden"),
    (NotAllowedError("partners may not approve revisions"), 403, "forbidden"),
    (InputError("bad year"), 422, "invalid_input"),
    (EngineError("database down"), 503, "database_unavailable"),
    (ConfigError("bad setting"), 500, "configuration_error"),
    (WelfareError("something else"), 400, "error"),
])
def test_api_errors_map_to_their_status(error: WelfareError, status: int, code: str) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise error

    response = TestClient(app).get("/api/v1/boom")
    assert response.status_code == status
    assert response.json()["error"] == {"code": code, "message": str(error)}
