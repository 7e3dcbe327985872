"""Who may do what: roles, grants and the pure ``authorise`` function the routes call.

The rules are a table (``RULES``: action -> role -> scope), not code paths, so the whole policy can be read,
printed (docs/privacy.md) and tested at once. A scope says what the user's *grants* must cover:
- ``role``: the role alone suffices (managing users, reading the pseudonymised audit log, public figures);
- ``city``: a city-wide grant (analysts' exact figures, stewards' data-quality and linkage reports);
- ``territory``: a grant on the city, or on a quartiere or zone that contains the object (operators);
- ``organisation``: a grant on the organisation that owns the object (third-sector partners).
A new account has no grants, hence no data access; a disabled account is refused everything; anything not
in the table is refused (fail closed). The public (no login) is the role ``public``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["admin", "data_steward", "operator", "analyst", "partner"]
ROLES: tuple[Role, ...] = ("admin", "data_steward", "operator", "analyst", "partner")
GrantKind = Literal["city", "quartiere", "zone", "organisation"]
GRANT_KINDS: tuple[GrantKind, ...] = ("city", "quartiere", "zone", "organisation")
Scope = Literal["role", "city", "territory", "organisation"]
PUBLIC = "public"

_EVERYONE: dict[str, Scope] = {PUBLIC: "role", **{r: "role" for r in ROLES}}
RULES: dict[str, dict[str, Scope]] = {
    # aggregated, disclosure-controlled figures and the service directory are open
    "indicators.read_protected": _EVERYONE,
    "services.read": _EVERYONE,
    # exact figures are for the municipality's own analysts (GDPR art. 89 safeguards apply inside)
    "indicators.read_exact": {"analyst": "city", "data_steward": "city"},
    "exports.exact": {"analyst": "city"},
    "exports.protected": {"analyst": "city", "partner": "organisation"},
    # a family's integrated profile, only within the operator's territory
    "family.read": {"operator": "territory"},
    "family.search": {"operator": "territory"},
    "referral.send": {"operator": "territory"},
    "referral.read": {"operator": "territory", "partner": "organisation"},
    "referral.update": {"operator": "territory", "partner": "organisation"},
    # partners keep their own services and report their own activity
    "services.edit": {"partner": "organisation", "admin": "role"},
    # the municipality approves what partners propose before it is published
    "services.approve": {"admin": "role", "data_steward": "city"},
    # the municipality may also send a report in a partner's place (a city-wide grant for its own staff)
    "activity.report": {"partner": "organisation", "operator": "city", "data_steward": "city", "admin": "role"},
    # data stewardship
    "sources.manage": {"data_steward": "city"},
    "ingest.run": {"data_steward": "city"},
    "quality.read": {"data_steward": "city"},
    "linkage.read": {"data_steward": "city"},
    # administration
    "users.manage": {"admin": "role"},
    "audit.read": {"admin": "role"},
}
# Which grants make sense for a role: an operator's territory, a partner's organisation...
GRANTABLE: dict[Role, frozenset[GrantKind]] = {
    "admin": frozenset(),
    "data_steward": frozenset({"city"}),
    "operator": frozenset({"city", "quartiere", "zone"}),
    "analyst": frozenset({"city"}),
    "partner": frozenset({"organisation"}),
}


@dataclass(frozen=True)
class Grant:
    """Access to one territory (city, quartiere or zone id) or one organisation."""

    kind: GrantKind
    target: str


@dataclass(frozen=True)
class Principal:
    """An authenticated account as the policy sees it."""

    user_id: str
    role: Role
    active: bool = True
    grants: frozenset[Grant] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Resource:
    """The object of an action. ``areas``: every area containing it (section, zone, quartiere and city ids);
    ``organisation_id``: the organisation that owns it (a service, a referral sent to a partner)."""

    kind: str
    areas: tuple[str, ...] = ()
    organisation_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """The answer, with the reason (for the audit log and the refusal message)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def authorise(user: Principal | None, action: str, resource: Resource | None = None) -> Decision:
    """May ``user`` (None: the public) do ``action`` on ``resource``? Pure; unknown actions are refused."""
    rule = RULES.get(action)
    if rule is None:
        return Decision(False, f"unknown action {action!r}")
    if user is not None and not user.active:
        return Decision(False, "the account is disabled")
    role = PUBLIC if user is None else user.role
    scope = rule.get(role)
    if scope is None:
        return Decision(False, f"role {role} may not {action}")
    if scope == "role":
        return Decision(True, f"role {role}")
    assert user is not None  # only the 'role' scope is open to the public
    return _SCOPE_CHECKS[scope](user, resource)


def _city(user: Principal, resource: Resource | None) -> Decision:
    if any(g.kind == "city" for g in user.grants):
        return Decision(True, "city-wide grant")
    return Decision(False, "no city-wide grant")


def _territory(user: Principal, resource: Resource | None) -> Decision:
    if resource is None:
        return Decision(False, "the object's location is needed to check the territory")
    places = set(resource.areas)
    for g in sorted(user.grants, key=lambda g: (g.kind, g.target)):
        if g.kind == "city" or (g.kind in ("quartiere", "zone") and g.target in places):
            return Decision(True, f"inside the granted {g.kind}")
    if not places:
        return Decision(False, "the object has no known location, so it is outside every territory")
    return Decision(False, "the object is outside the granted territory")


def _organisation(user: Principal, resource: Resource | None) -> Decision:
    orgs = {g.target for g in user.grants if g.kind == "organisation"}
    if not orgs:
        return Decision(False, "no organisation granted")
    if resource is None or resource.organisation_id is None:
        return Decision(False, "the object's organisation is needed to check the grant")
    if resource.organisation_id in orgs:
        return Decision(True, "the granted organisation's object")
    return Decision(False, "another organisation's object")


_SCOPE_CHECKS = {"city": _city, "territory": _territory, "organisation": _organisation}


def role_may(user: Principal | None, action: str) -> Decision:
    """May ``user``'s role attempt ``action`` at all, before the object is known?

    The route-level check of actions whose scope depends on the object (territory, organisation): the route
    must still call ``authorise`` with the object's Resource before it reads or changes anything. For 'role'
    and 'city' scopes this is the full ``authorise`` answer.
    """
    rule = RULES.get(action)
    if rule is None:
        return Decision(False, f"unknown action {action!r}")
    role = PUBLIC if user is None else user.role
    scope = rule.get(role)
    if scope in ("territory", "organisation") and user is not None:
        if not user.active:
            return Decision(False, "the account is disabled")
        return Decision(True, f"role {role}, object still to be checked")
    return authorise(user, action)
