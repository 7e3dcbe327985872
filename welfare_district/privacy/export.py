"""Protected tables out of the database: what a partner or the public may receive of one indicator and year."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from welfare_district.engine import Database
from welfare_district.errors import NotFoundError
from welfare_district.privacy.disclosure import DisclosurePolicy, protect

# Columns a protected table carries out of the platform: no computation timestamps, nothing exact.
PUBLIC_COLUMNS = ["indicator_id", "level", "area_id", "year", "numerator", "denominator", "value", "ci_low",
                  "ci_high", "unstable", "null_reason", "suppressed", "protection", "protection_threshold",
                  "rounding_base", "definition_version", "boundary_version"]


def related(indicator_id: str, policy: DisclosurePolicy) -> list[str]:
    """``indicator_id`` and every indicator linked to it by a declared sum (they must be protected together)."""
    found = {indicator_id}
    changed = True
    while changed:
        changed = False
        for total, parts in policy.sums:
            family = {total, *parts}
            if family & found and not family <= found:
                found |= family
                changed = True
    return sorted(found)


def area_parents(db: Database) -> dict[str, str | None]:
    """Area id -> parent id of the stored hierarchy; NotFoundError when no areas are stored."""
    from welfare_district.model.areas import area_tables

    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("area"):
            raise NotFoundError("No areas are stored in this database: run `welfare areas build` first")
        a = area_tables().area
        rows = conn.execute(sa.select(a.c.area_id, a.c.parent_id)).all()
    if not rows:
        raise NotFoundError("No areas are stored in this database: run `welfare areas build` first")
    return {str(r.area_id): (None if r.parent_id is None else str(r.parent_id)) for r in rows}


def protected_table(db: Database, indicator_id: str, year: int, policy: DisclosurePolicy, rounding_key: bytes,
                    level: str | None = None) -> pd.DataFrame:
    """The protected rows of one indicator and year (one level, or all), columns PUBLIC_COLUMNS.

    Every level and every summed indicator is read and protected together, then filtered, so the result is
    the same cells whichever slice is asked. NotFoundError when nothing is stored for them.
    """
    from welfare_district.indicators.store import read_values

    values = read_values(db, indicator_ids=related(indicator_id, policy), years=[year])
    if not (values["indicator_id"] == indicator_id).any():
        raise NotFoundError(f"No stored values of {indicator_id} for {year}: run `welfare indicators compute`")
    out = protect(values, area_parents(db), policy, rounding_key)
    out = out[out["indicator_id"] == indicator_id]
    if level is not None:
        out = out[out["level"] == level]
    return out[PUBLIC_COLUMNS].reset_index(drop=True)
