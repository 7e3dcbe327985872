"""The web pages' message catalogue (Italian and English side by side) and language resolution.

Every user-facing string of the pages lives here, keyed by a short id, each key holding its Italian and
its English text together, so a translation is one edit in one place and no key can exist in one
language only.
"""

from __future__ import annotations

from typing import Literal

from markupsafe import Markup, escape

from welfare_district.web.i18n import (
    words_common,
    words_directory,
    words_impact,
    words_indicators,
    words_reports,
)

Language = Literal["it", "en"]
LANGUAGES: tuple[Language, ...] = ("it", "en")
LANGUAGE_NAMES: dict[Language, str] = {"it": "Italiano", "en": "English"}
COOKIE_NAME = "lang"


def _merged() -> dict[str, tuple[str, str]]:
    """The page families' word lists as one catalogue; a key defined twice is a programming error."""
    catalogue: dict[str, tuple[str, str]] = {}
    for family in (words_common, words_indicators, words_directory, words_impact, words_reports):
        clash = catalogue.keys() & family.WORDS.keys()
        if clash:
            raise RuntimeError(f"message keys defined twice: {sorted(clash)}")
        catalogue.update(family.WORDS)
    return catalogue


_CATALOGUE = _merged()

MESSAGES: dict[Language, dict[str, str]] = {
    "it": {key: texts[0] for key, texts in _CATALOGUE.items()},
    "en": {key: texts[1] for key, texts in _CATALOGUE.items()},
}


def parse_language(value: str | None) -> Language | None:
    """Return ``value`` as a supported language code (case-insensitive), or None if it is not one."""
    if value is None:
        return None
    code = value.strip().lower()
    for supported in LANGUAGES:
        if code == supported:
            return supported
    return None


def other_language(lang: Language) -> Language:
    """The language the switch link on a page in ``lang`` offers."""
    return "en" if lang == "it" else "it"


def translate(lang: Language, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` substituted.

    A key missing from the catalogue raises KeyError, so a typo fails loudly in tests, never silently
    in a page.
    """
    text = MESSAGES[lang][key]
    return text.format(**params) if params else text


def translate_with_code(lang: Language, key: str, **params: str) -> Markup:
    """The message ``key`` as safe HTML, each of ``params`` inserted escaped inside <code>.

    For messages that name a command or a path the reader should type or recognise verbatim.
    """
    template = Markup(escape(MESSAGES[lang][key]))
    codes = {name: Markup("<code>{}</code>").format(value) for name, value in params.items()}
    return template.format(**codes)


def format_int(value: int, lang: Language) -> str:
    """``value`` with the thousands separator of ``lang`` (1.234.567 in Italian, 1,234,567 in English)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "it" else text


def format_decimal(value: float, lang: Language, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` with ``lang``'s separators (1.234,5 in Italian, 1,234.5 in English)."""
    text = f"{value:,.{digits}f}"
    if lang == "it":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value: float, lang: Language, digits: int = 1) -> str:
    """A fraction (0.123) as a percentage in ``lang`` ("12,3%" in Italian, "12.3%" in English)."""
    text = f"{value * 100:.{digits}f}%"
    return text.replace(".", ",") if lang == "it" else text


def plotly_separators(lang: Language) -> str:
    """Plotly's ``layout.separators`` (decimal then thousands) for ``lang``."""
    return ",." if lang == "it" else ".,"
