"""Italian street addresses: parsing free text, normalising street names, finding the street in the register.

``parse_address`` splits "v. Tiziano Aspetti n. 45/a int 2 - Padova" into street type, street name, house
number, suffix and flat; ``StreetIndex.match`` finds the register streets the parsed street can mean. The
house number itself is resolved in ``welfare_district.geo.geocode``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

# Street-type words (ANNCSU DUG) and the abbreviations clerks and volunteers use, keyed by the token with
# its dots removed. Single letters (V, P) are ambiguous with a first-name initial; the matcher tries both.
_DUG_WORDS = {
    "VIA", "VIALE", "PIAZZA", "PIAZZALE", "PIAZZETTA", "CORSO", "CORTE", "VICOLO", "LARGO", "PONTE", "RIVIERA",
    "STRADA", "GALLERIA", "PASSAGGIO", "LUNGARGINE", "PASSEGGIATA", "CAVALCAVIA", "SOTTOPASSAGGIO",
    "TANGENZIALE", "SELCIATO", "AUTOSTRADA", "RACCORDO", "SLARGO", "CONTRADA", "CONTRA", "BORGO", "CALLE",
    "CAMPO", "SALITA", "SCALINATA", "LUNGOFIUME", "VIOTTOLO",
}
_DUG_ABBREVIATIONS = {
    "V": "VIA", "VLE": "VIALE", "VL": "VIALE", "PZZA": "PIAZZA", "PZA": "PIAZZA", "PZ": "PIAZZA",
    "P": "PIAZZA", "PIAZ": "PIAZZA", "PLE": "PIAZZALE", "PZLE": "PIAZZALE", "PTTA": "PIAZZETTA",
    "CSO": "CORSO", "CTE": "CORTE", "VLO": "VICOLO", "VIC": "VICOLO", "VCLO": "VICOLO", "LGO": "LARGO",
    "PTE": "PONTE", "RIV": "RIVIERA", "STR": "STRADA", "GALL": "GALLERIA",
    "PASS": "PASSAGGIO", "LUNGARG": "LUNGARGINE", "PASSEGG": "PASSEGGIATA", "CAVALC": "CAVALCAVIA",
    "SOTTOP": "SOTTOPASSAGGIO", "TANG": "TANGENZIALE",
}


@dataclass(frozen=True)
class _Patterns:
    fold: dict[int, str]
    ascii: dict[int, str]
    non_key: re.Pattern[str]
    city_tail: re.Pattern[str]
    lead_city: re.Pattern[str]
    interno: re.Pattern[str]
    scala: re.Pattern[str]
    piano: re.Pattern[str]
    number: re.Pattern[str]
    suffix: re.Pattern[str]
    structured_number: re.Pattern[str]
    digit: re.Pattern[str]


@lru_cache(maxsize=1)
def _rx() -> _Patterns:
    """Translation tables and regular expressions, compiled on first use."""
    return _Patterns(
        # Accented and typographic characters folded before the ASCII filter; the degree sign of "n°" -> dot.
        fold=str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "°": ".", "º": "."}),
        # ASCII fast path: controls become spaces, a backtick an apostrophe.
        ascii=str.maketrans({**{chr(i): " " for i in range(32)}, chr(127): " ", "`": "'"}),
        non_key=re.compile(r"[^A-Z0-9]+"),
        city_tail=re.compile(
            r"(?P<sep>\s*[,;\-]\s*|\s+)(?:(?:35\d{3}\s*)?PADOVA|35\d{3}|PD)?(?:\s*\(\s*PD\s*\))?[\s.,;\-]*$"),
        lead_city=re.compile(r"^(?:35\d{3}\s*)?PADOVA\s*[,;\-]\s*"),
        interno=re.compile(r"[\s,;\-]*\b(?:INTERNO|INT)\b\.?\s*(?P<v>[A-Z0-9]{1,4})\b"),
        scala=re.compile(r"[\s,;\-]*\b(?:SCALA|SC|SC[A-Z]{2,4})\b\.?\s*(?P<v>[A-Z0-9]{1,3})\b"),
        piano=re.compile(r"[\s,;\-]*\bPIANO\b\.?\s*\d{1,2}\b"),
        number=re.compile(
            r"(?P<street>.*?)[\s,;]*(?:\b(?:N|NR|NUM|NO|CIV|CIVICO)\b\.?\s*)?(?<![A-Z0-9])(?P<num>\d{1,5})"
            r"(?:\s*[/\-]?\s*(?P<suf>BIS|TER|QUATER|[A-Z])\b)?[\s,;.\-]*$"),
        suffix=re.compile(r"^\s*[/\-]?\s*(BIS|TER|QUATER|[A-Z])?\s*$"),
        structured_number=re.compile(r"^\s*(\d{1,5})(?:\.0)?\s*(.*)$"),
        digit=re.compile(r"\d"),
    )


def normalise_text(text: str) -> str:
    """Upper-case ASCII with accents removed, apostrophe variants unified and single spaces; idempotent."""
    if text.isascii():
        # an ASCII text is printable when it has no control character: only then can the table (controls
        # and backticks) change it, and translating every text cost more than the rest of this function
        if "`" in text or not text.isprintable():
            text = text.translate(_rx().ascii)
        return " ".join(text.upper().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_rx().fold))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_rx().fold).upper()
    # Anything still outside printable ASCII cannot help matching a street register.
    ascii_only = "".join(c if " " <= c <= "~" else " " for c in stripped)
    return " ".join(ascii_only.split())


def street_key(name: str) -> str:
    """A street name reduced to A-Z/0-9 words: DALL'ACQUA and Dall' Acqua both give 'DALL ACQUA'."""
    return _key(normalise_text(name))


def _key(normalised: str) -> str:
    return _rx().non_key.sub(" ", normalised).strip()


def compact_key(name: str) -> str:
    """``street_key`` without spaces, so that DALLACQUA, DALL ACQUA and DALL'ACQUA compare equal."""
    return street_key(name).replace(" ", "")


def street_type_of(token: str) -> str | None:
    """The ANNCSU street type (DUG) a word or abbreviation stands for ('P.zza' -> PIAZZA), else None."""
    return _type_of(normalise_text(token).replace(" ", ""))


def normalise_suffix(value: object) -> str:
    """A house-number suffix in upper case without separators ('/bis' -> 'BIS', None -> '')."""
    if value is None or value != value:  # NaN from pandas
        return ""
    text = normalise_text(str(value))
    m = _rx().suffix.match(text)
    return (m.group(1) or "") if m else re.sub(r"[^A-Z0-9]", "", text)


@dataclass(frozen=True)
class ParsedAddress:
    """An address split into its parts; ``street_text`` is the whole street part, type word included."""

    street_type: str | None
    street_name_norm: str
    number: int | None
    suffix: str
    interno: str
    scala: str
    street_text: str

    @property
    def is_empty(self) -> bool:
        """True when nothing street-like was written."""
        return not self.street_text and self.number is None


def split_street(street: str) -> tuple[str | None, str]:
    """(street type or None, name key) of a street part such as 'P.zza Garibaldi' or 'V.Roma'."""
    return _split_normalised(normalise_text(street))


def _type_of(normalised_token: str) -> str | None:
    key = normalised_token.replace(".", "")
    return key if key in _DUG_WORDS else _DUG_ABBREVIATIONS.get(key)


def _split_normalised(text: str) -> tuple[str | None, str]:
    text = text.strip(" ,;-")
    token, _, rest = text.partition(" ")
    dug = _type_of(token)
    if dug is None and "." in token.strip("."):
        # "V.ROMA": an abbreviation glued to the name
        head, _, glued = token.partition(".")
        dug = _type_of(head)
        rest = f"{glued} {rest}"
    name = _key(rest)
    if dug is None or not name:
        return None, _key(text)
    return dug, name


def parse_street_and_number(street: object, number: object, suffix: object = None) -> ParsedAddress:
    """Structured columns (street, number, suffix) as a ParsedAddress; an unreadable number becomes None."""
    street_text = "" if street is None or street != street else str(street)
    dug, name = split_street(street_text)
    num_text = "" if number is None or number != number else normalise_text(str(number))
    m = _rx().structured_number.match(num_text)
    value = int(m.group(1)) if m else None
    suf = normalise_suffix(suffix) or (normalise_suffix(m.group(2)) if m else "")
    return ParsedAddress(dug, name, value if value else None, suf, "", "", street_key(street_text))


def parse_address(text: object) -> ParsedAddress:
    """Parse one free-text address; never raises. Flat, staircase and a Padova city tail are kept apart."""
    rx = _rx()
    s = _without_city(text)
    interno = scala = ""
    digit, flat = _flat_match(s)
    if digit:
        head, tail = s[: digit.start()], s[digit.start():]
        changed = False
        if flat:
            interno, tail, changed = flat.group("v"), tail[: flat.start()] + " " + tail[flat.end():], True
        if "SC" in tail and (m := rx.scala.search(tail)):
            scala, tail, changed = m.group("v"), tail[: m.start()] + " " + tail[m.end():], True
        if "PIANO" in tail:
            tail, changed = rx.piano.sub(" ", tail), True
        if changed:
            s = _strip_city(" ".join((head + tail).split()))
    number: int | None = None
    suffix = ""
    street = s
    # The number sits in the last few characters; matching only there keeps the lazy pattern cheap.
    cut = max(0, len(s) - _NUMBER_WINDOW)
    m = rx.number.match(s, cut) if digit else None
    if m and (s[:cut] + m.group("street")).strip(" ,;.-"):
        street = s[:cut] + m.group("street")
        number, suffix = int(m.group("num")) or None, m.group("suf") or ""
    dug, name, key = _street_parts(street)
    return ParsedAddress(dug, name, number, suffix, interno, scala, key)


def address_flat(text: object) -> str:
    """``parse_address(text).interno`` (the flat, "" when none), found without parsing the rest."""
    # the street, number and staircase never change the flat: only the steps before it run
    flat = _flat_match(_without_city(text))[1]
    return flat.group("v") if flat else ""


def _flat_match(s: str) -> tuple[re.Match[str] | None, re.Match[str] | None]:
    """The first digit of a normalised address and the flat's match in the text from there (None when none)."""
    rx = _rx()
    digit = rx.digit.search(s)
    # flat and staircase only after the first digit: street names contain words such as GIACINTO
    if digit is None:
        return None, None
    tail = s[digit.start():]
    return digit, (rx.interno.search(tail) if "INT" in tail else None)


def _without_city(text: object) -> str:
    """The normalised text of an address without a leading or trailing Padova city part."""
    s = normalise_text("" if text is None or text != text else str(text))
    if s.startswith(("PADOVA", "35")):
        s = _rx().lead_city.sub("", s)
    return _strip_city(s)


@lru_cache(maxsize=1 << 16)
def _street_parts(street: str) -> tuple[str | None, str, str]:
    """(street type, name key, whole key) of a normalised street part; cached because a comune's many
    distinct addresses name a few thousand streets (bounded, so a long run does not grow it for ever)."""
    dug, name = _split_normalised(street)
    return dug, name, _key(street)


_NUMBER_WINDOW = 28  # longest number part: ", CIVICO 12345/QUATER" and trailing punctuation
_CITY_WINDOW = 32  # longest city tail: " - 35100 PADOVA (PD)" and trailing punctuation


def _strip_city(s: str) -> str:
    if "PADOVA" not in s and "PD" not in s and "35" not in s:
        return s
    cut = max(0, len(s) - _CITY_WINDOW)
    m = _rx().city_tail.search(s, cut)
    if m is None or m.end() == m.start() or not m.group(0).strip(" ,;.-"):
        return s
    # A bare trailing PADOVA is a city only after a house number or a separator: VIA BRIGATA PADOVA is a street.
    if m.group("sep").strip() or _rx().digit.search(s, 0, m.start()):
        return s[: m.start()]
    return s


@dataclass(frozen=True)
class StreetCandidate:
    """A register street an address may mean; ``kind`` says how the name matched, ``score`` in 0-100.

    ``street_id`` tells streets apart that share an ANNCSU code (the register has such a pair).
    """

    street_id: int
    street_code: str
    kind: str
    score: float


@dataclass(frozen=True)
class StreetMatch:
    """The candidate streets of one parsed street (best tier only), or the reason there are none."""

    candidates: tuple[StreetCandidate, ...]
    reason: str | None


_KIND_RANK = {"exact": 0, "type_inferred": 1, "initial": 2, "type_differs": 3, "fuzzy_street": 4}


class StreetIndex:
    """Lookup structures over the register's streets; ``match`` results are cached per distinct street."""

    def __init__(self, streets: Iterable[tuple[str, str, str]], fuzzy_cutoff: float = 80.0,
                 fuzzy_window: float = 10.0) -> None:
        """``streets`` yields (street_code, street_type, street_name); repeats are ignored.

        Fuzzy hits need a rapidfuzz ratio of ``fuzzy_cutoff``; every hit within ``fuzzy_window`` points of the
        best stays a candidate, so that a typo close to two streets is ambiguous unless the number decides.
        """
        self.fuzzy_cutoff = fuzzy_cutoff
        self.fuzzy_window = fuzzy_window
        self.streets: list[tuple[str, str, str]] = []  # (code, type, name key) by street id
        self._ids: dict[tuple[str, str, str], int] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_compact: dict[str, list[int]] = {}
        self._by_initial: dict[str, list[int]] = {}
        for code, dug, name in streets:
            entry = (str(code), normalise_text(str(dug)), street_key(str(name)))
            if entry in self._ids:
                continue
            sid = self._ids[entry] = len(self.streets)
            self.streets.append(entry)
            key = entry[2]
            self._by_name.setdefault(key, []).append(sid)
            self._by_compact.setdefault(key.replace(" ", ""), []).append(sid)
            words = key.split()
            if len(words) >= 2 and len(words[0]) > 1 and words[0].isalpha():
                self._by_initial.setdefault(words[0][0] + "".join(words[1:]), []).append(sid)
        self._fuzzy_choices: dict[tuple[str | None, bool], tuple[list[str], list[int]]] = {}
        self._cache: dict[tuple[str | None, str, str], StreetMatch] = {}

    def street_id(self, code: str, dug: str, name: str) -> int | None:
        """The id of a register street given as in the register, or None if it is not indexed."""
        return self._ids.get((str(code), normalise_text(str(dug)), street_key(str(name))))

    def match(self, parsed: ParsedAddress) -> StreetMatch:
        """Candidate streets for ``parsed``: every literal reading first, then a differing type, then fuzzy."""
        key = (parsed.street_type, parsed.street_name_norm, parsed.street_text)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._match(*key)
        return hit

    def lookup_name(self, text: str) -> list[int]:
        """Ids of the streets whose name equals ``text`` once reduced to letters and digits (any type)."""
        return list(self._by_name.get(street_key(text), []))

    def _match(self, dug: str | None, name: str, whole: str) -> StreetMatch:
        if not whole:
            return StreetMatch((), "unknown_street")
        found: dict[int, StreetCandidate] = {}

        def add(ids: Iterable[int], kind: str, score: float, only_type: str | None = None) -> None:
            for sid in ids:
                code, street_type, _ = self.streets[sid]
                if only_type is not None and street_type != only_type:
                    continue
                old = found.get(sid)
                if old is None or _KIND_RANK[kind] < _KIND_RANK[old.kind]:
                    found[sid] = StreetCandidate(sid, code, kind, score)

        # Tier 1: every literal reading together, so that the house number can choose between them
        # ("P. Bembo" is PIAZZA BEMBO or Pietro BEMBO; "Ponte Molino" may be a type word or part of the name).
        # Spaced names first: PONTE CORVO (a bridge) is not PONTECORVO; glued words only when nothing else fits.
        for table, glue in ((self._by_name, " "), (self._by_compact, "")):
            if dug is not None:
                add(table.get(name.replace(" ", glue), []), "exact", 100.0, dug)
            add(table.get(whole.replace(" ", glue), []), "type_inferred", 97.0)
            if found:
                break
        for text, only in ((name, dug), (whole, None)):
            words = text.split()
            if len(words) >= 2 and len(words[0]) == 1:
                add(self._by_initial.get(words[0] + "".join(words[1:]), []), "initial", 95.0, only)
        if not found and dug is not None:
            add(self._by_compact.get(name.replace(" ", ""), []), "type_differs", 90.0)
        if not found and dug is None:
            # a misspelt type word ("Viicolo Dei Dotto", "Coso Milano"): read it as the closest type
            token, _, rest = whole.partition(" ")
            guessed = self._fuzzy_type(token) if rest else None
            for cand in self._match(guessed, rest, rest).candidates if guessed else ():
                add([cand.street_id], "fuzzy_street", min(cand.score, 85.0))
        if not found:
            for sid, score in self._fuzzy(name, dug) or (self._fuzzy(name, None) if dug else []):
                add([sid], "fuzzy_street", score)
        if not found:
            return StreetMatch((), "unknown_street")
        ordered = sorted(found.values(), key=lambda c: (_KIND_RANK[c.kind], -c.score, c.street_id))
        return StreetMatch(tuple(ordered), None)

    def _fuzzy_type(self, token: str) -> str | None:
        if len(token) < 4 or token in _DUG_WORDS:
            return None
        hit = process.extractOne(token, sorted(_DUG_WORDS), scorer=fuzz.ratio, score_cutoff=80.0)
        return None if hit is None else str(hit[0])

    def _fuzzy(self, name: str, dug: str | None) -> list[tuple[int, float]]:
        if len(name.replace(" ", "")) < 5:  # one typo in a four-letter name is already another street
            return []
        words = name.split()
        initial = len(words) >= 2 and len(words[0]) == 1
        if (dug, initial) not in self._fuzzy_choices:
            ids = [i for i, (_, t, key) in enumerate(self.streets) if (dug is None or t == dug)
                   and (not initial or (" " in key and key.split()[0].isalpha() and len(key.split()[0]) > 1))]
            # with an initial written, compare with the names' initial forms ("L EULERO" for LEONHARD EULERO)
            names = [self.streets[i][2][0] + self.streets[i][2][self.streets[i][2].index(" "):] if initial
                     else self.streets[i][2] for i in ids]
            self._fuzzy_choices[(dug, initial)] = (names, ids)
        names, ids = self._fuzzy_choices[(dug, initial)]
        hits = process.extract(name, names, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, limit=30)
        if not hits:
            return []
        best = hits[0][1]
        return [(ids[i], float(s)) for _, s, i in hits if s >= best - self.fuzzy_window]


def known_street_types() -> frozenset[str]:
    """Every street type the parser recognises."""
    return frozenset(_DUG_WORDS | set(_DUG_ABBREVIATIONS.values()))
