"""`welfare synth`: bad inputs give one clear message, a non-zero exit and no output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from welfare_district.cli import build_app


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["synth", *args])
    return result.exit_code, result.output


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and "tmp" in p.name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "lombardia"], "unknown scale 'lombardia'"),
        (["--years", "2025-2019"], "inverted"),
        (["--years", "twenty"], "years must look like"),
        (["--years", "1990-1995"], "years must lie within"),
        (["--seed", "-3"], "seed must be"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    code, output = _run(["--out", str(out), "--fraction", "0.01", "--no-extracts", *args])
    assert code != 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0]
    assert not out.exists() and not _leftovers(tmp_path)


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "out"  # a folder cannot be created inside a file, even by root
    code, output = _run(["--out", str(out), "--fraction", "0.01", "--no-extracts"])
    assert code != 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot write to output folder" in lines[0]
    assert blocker.read_text() == "not a folder" and not _leftovers(tmp_path)


def test_non_empty_output_needs_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    code, output = _run(["--out", str(out), "--fraction", "0.01", "--no-extracts"])
    assert code != 0 and "not empty" in output
    assert (out / "keep.txt").exists()


def test_success_and_failure_mid_run_leave_clean_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    code, output = _run(["--out", str(out), "--fraction", "0.01", "--years", "2019-2020", "--no-extracts"])
    assert code == 0, output
    assert (out / "manifest.json").exists() and "persons" in output

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("welfare_district.synth.generate.write_areas", boom)
    again = tmp_path / "again"
    code, output = _run(["--out", str(again), "--fraction", "0.01", "--years", "2019-2020", "--no-extracts"])
    assert code == 1 and "No space left on device" in output
    assert not again.exists() and not _leftovers(tmp_path)


def test_districts_only_for_a_region(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run(["--out", str(out), "--fraction", "0.01", "--districts", "2"])
    assert code != 0 and "single city" in output and not out.exists()
    code, output = _run(["--out", str(out), "--scale", "veneto", "--districts", "30", "--no-extracts"])
    assert code != 0 and "between 1 and 24" in output and not out.exists()


def test_districts_keeps_the_first_districts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run(["--out", str(out), "--scale", "veneto", "--districts", "1", "--fraction", "0.01",
                         "--years", "2021-2021"])
    assert code == 0, output
    assert sorted(p.name for p in (out / "extracts").iterdir()) == ["V01-028060", "catalogo"]
    assert (out / "extracts" / "V01-028060" / "anagrafe_2021.csv").is_file()


def test_every_visible_option_is_documented() -> None:
    import typer.main

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    command = typer.main.get_command(build_app()).commands["synth"]  # type: ignore[attr-defined]
    names = [n for p in command.params if not getattr(p, "hidden", False) for n in p.opts + p.secondary_opts]
    missing = [n for n in names if n.startswith("--") and not re.search(rf"(?<![\w-]){n}(?![\w-])", readme)]
    assert not missing, f"welfare synth options missing from README.md: {missing}"
