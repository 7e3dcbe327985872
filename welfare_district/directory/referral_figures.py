"""Referral figures per area and service: sent, accepted, completed, median days to first contact.

A referral counts as accepted once it reached accepted, in-progress or completed; first contact is the
receiving organisation's first step (received, accepted or rejected). Rows are grouped by an area level
(quartiere or zone of the family's residence) and, optionally, by service. Aggregates only: no family
reference leaves this function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from welfare_district.directory.model import directory_tables, ensure_tables
from welfare_district.engine import Database
from welfare_district.errors import InputError

ACCEPTED = ("accepted", "in-progress", "completed")
COLUMNS = ("area_id", "service_id", "sent", "accepted", "completed", "median_days_to_first_contact")


def referral_figures(db: Database, *, level: Literal["quartiere", "zone", "city"] = "quartiere",
                     by_service: bool = True, since: datetime | None = None,
                     until: datetime | None = None) -> pd.DataFrame:
    """One row per (area, service) with referrals requested in [since, until): COLUMNS, sorted by area and service.

    ``level='city'`` puts every referral in one area (``area_id`` None); ``by_service=False`` sums services
    (``service_id`` None). Families without a known area count under area None.
    """
    if level not in ("quartiere", "zone", "city"):
        raise InputError("level must be quartiere, zone or city", field="level")
    ensure_tables(db.engine)
    t = directory_tables().referral
    query = sa.select(t.c.service_id, t.c.zone_id, t.c.quartiere_id, t.c.status, t.c.requested_at,
                      t.c.first_contact_at)
    if since is not None:
        query = query.where(t.c.requested_at >= since)
    if until is not None:
        query = query.where(t.c.requested_at < until)
    with db.engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(query).all(), columns=["service_id", "zone_id", "quartiere_id", "status",
                                                                "requested_at", "first_contact_at"])
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    rows["area_id"] = None if level == "city" else rows[f"{level}_id"]
    if not by_service:
        rows["service_id"] = None
    requested = pd.to_datetime(rows["requested_at"], utc=True)
    contact = pd.to_datetime(rows["first_contact_at"], utc=True)
    rows["days"] = (contact - requested).dt.total_seconds() / 86400
    rows["is_accepted"] = rows["status"].isin(ACCEPTED)
    rows["is_completed"] = rows["status"] == "completed"
    grouped = rows.groupby(["area_id", "service_id"], dropna=False, sort=True)
    out = grouped.agg(sent=("status", "size"), accepted=("is_accepted", "sum"), completed=("is_completed", "sum"),
                      median_days_to_first_contact=("days", "median")).reset_index()
    out[["sent", "accepted", "completed"]] = out[["sent", "accepted", "completed"]].astype(int)
    out = out.astype({"area_id": object, "service_id": object})
    out = out.where(out.notna(), None)
    median = out["median_days_to_first_contact"]
    out["median_days_to_first_contact"] = pd.Series([None if pd.isna(v) else float(v) for v in median],
                                                    dtype=object, index=out.index)
    return out[list(COLUMNS)].reset_index(drop=True)
