"""docs/synthetic-extracts.md stays in step with the configuration and the file layouts."""

from __future__ import annotations

from pathlib import Path

from welfare_district.synth.extracts.config import ERROR_KINDS, rates_markdown
from welfare_district.synth.extracts.layout import LAYOUTS

DOC = (Path(__file__).resolve().parents[3] / "docs" / "synthetic-extracts.md").read_text(encoding="utf-8")


def test_rates_table_matches_the_configuration() -> None:
    block = DOC.split("<!-- rates:begin -->")[1].split("<!-- rates:end -->")[0].strip()
    assert block == rates_markdown()


def test_every_file_and_error_kind_is_documented() -> None:
    for layout in LAYOUTS:
        stem = layout.pattern.split("/")[-1].split("*")[0]
        assert stem in DOC, layout.pattern
    for kind in ERROR_KINDS:
        assert kind in DOC, kind
