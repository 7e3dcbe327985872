"""CSV and XLSX bodies for exports, safe to open in a spreadsheet.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
get a leading single quote; numbers are written as numbers. CSV follows RFC 4180: UTF-8, a header row,
CRLF line ends, fields quoted when they hold a comma, a quote or a line break.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XLSX cannot store (openpyxl refuses them); tab, LF and CR are allowed.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(text: str) -> str:
    """``text`` with a leading single quote when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return neutralise(str(value))


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """An RFC 4180 CSV (UTF-8, CRLF) with ``header`` first; floats written exactly (repr), None empty."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        cells = [_cell(v) for v in row]
        writer.writerow(["" if c is None else repr(c) if isinstance(c, float) else c for c in cells])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per (title, header, rows), text neutralised like the CSV."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            cells = [_cell(v) for v in row]
            sheet.append([_ILLEGAL_XML.sub("", c) if isinstance(c, str) else c for c in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def safe_filename(*parts: object, suffix: str) -> str:
    """An ASCII file name from ``parts`` (letters, digits, dot, dash, underscore only)."""
    stem = "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", str(p)).strip("-.") or "x" for p in parts)
    return f"{stem[:120]}.{suffix}"
