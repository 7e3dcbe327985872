"""The web pages' message catalogue (Italian first, English second) and language resolution.

Every user-facing string of the pages lives here, keyed by a short id, so a translation is one edit
in one place and a test can check that both languages define the same keys.
"""

from __future__ import annotations

from typing import Literal

from markupsafe import Markup, escape

Language = Literal["it", "en"]
LANGUAGES: tuple[Language, ...] = ("it", "en")
LANGUAGE_NAMES: dict[Language, str] = {"it": "Italiano", "en": "English"}
COOKIE_NAME = "lang"

MESSAGES: dict[Language, dict[str, str]] = {
    "it": {
        "site_name": "Welfare District",
        "site_tagline": "Bisogni sociali e servizi, quartiere per quartiere",
        "skip_to_content": "Vai al contenuto",
        "nav_label": "Navigazione principale",
        "nav_map": "Mappa",
        "nav_api": "API (OpenAPI)",
        "language_switch_label": "Lingua",
        "switch_to": "Passa all'italiano",
        "map_title": "Residenti per quartiere",
        "map_intro": "I sei quartieri di {city} colorati in base al numero di residenti.",
        "residents": "Residenti",
        "residents_source": "Residenti (stima 2023 dai dati censuari 2011)",
        "residents_source_note": (
            "Fonte del dato: residenti stimati al 2023 a partire dal censimento ISTAT 2011, "
            "come registrati con i confini delle aree, finché l'anagrafe non è caricata con "
            "welfare pipeline."
        ),
        "residents_source_register": "Residenti iscritti in anagrafe al 31 dicembre {year}",
        "table_caption_register": "Residenti per quartiere (anagrafe, 31 dicembre {year})",
        "residents_source_note_register": (
            "Fonte del dato: anagrafe della popolazione integrata con le altre fonti, istantanea al "
            "31 dicembre {year}. Residenti con indirizzo non collocato su un quartiere: {unplaced}."
        ),
        "synthetic_note": "Confini in parte sintetici (versione confini: {version}).",
        "boundary_version": "Versione confini: {version}.",
        "map_figure_label": "Mappa dei residenti per quartiere; gli stessi dati sono nella tabella seguente.",
        "map_fallback": "La mappa richiede JavaScript; i dati sono nella tabella seguente.",
        "table_caption": "Residenti per quartiere (stima 2023 dai dati censuari 2011)",
        "col_code": "Codice",
        "col_area": "Quartiere",
        "col_residents": "Residenti",
        "col_share": "Quota sul totale",
        "total": "Totale",
        "hover_residents": "Residenti",
        "empty_title": "Nessuna area nel database",
        "empty_body": (
            "Il database {database} non contiene ancora le aree della città, quindi non c'è nulla "
            "da mostrare sulla mappa."
        ),
        "empty_howto": "Per costruirle:",
        "empty_step_stop": "ferma questo server (Ctrl+C);",
        "empty_step_build": "esegui {command} per costruire i quartieri e le aree più fini,",
        "empty_step_demo": "oppure {command} per l'intera demo di Padova con dati sintetici;",
        "empty_step_restart": "riavvia il server con {command}.",
        "error_title": "Errore",
        "not_found_title": "Pagina non trovata",
        "not_found_body": "L'indirizzo richiesto non esiste.",
        "unavailable_body": "Il database non è raggiungibile: {message}",
        "back_home": "Torna alla mappa",
        "footer_text": "Welfare District, software libero (EUPL-1.2). Dati: ISTAT, Comune di Padova.",
        "serve_banner": (
            "Welfare District in ascolto su {url} (API {url}api/v1, OpenAPI {url}openapi.json). "
            "Ctrl+C per fermare."
        ),
    },
    "en": {
        "site_name": "Welfare District",
        "site_tagline": "Social needs and services, neighbourhood by neighbourhood",
        "skip_to_content": "Skip to content",
        "nav_label": "Main navigation",
        "nav_map": "Map",
        "nav_api": "API (OpenAPI)",
        "language_switch_label": "Language",
        "switch_to": "Switch to English",
        "map_title": "Residents by quartiere",
        "map_intro": "The six quartieri (districts) of {city}, coloured by number of residents.",
        "residents": "Residents",
        "residents_source": "Residents (2023 estimate from 2011 census data)",
        "residents_source_note": (
            "Source of the figure: residents estimated for 2023 from the 2011 ISTAT census, as stored "
            "with the area boundaries, until the population register is loaded with welfare pipeline."
        ),
        "residents_source_register": "Residents in the population register on 31 December {year}",
        "table_caption_register": "Residents by quartiere (population register, 31 December {year})",
        "residents_source_note_register": (
            "Source of the figure: the population register integrated with the other sources, snapshot "
            "of 31 December {year}. Residents whose address is not placed in a quartiere: {unplaced}."
        ),
        "synthetic_note": "Boundaries partly synthetic (boundary version: {version}).",
        "boundary_version": "Boundary version: {version}.",
        "map_figure_label": "Map of residents by quartiere; the same figures are in the table below.",
        "map_fallback": "The map needs JavaScript; the figures are in the table below.",
        "table_caption": "Residents by quartiere (2023 estimate from 2011 census data)",
        "col_code": "Code",
        "col_area": "Quartiere",
        "col_residents": "Residents",
        "col_share": "Share of total",
        "total": "Total",
        "hover_residents": "Residents",
        "empty_title": "No areas in the database",
        "empty_body": (
            "The database {database} does not contain the city's areas yet, so there is nothing to "
            "show on the map."
        ),
        "empty_howto": "To build them:",
        "empty_step_stop": "stop this server (Ctrl+C);",
        "empty_step_build": "run {command} to build the quartieri and the finer areas,",
        "empty_step_demo": "or {command} for the whole Padova demo with synthetic data;",
        "empty_step_restart": "start the server again with {command}.",
        "error_title": "Error",
        "not_found_title": "Page not found",
        "not_found_body": "The requested address does not exist.",
        "unavailable_body": "The database cannot be reached: {message}",
        "back_home": "Back to the map",
        "footer_text": "Welfare District, free software (EUPL-1.2). Data: ISTAT, Comune di Padova.",
        "serve_banner": (
            "Welfare District listening on {url} (API {url}api/v1, OpenAPI {url}openapi.json). "
            "Ctrl+C to stop."
        ),
    },
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


def format_percent(value: float, lang: Language, digits: int = 1) -> str:
    """A fraction (0.123) as a percentage in ``lang`` ("12,3%" in Italian, "12.3%" in English)."""
    text = f"{value * 100:.{digits}f}%"
    return text.replace(".", ",") if lang == "it" else text


def plotly_separators(lang: Language) -> str:
    """Plotly's ``layout.separators`` (decimal then thousands) for ``lang``."""
    return ",." if lang == "it" else ".,"
