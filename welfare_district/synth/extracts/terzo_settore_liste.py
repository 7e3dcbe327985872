"""The four third-sector lists, each in its organisation's own shape and conventions.

- food bank (emporio solidale): CSV ';' UTF-8 with BOM and CRLF, one card per household, 'Cognome e Nome';
- parish listening centre (centro di ascolto): .xlsx, COGNOME/NOME split, birth dates as Excel dates,
  '3 marzo 1975' or dd/mm/yyyy text;
- migrants' association: CSV ',' UTF-8, lower-case column names, 'Nome Cognome', ISO dates mostly;
- elderly-care volunteers: .xlsx, 'Assistito/a', dates as cells or d-m-yy text, phone numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.config import SOURCE_LABELS
from welfare_district.synth.extracts.context import Context
from welfare_district.synth.extracts.formats import format_dates, py_date, title_it
from welfare_district.synth.extracts.randomness import pick, uniform
from welfare_district.synth.extracts.terzo_settore import Beneficiaries, build
from welfare_district.synth.extracts.vocab import citizenship_word, place_table
from welfare_district.synth.extracts.xlsx import Sheet

FOLDER = "terzo_settore"
FILES = {
    "ts_emporio": f"{FOLDER}/emporio_solidale_tessere.csv",
    "ts_ascolto": f"{FOLDER}/centro_ascolto_schede.xlsx",
    "ts_migranti": f"{FOLDER}/associazione_migranti_iscritti.csv",
    "ts_anziani": f"{FOLDER}/volontari_anziani_assistiti.xlsx",
}


def _title(values: npt.NDArray[np.object_]) -> list[str]:
    return [title_it(str(v)) for v in values]


def _mixed_dates(
    ctx: Context, source: str, b: Beneficiaries, names: Sequence[str], weights: Sequence[float]
) -> list[Any]:
    """Birth dates per row in one of ``names`` ('cell' = a real Excel date, else a text format)."""
    which = pick(ctx.seed, f"{source}/date_format", b.keys, weights)
    text_names = [n for n in names if n != "cell"]
    idx = np.array([text_names.index(names[w]) if names[w] != "cell" else 0 for w in which], dtype=np.intp)
    text = format_dates(b.birth, idx, text_names)
    return [py_date(d) if names[w] == "cell" else t for w, d, t in zip(which, b.birth, text, strict=True)]


def _phones(ctx: Context, source: str, keys: npt.NDArray[np.int64]) -> list[str]:
    # clearly fictitious numbers: the 000 exchange is not assigned
    u = uniform(ctx.seed, f"{source}/phone", keys)
    mobile = uniform(ctx.seed, f"{source}/mobile", keys) < 0.5
    return [
        f"3{int(v * 90) % 9 + 1}{int(v * 1000) % 10} 000 {int(v * 10**7) % 10000:04d}"
        if mob
        else f"049 000 {int(v * 10**7) % 10000:04d}"
        for v, mob in zip(u, mobile, strict=True)
    ]


def _record(ctx: Context, source: str, path: Any, keys: Sequence[str], b: Beneficiaries) -> None:
    ctx.record(source, path, 1, np.array(keys, dtype=object), b.person_id, b.family_id, b.flags)


def emporio(ctx: Context) -> None:
    """Food bank cards: one per household, renewed yearly; a re-issued card is a duplicate row."""
    source = "ts_emporio"
    b = build(
        ctx,
        source,
        (
            (0.35, 0.35, 0.2, 0.05, 0.05),
            (0.7, 0.1, 0.1, 0.1),
            (0.4, 0.3, 0.15, 0.05, 0.1),
            (0.6, 0.15, 0.15, 0.05, 0.05),
            (0.8, 0.1, 0.05, 0.05),
        ),
        {"economic": "segnalato dai servizi sociali"},
        "",
    )
    which = pick(ctx.seed, f"{source}/date_format", b.keys, [0.55, 0.35, 0.10])
    birth = format_dates(b.birth, which, ["dmy", "dmy_short", "iso"])
    card = [f"{ctx.tag}{i + 1:04d}/{pd.Timestamp(d).year % 100:02d}" for i, d in enumerate(b.registered)]
    expiry = b.registered + np.timedelta64(365, "D")
    df = pd.DataFrame(
        {
            "N. Tessera": card,
            "Cognome e Nome": [f"{s} {n}" for s, n in zip(_title(b.surname), _title(b.first_name), strict=True)],
            "Codice Fiscale": b.cf,
            "Data di nascita": birth,
            "Indirizzo": b.address,
            "Componenti nucleo": b.size,
            "Data rilascio": format_dates(b.registered, "dmy"),
            "Scadenza": format_dates(expiry, "dmy"),
            "Note": b.need,
        }
    )
    out = ctx.csv(FILES[source], sep=";", eol="\r\n", bom=True)
    out.write(df)
    ctx.finish_csv(out)
    _record(ctx, source, out.path, card, b)


_ASCOLTO_NEEDS = {
    "economic": "reddito insufficiente",
    "housing": "casa / sfratto",
    "employment": "lavoro",
    "migrants": "documenti / permesso",
    "health": "salute",
    "minors_family": "famiglia",
}


def ascolto(ctx: Context) -> None:
    """Listening-centre records: one per person met, with the needs noted at the first interview."""
    source = "ts_ascolto"
    b = build(
        ctx,
        source,
        (
            (0.5, 0.25, 0.15, 0.05, 0.05),
            (0.6, 0.3, 0.05, 0.05),
            (0.5, 0.2, 0.2, 0.05, 0.05),
            (0.7, 0.1, 0.1, 0.05, 0.05),
            (0.85, 0.1, 0.05, 0),
        ),
        _ASCOLTO_NEEDS,
        "alimentari; bollette",
    )
    born = _mixed_dates(ctx, source, b, ["cell", "long_it", "dmy"], [0.4, 0.3, 0.3])
    places = place_table(pd.Series(b.true.place))
    birthplace = [title_it(c) if c else title_it(s) for c, s in zip(places["comune"], places["stato"], strict=True)]
    numbers = ctx.serial(np.arange(1, len(b.keys) + 1))
    rows = [
        [
            int(numbers[i]),
            str(s).upper(),
            title_it(str(n)),
            born[i],
            birthplace[i],
            citizenship_word(str(c)).lower(),
            b.address[i],
            b.cf[i] or None,
            py_date(b.registered[i]),
            b.need[i],
        ]
        for i, (s, n, c) in enumerate(zip(b.surname, b.first_name, b.true.citizenship, strict=True))
    ]
    header = [
        "N. scheda",
        "COGNOME",
        "NOME",
        "NATO/A IL",
        "LUOGO DI NASCITA",
        "NAZIONALITA'",
        "INDIRIZZO",
        "CODICE FISCALE",
        "DATA PRIMO ASCOLTO",
        "BISOGNI RILEVATI",
    ]
    path = ctx.write_xlsx(FILES[source], [Sheet("Schede", header, rows)], SOURCE_LABELS[source])
    _record(ctx, source, path, [str(r[0]) for r in rows], b)


def migranti(ctx: Context) -> None:
    """Migrants' association members: Italian courses and the legal desk."""
    source = "ts_migranti"
    b = build(
        ctx,
        source,
        (
            (0.6, 0.2, 0.1, 0.05, 0.05),
            (0.8, 0.05, 0.1, 0.05),
            (0.5, 0.3, 0.1, 0.05, 0.05),
            (0.8, 0.1, 0.05, 0.05, 0),
            (0.7, 0.2, 0.1, 0),
        ),
        {},
        "",
    )
    which = pick(ctx.seed, f"{source}/date_format", b.keys, [0.6, 0.25, 0.15])
    places = place_table(pd.Series(b.true.place))
    course = np.array(
        [
            "Corso di italiano A1",
            "Corso di italiano A2",
            "Corso di italiano B1",
            "Sportello legale",
            "Doposcuola",
        ],
        dtype=object,
    )[pick(ctx.seed, f"{source}/attivita", b.keys, [0.25, 0.25, 0.15, 0.3, 0.05])]
    df = pd.DataFrame(
        {
            "id": ctx.serial(np.arange(1, len(b.keys) + 1)),
            "nominativo": [f"{n} {s}" for s, n in zip(_title(b.surname), _title(b.first_name), strict=True)],
            "sesso": b.true.sex,
            "data_nascita": format_dates(b.birth, which, ["iso", "dmy", "long_it"]),
            "paese_nascita": _title(places["stato"].to_numpy(dtype=object)),
            "cod_fiscale": b.cf,
            "indirizzo": b.address,
            "telefono": _phones(ctx, source, b.keys),
            "attivita": course,
            "data_iscrizione": format_dates(b.registered, "iso"),
        }
    )
    out = ctx.csv(FILES[source], sep=",")
    out.write(df)
    ctx.finish_csv(out)
    _record(ctx, source, out.path, [str(v) for v in df["id"]], b)


def anziani(ctx: Context) -> None:
    """Elderly-care volunteers: people visited, phoned or accompanied, with the start of the service."""
    source = "ts_anziani"
    b = build(
        ctx,
        source,
        (
            (0.2, 0.4, 0.3, 0.05, 0.05),
            (0.8, 0.1, 0, 0.1),
            (0.3, 0.4, 0.2, 0.05, 0.05),
            (0.6, 0.2, 0.1, 0.05, 0.05),
            (0.9, 0.05, 0.05, 0),
        ),
        {},
        "",
    )
    born = _mixed_dates(ctx, source, b, ["cell", "dmy", "dmy_short"], [0.5, 0.3, 0.2])
    service = np.array(
        ["Compagnia telefonica", "Accompagnamento visite mediche", "Spesa a domicilio", "Visite domiciliari"],
        dtype=object,
    )[pick(ctx.seed, f"{source}/servizio", b.keys, [0.3, 0.3, 0.2, 0.2])]
    phones = _phones(ctx, source, b.keys)
    rows: list[list[Any]] = []
    for i in range(len(b.keys)):
        since = py_date(b.registered[i])
        rows.append(
            [
                f"{title_it(str(b.surname[i]))} {title_it(str(b.first_name[i]))}",
                born[i],
                b.address[i],
                phones[i],
                b.cf[i] or None,
                service[i],
                since,
                "vive solo/a" if b.size[i] == 1 else None,
            ]
        )
    header = ["Assistito/a", "Nato/a il", "Via e n. civico", "Telefono", "C.F.", "Servizio", "Dal", "Note"]
    path = ctx.write_xlsx(FILES[source], [Sheet("Assistiti", header, rows)], SOURCE_LABELS[source])
    _record(ctx, source, path, [f"{ctx.tag}riga {i + 1}" for i in range(len(rows))], b)


def write(ctx: Context) -> None:
    """Write the four third-sector lists."""
    for writer in (emporio, ascolto, migranti, anziani):
        writer(ctx)
