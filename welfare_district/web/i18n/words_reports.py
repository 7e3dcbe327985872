"""Messages of the partners' report upload pages (activity reports sent through the browser).

Each key holds its Italian and its English text together: (Italian, English).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "reports_title": ("Invia un rapporto", "Send a report"),
    "reports_link": ("Invia il rapporto di un progetto", "Send a project's report"),
    "reports_intro": (
        "Carica il rapporto delle attività o l'elenco dei beneficiari di uno dei tuoi progetti, in formato CSV "
        "o Excel (.xlsx). Ogni invio sostituisce il rapporto precedente dello stesso tipo per quel progetto: "
        "invia ogni volta il rapporto completo. Il file è controllato riga per riga e caricato solo se "
        "tutte le righe sono corrette.",
        "Upload the activity report or the beneficiary list of one of your projects, as a CSV or Excel (.xlsx) "
        "file. Each upload replaces the project's previous report of the same kind: send the whole report "
        "every time. The file is checked row by row and loaded only when every row is correct."),
    "reports_privacy": (
        "Gli elenchi dei beneficiari servono solo a contare le persone raggiunte: nomi, codici fiscali e date "
        "di nascita non vengono conservati.",
        "Beneficiary lists only serve to count the people reached: names, codici fiscali and birth dates are "
        "not kept."),
    "reports_none": ("Il tuo account non ha progetti per cui inviare rapporti.",
                     "Your account has no project to send reports for."),
    "reports_form_title": ("Nuovo invio", "New upload"),
    "reports_project": ("Progetto", "Project"),
    "reports_kind": ("Tipo di rapporto", "Report kind"),
    "reports_kind_attivita": ("Attività svolte", "Activities carried out"),
    "reports_kind_beneficiari": ("Elenco dei beneficiari", "Beneficiary list"),
    "reports_file": ("File (CSV o .xlsx)", "File (CSV or .xlsx)"),
    "reports_file_hint": ("Al massimo {mb} MB; la prima riga contiene i nomi delle colonne.",
                          "At most {mb} MB; the first row holds the column names."),
    "reports_submit": ("Invia il rapporto", "Send the report"),
    "reports_templates": ("Modelli da compilare", "Templates to fill in"),
    "reports_templates_intro": ("Ogni modello contiene la riga delle intestazioni che il file deve avere.",
                                "Each template holds the header row the file must have."),
    "reports_template_attivita": ("Modello del rapporto delle attività (CSV)", "Activity report template (CSV)"),
    "reports_template_beneficiari": ("Modello dell'elenco dei beneficiari (CSV)", "Beneficiary list template (CSV)"),
    "reports_current": ("Rapporti caricati", "Reports loaded"),
    "reports_current_none": ("Nessun rapporto caricato per i tuoi progetti.", "No report loaded for your projects."),
    "reports_rows": ("Righe", "Rows"),
    "reports_loaded_at": ("Caricato il", "Loaded on"),
    "reports_loaded_attivita": ("Rapporto caricato: {n} attività per il progetto {project}.",
                                "Report loaded: {n} activities for project {project}."),
    "reports_loaded_beneficiari": ("Elenco caricato: {n} beneficiari per il progetto {project}.",
                                   "List loaded: {n} beneficiaries for project {project}."),
    "reports_unchanged": ("Questo file era già stato caricato per il progetto {project}: nulla è cambiato.",
                          "This file was already loaded for project {project}: nothing changed."),
    "reports_rejected": ("Il file non è stato caricato: nessuna riga è stata salvata. Correggi le righe "
                         "elencate e invialo di nuovo.",
                         "The file was not loaded: no row was saved. Correct the rows listed and send it again."),
    "reports_problems": ("Problemi trovati", "Problems found"),
    "reports_row": ("Riga", "Row"),
    "reports_field": ("Colonna", "Column"),
    "reports_reason": ("Codice", "Code"),
    "reports_message": ("Problema", "Problem"),
    "reports_row_file": ("intestazione", "header"),
    "reports_refused_missing": ("Scegli un progetto, un tipo di rapporto e un file.",
                                "Choose a project, a report kind and a file."),
    "reports_refused_empty": ("Il file è vuoto.", "The file is empty."),
    "reports_refused_too_large": ("Il file è troppo grande: al massimo {mb} MB.",
                                  "The file is too large: at most {mb} MB."),
    "reports_refused_wrong_type": ("Sono accettati solo file CSV o Excel (.xlsx).",
                                   "Only CSV or Excel (.xlsx) files are accepted."),
    "reports_refused_unreadable": ("Il file non si può leggere: un CSV deve essere testo UTF-8, separato da "
                                   "virgole o punti e virgola.",
                                   "The file cannot be read: a CSV must be UTF-8 text separated by commas or "
                                   "semicolons."),
    "reports_refused_no_rows": ("Il file ha solo l'intestazione: nessuna riga da caricare.",
                                "The file has only its header: no row to load."),
    "reports_refused_bad_kind": ("Scegli il tipo di rapporto: attività o beneficiari.",
                                 "Choose the report kind: activities or beneficiaries."),
    "reports_refused_not_found": ("Progetto sconosciuto.", "Unknown project."),
    "reports_unknown_kind": ("Non esiste un modello con questo nome.", "There is no template with this name."),
    "reason_missing_column": ("Manca la colonna.", "The column is missing."),
    "reason_required": ("La cella è vuota ma obbligatoria.", "The cell is empty but required."),
    "reason_bad_date": ("Data non valida: usa AAAA-MM-GG o GG/MM/AAAA.", "Invalid date: use YYYY-MM-DD or DD/MM/YYYY."),
    "reason_bad_number": ("Numero non valido.", "Invalid number."),
    "reason_negative": ("Il numero non può essere negativo.", "The number cannot be negative."),
    "reason_duplicate_id": ("Codice ripetuto.", "Repeated code."),
    "reason_unknown_project": ("Progetto sconosciuto.", "Unknown project."),
    "reason_other_project": ("La riga è di un altro progetto: un file contiene un solo progetto.",
                             "The row belongs to another project: a file holds one project only."),
    "reason_not_authorised": ("Il tuo account non può inviare rapporti per questo progetto.",
                              "Your account may not send reports for this project."),
    "reason_date_outside_project": ("La data è fuori dal periodo del progetto.",
                                    "The date is outside the project's period."),
    "reason_area_outside_project": ("La zona non è tra quelle del progetto.",
                                    "The area is not one of the project's areas."),
    "reason_outside_target_group": ("L'età alla presa in carico è fuori dalla fascia del bando.",
                                    "The age when taken in is outside the call's age range."),
}
