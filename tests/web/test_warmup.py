"""The warm-up at server start: it fills the caches the first pages need, never serves a different figure,
lets requests through while it runs, and is off when the setting says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import TEST_PSEUDONYM_KEY
from welfare_district.engine import Database
from welfare_district.settings import get_settings
from welfare_district.web import indicator_reads as reads
from welfare_district.web.app import create_app


@contextmanager
def _client(db: Database, warm_up: bool | None, **settings: Any) -> Iterator[TestClient]:
    app = create_app(get_settings(database_url=db.url, pseudonym_key=TEST_PSEUDONYM_KEY, **settings),
                     database=db, warm_up=warm_up)
    with TestClient(app) as client:
        yield client


def _bodies(client: TestClient, db: Database) -> list[Any]:
    """Public (protected) answers of the reads the warm-up fills, in a fixed order."""
    year = reads.latest_year(db)
    index = reads.area_index(db)
    areas = [a.area_id for a in index.by_level["quartiere"][:1] + index.by_level["zone"][:1]]
    urls = [f"/api/v1/areas/{a}/profile?year={year}" for a in areas]
    urls += [f"/api/v1/composite?level={level}&year={year}" for level in ("quartiere", "zone", "section")]
    urls += [f"/api/v1/values?indicator={reads.indicators()[0].id}&level=section&year={year}"]
    out = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        out.append(response.json())
    return out


def test_warmup_fills_the_caches_and_changes_no_figure(city_db: Database) -> None:
    with _client(city_db, False) as cold:
        assert cold.app.state.warmup is None  # type: ignore[attr-defined]
        expected = _bodies(cold, city_db)
    with _client(city_db, True) as warm:
        state = warm.app.state.warmup  # type: ignore[attr-defined]
        assert state.wait(300) and not state.failed
        names = [name for name, _ in state.steps]
        years = reads.available_years(city_db)
        assert {f"protect {y}" for y in years} <= set(names) and names.index(f"protect {years[-1]}") == 1
        cache = warm.app.state.read_cache  # type: ignore[attr-defined]
        stamp = cache.stamp(city_db)
        for ind in reads.indicators():
            assert all(cache.peek(("protected_rows", ind.id, y), stamp) is not None for y in years), ind.id
        tables = warm.app.state.protected_tables  # type: ignore[attr-defined]
        passes = tables.misses
        assert _bodies(warm, city_db) == expected
        assert tables.misses == passes  # every figure came from the warmed caches


def test_requests_during_the_warmup_get_the_same_figures(city_db: Database) -> None:
    with _client(city_db, False) as cold:
        expected = _bodies(cold, city_db)
    with _client(city_db, True) as warm:
        state = warm.app.state.warmup  # type: ignore[attr-defined]
        assert _bodies(warm, city_db) == expected  # sent at once: the warm-up is still running
        assert state.wait(300) and not state.failed
        assert _bodies(warm, city_db) == expected


def test_the_setting_turns_the_warmup_off(city_db: Database) -> None:
    with _client(city_db, True, warmup=False) as client:
        assert client.app.state.warmup is None  # type: ignore[attr-defined]
    with _client(city_db, None) as client:  # an app given an open database does not warm by default
        assert client.app.state.warmup is None  # type: ignore[attr-defined]


def test_closing_the_app_stops_the_warmup(city_db: Database) -> None:
    with _client(city_db, True) as client:
        state = client.app.state.warmup  # type: ignore[attr-defined]
    assert state.done.is_set() and state.stop.is_set()
