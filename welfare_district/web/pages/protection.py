"""How the pages show a protected figure: a dash with an accessible label and the reason, and the notes.

A suppressed figure (``privacy.disclosure``) is never drawn as a number: tables show "—" whose screen-reader
text says "protected figure" and whose title gives the reason; a footnote under the table explains the dash,
and a note says that published counts are randomly rounded. The analysts' exact figures carry no mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from welfare_district.web.i18n import Language, translate
from welfare_district.web.indicator_reads import AreaValue

DASH = "—"
_REASON_KEYS = {"suppressed: primary": "protected_primary", "suppressed: secondary": "protected_secondary",
                "suppressed: component": "protected_component", "suppressed: incomplete": "protected_incomplete"}


def reason_words(protection: str | None, threshold: int | None, lang: Language) -> str:
    """Why a figure is hidden, in ``lang``; "" when it is not hidden."""
    key = _REASON_KEYS.get(protection or "")
    return "" if key is None else translate(lang, key, threshold=threshold if threshold is not None else "")


def protected_mark(reason: str, lang: Language) -> Markup:
    """The table cell content of a hidden figure: a dash, read out as "protected figure", reason as title."""
    return Markup('<span class="protected" title="{}"><span aria-hidden="true">{}</span>'
                  '<span class="visually-hidden">{}</span></span>').format(
        reason, DASH, translate(lang, "protected_short"))


def shown(value: AreaValue | None, text: str, lang: Language) -> str | Markup:
    """``text`` (the formatted figure), or the protected mark when ``value`` is suppressed."""
    if value is not None and value.suppressed:
        return protected_mark(reason_words(value.protection, value.protection_threshold, lang), lang)
    return text


def protection_notes(values: Iterable[AreaValue | None], lang: Language) -> dict[str, Any] | None:
    """The notes under a table of ``values``: the footnote of the dash (when one is hidden) and the rounding
    note (when counts are rounded); None for the exact figures."""
    protected = [v for v in values if v is not None and v.protection is not None]
    if not protected:
        return None
    hidden = [v for v in protected if v.suppressed]
    thresholds = sorted({v.protection_threshold for v in protected if v.protection_threshold is not None})
    bases = sorted({v.rounding_base for v in protected if v.rounding_base is not None and v.rounding_base > 1})
    return {
        "any_hidden": bool(hidden),
        "footnote": translate(lang, "protected_footnote", threshold="/".join(map(str, thresholds)) or "3"),
        "rounding": translate(lang, "protected_rounding_note", base=bases[0]) if bases else None,
    }
