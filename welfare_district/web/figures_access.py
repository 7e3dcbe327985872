"""Which figures a request may see: the analysts' exact figures or the disclosure-controlled ones.

Every partner and public output is protected (``privacy.disclosure``); only a principal allowed
``indicators.read_exact`` (analysts, data stewards) reads the exact figures, and only one allowed
``exports.exact`` (analysts) downloads them. The decision is taken once per request from the principal of
``deps.PrincipalDep`` (set by the sign-in middleware; None means the public) and travels as a
``Figures`` value down to the read layer, whose caches and ETags are keyed by its ``mode``: an exact body is
never served to anyone else. Responses that depend on it say ``Vary: Cookie``, and exact ones are
``Cache-Control: private`` so no shared cache keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from welfare_district.access.policy import Principal
from welfare_district.errors import ConfigError
from welfare_district.privacy.cache import ProtectedTables
from welfare_district.settings import Settings
from welfare_district.web.deps import PrincipalDep

Mode = Literal["exact", "protected"]
EXACT_ACTION = "indicators.read_exact"
EXACT_EXPORT_ACTION = "exports.exact"
# What the reasons of the API and the exports say, by the protection label of privacy.disclosure.
REASONS = {
    "suppressed: primary": "fewer than {threshold} people in the numerator, the denominator or their difference "
                           "(SISTAN code of ethics art. 5)",
    "suppressed: secondary": "hidden so that totals and sums of other published figures cannot rebuild a "
                             "suppressed figure (SISTAN code of ethics art. 5)",
    "rounded": "counts randomly rounded to a multiple of {base}; value and interval computed from the rounded "
               "counts (against differencing)",
    "exact": "published only above the threshold of {threshold} people",
    "suppressed: incomplete": "the stored table is incomplete or inconsistent, so it cannot be protected: "
                              "every cell is hidden until the indicators are recomputed",
}


@dataclass(frozen=True)
class Figures:
    """The figures one request may see: exact (``tables`` None) or protected through ``tables``."""

    mode: Mode
    tables: ProtectedTables | None

    @property
    def exact(self) -> bool:
        """True for the analysts' exact view."""
        return self.mode == "exact"

    @property
    def protection(self) -> ProtectedTables | None:
        """What the read layer takes as ``protection=``: None for exact figures."""
        return None if self.exact else self.tables

    def headers(self) -> dict[str, str]:
        """Caching headers: the body depends on who asks (Vary: Cookie); exact bodies stay private."""
        control = "private, no-cache" if self.exact else "no-cache"
        return {"Cache-Control": control, "Vary": "Cookie"}


def build_protected_tables(settings: Settings) -> ProtectedTables | None:
    """The application's ProtectedTables for the settings' policy and rounding key; None when no pseudonym key
    is configured (public figures then fail with a ConfigError instead of being published unprotected)."""
    from welfare_district.privacy.disclosure import DisclosurePolicy, rounding_key
    from welfare_district.privacy.pseudonym import load_keyring

    try:
        keyring = load_keyring(settings)
    except ConfigError:
        return None
    return ProtectedTables(DisclosurePolicy.from_settings(settings), rounding_key(keyring))


def reason_text(protection: str | None, threshold: int | None, base: int | None) -> str | None:
    """Why a figure is protected, in one English sentence for the API and exports; None for exact figures."""
    if protection is None:
        return None
    template = REASONS.get(protection, protection)
    return template.format(threshold="-" if threshold is None else threshold, base="-" if base is None else base)


def _tables(request: Request) -> ProtectedTables:
    tables: ProtectedTables | None = getattr(request.app.state, "protected_tables", None)
    if tables is None:
        raise ConfigError("public figures need the pseudonym key of the disclosure-control rounding: set "
                          "WELFARE_PSEUDONYM_KEY or WELFARE_PSEUDONYM_KEY_FILE (or WELFARE_DEMO=true)")
    return tables


def figures_for(request: Request, principal: Principal | None, action: str) -> Figures:
    """Exact figures when ``principal`` may do ``action``, protected ones otherwise (the public included)."""
    from welfare_district.access.policy import authorise

    if principal is not None and authorise(principal, action):
        return Figures("exact", None)
    return Figures("protected", _tables(request))


async def get_figures(request: Request, principal: PrincipalDep) -> Figures:
    """The figures of the dashboard and API for this request (``indicators.read_exact`` or protected)."""
    return figures_for(request, principal, EXACT_ACTION)


async def get_export_figures(request: Request, principal: PrincipalDep) -> Figures:
    """The figures of a download for this request (``exports.exact`` or protected)."""
    return figures_for(request, principal, EXACT_EXPORT_ACTION)


FiguresDep = Annotated[Figures, Depends(get_figures)]
ExportFiguresDep = Annotated[Figures, Depends(get_export_figures)]
