"""The open API's interactive documentation: our page, Swagger UI from its installed package, nothing else."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_only_assets_of_this_server(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'data-openapi-url="/openapi.json"' in html and "API aperta" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    assert any("/static/vendor/swagger-ui/swagger-ui-bundle.js?v=" in s for s in sources)
    assert "English" in html and 'aria-current="page"' in html  # the language switch, the API menu entry


def test_swagger_assets_are_served_from_the_package_and_nothing_else_is(client: TestClient) -> None:
    script = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text[:200_000] and "immutable" in script.headers["cache-control"]
    css = client.get("/static/vendor/swagger-ui/swagger-ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for name in ("index.html", "swagger-ui-bundle.js.map", "..%2F__init__.py"):
        assert client.get(f"/static/vendor/swagger-ui/{name}").status_code == 404


def test_docs_page_in_english(client: TestClient) -> None:
    html = client.get("/docs?lang=en").text
    assert "Open API" in html and "OpenAPI 3" in html
