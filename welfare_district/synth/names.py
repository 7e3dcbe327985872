"""Names and birthplaces: drawn as integer ids into a ``NameBook``, turned into strings only when writing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from welfare_district.geo.reference import PADOVA_BELFIORE, load_comuni
from welfare_district.synth import names_foreign, names_it

ITALIAN = -1  # country index of Italian citizens
# first-name eras by birth year: before 1960, 1960-1984, 1985 on
ERA_BOUNDS = (1960, 1985)
# where Italian citizens resident in Padova were born (shares)
BIRTHPLACE_MIX = {
    "padova": 0.62,
    "province": 0.16,
    "veneto_capitals": 0.05,
    "veneto_other": 0.03,
    "italy_other": 0.10,
    "abroad": 0.04,
}


def zipf_weights(n: int, exponent: float, offset: float) -> np.ndarray:
    """Normalised weights 1/(rank+offset)^exponent: a few very frequent entries and a long tail."""
    w = 1.0 / (np.arange(n) + offset) ** exponent
    return np.asarray(w / w.sum())


@dataclass
class _Pool:
    ids: np.ndarray
    p: np.ndarray

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.ids[rng.choice(len(self.ids), size=n, p=self.p)] if n else np.empty(0, np.int32)


@dataclass
class NameBook:
    """String tables and the frequency-weighted pools that draw from them."""

    surnames: np.ndarray  # object array of strings
    first_names: np.ndarray
    places: np.ndarray  # Belfiore codes
    country_iso: np.ndarray  # iso2 per country index
    country_place: np.ndarray  # place id (Belfiore) per country index
    country_share: np.ndarray
    country_kids: np.ndarray
    country_female: np.ndarray
    it_surnames_north: _Pool
    it_surnames_south: _Pool
    it_first: dict[tuple[str, int], _Pool]
    foreign_surnames: list[_Pool]
    foreign_first: dict[tuple[int, str], _Pool]
    it_places: dict[str, _Pool]
    padova_place: int

    def draw_surnames(
        self, rng: np.random.Generator, country: np.ndarray, southern: np.ndarray | None = None
    ) -> np.ndarray:
        """One surname id per person; Italians from the North draw mostly Veneto surnames."""
        out = np.empty(len(country), dtype=np.int32)
        it = country == ITALIAN
        south = it & (southern if southern is not None else np.zeros(len(country), bool))
        north = it & ~south
        out[north] = self.it_surnames_north.draw(rng, int(north.sum()))
        out[south] = self.it_surnames_south.draw(rng, int(south.sum()))
        for c in np.unique(country[~it]):
            sel = country == c
            out[sel] = self.foreign_surnames[int(c)].draw(rng, int(sel.sum()))
        return out

    def draw_first_names(
        self, rng: np.random.Generator, country: np.ndarray, sex: np.ndarray, birth_year: np.ndarray
    ) -> np.ndarray:
        """One first-name id per person (sex codes 0 = M, 1 = F), by citizenship, sex and era of birth."""
        out = np.empty(len(country), dtype=np.int32)
        era = np.searchsorted(np.asarray(ERA_BOUNDS), birth_year, side="right")
        it = country == ITALIAN
        for code, s in ((0, "M"), (1, "F")):
            for e in range(3):
                sel = it & (sex == code) & (era == e)
                out[sel] = self.it_first[(s, e)].draw(rng, int(sel.sum()))
            for c in np.unique(country[~it]):
                sel = (country == c) & (sex == code)
                out[sel] = self.foreign_first[(int(c), s)].draw(rng, int(sel.sum()))
        return out

    def draw_italian_birthplaces(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Place ids for ``n`` Italian citizens, and whether each was born in the South (for surnames)."""
        kinds = list(BIRTHPLACE_MIX)
        kind = rng.choice(len(kinds), size=n, p=np.array([BIRTHPLACE_MIX[k] for k in kinds]))
        out = np.empty(n, dtype=np.int32)
        for i, k in enumerate(kinds):
            sel = kind == i
            out[sel] = self.it_places[k].draw(rng, int(sel.sum()))
        return out, kind == kinds.index("italy_other")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def build_name_book() -> NameBook:
    """Assemble the string tables and weighted pools from the name lists and the shipped comuni list."""
    surnames: list[str] = _unique(
        list(names_it.SURNAMES_VENETO)
        + list(names_it.SURNAMES_NATIONAL)
        + [s for c in names_foreign.COUNTRIES for s in c.surnames]
    )
    s_index = {s: i for i, s in enumerate(surnames)}
    first: list[str] = _unique(
        [
            n
            for lst in (
                names_it.MALE_OLD,
                names_it.MALE_MID,
                names_it.MALE_NEW,
                names_it.FEMALE_OLD,
                names_it.FEMALE_MID,
                names_it.FEMALE_NEW,
            )
            for n in lst
        ]
        + [n for c in names_foreign.COUNTRIES for n in c.male + c.female_names]
    )
    f_index = {n: i for i, n in enumerate(first)}

    def pool(
        names: tuple[str, ...] | list[str], index: dict[str, int], exponent: float, offset: float
    ) -> _Pool:
        uniq = _unique(list(names))
        return _Pool(
            np.array([index[n] for n in uniq], dtype=np.int32), zipf_weights(len(uniq), exponent, offset)
        )

    veneto_names, national = names_it.SURNAMES_VENETO, names_it.SURNAMES_NATIONAL
    # Northern-born Italians: Veneto surnames first, national ones as the tail; the reverse for the South.
    north = pool(list(veneto_names) + list(national), s_index, 0.8, 8.0)
    south = pool(list(national) + list(veneto_names), s_index, 0.8, 8.0)
    it_first = {
        ("M", 0): pool(names_it.MALE_OLD, f_index, 1.0, 3.0),
        ("M", 1): pool(names_it.MALE_MID, f_index, 1.0, 3.0),
        ("M", 2): pool(names_it.MALE_NEW, f_index, 1.0, 3.0),
        ("F", 0): pool(names_it.FEMALE_OLD, f_index, 1.0, 3.0),
        ("F", 1): pool(names_it.FEMALE_MID, f_index, 1.0, 3.0),
        ("F", 2): pool(names_it.FEMALE_NEW, f_index, 1.0, 3.0),
    }
    foreign_surnames = [pool(c.surnames, s_index, 0.7, 2.0) for c in names_foreign.COUNTRIES]
    foreign_first: dict[tuple[int, str], _Pool] = {}
    for i, c in enumerate(names_foreign.COUNTRIES):
        foreign_first[(i, "M")] = pool(c.male, f_index, 0.8, 2.0)
        foreign_first[(i, "F")] = pool(c.female_names, f_index, 0.8, 2.0)

    comuni = load_comuni()
    # codes starting with M belong to comuni created by recent mergers: nobody old was born there
    comuni = comuni[~comuni["CODCATASTALE"].str.startswith("M") & (comuni["CODCATASTALE"] != PADOVA_BELFIORE)]
    veneto = comuni[comuni["Denominazione Regione"] == "Veneto"]
    capitals = veneto[veneto["DENOMINAZIONE_IT"].isin(names_it.VENETO_CAPITALS)]
    province = veneto[veneto["SIGLAPROVINCIA"] == "PD"]
    veneto_other = veneto[(veneto["SIGLAPROVINCIA"] != "PD") & ~veneto.index.isin(capitals.index)]
    italy_other = comuni[comuni["DENOMINAZIONE_IT"].isin(names_it.OTHER_BIRTH_CITIES)]
    abroad = [code for code, _ in names_foreign.ITALIANS_BORN_ABROAD]
    places: list[str] = _unique(
        [PADOVA_BELFIORE]
        + sorted(province["CODCATASTALE"])
        + sorted(capitals["CODCATASTALE"])
        + sorted(veneto_other["CODCATASTALE"])
        + sorted(italy_other["CODCATASTALE"])
        + abroad
        + [c.belfiore for c in names_foreign.COUNTRIES]
    )
    p_index = {p: i for i, p in enumerate(places)}

    def flat(codes: list[str]) -> _Pool:
        return _Pool(
            np.array([p_index[c] for c in codes], dtype=np.int32), np.full(len(codes), 1 / len(codes))
        )

    abroad_w = np.array([w for _, w in names_foreign.ITALIANS_BORN_ABROAD])
    it_places = {
        "padova": flat([PADOVA_BELFIORE]),
        # larger comuni near the city send more people; without populations a Zipf over the sorted list
        # would be arbitrary, so the province is uniform
        "province": flat(sorted(province["CODCATASTALE"])),
        "veneto_capitals": flat(sorted(capitals["CODCATASTALE"])),
        "veneto_other": flat(sorted(veneto_other["CODCATASTALE"])),
        "italy_other": flat(sorted(italy_other["CODCATASTALE"])),
        "abroad": _Pool(np.array([p_index[c] for c in abroad], dtype=np.int32), abroad_w / abroad_w.sum()),
    }
    countries = names_foreign.COUNTRIES
    share = np.array([c.share for c in countries])
    return NameBook(
        surnames=np.array(surnames, dtype=object),
        first_names=np.array(first, dtype=object),
        places=np.array(places, dtype=object),
        country_iso=np.array([c.iso2 for c in countries], dtype=object),
        country_place=np.array([p_index[c.belfiore] for c in countries], dtype=np.int32),
        country_share=share / share.sum(),
        country_kids=np.array([c.kids for c in countries]),
        country_female=np.array([c.female for c in countries]),
        it_surnames_north=north,
        it_surnames_south=south,
        it_first=it_first,
        foreign_surnames=foreign_surnames,
        foreign_first=foreign_first,
        it_places=it_places,
        padova_place=p_index[PADOVA_BELFIORE],
    )
