"""docs/indicators.md is generated from the library and must be kept in step with it."""

from __future__ import annotations

from welfare_district.indicators.docs import REGENERATE, docs_path, render_markdown
from welfare_district.indicators.library import default_library


def test_generated_docs_are_up_to_date() -> None:
    current = docs_path().read_text(encoding="utf-8") if docs_path().is_file() else ""
    assert current == render_markdown(), (
        f"docs/indicators.md is out of date with the indicator library: run `{REGENERATE}` and commit it")


def test_docs_describe_every_indicator_with_its_version() -> None:
    text = render_markdown()
    for ind in default_library().values():
        assert f"### `{ind.id}`" in text and f"`{ind.version}`" in text
    assert "Wilson" in text and "zero denominator" in text and "Sup = Inf" in text
