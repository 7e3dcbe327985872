"""How source systems write dates, names and addresses.

Formatting works on the distinct values (a city has a few tens of thousands of distinct dates and a few
thousand house numbers), so whole registers are formatted in milliseconds per column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.vocab import MONTHS_IT

DATE_FORMATS: dict[str, Callable[[date], str]] = {
    "dmy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "iso": lambda d: d.isoformat(),
    "dmy_short": lambda d: f"{d.day}-{d.month}-{d.year % 100:02d}",
    "long_it": lambda d: f"{d.day} {MONTHS_IT[d.month - 1]} {d.year}",
    "dmy_dot": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}",
}


def to_days(values: pd.Series) -> npt.NDArray[np.datetime64]:
    """Dates as numpy datetime64[D] (NaT for missing), whatever the input representation."""
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]")


def py_date(value: np.datetime64) -> date | None:
    """A numpy date as a Python date (None for NaT), e.g. for an Excel date cell."""
    return (
        None
        if np.isnat(value)
        else date.fromordinal(int(value.astype("datetime64[D]").astype(np.int64)) + date(1970, 1, 1).toordinal())
    )


_TABLE_START = np.datetime64("1880-01-01", "D")
_TABLE_DAYS = 80_000  # up to the 2090s


@lru_cache(maxsize=len(DATE_FORMATS))
def _table(name: str) -> npt.NDArray[np.object_]:
    """Every date of the table range written in format ``name`` (built on first use, then shared)."""
    fn = DATE_FORMATS[name]
    base = date(1880, 1, 1).toordinal()
    return np.array([fn(date.fromordinal(base + i)) for i in range(_TABLE_DAYS)] + [""], dtype=object)


def format_dates(
    values: pd.Series | npt.NDArray[np.datetime64], fmt: str | npt.NDArray[np.intp], names: Sequence[str] = ()
) -> npt.NDArray[np.object_]:
    """Dates written in one format, or per row in ``names[fmt[i]]``; missing dates become ''."""
    days = values if isinstance(values, np.ndarray) else to_days(values)
    days = np.asarray(days).astype("datetime64[D]")
    idx = (days - _TABLE_START).astype(np.int64)
    missing = np.isnat(days)
    out_of_range = ~missing & ((idx < 0) | (idx >= _TABLE_DAYS))
    idx = np.where(missing | out_of_range, _TABLE_DAYS, idx)  # the trailing '' of each table
    formats = [fmt] if isinstance(fmt, str) else list(names)
    which = np.zeros(len(days), dtype=np.intp) if isinstance(fmt, str) else fmt
    out = np.full(len(days), "", dtype=object)
    for i, name in enumerate(formats):
        mask = which == i
        out[mask] = _table(name)[idx[mask]]
        for j in np.flatnonzero(mask & out_of_range):  # rare: dates outside the table
            out[j] = DATE_FORMATS[name](py_date(days[j]) or date(1, 1, 1))
    return out


_PARTICLES = {
    "DI",
    "DEL",
    "DELLA",
    "DELLE",
    "DEI",
    "DEGLI",
    "DELLO",
    "E",
    "ED",
    "A",
    "AL",
    "ALLA",
    "ALLE",
    "AI",
    "DA",
    "DAL",
    "DALLA",
    "IN",
    "SU",
    "SUL",
    "SULLA",
    "PER",
    "CON",
}
_ROMAN = r"^[IVXLC]+$"  # a Roman numeral (XX SETTEMBRE keeps its case)


def title_it(text: str) -> str:
    """Italian title case for streets and names: 'VIA DEL SANTO' -> 'Via del Santo', numerals kept."""
    words = text.split()
    out = []
    for i, w in enumerate(words):
        up = w.upper()
        if re.match(_ROMAN, up) and len(up) > 1:
            out.append(up)
        elif i > 0 and up in _PARTICLES:
            out.append(w.lower())
        elif "'" in w:
            head, _, tail = w.partition("'")
            head_out = (
                head.lower()
                if i > 0 and head.upper() + "'" in ("DELL'", "DALL'", "D'", "SULL'", "ALL'")
                else head.capitalize()
            )
            out.append(f"{head_out}'{tail.capitalize()}")
        else:
            out.append(w.capitalize())
    return " ".join(out)


# Street-type abbreviations: (mixed case, upper case) as clerks write them
DUG_ABBR: dict[str, tuple[tuple[str, ...], str]] = {
    "VIA": (("V.", "v."), "V."),
    "PIAZZA": (("P.zza", "P.za", "p.zza"), "P.ZZA"),
    "VIALE": (("V.le",), "V.LE"),
    "CORSO": (("C.so",), "C.SO"),
    "PIAZZALE": (("P.le",), "P.LE"),
    "VICOLO": (("V.lo", "Vic."), "V.LO"),
    "LARGO": (("L.go",), "L.GO"),
    "PIAZZETTA": (("P.tta",), "P.TTA"),
    "GALLERIA": (("Gall.",), "GALL."),
    "RIVIERA": (("Riv.",), "RIV."),
    "PASSAGGIO": (("Pass.",), "PASS."),
    "CORTE": (("C.te",), "C.TE"),
}
_NO_INITIAL = {
    "SAN",
    "SANTA",
    "SANT'",
    "SANTO",
    "BEATO",
    "MONTE",
    "PORTA",
    "PONTE",
    "CA'",
    "FRA'",
    "DON",
    "PADRE",
    "MADONNA",
    "PRATO",
    "BORGO",
    "NUOVA",
    "VECCHIA",
    "ALTA",
    "BASSA",
}


def initial_form(street_name: str) -> str | None:
    """'TIZIANO ASPETTI' -> 'T. ASPETTI' when the name plausibly starts with a first name, else None."""
    words = street_name.split()
    if (
        len(words) < 2
        or not words[0].isalpha()
        or len(words[0]) < 3
        or words[0].upper() in _NO_INITIAL
        or words[1].upper() in _PARTICLES
        or re.match(_ROMAN, words[0].upper())
    ):
        return None
    return f"{words[0][0]}. {' '.join(words[1:])}"


def house_number(number: int, suffix: str, style: int) -> str:
    """House number with its suffix: 12/A, 12A, 12 A, 12/a (style 0-3)."""
    if not suffix:
        return str(number)
    return (f"{number}/{suffix}", f"{number}{suffix}", f"{number} {suffix}", f"{number}/{suffix.lower()}")[style % 4]


def free_text_address(dug: str, name: str, number: int, suffix: str, interno: str, style: Sequence[int]) -> str:
    """An address as a volunteer types it; ``style`` picks (street type, case, number, interno, city) forms.

    style[0]: street type 0 lower 'via', 1 'Via', 2 abbreviated 'V.'/'P.zza', 3 omitted, 4 upper 'VIA'
    style[1]: name 0 title case, 1 upper, 2 lower, 3 initial of the first name ('T. Aspetti')
    style[2]: number 0 ' 12/a', 1 ', 12', 2 ' n. 12', 3 ' n.12', 4 ' 12A'
    style[3]: interno 0 none, 1 ' int 2', 2 ' int. 2', 3 ' - int. 2', 4 ' scala A int 2'
    style[4]: city 0 none, 1 ' - Padova', 2 ' Padova', 3 ', 35100 Padova (PD)'
    """
    s_dug, s_name, s_num, s_int, s_city = style
    abbrs = DUG_ABBR.get(dug, ((dug.capitalize(),), dug))[0]
    dug_text = (dug.lower(), dug.capitalize(), abbrs[hash_index(name, len(abbrs))], "", dug)[s_dug]
    if s_dug == 4:
        s_name = 1
    init = initial_form(name) if s_name == 3 else None
    name_text = {0: title_it(name), 1: name.upper(), 2: name.lower()}.get(s_name, title_it(init or name))
    num = (
        house_number(number, suffix, 3),
        ", " + house_number(number, suffix, 0),
        " n. " + house_number(number, suffix, 0),
        " n." + house_number(number, suffix, 1),
        " " + house_number(number, suffix, 1),
    )[s_num]
    if s_num == 0:
        num = " " + num
    interno_text = (
        ""
        if not interno or s_int == 0
        else (f" int {interno}", f" int. {interno}", f" - int. {interno}", f" scala A int {interno}")[s_int - 1]
    )
    city = ("", " - Padova", " Padova", ", 35100 Padova (PD)")[s_city]
    text = f"{dug_text} {name_text}{num}{interno_text}{city}".strip()
    return text.upper() if s_dug == 4 else text


def hash_index(text: str, n: int) -> int:
    """A stable small index from a text (the same street gets the same abbreviation in one list)."""
    return sum(map(ord, text)) % n if n > 1 else 0


def tari_address(dug: str, name: str, number: int, suffix: str, interno: str, style: int) -> str:
    """The tax office's single upper-case address field: 'V. ROMA 12/A INT. 3', 'P.ZZA GARIBALDI, 3'."""
    abbr = DUG_ABBR.get(dug, ((), dug))[1]
    dug_text = abbr if style in (0, 2) else dug
    init = initial_form(name) if style == 2 else None
    sep = ", " if style == 1 else " "
    text = f"{dug_text} {(init or name).upper()}{sep}{house_number(number, suffix, style)}"
    return f"{text} INT. {interno}" if interno else text


def join_names(surname: npt.ArrayLike, first: npt.ArrayLike, sep: str = " ") -> npt.NDArray[np.object_]:
    """'surname first' per row (callers swap the arguments for the 'first surname' convention)."""
    return (pd.Series(surname, dtype=object).astype(str) + sep + pd.Series(first, dtype=object).astype(str)).to_numpy(
        dtype=object
    )
