"""Readers: CSV (any encoding and separator), Excel workbooks and SQL tables, into one shape.

Every reader returns a ``RawTable``: the source's own columns as text (missing values as ""), indexed by the
1-based *data row number* (the first row under the header is row 1), plus the content hash that makes loads
idempotent. Each way a file can be unreadable is a specific InputError naming the file, never a value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from welfare_district.errors import InputError

_SEPARATORS = ";,\t|"
_DETECT_ROWS = 30  # how far down a workbook the header is looked for


@dataclass(frozen=True)
class RawTable:
    """A source read as text: columns by their source names, index = data row number (1-based)."""

    frame: pd.DataFrame
    file_name: str
    sha256: str
    header_row: int


def _check_columns(columns: Sequence[str], required: Iterable[str], path: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(f"missing required column(s): {', '.join(missing)}", path=path, field=missing[0])


_ASCII_SUPERSETS = ("utf-8-sig", "cp1252", "windows-1252", "latin-1", "iso-8859-1")


def _decode(data: bytes, encoding: str, path: str) -> tuple[str, str]:
    """Decode with the declared encoding, or guess UTF-8 (BOM or not) then cp1252 when it is 'auto'.
    Returns the text and the codec that decoded it."""
    enc = encoding.lower().replace("_", "-")
    if enc == "auto":
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            enc = "cp1252"
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        enc = "utf-8-sig"  # a byte-order mark is tolerated whatever was declared
    elif enc in ("cp1252", "windows-1252", "latin-1", "iso-8859-1") and not data.isascii():
        # A single-byte file that is also valid UTF-8 is almost surely UTF-8 mislabelled: refuse it
        # rather than loading mojibake.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise InputError(f"declared encoding {encoding} but the file is UTF-8", path=path)
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid {encoding} text (line {line}, byte {exc.start}); check the declared encoding",
                         path=path) from exc
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from exc


def _sniff(text: str, skip: int, path: str) -> str:
    sample = "\n".join(text.splitlines()[skip: skip + 20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        counts = {s: header.count(s) for s in _SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        if counts[best] == 0:
            raise InputError("cannot detect the column separator; declare it", path=path) from None
        return best


def _file_bytes(path: Path, name: str, data: bytes | None) -> bytes:
    if data is not None:
        return data
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from exc


def read_csv(path: Path, *, encoding: str = "auto", separator: str | None = None, header_row: int = 1,
             required: Iterable[str] = (), data: bytes | None = None, sha256: str | None = None) -> RawTable:
    """Read a delimited text file as text columns.

    Guarantees: InputError for an unreadable or empty file, undecodable bytes, a row with too many fields
    (naming its data row), or a missing required column; row numbers count data rows under the header.
    ``data`` (the file's bytes) and ``sha256`` (their digest) spare reading and hashing the file again when the
    caller already has them; the result is the one reading ``path`` gives.
    """
    name = str(path)
    data = _file_bytes(path, name, data)
    if not data or data.isspace():  # nothing but blanks; stops at the first other byte, unlike strip()
        raise InputError("the file is empty", path=name)
    sha = sha256 or hashlib.sha256(data).hexdigest()
    text, codec = _decode(data, encoding, name)
    sep = separator or _sniff(text, header_row - 1, name)
    fast = _arrow_frame(text, sep, _utf8_bytes(data, codec)) if header_row == 1 else None
    if fast is not None:
        return _finish(fast, name, sha, header_row, required)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skiprows=header_row - 1, skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file has no header", path=name) from exc
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = int(found.group(1)) - header_row if found else None
        raise InputError("malformed row: more fields than the header", path=name, row=row) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return _finish(frame, name, sha, header_row, required)


def _utf8_bytes(data: bytes, codec: str) -> bytes | None:
    """The text that ``codec`` decoded from ``data``, encoded in UTF-8, when ``data`` already holds those bytes:
    a UTF-8 file (less its byte-order mark, which the codec drops) or plain ASCII read as a superset of it.
    None otherwise. Decoding UTF-8 and encoding again gives back the same bytes, so nothing is encoded twice."""
    if codec == "utf-8-sig":
        return data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    return data if codec in _ASCII_SUPERSETS and data.isascii() else None


def _arrow_frame(text: str, sep: str, encoded: bytes | None = None) -> pd.DataFrame | None:
    """The table parsed by Arrow's CSV reader (several times faster), or None for anything unusual.

    Only plain files take this path: a header without quotes, at least two distinct non-empty column names and
    rows of exactly the header's width. Blank lines, short or long rows, duplicated or empty names all go to
    the pandas reader, which numbers rows and reports errors as documented.
    """
    from pyarrow import ArrowInvalid
    from pyarrow import csv as arrow_csv

    first = text.split("\n", 1)[0].rstrip("\r")
    if '"' in first:
        return None
    names = first.split(sep)
    if len(names) < 2 or len(set(names)) < len(names) or any(not n.strip() for n in names):
        return None
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(encoded if encoded is not None else text.encode("utf-8")),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=arrow_csv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types={n: pa.string() for n in names}, null_values=[], strings_can_be_null=False,
                quoted_strings_can_be_null=False),
        )
    except ArrowInvalid:
        return None
    if table.num_rows == 0:
        return None
    frame = table.to_pandas()
    frame.columns = [c.strip() for c in names]
    return frame


def _finish(frame: pd.DataFrame, name: str, sha: str, header_row: int, required: Iterable[str]) -> RawTable:
    _check_columns(list(frame.columns), required, name)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row_number")
    frame = frame[(frame != "").any(axis=1)] if len(frame.columns) else frame  # blank lines keep their numbers
    if frame.empty:
        raise InputError("the file has no data rows", path=name)
    return RawTable(frame, name, sha, header_row)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_excel(path: Path, *, sheet: str | None = None, header_row: int | None = 1,
               required: Iterable[str] = (), data: bytes | None = None, sha256: str | None = None) -> RawTable:
    """Read one worksheet of an .xlsx workbook as text columns (date cells as yyyy-mm-dd).

    Guarantees: InputError when the file is not a workbook, the sheet is missing, the header is not on the
    declared row (saying where it was found, if anywhere) or cannot be detected, or there are no data rows.
    With ``header_row=None`` the header is the first row holding every required column. ``data`` and ``sha256``
    as in ``read_csv``.
    """
    from python_calamine import CalamineError, load_workbook

    name = str(path)
    required = list(required)
    data = _file_bytes(path, name, data)
    if not data:
        raise InputError("the file is empty", path=name)
    # calamine parses the sheet XML in Rust, about twenty times faster than openpyxl on a 10,000-row sheet
    try:
        book = load_workbook(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise InputError("not an Excel .xlsx workbook", path=name) from exc
    try:
        if sheet is not None and sheet not in book.sheet_names:
            raise InputError(f"no worksheet named {sheet!r}", path=name)
        # skip_empty_area=False: rows and columns count from A1, as the declared header row does
        cells = book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise InputError("not an Excel .xlsx workbook", path=name) from exc
    finally:
        book.close()
    # most cells are text: strip those inline rather than through _cell_text's checks (the same result)
    rows = [[v.strip() if type(v) is str else _cell_text(v) for v in r] for r in cells]
    if not any(any(r) for r in rows):
        raise InputError("the workbook is empty", path=name)
    found = next((i + 1 for i, r in enumerate(rows[:_DETECT_ROWS]) if r and set(required) <= set(r)), None)
    if header_row is None:
        if found is None:
            raise InputError(f"no header row with columns {', '.join(required)} in the first {_DETECT_ROWS} rows",
                             path=name)
        header_row = found
    elif header_row > len(rows) or (required and not set(required) <= set(rows[header_row - 1])):
        where = f"; it is on row {found}" if found else ""
        raise InputError(f"the header is not on the declared row {header_row}{where}", path=name, row=header_row)
    header = [c.strip() for c in rows[header_row - 1]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[header_row:]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    frame = frame.loc[:, [c != "" for c in frame.columns]]
    return _finish(frame, name, sha256 or hashlib.sha256(data).hexdigest(), header_row, required)


def read_sql(url: str, table: str, *, order_by: str | None = None, required: Iterable[str] = ()) -> RawTable:
    """Read a table through any SQLAlchemy URL as text columns, rows in ``order_by`` order when given.

    Guarantees: InputError when the database does not answer or the table is missing; the hash covers the
    content as read, so the same content is recognised on a second load.
    """
    import sqlalchemy as sa

    from welfare_district.engine import redact

    shown = redact(url)
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # bad scheme or missing driver: both mean "cannot use this URL"
        raise InputError(f"unusable database URL: {type(exc).__name__}", path=shown) from exc
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                raise InputError(f"no table {table!r} in the database", path=shown)
            tbl = sa.Table(table, sa.MetaData(), autoload_with=conn)
            query = sa.select(tbl)
            if order_by is not None:
                query = query.order_by(tbl.c[order_by])
            rows = [[_cell_text(v) for v in r] for r in conn.execute(query)]
            frame = pd.DataFrame(rows, columns=[c.name for c in tbl.columns], dtype=str)
    except InputError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise InputError(f"the database does not answer: {type(cause).__name__}", path=shown) from exc
    finally:
        engine.dispose()
    sha = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
    return _finish(frame, f"{shown}#{table}", sha, 1, required)
