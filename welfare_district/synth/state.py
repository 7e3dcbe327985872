"""The simulation state: persons, families and dwellings as columns of numpy arrays.

Every array is indexed by a local integer (position), which is also the local id; output ids add a
per-chunk offset. Persons and families only grow (nobody is deleted: the dead and the departed keep their
row with ``present`` False), so a local id stays valid for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

# relation codes, in the order of schema.RELATION
HEAD, SPOUSE, PARTNER, CHILD, PARENT, SIBLING, OTHER_RELATIVE, OTHER = range(8)
# tenure codes, in the order of schema.TENURE
OWNED_CODE, RENTED_CODE, PUBLIC_CODE = 0, 1, 2
# sex codes
MALE, FEMALE = 0, 1
NO_DATE = -(2**31)  # "null" for day-number columns (-1 is 31 Dec 1969, a real birth date)
EPOCH = "1970-01-01"  # day numbers count from here


def days(y: int | np.ndarray, m: int = 1, d: int = 1) -> np.ndarray:
    """Day numbers since 1970-01-01 of the given calendar date(s)."""
    year = np.asarray(y).astype("int64") - 1970
    base = year.astype("datetime64[Y]").astype("datetime64[M]") + (m - 1)
    return np.asarray((base.astype("datetime64[D]") + (d - 1) - np.datetime64(EPOCH, "D")).astype("int64"))


def year_of(day: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers."""
    return np.asarray(
        (np.datetime64(EPOCH, "D") + day.astype("timedelta64[D]")).astype("datetime64[Y]").astype("int64")
        + 1970
    )


def _grow(arr: np.ndarray, extra: np.ndarray) -> np.ndarray:
    return np.concatenate([arr, extra.astype(arr.dtype, copy=False)])


@dataclass
class Columns:
    """Base of the column containers: append rows given as keyword arrays of equal length."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def append(self, **cols: np.ndarray) -> np.ndarray:
        """Append rows (every column must be given); returns the new rows' local ids."""
        start = len(self)
        names = [f.name for f in fields(self)]
        missing = set(names) - set(cols)
        if missing:
            raise ValueError(f"missing columns: {sorted(missing)}")
        n = len(next(iter(cols.values())))
        for name in names:
            setattr(self, name, _grow(getattr(self, name), np.broadcast_to(cols[name], (n,))))
        return np.arange(start, start + n)


def _empty(dtype: str) -> np.ndarray:
    return np.empty(0, dtype=dtype)


@dataclass
class Persons(Columns):
    """Fixed attributes and current membership of everyone who ever lived in the chunk."""

    sex: np.ndarray = field(default_factory=lambda: _empty("int8"))
    birth: np.ndarray = field(default_factory=lambda: _empty("int32"))  # day number
    country: np.ndarray = field(default_factory=lambda: _empty("int16"))  # -1 Italian
    place: np.ndarray = field(default_factory=lambda: _empty("int32"))  # NameBook.places index
    southern: np.ndarray = field(default_factory=lambda: _empty("bool"))
    surname: np.ndarray = field(default_factory=lambda: _empty("int32"))
    first: np.ndarray = field(default_factory=lambda: _empty("int32"))
    arrival: np.ndarray = field(default_factory=lambda: _empty("int32"))
    departure: np.ndarray = field(default_factory=lambda: _empty("int32"))
    death: np.ndarray = field(default_factory=lambda: _empty("int32"))
    edu_final: np.ndarray = field(default_factory=lambda: _empty("int8"))  # schema.EDUCATION index
    edu_end_age: np.ndarray = field(default_factory=lambda: _empty("int8"))  # age leaving education
    work_z: np.ndarray = field(default_factory=lambda: _empty("float32"))  # stable employability
    retire_age: np.ndarray = field(default_factory=lambda: _empty("int8"))
    never_worked: np.ndarray = field(default_factory=lambda: _empty("bool"))
    frailty: np.ndarray = field(default_factory=lambda: _empty("float32"))  # uniform: allowances
    family: np.ndarray = field(default_factory=lambda: _empty("int64"))  # -1 when not resident
    relation: np.ndarray = field(default_factory=lambda: _empty("int8"))
    present: np.ndarray = field(default_factory=lambda: _empty("bool"))


@dataclass
class Families(Columns):
    """Families (famiglie anagrafiche); a family ends (``active`` False) when its last member leaves."""

    dwelling: np.ndarray = field(default_factory=lambda: _empty("int64"))
    tenure: np.ndarray = field(default_factory=lambda: _empty("int8"))  # schema.TENURE index
    poverty: np.ndarray = field(default_factory=lambda: _empty("float32"))  # standardised latent
    country: np.ndarray = field(default_factory=lambda: _empty("int16"))
    isee_eps: np.ndarray = field(default_factory=lambda: _empty("float32"))  # family ISEE level
    declared: np.ndarray = field(default_factory=lambda: _empty("bool"))  # ISEE last year
    active: np.ndarray = field(default_factory=lambda: _empty("bool"))


@dataclass
class Dwellings(Columns):
    """The fixed dwelling stock; ``occupant`` is the family living there now (-1 vacant)."""

    civico: np.ndarray = field(default_factory=lambda: _empty("int64"))
    interno: np.ndarray = field(default_factory=lambda: _empty("int16"))
    surface: np.ndarray = field(default_factory=lambda: _empty("int16"))
    rooms: np.ndarray = field(default_factory=lambda: _empty("int8"))
    section: np.ndarray = field(default_factory=lambda: _empty("int32"))  # Geography.sections index
    public: np.ndarray = field(default_factory=lambda: _empty("bool"))
    occupant: np.ndarray = field(default_factory=lambda: _empty("int64"))


@dataclass
class State:
    """Everything the yearly steps read and change, plus the events they record."""

    persons: Persons
    families: Families
    dwellings: Dwellings
    isee_rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    case_rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    snapshots: list[dict[str, np.ndarray]] = field(default_factory=list)
    family_snapshots: list[dict[str, np.ndarray]] = field(default_factory=list)

    def age(self, year: int) -> np.ndarray:
        """Age of every person on 31 December ``year`` (completed years = year - birth year)."""
        return (year - year_of(self.persons.birth)).astype(np.int16)
