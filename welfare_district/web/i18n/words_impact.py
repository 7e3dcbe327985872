"""Messages of the register of actions: calls, projects and impact monitoring.

Each key holds its Italian and its English text together: (Italian, English).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # register of actions: calls, projects and impact monitoring pages
    "nav_impact": ("Progetti", "Projects"),
    "impact_title": ("Bandi e progetti", "Calls and projects"),
    "impact_intro": ("I bandi del Comune, i progetti finanziati, le persone raggiunte e dove si interviene rispetto "
                     "a dove c'è bisogno.",
                     "The municipality's calls, the projects they fund, the people reached and where the city acts "
                     "compared with where the need is."),
    "impact_empty": ("Nessun bando o progetto registrato.", "No call or project registered."),
    "impact_map_title": ("Dove si interviene e dove c'è bisogno", "Where the city acts and where the need is"),
    "impact_map_caption": ("Indice di vulnerabilità (IVSM) per zona, classi ISTAT, anno {year}; il bordo nero segna "
                           "le zone interessate dai progetti. Passando sopra una zona se ne leggono valore e "
                           "progetti; un clic apre il suo profilo.",
                           "Vulnerability index (IVSM) by zone, ISTAT classes, year {year}; a black outline marks "
                           "the zones projects target. Hovering a zone shows its value and projects; a click opens "
                           "its profile."),
    "impact_map_legend": ("Zone dei progetti (bordo nero)", "Project zones (black outline)"),
    "impact_map_projects": ("Progetti", "Projects"),
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
    "impact_timeline_desc": ("{months} mesi con attività, da {first} a {last}: {activities} attività e {hours} ore "
                             "in tutto. La tabella sotto il grafico riporta ogni mese.",
                             "{months} months with activities, from {first} to {last}: {activities} activities and "
                             "{hours} hours in all. The table under the chart lists every month."),
    "impact_timeline_table": ("Attività e ore per mese", "Activities and hours by month"),
    "impact_participants": ("Partecipanti", "Participants"),
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
    # how each estimate was made: keys impact_method_<method_code>, impact_comparison_<comparison_code> and
    # impact_note_<note_code> of impact.estimate, with its numeric parameters
    "impact_method_did_bootstrap": (
        "Differenza nelle differenze dei valori delle aree (follow-up meno baseline); intervallo al 95% con "
        "bootstrap percentile sulle aree ({reps} estrazioni), variabilità delle aree del progetto ricavata dalle "
        "aree di confronto",
        "Difference in differences of area values (follow-up minus baseline); 95% percentile bootstrap over areas "
        "({reps} draws), treated-area noise borrowed from the comparison areas"),
    "impact_method_did_rtm": (
        "Differenza nelle differenze dei valori delle aree (follow-up meno baseline), corretta per la regressione "
        "verso la media con la pendenza della variazione rispetto al livello iniziale nelle {history} aree di un "
        "periodo precedente; intervallo normale al 95%",
        "Difference in differences of area values (follow-up minus baseline), corrected for regression to the "
        "mean by the slope of change on starting level over the {history} areas of an earlier period; 95% normal "
        "interval"),
    "impact_method_regression_adjusted": (
        "Aggiustamento per regressione: esito delle unità raggiunte meno l'esito previsto per loro da un modello "
        "lineare stimato sulle unità non raggiunte, con {covariates} caratteristiche note dagli archivi alla "
        "baseline; intervallo normale al 95%, varianza robusta moltiplicata per l'effetto del disegno (unità "
        "raggruppate per zona)",
        "Regression adjustment: outcome of the reached units minus the outcome predicted for them by a linear "
        "model of the not-reached units on {covariates} baseline covariates from the registers; 95% normal "
        "interval, robust variance times a design effect for units clustered in areas"),
    "impact_comparison_areas": ("{areas} aree di confronto", "{areas} comparison areas"),
    "impact_comparison_units": ("{units} unità non raggiunte, nel gruppo alla baseline",
                                "{units} not-reached units in the group on the baseline"),
    "impact_comparison_units_protected": ("unità non raggiunte: numero protetto (meno di {threshold})",
                                          "not-reached units: protected count (fewer than {threshold})"),
    "impact_comparison_none": ("nessuno", "none"),
    "impact_note_too_few_areas": ("aree troppo poche per una stima", "too few areas for an estimate"),
    "impact_note_snapshot_missing": ("manca la fotografia di baseline o di follow-up",
                                     "baseline or follow-up snapshot missing"),
    "impact_note_no_area_values": ("nessun valore dell'indicatore salvato per le aree del progetto",
                                   "no stored indicator values for the target areas"),
    "impact_note_nobody_to_compare": ("nessuno da confrontare", "nobody to compare"),
    "impact_note_not_published": ("unità raggiunte sotto la soglia di riservatezza: stima non pubblicata",
                                  "fewer reached units than the disclosure threshold: not published"),
}
