"""Filling the read caches when the server starts, so the first visitors after a restart do not wait.

``start_warmup(app)`` (called from the application's lifespan when ``WELFARE_WARMUP`` is on) runs, in one
background thread, the reads the first pages need, most wanted first: the latest year protected whole (the
public map, rankings and profiles), the IVSM composite and the first indicator of every map level in that
year for the public and for analysts, the outlines of every level, then the other years (the profiles'
series), the profiles of the city and its quartieri, the data-quality linkage counts and the list of
projects. Startup does not wait for it and requests are served meanwhile.

Why it never does the same work twice nor serves a wrong figure: every step goes through the app's
``ReadCache``, which builds a key once at a time (a request asking for a key being warmed waits for that
build; a key not yet reached is computed by the request and then found by the warm-up) and keeps nothing
built under a data stamp that has since changed. On DuckDB, whose one connection serves requests in turn
under ``app.state.db_lock``, each step holds that lock while it runs, so a request waits at most one step;
between steps the lock is released. A failing step is logged (its exception type only) and skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from welfare_district.engine import Database
from welfare_district.settings import Settings
from welfare_district.web.read_cache import ReadCache

# The server's own log (uvicorn prints it), so an operator sees when the caches are ready.
_log = logging.getLogger("uvicorn.error")
Step = tuple[str, Callable[[], object]]
START_DELAY = 0.5  # seconds before the first step
STEP_PAUSE = 0.1  # seconds between two steps, with the database lock released


@dataclass
class Warmup:
    """The state of one warm-up: its thread, the steps done and failed, and when it finished."""

    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    steps: list[tuple[str, float]] = field(default_factory=list)  # (name, seconds) of each step done
    failed: list[str] = field(default_factory=list)
    seconds: float | None = None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the warm-up has finished (or was stopped); True when it has."""
        return self.done.wait(timeout)

    def close(self) -> None:
        """Ask the warm-up to stop after its current step and wait for it (called before the database closes)."""
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def warm_steps(db: Database, cache: ReadCache, settings: Settings, tables: Any) -> Iterator[Step]:
    """The warm-up's steps in order (name, action); later steps are planned from what earlier ones read.

    ``tables`` is the app's ProtectedTables (None without a pseudonym key: only exact figures are warmed).
    """
    from welfare_district.web import indicator_reads as reads
    from welfare_district.web.pages.common import MAP_LEVELS
    from welfare_district.web.protected_reads import area_parents, protect_year

    years: list[int] = []

    def areas() -> None:
        reads.area_index(db, cache=cache)
        years.extend(reads.available_years(db, cache=cache))

    yield "areas", areas
    if not years:
        return  # nothing computed yet: the first page shows residents only
    latest, ids = years[-1], [i.id for i in reads.indicators()]
    modes = [None] if tables is None else [tables, None]  # protected first: it is the slow one
    # the home page's composite compares the latest year with the base year: both come first
    first = list(dict.fromkeys([latest, _base_year(db, cache, years)]))
    for year in first:
        if tables is not None:
            yield f"protect {year}", partial(protect_year, db, ids, year, tables, area_parents(db, cache=cache),
                                             cache)
    for level in MAP_LEVELS:
        def level_figures(level: str = level) -> None:
            for protection in modes:
                reads.composite(db, level, latest, cache=cache, protection=protection)
                reads.level_values(db, ids[0], level, latest, cache=cache, protection=protection)
        yield f"map {level} {latest}", level_figures
        yield f"outlines {level}", partial(_outlines, db, cache, level)
    for year in reversed(years):
        if tables is not None and year not in first:
            yield f"protect {year}", partial(protect_year, db, ids, year, tables, area_parents(db, cache=cache),
                                             cache)
    index = reads.area_index(db, cache=cache)
    for area in [*index.by_level.get("city", []), *index.by_level.get("quartiere", [])]:
        def profiles(area_id: str = area.area_id) -> None:
            for protection in modes:
                reads.profile(db, area_id, latest, cache=cache, protection=protection)
        yield f"profile {area.area_id}", profiles
    yield "quality", lambda: _quality(db, cache)
    yield "impact", lambda: _impact(db, settings)


def _base_year(db: Database, cache: ReadCache, years: list[int]) -> int:
    from welfare_district.web.composite_reads import reference_year

    try:
        return reference_year(db, cache=cache)
    except Exception:  # a configured base year that is not stored: the composite pages say so themselves
        return years[0]


def _outlines(db: Database, cache: ReadCache, level: str) -> None:
    # the simplified outlines of the map API (the slowest part of a first section map)
    from welfare_district.web.api.map_body import level_geometries

    cache.get(db, ("map_geometries", level), lambda: level_geometries(db, level))


def _quality(db: Database, cache: ReadCache) -> None:
    from welfare_district.web.pages.quality import cached_linkage_report

    cached_linkage_report(db, cache)


def _impact(db: Database, settings: Settings) -> None:
    # the reach of every project fills the impact stage's own cache of memberships and placements
    from welfare_district.impact import views
    from welfare_district.impact.monitoring import read_register
    from welfare_district.privacy.disclosure import DisclosurePolicy

    register = read_register(db)
    if len(register.projects):
        views.project_list(db, DisclosurePolicy.from_settings(settings), False, register)


def run_warmup(db: Database, cache: ReadCache, settings: Settings, tables: Any, lock: threading.Lock | None,
               state: Warmup) -> None:
    """Run every step of ``warm_steps`` (holding ``lock`` during each, when given) until done or stopped.

    Guarantees: never raises; ``state.done`` is set at the end whatever happened.
    """
    started = time.perf_counter()
    state.stop.wait(START_DELAY)  # the server binds its socket first
    try:
        plan = warm_steps(db, cache, settings, tables)
        while not state.stop.is_set():
            with lock if lock is not None else _NoLock():
                try:
                    name, action = next(plan)
                except StopIteration:
                    break
                try:
                    began = time.perf_counter()
                    action()
                    state.steps.append((name, time.perf_counter() - began))
                except Exception as exc:  # a step's failure must not stop the server: requests compute it
                    state.failed.append(name)
                    _log.warning("warm-up step %r failed (%s); the first request computes it",
                                 name, type(exc).__name__)
            # A request waiting for the lock must get it before the next step: the lock is not fair, and on a
            # loaded machine a woken thread can take tens of milliseconds to run.
            state.stop.wait(STEP_PAUSE)
    except Exception as exc:  # planning failed (e.g. no areas table yet): nothing more to warm
        _log.warning("warm-up stopped (%s)", type(exc).__name__)
    finally:
        state.seconds = time.perf_counter() - started
        state.done.set()
        _log.info("warm-up finished in %.1f s: %d steps done, %d failed", state.seconds, len(state.steps),
                  len(state.failed))


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def start_warmup(app: Any) -> Warmup:
    """Start warming ``app``'s caches in a daemon thread and return its state (also ``app.state.warmup``)."""
    db: Database = app.state.db
    lock = app.state.db_lock if db.dialect.is_duckdb else None
    state = Warmup()
    state.thread = threading.Thread(
        target=run_warmup, name="welfare-warmup", daemon=True,
        args=(db, app.state.read_cache, app.state.settings, app.state.protected_tables, lock, state))
    app.state.warmup = state
    state.thread.start()
    return state


__all__ = ["Warmup", "run_warmup", "start_warmup", "warm_steps"]
