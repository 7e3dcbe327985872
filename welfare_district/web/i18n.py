"""The web pages' message catalogue (Italian and English side by side) and language resolution.

Every user-facing string of the pages lives here, keyed by a short id, each key holding its Italian and
its English text together, so a translation is one edit in one place and no key can exist in one
language only.
"""

from __future__ import annotations

from typing import Literal

from markupsafe import Markup, escape

Language = Literal["it", "en"]
LANGUAGES: tuple[Language, ...] = ("it", "en")
LANGUAGE_NAMES: dict[Language, str] = {"it": "Italiano", "en": "English"}
COOKIE_NAME = "lang"

# key: (Italian, English)
_CATALOGUE: dict[str, tuple[str, str]] = {
    # layout
    "site_name": ("Welfare District", "Welfare District"),
    "site_tagline": ("Bisogni sociali e servizi, quartiere per quartiere",
                     "Social needs and services, neighbourhood by neighbourhood"),
    "skip_to_content": ("Vai al contenuto", "Skip to content"),
    "nav_label": ("Navigazione principale", "Main navigation"),
    "nav_map": ("Mappa", "Map"),
    "nav_indicators": ("Indicatori", "Indicators"),
    "nav_trends": ("Andamenti", "Trends"),
    "nav_rankings": ("Graduatorie", "Rankings"),
    "nav_quality": ("Qualità dei dati", "Data quality"),
    "nav_api": ("API (OpenAPI)", "API (OpenAPI)"),
    "language_switch_label": ("Lingua", "Language"),
    "switch_to": ("Passa all'italiano", "Switch to English"),
    "footer_text": ("Welfare District, software libero (EUPL-1.2). Dati: ISTAT, Comune di Padova.",
                    "Welfare District, free software (EUPL-1.2). Data: ISTAT, Comune di Padova."),
    "error_title": ("Errore", "Error"),
    "not_found_title": ("Pagina non trovata", "Page not found"),
    "not_found_body": ("L'indirizzo richiesto non esiste.", "The requested address does not exist."),
    "unavailable_body": ("Il database non è raggiungibile: {message}", "The database cannot be reached: {message}"),
    "back_home": ("Torna alla mappa", "Back to the map"),
    "serve_banner": ("Welfare District in ascolto su {url} (API {url}api/v1, OpenAPI {url}openapi.json). "
                     "Ctrl+C per fermare.",
                     "Welfare District listening on {url} (API {url}api/v1, OpenAPI {url}openapi.json). "
                     "Ctrl+C to stop."),
    # sign-in, sessions and refusals
    "nav_families": ("Famiglie", "Families"),
    "signed_in_as": ("Accesso come {user} ({role})", "Signed in as {user} ({role})"),
    "logout": ("Esci", "Sign out"),
    "login": ("Accedi", "Sign in"),
    "login_title": ("Accesso riservato", "Restricted sign-in"),
    "login_intro": ("Per operatori, analisti e personale autorizzato. Le pagine pubbliche non richiedono "
                    "l'accesso.", "For operators, analysts and authorised staff. Public pages need no sign-in."),
    "login_username": ("Nome utente", "Username"),
    "login_password": ("Password", "Password"),
    "login_failed": ("Nome utente o password non validi.", "Invalid username or password."),
    "login_rate_limited": ("Troppi tentativi non riusciti. Riprova tra {minutes} minuti.",
                           "Too many failed attempts. Try again in {minutes} minutes."),
    "login_expired": ("La sessione è scaduta: accedi di nuovo.", "Your session has expired: please sign in again."),
    "login_required": ("Questa pagina richiede l'accesso.", "This page requires signing in."),
    "forbidden_title": ("Accesso negato", "Access denied"),
    "forbidden_body": ("Non hai i permessi per questa richiesta.", "You are not allowed to make this request."),
    "csrf_body": ("Il modulo è scaduto o non è valido: ricarica la pagina e riprova.",
                  "The form has expired or is not valid: reload the page and try again."),
    "too_large_body": ("La richiesta è troppo grande.", "The request is too large."),
    "role_admin": ("amministratore", "administrator"),
    "role_data_steward": ("responsabile dei dati", "data steward"),
    "role_operator": ("operatore", "operator"),
    "role_analyst": ("analista", "analyst"),
    "role_partner": ("partner", "partner"),
    # operators' family profiles
    "families_title": ("Profilo delle famiglie", "Family profiles"),
    "families_intro": ("Ricerca delle famiglie del tuo territorio. Ogni consultazione è registrata con il suo "
                       "motivo.", "Search the families of your territory. Every view is recorded with its "
                       "purpose."),
    "families_ref": ("Codice pseudonimo della famiglia", "Family pseudonym"),
    "families_area": ("Area (quartiere o zona)", "Area (quartiere or zone)"),
    "families_any_area": ("Tutto il mio territorio", "All my territory"),
    "families_purpose": ("Motivo dell'accesso", "Purpose of access"),
    "families_search": ("Cerca", "Search"),
    "families_open": ("Apri il profilo", "Open the profile"),
    "families_none": ("Nessuna famiglia trovata nel tuo territorio.", "No family found in your territory."),
    "families_results": ("Famiglie trovate: {count}", "Families found: {count}"),
    "families_more": ("Sono mostrate le prime {count}: restringi la ricerca.",
                      "The first {count} are shown: narrow the search."),
    "families_no_data": ("Nessuna istantanea dell'anagrafe è ancora stata caricata.",
                         "No population register snapshot has been loaded yet."),
    "families_not_found": ("Famiglia non trovata.", "Family not found."),
    "family_title": ("Famiglia {ref}", "Family {ref}"),
    "family_snapshot": ("Anagrafe al {date}; area: {area}.", "Register on {date}; area: {area}."),
    "family_members": ("Componenti", "Members"),
    "family_sources": ("Fonti in cui compare", "Sources it appears in"),
    "family_indicators": ("Indicatori di disagio a cui contribuisce", "Hardship indicators it contributes to"),
    "family_cases": ("Casi aperti dei servizi sociali", "Open social-services cases"),
    "family_no_sources": ("Nessun collegamento registrato.", "No linkage stored."),
    "family_no_indicators": ("Nessun indicatore di disagio.", "No hardship indicator."),
    "family_no_cases": ("Nessun caso aperto.", "No open case."),
    "col_member_name": ("Nome e cognome", "Name"),
    "col_relation": ("Relazione con l'intestatario", "Relation to the head"),
    "col_birth_year": ("Anno di nascita", "Year of birth"),
    "col_sex": ("Sesso", "Sex"),
    "col_records": ("Record", "Records"),
    "col_members_counted": ("Unità conteggiate (persone, famiglia, abitazione)",
                            "Units counted (people, family, dwelling)"),
    "col_case_type": ("Tipo di caso", "Case type"),
    "col_opened": ("Aperto il", "Opened on"),
    "purpose_case_management": ("Gestione del caso", "Case management"),
    "purpose_referral": ("Invio a un servizio", "Referral to a service"),
    "purpose_eligibility_check": ("Verifica dei requisiti", "Eligibility check"),
    "purpose_safeguarding": ("Tutela di persone a rischio", "Safeguarding people at risk"),
    "purpose_required": ("Indica il motivo dell'accesso.", "State the purpose of access."),
    # residents map (before any indicator is computed)
    "map_title": ("Residenti per quartiere", "Residents by quartiere"),
    "map_intro": ("I sei quartieri di {city} colorati in base al numero di residenti.",
                  "The six quartieri (districts) of {city}, coloured by number of residents."),
    "residents": ("Residenti", "Residents"),
    "residents_source": ("Residenti (stima 2023 dai dati censuari 2011)",
                         "Residents (2023 estimate from 2011 census data)"),
    "residents_source_note": ("Fonte del dato: residenti stimati al 2023 a partire dal censimento ISTAT 2011, come "
                              "registrati con i confini delle aree, finché l'anagrafe non è caricata con welfare "
                              "pipeline.",
                              "Source of the figure: residents estimated for 2023 from the 2011 ISTAT census, as "
                              "stored with the area boundaries, until the population register is loaded with "
                              "welfare pipeline."),
    "residents_source_register": ("Residenti iscritti in anagrafe al 31 dicembre {year}",
                                  "Residents in the population register on 31 December {year}"),
    "table_caption_register": ("Residenti per quartiere (anagrafe, 31 dicembre {year})",
                               "Residents by quartiere (population register, 31 December {year})"),
    "residents_source_note_register": ("Fonte del dato: anagrafe della popolazione integrata con le altre fonti, "
                                       "istantanea al 31 dicembre {year}. Residenti con indirizzo non collocato "
                                       "su un quartiere: {unplaced}.",
                                       "Source of the figure: the population register integrated with the other "
                                       "sources, snapshot of 31 December {year}. Residents whose address is not "
                                       "placed in a quartiere: {unplaced}."),
    "synthetic_note": ("Confini in parte sintetici (versione confini: {version}).",
                       "Boundaries partly synthetic (boundary version: {version})."),
    "boundary_version": ("Versione confini: {version}.", "Boundary version: {version}."),
    "map_figure_label": ("Mappa dei residenti per quartiere; gli stessi dati sono nella tabella seguente.",
                         "Map of residents by quartiere; the same figures are in the table below."),
    "map_fallback": ("La mappa richiede JavaScript; i dati sono nella tabella seguente.",
                     "The map needs JavaScript; the figures are in the table below."),
    "table_caption": ("Residenti per quartiere (stima 2023 dai dati censuari 2011)",
                      "Residents by quartiere (2023 estimate from 2011 census data)"),
    "col_code": ("Codice", "Code"),
    "col_area": ("Quartiere", "Quartiere"),
    "col_residents": ("Residenti", "Residents"),
    "col_share": ("Quota sul totale", "Share of total"),
    "total": ("Totale", "Total"),
    "hover_residents": ("Residenti", "Residents"),
    "no_indicators_note": ("Gli indicatori non sono ancora stati calcolati: eseguire {command} per vederli sulla "
                           "mappa.", "No indicator has been computed yet: run {command} to see them on the map."),
    "empty_title": ("Nessuna area nel database", "No areas in the database"),
    "empty_body": ("Il database {database} non contiene ancora le aree della città, quindi non c'è nulla da "
                   "mostrare sulla mappa.",
                   "The database {database} does not contain the city's areas yet, so there is nothing to show "
                   "on the map."),
    "empty_howto": ("Per costruirle:", "To build them:"),
    "empty_step_stop": ("ferma questo server (Ctrl+C);", "stop this server (Ctrl+C);"),
    "empty_step_build": ("esegui {command} per costruire i quartieri e le aree più fini,",
                         "run {command} to build the quartieri and the finer areas,"),
    "empty_step_demo": ("oppure {command} per l'intera demo di Padova con dati sintetici;",
                        "or {command} for the whole Padova demo with synthetic data;"),
    "empty_step_restart": ("riavvia il server con {command}.", "start the server again with {command}."),
    # indicator map
    "imap_title": ("Mappa degli indicatori", "Indicator map"),
    "imap_intro": ("Scegliere indicatore, livello territoriale, anno e metodo di classificazione; cliccare su "
                   "un'area per aprirne il profilo.",
                   "Choose an indicator, an area level, a year and a classification method; click an area to "
                   "open its profile."),
    "imap_figure_label": ("Mappa: {indicator}, {level}, {year}. Gli stessi valori sono nella tabella seguente.",
                          "Map: {indicator}, {level}, {year}. The same values are in the table below."),
    "imap_caption": ("{indicator} ({unit}), {level}, {year}. Classi: {method}.",
                     "{indicator} ({unit}), {level}, {year}. Classes: {method}."),
    "imap_table_caption": ("{indicator} per {level}, {year}", "{indicator} by {level}, {year}"),
    "imap_update": ("Aggiorna la mappa", "Update the map"),
    "imap_loading": ("Aggiornamento della mappa…", "Updating the map…"),
    "imap_updated": ("Mappa aggiornata: {indicator}, {level}, {year}.", "Map updated: {indicator}, {level}, {year}."),
    "imap_failed": ("La mappa non si è potuta aggiornare; ricaricare la pagina.",
                    "The map could not be updated; reload the page."),
    "imap_unstable_note": ("Le aree segnate con ✕ hanno un valore instabile (pochi casi al denominatore o "
                           "intervallo di confidenza ampio): va letto con cautela.",
                           "Areas marked ✕ have an unstable value (few cases in the denominator or a wide "
                           "confidence interval): read it with caution."),
    "field_indicator": ("Indicatore", "Indicator"),
    "field_level": ("Livello", "Level"),
    "field_year": ("Anno", "Year"),
    "field_method": ("Classi", "Classes"),
    "field_order": ("Ordine", "Order"),
    "field_areas": ("Aree", "Areas"),
    "composite_name": ("Indice di vulnerabilità sociale e materiale (IVSM, AMPI)",
                       "Social and material vulnerability index (IVSM, AMPI)"),
    "composite_unit": ("indice, {city} {year} = 100", "index, {city} {year} = 100"),
    "composite_short": ("IVSM", "IVSM"),
    "components_axis": ("Valore normalizzato (linea tratteggiata: {city} {year} = 100)",
                        "Normalised value (dashed line: {city} {year} = 100)"),
    "unit_per": ("per {per}", "per {per}"),
    "unit_ratio": ("rapporto", "ratio"),
    "level_city": ("Comune", "City"),
    "level_quartiere": ("Quartieri", "Quartieri"),
    "level_zone": ("Zone", "Zones"),
    "level_section": ("Sezioni di censimento", "Census sections"),
    "level_one_city": ("comune", "city"),
    "level_one_quartiere": ("quartiere", "quartiere"),
    "level_one_zone": ("zona", "zone"),
    "level_one_section": ("sezione di censimento", "census section"),
    "method_quantiles": ("quantili", "quantiles"),
    "method_equal": ("intervalli uguali", "equal intervals"),
    "method_ivsm": ("classi ISTAT dell'IVSM", "ISTAT IVSM classes"),
    "ivsm_class_low": ("bassa", "low"),
    "ivsm_class_medium_low": ("medio-bassa", "medium-low"),
    "ivsm_class_medium": ("media", "medium"),
    "ivsm_class_medium_high": ("medio-alta", "medium-high"),
    "ivsm_class_high": ("alta", "high"),
    "no_data": ("n.d.", "n/a"),
    "legend_missing": ("Dato non disponibile", "No value"),
    "legend_unstable": ("Valore instabile", "Unstable value"),
    "unstable_hover": ("Valore instabile: leggere con cautela", "Unstable value: read with caution"),
    "unstable_short": ("instabile", "unstable"),
    "hover_value": ("Valore", "Value"),
    "hover_numerator": ("Numeratore", "Numerator"),
    "hover_denominator": ("Denominatore", "Denominator"),
    "hover_ci": ("Intervallo di confidenza 95%", "95% confidence interval"),
    "hover_class": ("Classe", "Class"),
    "col_name": ("Area", "Area"),
    "col_value": ("Valore", "Value"),
    "col_numerator": ("Numeratore", "Numerator"),
    "col_denominator": ("Denominatore", "Denominator"),
    "col_ci": ("IC 95%", "95% CI"),
    "col_class": ("Classe", "Class"),
    "col_note": ("Nota", "Note"),
    "col_rank": ("Posizione", "Rank"),
    "col_city": ("Comune", "City"),
    "col_parent": ("Area superiore", "Parent area"),
    "col_trend": ("Andamento", "Trend"),
    "col_year": ("Anno", "Year"),
    "col_indicator": ("Indicatore", "Indicator"),
    "col_theme": ("Tema", "Theme"),
    "col_unit": ("Unità", "Unit"),
    "col_component": ("Componente", "Component"),
    "col_normalised": ("Valore normalizzato", "Normalised value"),
    "provenance_note": ("Provenienza: definizione {definition}, confini {boundary}, istantanea del {snapshot}, "
                        "calcolato il {computed}.",
                        "Provenance: definition {definition}, boundaries {boundary}, snapshot of {snapshot}, "
                        "computed on {computed}."),
    "provenance_short": ("Provenienza: confini {boundary}, istantanea del {snapshot}, calcolato il {computed}; la "
                         "versione di ogni definizione è nella pagina dell'indicatore.",
                         "Provenance: boundaries {boundary}, snapshot of {snapshot}, computed on {computed}; each "
                         "definition's version is on the indicator's page."),
    # area profile
    "profile_title": ("{name}: profilo dell'area", "{name}: area profile"),
    "profile_intro": ("{level} di {city}. Ogni indicatore nel {year} confrontato con il comune e con l'area "
                      "superiore, con il suo andamento negli anni.",
                      "{level} of {city}. Every indicator in {year} against the city and the parent area, with "
                      "its trend over the years."),
    "profile_composite": ("Indice composito (IVSM)", "Composite index (IVSM)"),
    "profile_composite_value": ("Indice {value}: classe {klass} ({year}).", "Index {value}: class {klass} ({year})."),
    "profile_composite_none": ("Indice composito non disponibile per quest'area.",
                               "No composite index for this area."),
    "profile_components_caption": ("Componenti dell'IVSM, {year}", "IVSM components, {year}"),
    "profile_indicators_caption": ("Indicatori di {name} nel {year}, confrontati con {parent} e con il comune",
                                   "Indicators of {name} in {year}, against {parent} and the city"),
    "profile_trends_title": ("Andamenti", "Trends"),
    "profile_trends_label": ("Piccoli grafici dell'andamento di ogni indicatore dell'area (linea piena) e del "
                             "comune (linea tratteggiata); i valori sono nella tabella.",
                             "Small charts of each indicator's trend for the area (solid line) and the city "
                             "(dashed line); the values are in the table."),
    "profile_children": ("Aree contenute", "Areas inside"),
    "profile_open_trend": ("andamento", "trend"),
    "series_area": ("Area", "Area"),
    "series_city": ("Comune", "City"),
    # trends
    "trends_title": ("Andamenti nel tempo", "Trends over time"),
    "trends_intro": ("Un indicatore nel tempo per le aree scelte e per il comune.",
                     "One indicator over the years for the chosen areas and the city."),
    "trends_show": ("Mostra", "Show"),
    "trends_areas_hint": ("Tenere premuto Ctrl (o Cmd) per sceglierne più di una.",
                          "Hold Ctrl (or Cmd) to choose more than one."),
    "trends_figure_label": ("Grafico a linee: {indicator} per anno; i valori sono nella tabella seguente.",
                            "Line chart: {indicator} by year; the values are in the table below."),
    "trends_table_caption": ("{indicator} per anno", "{indicator} by year"),
    # rankings
    "rankings_title": ("Graduatoria delle aree", "Ranking of areas"),
    "rankings_intro": ("Le aree ordinate per valore dell'indicatore; cliccare sull'intestazione di una colonna "
                       "per cambiare ordine.",
                       "Areas ordered by the indicator's value; click a column heading to change the order."),
    "rankings_caption": ("{indicator}, {level}, {year}", "{indicator}, {level}, {year}"),
    "rankings_sort_by": ("ordina per {column}", "sort by {column}"),
    "order_desc": ("dal più alto", "highest first"),
    "order_asc": ("dal più basso", "lowest first"),
    "export_title": ("Scarica i dati", "Download the data"),
    "export_csv": ("CSV", "CSV"),
    "export_xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "export_geojson": ("GeoJSON", "GeoJSON"),
    # indicators
    "indicators_title": ("Indicatori", "Indicators"),
    "indicators_intro": ("Le definizioni di tutti gli indicatori calcolati, allineate a ISTAT dove possibile.",
                         "The definitions of every computed indicator, aligned with ISTAT where possible."),
    "indicators_caption": ("Indicatori per tema", "Indicators by theme"),
    "theme_ivsm": ("Vulnerabilità (IVSM)", "Vulnerability (IVSM)"),
    "theme_demography": ("Demografia", "Demography"),
    "theme_economy": ("Condizione economica", "Economic condition"),
    "theme_care": ("Assistenza", "Care"),
    "unit_person": ("persone", "people"),
    "unit_family": ("famiglie", "families"),
    "unit_dwelling": ("abitazioni", "dwellings"),
    "unit_isee": ("famiglie con dichiarazione ISEE", "families with an ISEE declaration"),
    "unit_case": ("cartelle sociali", "social-services cases"),
    "indicator_definition": ("Definizione", "Definition"),
    "indicator_formula": ("Formula", "Formula"),
    "indicator_formula_text": ("Il {numerator} diviso per il {denominator}, moltiplicato per {multiplier}.",
                               "The {numerator} divided by the {denominator}, multiplied by {multiplier}."),
    "indicator_numerator": ("Numeratore", "Numerator"),
    "indicator_denominator": ("Denominatore", "Denominator"),
    "indicator_multiplier": ("Moltiplicatore", "Multiplier"),
    "indicator_kind": ("Tipo", "Kind"),
    "kind_proportion": ("proporzione (con intervallo di confidenza di Wilson al 95%)",
                        "proportion (with a 95% Wilson confidence interval)"),
    "kind_ratio": ("rapporto (senza intervallo di confidenza)", "ratio (no confidence interval)"),
    "indicator_istat": ("Allineamento ISTAT", "ISTAT alignment"),
    "indicator_istat_code": ("Codice 8milaCensus", "8milaCensus code"),
    "indicator_variant": ("Variante", "Variant"),
    "indicator_polarity": ("Polarità", "Polarity"),
    "polarity_1": ("valori più alti indicano maggiore vulnerabilità", "higher values mean more vulnerability"),
    "polarity_-1": ("valori più alti indicano minore vulnerabilità", "higher values mean less vulnerability"),
    "polarity_0": ("descrittivo, senza direzione", "descriptive, no direction"),
    "indicator_version": ("Versione della definizione", "Definition version"),
    "indicator_provenance": ("Provenienza dei valori pubblicati", "Provenance of the published figures"),
    "indicator_provenance_caption": ("Provenienza per anno e livello", "Provenance by year and level"),
    "indicator_no_values": ("Nessun valore calcolato per questo indicatore.", "No value computed for this indicator."),
    "col_definition_version": ("Versione definizione", "Definition version"),
    "col_boundary_version": ("Versione confini", "Boundary version"),
    "col_snapshot": ("Istantanea costruita il", "Snapshot built on"),
    "col_computed": ("Calcolato il", "Computed on"),
    "col_areas": ("Aree", "Areas"),
    "col_level": ("Livello", "Level"),
    "current_definition": ("attuale", "current"),
    "older_definition": ("precedente: ricalcolare", "older: recompute"),
    "indicator_links": ("Vedi sulla mappa, nella graduatoria o nel tempo:", "See it on the map, ranked or over time:"),
    "count_of": ("{unit} residenti", "resident {unit}"),
    "count_where": ("{unit} residenti con: {condition}", "resident {unit} with: {condition}"),
    "count_sum": ("somma di «{measure}» sulle {unit}", "sum of '{measure}' over {unit}"),
    # data quality
    "quality_title": ("Qualità dei dati", "Data quality"),
    "quality_intro": ("Il resoconto dei caricamenti e del collegamento dei record. Solo conteggi e numeri di riga "
                      "del file di origine: nessun codice fiscale né nome.",
                      "The report of the loads and of record linkage. Counts and row numbers of the source file "
                      "only: no codice fiscale and no name."),
    "quality_loads": ("Caricamenti", "Loads"),
    "quality_loads_caption": ("Caricamenti registrati, dal più recente", "Stored loads, newest first"),
    "quality_no_loads": ("Nessun caricamento registrato.", "No load stored."),
    "col_source": ("Fonte", "Source"),
    "col_file": ("File", "File"),
    "col_started": ("Inizio (UTC)", "Started (UTC)"),
    "col_read": ("Lette", "Read"),
    "col_loaded": ("Caricate", "Loaded"),
    "col_flagged": ("Con avvisi", "With warnings"),
    "col_quarantined": ("In quarantena", "Quarantined"),
    "quality_reasons": ("Errori e avvisi per motivo", "Errors and warnings by reason"),
    "quality_reasons_caption": ("Righe segnalate per fonte, campo e motivo",
                                "Flagged rows by source, field and reason"),
    "quality_no_failures": ("Nessun errore o avviso registrato.", "No error or warning stored."),
    "col_field": ("Campo", "Field"),
    "col_reason": ("Motivo", "Reason"),
    "col_severity": ("Gravità", "Severity"),
    "col_count": ("Righe", "Rows"),
    "col_examples": ("Righe di esempio (numero di riga nel file)", "Example rows (row number in the file)"),
    "severity_error": ("errore", "error"),
    "severity_warning": ("avviso", "warning"),
    "quality_linkage": ("Collegamento dei record", "Record linkage"),
    "quality_linkage_caption": ("Record e persone distinte per fonte", "Records and distinct people by source"),
    "quality_no_linkage": ("Il collegamento dei record non è ancora stato eseguito.",
                           "Record linkage has not run yet."),
    "col_records_in": ("Record", "Records"),
    "col_people": ("Persone distinte", "Distinct people"),
    "col_duplicates": ("Doppioni uniti", "Duplicates merged"),
    "col_in_review": ("Record in revisione", "Records in review"),
    "quality_review_queue": ("Coppie in attesa di revisione manuale: {pairs}.",
                             "Pairs waiting for a manual review: {pairs}."),
    "quality_linked_total": ("Totale: {records} record, {people} persone distinte.",
                             "Total: {records} records, {people} distinct people."),
    # disclosure control of published figures
    "legend_protected": ("Dato protetto", "Protected figure"),
    "protected_short": ("dato protetto", "protected figure"),
    "protected_primary": ("Dato protetto: meno di {threshold} persone (segreto statistico)",
                          "Protected figure: fewer than {threshold} people (statistical confidentiality)"),
    "protected_secondary": ("Dato protetto: nascosto perché altri dati pubblicati non permettano di ricostruire "
                            "un dato protetto",
                            "Protected figure: hidden so that other published figures cannot rebuild a "
                            "protected one"),
    "protected_incomplete": ("Dato protetto: la tabella salvata è incompleta e non può essere protetta",
                             "Protected figure: the stored table is incomplete and cannot be protected"),
    "protected_component": ("Dato protetto: una componente dell'indice è protetta",
                            "Protected figure: a component of the index is protected"),
    "protected_footnote": ("— dato protetto: non pubblicato per il segreto statistico (meno di {threshold} "
                           "persone, o ricostruibile da altri dati pubblicati).",
                           "— protected figure: not published for statistical confidentiality (fewer than "
                           "{threshold} people, or rebuildable from other published figures)."),
    "protected_rounding_note": ("Per tutelare la riservatezza i conteggi sono arrotondati in modo casuale a "
                                "multipli di {base}; valori e intervalli sono calcolati dai conteggi arrotondati.",
                                "To protect confidentiality, counts are randomly rounded to multiples of {base}; "
                                "values and intervals are computed from the rounded counts."),
    "protected_ranking_note": ("Le aree con dato protetto non sono in graduatoria: sono elencate in fondo.",
                               "Areas with a protected figure are not ranked: they are listed at the end."),
    # service directory: search, detail, desk, referrals, catalogue administration
    "nav_services": ("Servizi", "Services"),
    "nav_desk": ("Sportello", "Desk"),
    "nav_referrals": ("Invii", "Referrals"),
    "nav_catalogue": ("Catalogo", "Catalogue"),
    "breadcrumb_label": ("Percorso", "Breadcrumb"),
    "answer_yes": ("sì", "yes"),
    "answer_no": ("no", "no"),
    "services_title": ("Servizi del territorio", "Services in the city"),
    "services_intro": ("Servizi del Comune e del Terzo settore ({count} nel catalogo): cerca per bisogno, parole, "
                       "ente o quartiere.",
                       "Services of the municipality and the third sector ({count} in the catalogue): search by "
                       "need, words, organisation or quartiere."),
    "services_need": ("Bisogno", "Need"),
    "services_any": ("Tutti", "Any"),
    "services_text": ("Parole", "Words"),
    "services_organisation": ("Ente", "Organisation"),
    "services_quartiere": ("Quartiere", "Quartiere"),
    "services_only_active": ("Solo servizi attivi", "Active services only"),
    "services_search": ("Cerca", "Search"),
    "services_found": ("Servizi trovati: {count}", "Services found: {count}"),
    "services_none": ("Nessun servizio corrisponde ai filtri.", "No service matches the filters."),
    "services_pages": ("Pagine dei risultati", "Result pages"),
    "services_page_of": ("Pagina {page} di {pages}.", "Page {page} of {pages}."),
    "services_prev": ("Pagina precedente", "Previous page"),
    "services_next": ("Pagina successiva", "Next page"),
    "services_map_caption": ("Mappa delle sedi dei servizi trovati ({count} sedi) sui quartieri.",
                             "Map of the locations of the services found ({count} locations) over the quartieri."),
    "services_map_quartieri": ("Quartieri", "Quartieri"),
    "services_map_points": ("Sedi dei servizi", "Service locations"),
    "services_map_layer": ("Mostra le sedi dei servizi", "Show service locations"),
    "services_refer_from_desk": ("Invia una famiglia a questo servizio (sportello)",
                                 "Refer a family to this service (desk)"),
    "service_status_active": ("attivo", "active"),
    "service_status_inactive": ("non attivo", "inactive"),
    "service_status_defunct": ("cessato", "defunct"),
    "service_status_temporarily_closed": ("chiuso temporaneamente", "temporarily closed"),
    "service_eligibility": ("Chi può accedere", "Who can use it"),
    "service_no_rules": ("Nessun requisito indicato.", "No requirement stated."),
    "service_eligibility_original": ("Testo dell'ente", "The organisation's own words"),
    "service_details": ("Informazioni", "Details"),
    "service_status": ("Stato", "Status"),
    "service_needs": ("Bisogni", "Needs"),
    "service_organisation": ("Ente", "Organisation"),
    "service_runts": ("Numero RUNTS", "RUNTS number"),
    "service_locations": ("Sedi", "Locations"),
    "service_phone": ("Tel.", "Phone"),
    "service_hours": ("Orari", "Opening hours"),
    "service_contacts": ("Contatti", "Contacts"),
    "service_access": ("Come si accede", "How to apply"),
    "service_fees": ("Costi", "Fees"),
    "service_languages": ("Lingue", "Languages"),
    "service_checked": ("Ultima verifica", "Last checked"),
    "referral_figures_title": ("Invii ai servizi per quartiere", "Referrals to services by quartiere"),
    "referral_figures_caption": ("Invii, accettazioni, conclusioni e giorni (mediana) al primo contatto dell'ente",
                                 "Referrals sent, accepted, completed and median days to the organisation's first "
                                 "contact"),
    "referral_figures_none": ("Nessun invio registrato finora.", "No referral recorded yet."),
    "referral_figures_protected": ("— dato protetto: con meno di {threshold} invii, o quando la differenza dagli "
                                   "invii è inferiore a {threshold}, il dato non è pubblicato.",
                                   "— protected figure: with fewer than {threshold} referrals, or when the "
                                   "difference from those sent is below {threshold}, the figure is not published."),
    "col_quartiere": ("Quartiere", "Quartiere"),
    "col_service": ("Servizio", "Service"),
    "col_sent": ("Inviati", "Sent"),
    "col_accepted": ("Accettati", "Accepted"),
    "col_completed": ("Conclusi", "Completed"),
    "col_median_days": ("Giorni al primo contatto (mediana)", "Days to first contact (median)"),
    "col_referral": ("Invio (famiglia)", "Referral (family)"),
    "col_requested": ("Richiesto il", "Requested"),
    "col_updated": ("Ultimo passaggio", "Last step"),
    "desk_title": ("Sportello: servizi adatti", "Desk: matching services"),
    "desk_intro": ("I servizi a cui la famiglia o la persona può accedere, dal più adatto: bisogni coperti, "
                   "requisiti da verificare, distanza da casa.",
                   "The services the family or person can use, best first: needs met, requirements left to "
                   "check, distance from home."),
    "desk_family": ("Famiglia", "Family"),
    "desk_flags": ("Indicatori di disagio", "Hardship flags"),
    "desk_no_flags": ("nessuno", "none"),
    "desk_suggested_needs": ("Bisogni suggeriti", "Suggested needs"),
    "desk_open_cases": ("Prese in carico aperte", "Open cases"),
    "desk_anonymous": ("Profilo anonimo (nulla viene salvato)", "Anonymous profile (nothing is stored)"),
    "desk_ages": ("Età dei componenti", "Members' ages"),
    "desk_ages_help": ("Separate da virgole, es. 34, 8", "Separated by commas, e.g. 34, 8"),
    "desk_isee": ("ISEE (euro)", "ISEE (euro)"),
    "desk_citizenships": ("Cittadinanze", "Citizenships"),
    "desk_citizenships_help": ("Codici di due lettere, es. IT, MA", "Two-letter codes, e.g. IT, MA"),
    "desk_lat": ("Latitudine di casa (facoltativa)", "Home latitude (optional)"),
    "desk_lon": ("Longitudine di casa (facoltativa)", "Home longitude (optional)"),
    "desk_conditions": ("Condizioni note", "Known conditions"),
    "desk_single_parent": ("Genitore solo con figli", "Single parent with children"),
    "desk_elderly_alone": ("Anziano che vive solo", "Elderly person living alone"),
    "desk_disability": ("Disabilità certificata", "Certified disability"),
    "desk_needs": ("Bisogni", "Needs"),
    "desk_match": ("Trova i servizi", "Find services"),
    "desk_family_hint": ("Per una famiglia del territorio, aprila dalla ricerca famiglie.",
                         "For a family of the territory, open it from the family search."),
    "desk_matches": ("Servizi adatti: {count}", "Matching services: {count}"),
    "desk_no_matches": ("Nessun servizio attivo risulta accessibile.", "No active service is open to this profile."),
    "desk_distance": ("{km} km da casa", "{km} km from home"),
    "desk_meets": ("risponde a", "meets"),
    "desk_rules_caption": ("Requisiti di {service}", "Requirements of {service}"),
    "desk_rule": ("Requisito", "Requirement"),
    "desk_outcome": ("Esito", "Outcome"),
    "desk_reason": ("Motivo", "Reason"),
    "desk_no_rules": ("Nessun requisito: accesso libero.", "No requirement: open access."),
    "desk_refer": ("Invia a questo servizio", "Refer to this service"),
    "outcome_passed": ("soddisfatto", "passed"),
    "outcome_failed": ("non soddisfatto", "failed"),
    "outcome_unknown": ("da verificare", "unknown"),
    "family_find_services": ("Trova servizi per questa famiglia", "Find services for this family"),
    "refer_consent": ("La famiglia ha dato il consenso all'invio", "The family consented to the referral"),
    "refer_given_by": ("Consenso dato da", "Consent given by"),
    "refer_purpose": ("Finalità del consenso", "Purpose of the consent"),
    "refer_note": ("Nota (facoltativa)", "Note (optional)"),
    "refer_minimum": ("All'ente arrivano solo uno pseudonimo e i dati letti dai requisiti del servizio: mai nomi, "
                      "codici fiscali o indirizzi.",
                      "The organisation receives only a pseudonym and the data the service's requirements read: "
                      "never names, tax codes or addresses."),
    "refer_send": ("Invia", "Send referral"),
    "consent_by_person": ("la persona", "the person"),
    "consent_by_guardian": ("il tutore", "the guardian"),
    "consent_by_legal_representative": ("il rappresentante legale", "the legal representative"),
    "consent_purpose_referral": ("invio al servizio", "referral to the service"),
    "consent_purpose_referral_and_feedback": ("invio e riscontro al Comune",
                                              "referral and feedback to the municipality"),
    "referrals_outbox": ("Invii inviati", "Referrals sent"),
    "referrals_outbox_intro": ("Gli invii delle famiglie del tuo territorio, dal più recente.",
                               "Referrals of the families of your territory, newest first."),
    "referrals_inbox": ("Invii ricevuti", "Referrals received"),
    "referrals_inbox_intro": ("Gli invii ai servizi del tuo ente, dal più recente.",
                              "Referrals to your organisation's services, newest first."),
    "referrals_status": ("Stato", "Status"),
    "referrals_filter": ("Filtra", "Filter"),
    "referrals_none": ("Nessun invio.", "No referral."),
    "referral_title": ("Invio", "Referral"),
    "referral_not_found": ("Invio non trovato.", "Referral not found."),
    "referral_refused": ("Invio non possibile", "Referral refused"),
    "referral_family": ("Famiglia (pseudonimo)", "Family (pseudonym)"),
    "referral_consent": ("Consenso", "Consent"),
    "referral_shared": ("Dati condivisi con l'ente", "Data shared with the organisation"),
    "referral_shared_none": ("nessuno oltre allo pseudonimo", "none beyond the pseudonym"),
    "referral_steps": ("Passaggi", "Steps"),
    "referral_move": ("Aggiorna lo stato", "Update the status"),
    "referral_no_moves": ("Nessun passaggio possibile da parte tua.", "No step is yours to make."),
    "referral_status_requested": ("richiesto", "requested"),
    "referral_status_received": ("ricevuto", "received"),
    "referral_status_accepted": ("accettato", "accepted"),
    "referral_status_rejected": ("rifiutato", "rejected"),
    "referral_status_in_progress": ("in corso", "in progress"),
    "referral_status_completed": ("concluso", "completed"),
    "referral_status_cancelled": ("annullato", "cancelled"),
    "referral_to_received": ("Segna come ricevuto", "Mark as received"),
    "referral_to_accepted": ("Accetta", "Accept"),
    "referral_to_rejected": ("Rifiuta", "Reject"),
    "referral_to_in_progress": ("Avvia la presa in carico", "Start (in progress)"),
    "referral_to_completed": ("Concludi", "Complete"),
    "referral_to_cancelled": ("Annulla l'invio", "Cancel the referral"),
    "referral_done_sent": ("Invio registrato con il consenso.", "Referral recorded with the consent."),
    "referral_done_received": ("Segnato come ricevuto.", "Marked as received."),
    "referral_done_accepted": ("Invio accettato.", "Referral accepted."),
    "referral_done_rejected": ("Invio rifiutato.", "Referral rejected."),
    "referral_done_in_progress": ("Presa in carico avviata.", "Referral in progress."),
    "referral_done_completed": ("Invio concluso.", "Referral completed."),
    "referral_done_cancelled": ("Invio annullato.", "Referral cancelled."),
    "shared_ages": ("Età", "Ages"),
    "shared_isee_eur": ("ISEE (euro)", "ISEE (euro)"),
    "shared_area_ids": ("Aree di residenza", "Areas of residence"),
    "shared_minors": ("Minori in famiglia", "Minors in the family"),
    "shared_single_parent": ("Genitore solo", "Single parent"),
    "shared_elderly_alone": ("Anziano solo", "Elderly alone"),
    "shared_disability": ("Disabilità", "Disability"),
    "shared_citizenships": ("Cittadinanze", "Citizenships"),
    "catalogue_title": ("Catalogo: modifiche da approvare", "Catalogue: changes to approve"),
    "catalogue_intro": ("Le modifiche proposte dagli enti diventano pubbliche solo se approvate.",
                        "Changes proposed by organisations are published only once approved."),
    "catalogue_none_pending": ("Nessuna modifica in attesa.", "No pending change."),
    "catalogue_proposed_at": ("Proposta il {when} UTC", "Proposed on {when} UTC"),
    "catalogue_changes": ("Modifiche proposte", "Proposed changes"),
    "catalogue_field": ("Campo", "Field"),
    "catalogue_now": ("Pubblicato", "Published"),
    "catalogue_proposed": ("Proposto", "Proposed"),
    "catalogue_approve": ("Approva e pubblica", "Approve and publish"),
    "catalogue_reject": ("Rifiuta", "Reject"),
    "catalogue_done_approved": ("Modifica approvata e pubblicata.", "Change approved and published."),
    "catalogue_done_rejected": ("Modifica rifiutata.", "Change rejected."),
    "catalogue_done_proposed": ("Proposta inviata: sarà pubblicata dopo l'approvazione del Comune.",
                                "Proposal sent: it will be published once the municipality approves it."),
    "catalogue_services_title": ("I servizi del tuo ente", "Your organisation's services"),
    "catalogue_services_intro": ("Scegli un servizio per proporre modifiche.", "Choose a service to propose changes."),
    "catalogue_no_services": ("Nessun servizio modificabile.", "No service you can edit."),
    "catalogue_my_revisions": ("Proposte inviate", "Proposals sent"),
    "catalogue_edit_title": ("Proponi modifiche: {name}", "Propose changes: {name}"),
    "catalogue_edit_intro": ("Cambia solo i campi da aggiornare; il servizio pubblicato resta invariato fino "
                             "all'approvazione.",
                             "Change only the fields to update; the published service stays as it is until "
                             "approved."),
    "catalogue_propose": ("Invia la proposta", "Send the proposal"),
    "revision_pending": ("in attesa", "pending"),
    "revision_approved": ("approvata", "approved"),
    "revision_rejected": ("rifiutata", "rejected"),
    "field_name": ("Nome", "Name"),
    "field_alternate_name": ("Altro nome", "Alternate name"),
    "field_description": ("Descrizione", "Description"),
    "field_url": ("Sito web", "Website"),
    "field_email": ("Email", "Email"),
    "field_status": ("Stato", "Status"),
    "field_application_process": ("Come si accede", "How to apply"),
    "field_fees_description": ("Costi", "Fees"),
    "field_eligibility_description": ("Requisiti (testo)", "Eligibility (text)"),
    "field_minimum_age": ("Età minima", "Minimum age"),
    "field_maximum_age": ("Età massima", "Maximum age"),
    "field_eligibility_rules": ("Requisiti (regole)", "Eligibility (rules)"),
    # register of actions: calls, projects and impact monitoring pages
    "nav_impact": ("Progetti", "Projects"),
    "impact_title": ("Bandi e progetti", "Calls and projects"),
    "impact_intro": ("I bandi del Comune, i progetti finanziati, le persone raggiunte e dove si interviene rispetto "
                     "a dove c'è bisogno.",
                     "The municipality's calls, the projects they fund, the people reached and where the city acts "
                     "compared with where the need is."),
    "impact_empty": ("Nessun bando o progetto registrato.", "No call or project registered."),
    "impact_map_title": ("Dove si interviene e dove c'è bisogno", "Where the city acts and where the need is"),
    "impact_map_caption": ("Indice di vulnerabilità (IVSM) per zona, classi ISTAT; i cerchi segnano le zone "
                           "interessate dai progetti (più grandi se più progetti).",
                           "Vulnerability index (IVSM) by zone, ISTAT classes; circles mark the zones projects "
                           "target (larger where more projects act)."),
    "impact_map_legend": ("Zone dei progetti", "Project zones"),
    "impact_no_map": ("L'indice composito non è ancora calcolato: la mappa non è disponibile.",
                      "The composite index is not computed yet: no map."),
    "impact_calls": ("Bandi", "Calls"),
    "impact_call": ("Bando", "Call"),
    "impact_projects_title": ("Progetti", "Projects"),
    "impact_project": ("Progetto", "Project"),
    "impact_projects": ("Progetti", "Projects"),
    "impact_target_group": ("Gruppo destinatario", "Target group"),
    "impact_group_economic_hardship_families": ("Famiglie in disagio economico", "Families in economic hardship"),
    "impact_group_elderly_alone": ("Anziani soli (65+)", "Elderly living alone (65+)"),
    "impact_group_young_outside": ("Giovani fuori da lavoro e studio (15-29)",
                                   "Young people outside work and study (15-29)"),
    "impact_period": ("Periodo", "Period"),
    "impact_budget": ("Budget", "Budget"),
    "impact_people": ("Persone raggiunte", "People reached"),
    "impact_families": ("Famiglie raggiunte", "Families reached"),
    "impact_unlinked": ("Persone non collegate all'anagrafe", "People not linked to the register"),
    "impact_target_areas": ("Aree destinatarie", "Target areas"),
    "impact_coverage": ("Copertura", "Coverage"),
    "impact_eur_per_person": ("Spesa per persona", "Spending per person"),
    "impact_protected_title": ("Dato protetto: meno di {threshold} persone",
                               "Protected: fewer than {threshold} people"),
    "impact_protected_note": ("— dato protetto: i beneficiari sono dati sociali, i conteggi sotto {threshold} non "
                              "sono pubblicati e gli altri sono arrotondati; quote e spese che ne derivano seguono "
                              "la stessa regola.",
                              "— protected figure: beneficiaries are social-care data, counts below {threshold} are "
                              "not published and the others are rounded; shares and spending derived from them "
                              "follow the same rule."),
    "impact_csv": ("Scarica i progetti (CSV)", "Download the projects (CSV)"),
    "impact_json": ("Stime in formato JSON", "Estimates as JSON"),
    "impact_lead": ("Ente capofila", "Lead organisation"),
    "impact_partners": ("partner", "partners"),
    "impact_timeline": ("Attività nel tempo", "Activities over time"),
    "impact_timeline_caption": ("Attività (barre) e ore (linea) per mese.",
                                "Activities (bars) and hours (line) by month."),
    "impact_no_activities": ("Nessuna attività registrata.", "No activity reported."),
    "impact_activities": ("Attività", "Activities"),
    "impact_hours": ("Ore", "Hours"),
    "impact_month": ("Mese", "Month"),
    "impact_reach_by_area": ("Persone raggiunte per zona", "People reached by zone"),
    "impact_area": ("Zona", "Zone"),
    "impact_unplaced": ("Senza zona (non collegate)", "No zone (not linked)"),
    "impact_none": ("Nessuna", "None"),
    "impact_overlap": ("Sovrapposizione con altri progetti", "Overlap with other projects"),
    "impact_shared_people": ("Persone in comune", "People in common"),
    "impact_no_overlap": ("Nessuna persona raggiunta anche da altri progetti.",
                          "No person reached by another project too."),
    "impact_services": ("Servizi coinvolti", "Services involved"),
    "impact_referrals": ("invii", "referrals"),
    "impact_estimates": ("Stime di impatto", "Impact estimates"),
    "impact_not_causal": ("Confronti descrittivi: non dimostrano che il progetto abbia causato la differenza.",
                          "Descriptive comparisons: they do not prove the project caused the difference."),
    "impact_level": ("Livello", "Level"),
    "impact_level_area": ("Aree", "Areas"),
    "impact_level_person": ("Persone", "People"),
    "impact_method": ("Metodo", "Method"),
    "impact_comparison": ("Gruppo di confronto", "Comparison group"),
    "impact_estimate": ("Differenza", "Difference"),
    "impact_interval": ("Intervallo al 95%", "95% interval"),
    "impact_n_reached": ("Unità raggiunte", "Units reached"),
    "impact_n_comparison": ("Unità di confronto", "Comparison units"),
    "impact_note": ("Nota", "Note"),
}

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
