"""Italian codice fiscale (DM 23/12/1976): encoding, check character, omocodia, structural validation.

Pure functions, fast enough to encode a whole city in seconds. Decoding of birthplace names uses the
python-codicefiscale package's municipality list elsewhere; here only the code's own structure is checked.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MONTHS = "ABCDEHLMPRST"
OMOCODIA = "LMNPQRSTUV"  # replaces digits 0-9 when two people would get the same code
OMOCODIA_POSITIONS = (14, 13, 12, 10, 9, 7, 6)  # replaced right to left
_ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
# odd positions: a digit counts as the letter of the same rank (0 as A, 1 as B, ...)
_ODD = {**dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _ODD_VALUES, strict=True)),
        **dict(zip("0123456789", _ODD_VALUES[:10], strict=True))}
_EVEN = {**{str(d): d for d in range(10)}, **{c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}}
_VOWELS = set("AEIOU")
PATTERN = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


def _letters(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in norm if "A" <= c <= "Z")


def _split(text: str) -> tuple[str, str]:
    letters = _letters(text)
    return "".join(c for c in letters if c not in _VOWELS), "".join(c for c in letters if c in _VOWELS)


def surname_code(surname: str) -> str:
    """Three letters for the surname: consonants, then vowels, then X."""
    cons, vow = _split(surname)
    return (cons + vow + "XXX")[:3]


def name_code(name: str) -> str:
    """Three letters for the first name: 1st, 3rd and 4th consonant when there are four or more."""
    cons, vow = _split(name)
    if len(cons) >= 4:
        return cons[0] + cons[2] + cons[3]
    return (cons + vow + "XXX")[:3]


def date_sex_code(birth: date, sex: str) -> str:
    """Five characters: year (2 digits), month letter, day (+40 for women)."""
    day = birth.day + (40 if sex.upper() == "F" else 0)
    return f"{birth.year % 100:02d}{MONTHS[birth.month - 1]}{day:02d}"


def check_char(first15: str) -> str:
    """The 16th character computed from the first fifteen."""
    total = sum(_ODD[c] if i % 2 == 0 else _EVEN[c] for i, c in enumerate(first15))
    return chr(ord("A") + total % 26)


def encode(surname: str, name: str, sex: str, birth: date, place_code: str) -> str:
    """The codice fiscale with omocodia level 0, for a Belfiore place code (e.g. G224, or Z-code abroad)."""
    body = surname_code(surname) + name_code(name) + date_sex_code(birth, sex) + place_code.upper()
    return body + check_char(body)


def omocode(cf: str, level: int) -> str:
    """The omocodic variant of ``cf`` with the ``level`` rightmost digits replaced (1-7), new check char."""
    if not 0 <= level <= len(OMOCODIA_POSITIONS):
        raise ValueError(f"omocodia level must be 0-7, got {level}")
    chars = list(cf[:15])
    for pos in OMOCODIA_POSITIONS[:level]:
        if chars[pos].isdigit():
            chars[pos] = OMOCODIA[int(chars[pos])]
    body = "".join(chars)
    return body + check_char(body)


def base_form(cf: str) -> str:
    """The level-0 form of a (possibly omocodic) code: all substituted letters back to digits."""
    chars = list(cf.upper()[:15])
    for pos in OMOCODIA_POSITIONS:
        if chars[pos] in OMOCODIA:
            chars[pos] = str(OMOCODIA.index(chars[pos]))
    body = "".join(chars)
    return body + check_char(body)


def has_valid_structure(cf: str) -> bool:
    """True when ``cf`` has the 16-character shape of a personal codice fiscale."""
    return bool(PATTERN.match(cf.upper()))


def is_valid(cf: str) -> bool:
    """True when the shape is right, the date part is a real date and the check character matches."""
    cf = cf.upper()
    if not has_valid_structure(cf) or check_char(cf[:15]) != cf[15]:
        return False
    return decode_birth(cf) is not None


def decode_birth(cf: str, *, reference_year: int = 2026) -> tuple[date, str] | None:
    """Birth date and sex encoded in ``cf`` (century guessed from ``reference_year``); None if impossible."""
    base = base_form(cf)
    yy, month_letter, dd = int(base[6:8]), base[8], int(base[9:11])
    sex = "F" if dd > 40 else "M"
    day = dd - 40 if dd > 40 else dd
    century = 1900 if 2000 + yy > reference_year else 2000
    try:
        return date(century + yy, MONTHS.index(month_letter) + 1, day), sex
    except ValueError:
        return None
