"""Byte-stable CSV writing through pyarrow string kernels, and the ground-truth sink.

Same input, same bytes: no timestamps, no dict-order or locale dependence. Values are formatted by the
callers; this module only joins, quotes and encodes them (workbooks are in ``xlsx``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from welfare_district.synth.extracts.config import ERROR_KINDS, ERROR_RATES

_L = pa.large_string()  # 64-bit offsets: a whole chunk of lines may exceed 2 GB at region scale


def _column(values: Any) -> tuple[pa.Array, bool]:
    """A large_string arrow array for a column, and whether it held text (only text can need quoting)."""
    if isinstance(values, pd.Series):
        values = values.array if isinstance(values.dtype, pd.StringDtype) else values.to_numpy()
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    arr = values if isinstance(values, pa.Array) else pa.array(values, from_pandas=True)
    text = pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) or pa.types.is_null(arr.type)
    return pc.cast(arr, _L), text


def _holds_any(arr: pa.Array, needles: tuple[bytes, ...]) -> bool:
    """Cheap conservative pre-check on the raw text buffer (memchr speed), before any per-row work."""
    buffers = arr.buffers()
    data = buffers[2] if len(buffers) > 2 else None
    if data is None:
        return False
    raw = data.to_pybytes()
    return any(n in raw for n in needles)


def _clean(arr: pa.Array, sep: str) -> pa.Array:
    # one data row must stay one line; quote minimally, as spreadsheet programs do
    if _holds_any(arr, (b"\n", b"\r")):
        arr = pc.replace_substring_regex(arr, r"[\r\n]+", " ")
    if _holds_any(arr, (sep.encode(), b'"')):
        need = pc.fill_null(pc.or_(pc.match_substring(arr, sep), pc.match_substring(arr, '"')), False)
        q = pa.scalar('"', _L)
        quoted = pc.binary_join_element_wise(q, pc.replace_substring(arr, '"', '""'), q, pa.scalar("", _L))
        arr = pc.if_else(need, quoted, arr)
    return pc.fill_null(arr, "")


def csv_bytes(
    df: pd.DataFrame | Mapping[str, Any],
    sep: str,
    encoding: str = "utf-8",
    eol: str = "\n",
    header: bool = True,
) -> bytes:
    """Columns (a DataFrame, or a mapping of names to numpy/arrow/pandas columns) as delimited text.

    Values must already be formatted (strings or numbers; '' or None for empty). Newlines inside values
    become spaces, so that one data row is always one line.
    """
    names = [str(c) for c in (df.columns if isinstance(df, pd.DataFrame) else df)]
    lines: list[bytes] = []
    if header:
        lines.append(header_bytes(names, sep, encoding, eol))
    n = len(df) if isinstance(df, pd.DataFrame) else (len(next(iter(df.values()))) if names else 0)
    if n:
        cols = []
        for c in names:
            arr, text = _column(df[c])
            cols.append(_clean(arr, sep) if text else pc.fill_null(arr, ""))
        line = pc.binary_join_element_wise(*cols, pa.scalar(sep, _L)) if len(cols) > 1 else cols[0]
        line = pc.binary_join_element_wise(line, pa.scalar("", _L), pa.scalar(eol, _L))
        if isinstance(line, pa.ChunkedArray):
            line = line.combine_chunks()
        offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)[line.offset : line.offset + len(line) + 1]
        body = bytes(memoryview(line.buffers()[2])[offsets[0] : offsets[-1]])
        lines.append(
            body
            if encoding.replace("-", "").lower() == "utf8"
            else body.decode("utf-8").encode(encoding, errors="replace")
        )
    return b"".join(lines)


def header_bytes(names: Sequence[str], sep: str, encoding: str = "utf-8", eol: str = "\n") -> bytes:
    """The header line for ``names``."""
    return (sep.join(_quote_py(c, sep) for c in names) + eol).encode(encoding)


def _quote_py(text: str, sep: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if sep in text or '"' in text else text


def lose_encoding(
    values: npt.NDArray[np.object_], encoding: str
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Values as they come out of a legacy system with ``encoding``: unknown characters become '?'."""
    out = values.copy()
    lost = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if isinstance(v, str) and not v.isascii():
            enc = v.encode(encoding, errors="replace").decode(encoding)
            if enc != v:
                out[i], lost[i] = enc, True
    return out, lost


class GroundTruth:
    """Streams ``records.csv`` and tallies errors per source for ``error_rates.csv``."""

    COLUMNS = ("source", "file", "row", "record_key", "person_id", "family_id", "errors")

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._fh: IO[bytes] = (folder / "records.csv").open("wb")
        self._fh.write((",".join(self.COLUMNS) + "\n").encode())
        self.rows = 0
        self.by_source: dict[str, dict[str, int]] = {}
        self.eligible: dict[str, dict[str, float]] = {}

    def add(
        self,
        source: str,
        file: str,
        first_row: int,
        keys: npt.ArrayLike,
        person_ids: npt.ArrayLike,
        family_ids: npt.ArrayLike,
        flags: Mapping[str, npt.NDArray[np.bool_]],
    ) -> None:
        """Record rows ``first_row..`` of ``file`` (1-based data rows) and the errors applied to each."""
        pids = np.asarray(person_ids)
        n = len(pids)
        errors = np.full(n, "", dtype=object)
        tally = self.by_source.setdefault(source, {"__rows__": 0})
        tally["__rows__"] += n
        masks = {}
        for kind in sorted(flags):
            if kind not in ERROR_KINDS:
                raise ValueError(f"unknown error kind {kind}")
            masks[kind] = np.asarray(flags[kind], dtype=bool)
            tally[kind] = tally.get(kind, 0) + int(masks[kind].sum())
        if masks:
            # errors are rare: build the '|'-joined list only for rows that have one
            hit = np.logical_or.reduce(list(masks.values()))
            for i in np.flatnonzero(hit):
                errors[i] = "|".join(k for k, m in masks.items() if m[i])
        df = {
            "source": pc.fill_null(pa.nulls(n, _L), source),
            "file": pc.fill_null(pa.nulls(n, _L), file),
            "row": np.arange(first_row, first_row + n, dtype=np.int64),
            "record_key": np.asarray(keys),
            "person_id": pids.astype(np.int64),
            "family_id": np.asarray(family_ids).astype(np.int64),
            "errors": pa.array(errors, pa.string()),
        }
        self._fh.write(csv_bytes(df, ",", header=False))
        self.rows += n

    def note_eligible(self, source: str, kind: str, share: float, weight: int) -> None:
        """Remember the eligible share of rows for a precondition-bound kind (weighted over files)."""
        acc = self.eligible.setdefault(source, {})
        acc[kind] = acc.get(kind, 0.0) + share * weight
        acc[f"{kind}__w"] = acc.get(f"{kind}__w", 0.0) + weight

    def close(self) -> int:
        """Finish records.csv and write error_rates.csv; returns the number of summary rows."""
        self._fh.close()
        return write_error_rates(self.folder, self.by_source, self.eligible)

    def append(self, part: Path, rows: int) -> None:
        """Append the data rows of another ``records.csv`` (its header skipped) holding ``rows`` rows."""
        with part.open("rb") as fh:
            fh.readline()
            shutil.copyfileobj(fh, self._fh, 1 << 20)
        self.rows += rows

    def merge(self, by_source: Mapping[str, Mapping[str, int]], eligible: Mapping[str, Mapping[str, float]]) -> None:
        """Add the tallies of another sink (a district written elsewhere) to this one's error summary."""
        for source, tally in by_source.items():
            mine = self.by_source.setdefault(source, {"__rows__": 0})
            for kind, n in tally.items():
                mine[kind] = mine.get(kind, 0) + n
        for source, acc in eligible.items():
            mine_e = self.eligible.setdefault(source, {})
            for kind, v in acc.items():
                mine_e[kind] = mine_e.get(kind, 0.0) + v


def write_error_rates(
    folder: Path, by_source: Mapping[str, Mapping[str, int]], eligible: Mapping[str, Mapping[str, float]]
) -> int:
    """``error_rates.csv``: configured and achieved rate per source and error kind; returns its rows."""
    rows = []
    for source in sorted(by_source):
        tally = by_source[source]
        total = tally["__rows__"]
        configured: Mapping[str, float] = ERROR_RATES.get(source, {})
        for kind in sorted(set(configured) | {k for k in tally if k != "__rows__"}):
            affected = tally.get(kind, 0)
            elig = eligible.get(source, {})
            w = elig.get(f"{kind}__w", 0.0)
            rows.append(
                {
                    "source": source,
                    "error": kind,
                    "configured_rate": "" if kind not in configured else f"{configured[kind]:.4f}",
                    "rows": total,
                    "affected": affected,
                    "achieved_rate": f"{affected / total:.4f}" if total else "",
                    "eligible_share": f"{elig[kind] / w:.4f}" if w else "",
                }
            )
    summary = pd.DataFrame(
        rows,
        columns=[
            "source",
            "error",
            "configured_rate",
            "rows",
            "affected",
            "achieved_rate",
            "eligible_share",
        ],
    )
    (folder / "error_rates.csv").write_bytes(csv_bytes(summary.astype(str), ","))
    return len(summary)
