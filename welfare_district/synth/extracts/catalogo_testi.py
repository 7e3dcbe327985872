"""Italian texts of the service catalogue: organisation names, needs, target groups, eligibility rules.

All names are invented combinations; contacts use reserved example.org domains and 049 000 numbers.
"""

from __future__ import annotations

from typing import Final

NEEDS: Final = {  # code -> label as the catalogue shows it
    "economic": "Sostegno economico",
    "housing": "Casa e abitare",
    "elderly_care": "Anziani e cura",
    "disability": "Disabilità",
    "minors_family": "Minori e famiglie",
    "employment": "Lavoro",
    "education": "Istruzione e formazione",
    "health": "Salute",
    "migrants": "Migranti",
    "addictions": "Dipendenze",
    "gender_violence": "Violenza di genere",
}

FORMS: Final = (
    ("Associazione", "ODV"),
    ("Associazione", "APS"),
    ("Cooperativa Sociale", "Impresa sociale"),
    ("Fondazione", "Ente filantropico"),
    ("Gruppo Volontari", "ODV"),
    ("Centro", "APS"),
    ("Comunità", "Altri enti del Terzo settore"),
    ("Circolo", "APS"),
)
STEMS: Final = (
    "Il Ponte",
    "La Bussola",
    "Porta Aperta",
    "Il Girasole",
    "Mano Tesa",
    "Il Faro",
    "La Rete",
    "Arcobaleno",
    "Il Melograno",
    "Casa Amica",
    "La Sorgente",
    "Il Germoglio",
    "Orizzonti Nuovi",
    "L'Approdo",
    "Il Mosaico",
    "La Quercia",
    "Sentieri",
    "Il Chicco",
    "Terra Buona",
    "Il Seme",
    "La Lanterna",
    "Il Cortile",
    "Passo dopo Passo",
    "La Tenda",
    "Filo Rosso",
    "Il Pozzo",
    "Ali Spiegate",
    "Il Timone",
    "La Clessidra",
    "Pane Condiviso",
    "Voci di Quartiere",
    "Il Nido",
    "La Scialuppa",
    "Il Samaritano",
    "Strade Insieme",
    "La Fonte",
    "Il Crocevia",
    "Tessere",
    "La Casa sull'Albero",
    "Il Sorriso",
)
PLACES: Final = (
    "",
    "",
    "",
    " Padova",
    " Arcella",
    " Guizza",
    " Mortise",
    " Voltabarozzo",
    " Sacra Famiglia",
    " Chiesanuova",
    " Forcellini",
    " Brusegana",
    " Santa Croce",
    " Torre",
)

TARGETS: Final = {
    "economic": ("Persone e famiglie in difficoltà economica", "Adulti in situazione di povertà"),
    "housing": ("Persone senza dimora", "Famiglie in emergenza abitativa"),
    "elderly_care": ("Anziani over 65 soli", "Anziani non autosufficienti e caregiver familiari"),
    "disability": ("Persone con disabilità e famiglie", "Giovani adulti con disabilità intellettiva"),
    "minors_family": ("Famiglie con figli minori", "Bambini e ragazzi 6-14 anni"),
    "employment": ("Disoccupati", "Giovani NEET 16-29 anni"),
    "education": ("Studenti con difficoltà scolastiche", "Adulti senza titolo di studio"),
    "health": ("Persone senza copertura sanitaria", "Persone con disagio psichico e familiari"),
    "migrants": ("Cittadini stranieri", "Richiedenti e titolari di protezione internazionale"),
    "addictions": ("Persone con dipendenze e familiari",),
    "gender_violence": ("Donne vittime di violenza e figli minori",),
}

SERVICES: Final = {
    "economic": (
        "Distribuzione pacchi alimentari",
        "Emporio solidale",
        "Fondo di solidarietà per le bollette",
        "Mensa serale",
        "Microcredito sociale",
    ),
    "housing": (
        "Accoglienza notturna",
        "Sportello casa e sfratti",
        "Alloggi temporanei di sgancio",
        "Docce e guardaroba",
    ),
    "elderly_care": (
        "Compagnia telefonica",
        "Accompagnamento a visite mediche",
        "Centro diurno anziani",
        "Sollievo per caregiver",
        "Spesa a domicilio",
    ),
    "disability": (
        "Centro diurno",
        "Laboratorio occupazionale",
        "Trasporto accompagnato",
        "Sportello informativo disabilità",
    ),
    "minors_family": (
        "Doposcuola",
        "Spazio mamma-bambino",
        "Consulenza familiare",
        "Centro estivo a tariffa agevolata",
    ),
    "employment": (
        "Orientamento al lavoro",
        "Tirocini di inclusione",
        "Laboratorio curriculum e colloqui",
        "Corso di formazione professionale",
    ),
    "education": (
        "Scuola di italiano per adulti",
        "Recupero scolastico",
        "Corso serale per la licenza media",
    ),
    "health": (
        "Ambulatorio solidale",
        "Farmacia solidale",
        "Gruppo di auto-mutuo aiuto",
        "Sportello psicologico a prezzo calmierato",
    ),
    "migrants": (
        "Corso di italiano L2",
        "Sportello legale per stranieri",
        "Mediazione linguistico-culturale",
        "Accompagnamento ai servizi",
    ),
    "addictions": ("Gruppo di auto-aiuto alcol", "Sportello gioco d'azzardo", "Comunità semiresidenziale"),
    "gender_violence": ("Centro antiviolenza", "Casa rifugio", "Sportello di ascolto donne"),
}

ELIGIBILITY: Final = {
    "economic": (
        "Residenti nel Comune di Padova con ISEE inferiore a {isee} euro.",
        "Persone e famiglie in difficoltà economica, su invio del servizio sociale o di un centro di ascolto.",
        "Accesso libero nei giorni di apertura; è richiesto un documento di identità.",
    ),
    "housing": (
        "Nuclei con sfratto esecutivo o in emergenza abitativa, residenti a Padova.",
        "Persone senza dimora maggiorenni; posti limitati, accesso dalle 19:00.",
        "Su invio del servizio sociale del quartiere.",
    ),
    "elderly_care": (
        "Persone con più di 65 anni che vivono sole o senza rete familiare.",
        "Anziani non autosufficienti e loro familiari; colloquio preliminare obbligatorio.",
        "Residenti a Padova over 75; segnalazione anche da parte di vicini o medico di base.",
    ),
    "disability": (
        "Persone con disabilità certificata (L. 104/1992) e loro famiglie.",
        "Giovani adulti con disabilità intellettiva dai 18 ai 35 anni, su progetto del servizio disabilità.",
    ),
    "minors_family": (
        "Famiglie con figli minori; priorità ai nuclei monoparentali.",
        "Bambini e ragazzi dai 6 ai 14 anni, su segnalazione della scuola o della famiglia.",
        "Famiglie con ISEE inferiore a {isee} euro: quota ridotta.",
    ),
    "employment": (
        "Persone disoccupate iscritte al Centro per l'impiego.",
        "Giovani dai 16 ai 29 anni che non studiano e non lavorano.",
        "Adulti in carico ai servizi sociali, su progetto personalizzato.",
    ),
    "education": (
        "Studenti delle scuole secondarie con difficoltà scolastiche.",
        "Adulti senza titolo di studio; iscrizioni a settembre e gennaio.",
    ),
    "health": (
        "Persone senza copertura sanitaria o in attesa di iscrizione al Servizio sanitario.",
        "Aperto a tutti; per le prestazioni specialistiche serve la prescrizione del medico.",
    ),
    "migrants": (
        "Cittadini stranieri regolarmente soggiornanti o richiedenti protezione internazionale.",
        "Donne straniere con figli piccoli: disponibile spazio bimbi durante il corso.",
        "Aperto a tutti i cittadini stranieri, anche senza residenza.",
    ),
    "addictions": ("Persone con problemi di dipendenza da alcol, sostanze o gioco d'azzardo, e loro familiari.",),
    "gender_violence": (
        "Donne vittime di violenza, anche con figli minori. Accesso riservato, anche telefonico 24 ore su 24.",
    ),
}

HOURS: Final = (
    "lun-ven 9:00-12:30",
    "lun-ven 9:00-12:30; mar e gio 15:00-18:00",
    "mar e gio 15:00-18:30",
    "mer 14:30-17:30",
    "sab 9:00-12:00",
    "lun, mer, ven 9:00-12:00",
    "lun-sab 19:00-8:00",
    "su appuntamento",
    "lun-ven 8:30-13:00 e 14:00-17:00",
    "gio 16:00-19:00",
)
ACCESS: Final = ("accesso libero", "su appuntamento", "su invio dei servizi sociali", "su segnalazione")
COST: Final = ("gratuito", "gratuito", "gratuito", "contributo libero", "tariffa agevolata in base all'ISEE")
LANGUAGES: Final = (
    "italiano",
    "italiano, inglese",
    "italiano, inglese, francese",
    "italiano, arabo",
    "italiano, romeno, ucraino",
    "italiano, inglese, cinese",
)

MUNICIPAL: Final = (  # (name, need, description, per quartiere?)
    (
        "Servizio Sociale Territoriale",
        "economic",
        "Segretariato sociale, presa in carico, contributi economici",
        True,
    ),
    ("Sportello Casa", "housing", "Informazioni su alloggi ERP, bandi affitto e emergenza abitativa", False),
    (
        "Informagiovani",
        "employment",
        "Orientamento a studio e lavoro, curriculum, opportunità per giovani",
        False,
    ),
    (
        "Sportello Immigrazione",
        "migrants",
        "Informazioni su permessi di soggiorno, ricongiungimenti, cittadinanza",
        False,
    ),
    (
        "Servizio Anziani e Domiciliarità",
        "elderly_care",
        "Assistenza domiciliare, pasti a domicilio, telesoccorso",
        False,
    ),
    (
        "Servizio Disabilità",
        "disability",
        "Progetti individuali, inserimenti in centri diurni, trasporto",
        False,
    ),
    (
        "Servizio Famiglie e Minori",
        "minors_family",
        "Sostegno alla genitorialità, affido, tutela minori",
        False,
    ),
    (
        "Centro Antiviolenza comunale",
        "gender_violence",
        "Ascolto, consulenza legale e psicologica, ospitalità",
        False,
    ),
)
QUARTIERE_NAMES: Final = {
    "Q1": "1 Centro",
    "Q2": "2 Nord",
    "Q3": "3 Est",
    "Q4": "4 Sud-Est",
    "Q5": "5 Sud-Ovest",
    "Q6": "6 Ovest",
}
