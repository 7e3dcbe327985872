"""Messages of the layout, sign-in and refusals, and the operators' family profiles.

Each key holds its Italian and its English text together: (Italian, English).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
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
    # interactive documentation of the open API
    "api_docs_title": ("API aperta", "Open API"),
    "api_docs_intro": ("Dati aggregati e protetti, e il catalogo dei servizi, per chiunque voglia riusarli: "
                       "ogni chiamata si può provare da qui. La descrizione completa, in formato OpenAPI 3, "
                       "è in {url}.",
                       "Aggregated, disclosure-controlled figures and the service catalogue, for anyone who "
                       "wants to reuse them: every call can be tried from here. The full description, in "
                       "OpenAPI 3 format, is at {url}."),
    "api_docs_noscript": ("La documentazione interattiva richiede JavaScript; la descrizione OpenAPI resta "
                          "leggibile senza.",
                          "The interactive documentation needs JavaScript; the OpenAPI description can be read "
                          "without it."),
}
