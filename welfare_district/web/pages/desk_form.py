"""The anonymous needs profile typed at the desk: form fields to a matching ``Profile``, with clear refusals.

Every field is optional (unknown fields leave the rules reading them 'unknown'); a checkbox left empty means
'not known', never 'no'. Bad input names the field and nothing is matched.
"""

from __future__ import annotations

from pydantic import ValidationError

from welfare_district.directory.eligibility import Profile
from welfare_district.directory.taxonomy import NEEDS
from welfare_district.errors import InputError

FLAGS = ("single_parent", "elderly_alone", "disability")
MAX_MEMBERS = 20


def _number(fields: dict[str, str], name: str) -> float | None:
    text = fields.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{name}: not a number", field=name) from None


def parse_profile(fields: dict[str, str]) -> Profile:
    """The profile of the desk form's fields; InputError naming the first field that is wrong."""
    ages: list[int] | None = None
    raw_ages = [a for a in fields.get("ages", "").replace(";", ",").split(",") if a.strip()]
    if raw_ages:
        if len(raw_ages) > MAX_MEMBERS:
            raise InputError(f"ages: at most {MAX_MEMBERS} members", field="ages")
        if not all(a.strip().isdigit() and int(a) <= 120 for a in raw_ages):
            raise InputError("ages: whole numbers from 0 to 120, separated by commas", field="ages")
        ages = [int(a) for a in raw_ages]
    citizenships = [c.strip().upper() for c in fields.get("citizenships", "").split(",") if c.strip()] or None
    if citizenships and not all(len(c) == 2 and c.isalpha() and c.isascii() for c in citizenships):
        raise InputError("citizenships: two-letter country codes (IT, MA, ...) separated by commas",
                         field="citizenships")
    needs = [code for code in NEEDS if fields.get(f"need_{code}") == "1"]
    lat, lon = _number(fields, "lat"), _number(fields, "lon")
    if (lat is None) != (lon is None):
        raise InputError("position: give both latitude and longitude, or neither", field="lat")
    isee = _number(fields, "isee")
    known = {f: True if fields.get(f) == "1" else None for f in FLAGS}
    try:
        return Profile(ages=ages, isee_eur=isee, citizenships=citizenships, needs=needs, lat=lat, lon=lon,
                       single_parent=known["single_parent"], elderly_alone=known["elderly_alone"],
                       disability=known["disability"])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "profile"
        raise InputError(f"{where}: {first.get('msg')}", field=where) from None
