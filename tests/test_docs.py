"""Documentation is tested: every setting and every command must be described in README.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from welfare_district.cli import build_app
from welfare_district.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _command_paths(group: Any, prefix: str = "welfare") -> list[str]:
    paths = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        paths.append(path)
        if hasattr(cmd, "commands"):  # a group of sub-commands
            paths.extend(_command_paths(cmd, path))
    return paths


def test_every_setting_is_documented() -> None:
    missing = [f"WELFARE_{name.upper()}" for name in Settings.model_fields
               if f"WELFARE_{name.upper()}" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_command_is_documented() -> None:
    group = typer.main.get_command(build_app())
    paths = _command_paths(group)
    assert "welfare areas import" in paths  # the walk reaches sub-commands
    missing = [p for p in paths if f"`{p}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_gives_the_two_commands_first() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_invalid_setting_names_the_variable(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from welfare_district.errors import ConfigError
    from welfare_district.settings import get_settings

    monkeypatch.setenv("WELFARE_PORT", "99999")
    with pytest.raises(ConfigError, match="WELFARE_PORT"):
        get_settings()
