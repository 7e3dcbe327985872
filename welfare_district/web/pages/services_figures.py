"""The referral figures table of the services page: sent, accepted, completed and the median days to first
contact per quartiere and service, disclosure-controlled for everyone who may not read exact figures.

Protection follows the rule of the published indicators (``privacy.disclosure``): a count between 1 and the
threshold minus one is not shown, and neither is a count whose difference from the referrals sent is in that
range (it would give the small count away by subtraction). A row with fewer referrals sent than the threshold
shows no figure at all, and its median neither (a median of two or three people describes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from welfare_district.access.policy import Principal, authorise
from welfare_district.directory.index import DirectoryIndex
from welfare_district.directory.referral_figures import referral_figures
from welfare_district.engine import Database
from welfare_district.web.figures_access import EXACT_ACTION


@dataclass(frozen=True)
class FigureRow:
    """One table row: area and service names, and each figure (None: protected)."""

    area: str
    service: str
    sent: int | None
    accepted: int | None
    completed: int | None
    median_days: float | None


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def protect_row(sent: int, accepted: int, completed: int, median: float | None,
                threshold: int) -> tuple[int | None, int | None, int | None, float | None]:
    """The row's figures as the public may see them (None where a small count could be read or rebuilt)."""
    if sent < threshold:
        return None, None, None, None
    shown = []
    for count in (accepted, completed):
        shown.append(None if _small(count, threshold) or _small(sent - count, threshold) else count)
    return sent, shown[0], shown[1], median


def referral_rows(db: Database, index: DirectoryIndex, principal: Principal | None, threshold: int,
                  area_names: dict[str, str]) -> tuple[list[FigureRow], bool]:
    """The table's rows (protected unless ``principal`` may read exact figures) and whether they are exact."""
    exact = bool(authorise(principal, EXACT_ACTION))
    frame = referral_figures(db, level="quartiere", by_service=True)
    rows = []
    for rec in frame.to_dict("records"):
        area_id: Any = rec["area_id"]
        service_id: Any = rec["service_id"]
        entry = index.services.get(str(service_id)) if service_id is not None else None
        median = rec["median_days_to_first_contact"]
        figures: tuple[int | None, int | None, int | None, float | None] = (
            int(rec["sent"]), int(rec["accepted"]), int(rec["completed"]), None if median is None else float(median))
        if not exact:
            figures = protect_row(int(rec["sent"]), int(rec["accepted"]), int(rec["completed"]), figures[3],
                                  threshold=threshold)
        rows.append(FigureRow(area_names.get(str(area_id), str(area_id)) if area_id is not None else "—",
                              entry.name if entry is not None else str(service_id), *figures))
    return rows, exact
