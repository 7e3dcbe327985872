"""The reasons of the eligibility outcomes in the page's language.

``directory.eligibility`` writes each outcome's reason in English (the CLI and the API show it as is); the
desk page shows it in Italian too. The reasons follow a handful of fixed shapes, matched here one by one;
an unexpected shape is shown as written rather than dropped.
"""

from __future__ import annotations

import re

from welfare_district.web.i18n import Language

_KINDS = {"minors": "minori in famiglia", "single parent": "genitore solo", "elderly alone": "anziano solo",
          "disability": "disabilità"}
_FIXED = {"ages not known": "età non note", "no ISEE declaration known": "nessuna dichiarazione ISEE nota",
          "residence not known": "residenza non nota", "resident outside the areas": "residente fuori dalle aree",
          "citizenship not known": "cittadinanza non nota"}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^a member aged (\d+)$"), "un componente di {0} anni"),
    (re.compile(r"^no member in the age range \(ages \[(.*)\]\)$"), "nessun componente nella fascia d'età (età {0})"),
    (re.compile(r"^ISEE ([\d,]+) euro$"), "ISEE {0} euro"),
    (re.compile(r"^resident in (.+)$"), "residente in {0}"),
    (re.compile(r"^citizenships (.+)$"), "cittadinanze {0}"),
)


def reason_text(reason: str, lang: Language) -> str:
    """``reason`` in ``lang`` (unchanged in English, or when its shape is not one of the known ones)."""
    if lang == "en":
        return reason
    if reason in _FIXED:
        return _FIXED[reason]
    for pattern, template in _PATTERNS:
        found = pattern.match(reason)
        if found:
            value = found.group(1)
            if template.startswith("ISEE"):
                value = value.replace(",", ".")  # Italian thousands separator
            return template.format(value)
    kind, _, rest = reason.partition(": ")
    if kind in _KINDS and rest in ("yes", "no"):
        return f"{_KINDS[kind]}: {'sì' if rest == 'yes' else 'no'}"
    if reason.endswith(" not known") and reason[: -len(" not known")] in _KINDS:
        return f"{_KINDS[reason[: -len(' not known')]]}: non noto"
    return reason
