"""What every source writer shares: the truth, the seed, the snapshot years and the output sinks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from welfare_district.synth.extracts.output import GroundTruth, csv_bytes, header_bytes
from welfare_district.synth.extracts.truth import Truth
from welfare_district.synth.extracts.xlsx import Sheet, xlsx_bytes

DISTRICT_BLOCK = 1_000_000  # integer record numbers per district: a district's lists are far shorter


@dataclass
class CsvFile:
    """A CSV written in chunks; ``write`` returns the 1-based data row number of the chunk's first row."""

    path: Path
    sep: str
    encoding: str
    eol: str
    bom: bool = False
    rows: int = 0
    _fh: IO[bytes] | None = None

    def write(self, df: pd.DataFrame | Mapping[str, Any]) -> int:
        """Append ``df`` (header on the first call); returns the data row number of its first row."""
        first = self.rows + 1
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("wb")
            if self.bom:
                self._fh.write("\ufeff".encode(self.encoding))
            self._fh.write(header_bytes([str(c) for c in df], self.sep, self.encoding, self.eol))
        self._fh.write(csv_bytes(df, self.sep, self.encoding, self.eol, header=False))
        self.rows += len(df) if isinstance(df, pd.DataFrame) else len(next(iter(df.values())))
        return first

    def close(self) -> None:
        """Flush and close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@dataclass
class Context:
    """State passed to each source writer.

    ``out_dir`` is where the files go; ``extracts_root`` (default: ``out_dir``) is the extracts folder that
    ground-truth file names are relative to. For a virtual district of a region, ``out_dir`` is
    ``extracts/<city area id>`` and ``district`` its number (0 for a city of its own): source systems use it to
    keep their record numbers unique across the districts of one regional database.
    """

    truth: Truth
    seed: int
    years: list[int]
    out_dir: Path
    gt: GroundTruth
    counts: dict[str, int] = field(default_factory=dict)
    extracts_root: Path | None = None
    district: int = 0

    @property
    def root(self) -> Path:
        """The extracts folder: record file names and ``counts`` keys are relative to it (or its parent)."""
        return self.extracts_root if self.extracts_root is not None else self.out_dir

    @property
    def tag(self) -> str:
        """'' for a city; 'V01-' for virtual district 1, the prefix of its codes that are numbered per file."""
        return f"V{self.district:02d}-" if self.district else ""

    def serial(self, numbers: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Row numbers 1, 2, ... as a district's system numbers them: its own block of a million (1000001 in
        district 1), so that integer record numbers stay unique across a region; unchanged for a city."""
        return np.asarray(numbers, dtype=np.int64) + self.district * DISTRICT_BLOCK

    @property
    def last_year(self) -> int:
        """The latest snapshot year in range: single-snapshot sources describe this year."""
        return self.years[-1]

    def rel(self, path: Path) -> str:
        """A path relative to the output root (the parent of the extracts folder), with '/' separators."""
        return path.relative_to(self.root.parent).as_posix()

    def csv(self, name: str, sep: str, encoding: str = "utf-8", eol: str = "\n", bom: bool = False) -> CsvFile:
        """A chunked CSV writer for ``out_dir/name``."""
        return CsvFile(self.out_dir / name, sep, encoding, eol, bom)

    def finish_csv(self, f: CsvFile) -> None:
        """Close ``f`` and count its rows."""
        f.close()
        if f.rows == 0 and not f.path.exists():
            return
        self.counts[self.rel(f.path)] = f.rows

    def write_xlsx(self, name: str, sheets: Sequence[Sheet], creator: str) -> Path:
        """Write a deterministic workbook and count the data rows of its sheets."""
        sheets = [Sheet(s.name, s.header, list(s.rows), s.title_rows) for s in sheets]  # rows iterated twice
        path = self.out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(xlsx_bytes(sheets, creator))
        self.counts[self.rel(path)] = sum(len(list(s.rows)) for s in sheets)
        return path

    def note(self, source: str, shares: Mapping[str, float], rows: int) -> None:
        """Report eligible shares of precondition-bound error kinds for ``rows`` rows of ``source``."""
        for kind, share in shares.items():
            self.gt.note_eligible(source, kind, share, rows)

    def record(
        self,
        source: str,
        path: Path,
        first_row: int,
        keys: npt.ArrayLike,
        person_ids: npt.ArrayLike,
        family_ids: npt.ArrayLike,
        flags: Mapping[str, npt.NDArray[np.bool_]],
    ) -> None:
        """Ground-truth rows for a block of data rows of ``path``."""
        self.gt.add(source, path.relative_to(self.root).as_posix(), first_row, keys, person_ids, family_ids, flags)
