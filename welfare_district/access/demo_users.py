"""Demo accounts for `welfare demo`: one per role, with fresh random passwords printed once.

Only for demo mode (synthetic data). The operator is scoped to one quartiere, the partner to one organisation
of the service directory (or a named demo organisation before any catalogue is imported), the analyst and the
data steward get the city. Running the demo again keeps the accounts and gives them new passwords.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from welfare_district.access.users import access_tables, add_user, ensure_tables, grant, set_password
from welfare_district.errors import ConfigError
from welfare_district.privacy.pseudonym import Pseudonymiser

DEMO_ACTOR = "system:demo"
DEMO_ORGANISATION = "demo-organisation"


@dataclass(frozen=True)
class DemoAccount:
    """A demo account as printed at the end of `welfare demo`."""

    username: str
    role: str
    password: str
    scope: str


def _first(conn: sa.Connection, query: str) -> str | None:
    try:
        found = conn.execute(sa.text(query)).first()
    except sa.exc.DBAPIError:
        return None
    return None if found is None else str(found[0])


def create_demo_users(engine: sa.Engine, pseudonymiser: Pseudonymiser, *, demo: bool) -> list[DemoAccount]:
    """Create (or re-password) the five demo accounts and their grants; ConfigError outside demo mode."""
    if not demo:
        raise ConfigError("demo accounts exist only in demo mode (WELFARE_DEMO=true)")
    ensure_tables(engine)
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        city = _first(conn, "SELECT area_id FROM area WHERE level = 'city' ORDER BY area_id")
        quartiere = _first(conn, "SELECT area_id FROM area WHERE level = 'quartiere' ORDER BY area_id")
        organisation = _first(conn, "SELECT id FROM hsds_organization ORDER BY id") \
            if inspector.has_table("hsds_organization") else None
        existing = {r[0] for r in conn.execute(sa.select(access_tables().user.c.username))}
    plan: list[tuple[str, str, tuple[tuple[str, str], ...]]] = [
        ("demo.admin", "admin", ()),
        ("demo.steward", "data_steward", (("city", city),) if city else ()),
        ("demo.operator", "operator", (("quartiere", quartiere),) if quartiere else ()),
        ("demo.analyst", "analyst", (("city", city),) if city else ()),
        ("demo.partner", "partner", (("organisation", organisation or DEMO_ORGANISATION),)),
    ]
    accounts = []
    for username, role, grants in plan:
        password = secrets.token_urlsafe(12)
        if username in existing:
            set_password(engine, username, password, pseudonymiser, actor=DEMO_ACTOR)
        else:
            add_user(engine, username, password, role, pseudonymiser, actor=DEMO_ACTOR)
        for kind, target in grants:
            grant(engine, username, kind, target, pseudonymiser, actor=DEMO_ACTOR)
        scope = ", ".join(f"{k}:{t}" for k, t in grants) or "-"
        accounts.append(DemoAccount(username, role, password, scope))
    return accounts
