"""`welfare directory` through the Typer app on both engines: import, refusal listing, export, list, match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.directory.conftest import build_city, write_extract
from welfare_district.audit.log import list_events
from welfare_district.cli import build_app
from welfare_district.engine import connect
from welfare_district.privacy.pseudonym import Keyring, Pseudonymiser

runner = CliRunner()
KEY = "cli-directory-key-" + "y" * 30


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WELFARE_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("WELFARE_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("WELFARE_DEMO", raising=False)


def _run(*args: str, url: str) -> object:
    return runner.invoke(build_app(), [*args, "--database-url", url], terminal_width=220)


def test_import_export_list_and_refusal(database_url: str, tmp_path: Path) -> None:
    extract = write_extract(tmp_path / "catalogo")
    done = _run("directory", "import", str(extract), url=database_url)
    assert done.exit_code == 0 and "Catalogue loaded (version 1)" in done.output  # type: ignore[attr-defined]
    again = _run("directory", "import", str(extract), "--format", "catalogo", url=database_url)
    assert "Catalogue unchanged (version 1)" in again.output  # type: ignore[attr-defined]
    out = tmp_path / "cat.json"
    assert _run("directory", "export", str(out), url=database_url).exit_code == 0  # type: ignore[attr-defined]
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["services"][0]["status"] = "open"
    doc["services"][1]["organization_id"] = "E999"
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    refused = _run("directory", "import", str(tmp_path / "bad.json"), url=database_url)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert "nothing loaded: 3 problem(s)" in refused.output  # type: ignore[attr-defined]
    assert "bad.json#/services/1, service S0002, field 'organization_id': [conflicting_reference]" in \
        refused.output  # type: ignore[attr-defined]
    assert "[not_allowed]" in refused.output and "[dangling_reference]" in refused.output  # type: ignore[attr-defined]
    listed = _run("directory", "list", "--taxonomy", "economic", "--json", url=database_url)
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == ["S0001", "S0004"]  # type: ignore[attr-defined]
    wrong = _run("directory", "export", str(tmp_path / "x"), "--format", "xml", url=database_url)
    assert wrong.exit_code == 1 and "hsds-json or hsds-csv" in wrong.output  # type: ignore[attr-defined]


def test_match_a_profile_or_a_family(database_url: str, tmp_path: Path) -> None:
    with connect(database_url) as db:
        build_city(db, tmp_path / "cat")
    desk = _run("directory", "match", "--profile", '{"ages": [80], "needs": ["elderly_care"]}', "--json",
                url=database_url)
    assert desk.exit_code == 0, desk.output  # type: ignore[attr-defined]
    assert json.loads(desk.output)["matches"][0]["service_id"] == "S0003"  # type: ignore[attr-defined]
    pseudonym = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1")).pseudonym("1", "family")
    family = _run("directory", "match", "--family", pseudonym, "--json", url=database_url)
    assert family.exit_code == 0, family.output  # type: ignore[attr-defined]
    body = json.loads(family.output)  # type: ignore[attr-defined]
    assert [m["service_id"] for m in body["matches"]] == ["S0001", "S0002", "S0004"]
    assert "ivsm_single_parent" in body["flags"]
    with connect(database_url) as db, db.engine.connect() as conn:
        assert [e["action"] for e in list_events(conn)] == ["directory.match"]
    bad = _run("directory", "match", "--profile", '{"ages": [200]}', url=database_url)
    assert bad.exit_code == 1 and "invalid profile at ages.0" in bad.output  # type: ignore[attr-defined]
    both = _run("directory", "match", url=database_url)
    assert both.exit_code == 1 and "exactly one of --family or --profile" in both.output  # type: ignore[attr-defined]
