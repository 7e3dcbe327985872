"""Keyed pseudonyms: stable per key and domain, unrelated across recipients, refused without a real key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from welfare_district.errors import ConfigError, InputError
from welfare_district.privacy.pseudonym import (
    Keyring,
    Pseudonymiser,
    is_pseudonym,
    key_version_of,
    load_keyring,
    parse_key_file,
)
from welfare_district.settings import Settings

KEY = "x" * 40
CF = "RSSMRA85T10A562S"


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_same_input_same_pseudonym_and_the_version_travels_inside() -> None:
    p = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1"))
    first = p.pseudonym(CF, "audit", kind="cf")
    assert first == p.pseudonym(" rssmra85t10a562s ", "audit", kind="cf")
    assert is_pseudonym(first) and key_version_of(first) == "k1"
    assert CF not in first and CF.lower() not in first


def test_recipients_get_unrelated_pseudonyms() -> None:
    p = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1"))
    people = [f"P{i:06d}" for i in range(500)]
    a = p.pseudonyms(people, "partner:caritas")
    b = p.pseudonyms(people, "partner:acli")
    assert len(set(a)) == 500 and not set(a) & set(b)


def test_a_plain_hash_does_not_give_the_pseudonym() -> None:
    p = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1"))
    token = p.pseudonym(CF, "audit", kind="cf").split(".", 1)[1]
    assert token not in {hashlib.sha256(CF.encode()).hexdigest(), hashlib.sha256(CF.encode()).hexdigest()[:32]}
    other = Pseudonymiser(Keyring({"k1": ("y" * 40).encode()}, "k1"))
    assert other.pseudonym(CF, "audit", kind="cf") != p.pseudonym(CF, "audit", kind="cf")


def test_rotation_keeps_old_pseudonyms_computable(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# rotated 2026\nk1:{KEY}\nk2:{'z' * 40}\n", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_keyring(_settings(pseudonym_key_file=path))
    path.chmod(0o640)
    ring = load_keyring(_settings(pseudonym_key_file=path))
    assert ring.current == "k2"
    p = Pseudonymiser(ring)
    old = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1")).pseudonym("P1", "audit")
    assert key_version_of(p.pseudonym("P1", "audit")) == "k2"
    assert old in p.every_version("P1", "audit")
    pinned = load_keyring(_settings(pseudonym_key_file=path, pseudonym_key_version="k1"))
    assert Pseudonymiser(pinned).pseudonym("P1", "audit") == old


def test_missing_or_short_keys_are_refused_outside_demo(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no pseudonym key"):
        load_keyring(_settings())
    with pytest.raises(ConfigError, match="shorter than 32"):
        load_keyring(_settings(pseudonym_key="short"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_keyring(_settings(pseudonym_key_file=tmp_path / "absent"))
    bad = tmp_path / "bad"
    bad.write_text("k1:" + KEY + "\nno-colon-here\n", encoding="utf-8")
    bad.chmod(0o600)
    with pytest.raises(ConfigError, match="line 2") as exc:
        load_keyring(_settings(pseudonym_key_file=bad))
    assert "no-colon-here" not in str(exc.value)
    with pytest.raises(ConfigError, match="not among"):
        load_keyring(_settings(pseudonym_key_file=_file(tmp_path), pseudonym_key_version="k9"))


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "good"
    path.write_text(f"k1:{KEY}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def test_demo_mode_uses_the_marked_demo_key() -> None:
    ring = load_keyring(_settings(demo=True))
    assert ring.current == "demo"
    assert key_version_of(Pseudonymiser(ring).pseudonym("P1", "audit")) == "demo"


def test_the_environment_key_wins_and_is_never_printed() -> None:
    ring = load_keyring(_settings(pseudonym_key=KEY, pseudonym_key_version="v7"))
    assert ring.current == "v7" and KEY not in repr(ring)


def test_bad_identifiers_and_domains_are_refused() -> None:
    p = Pseudonymiser(Keyring({"k1": KEY.encode()}, "k1"))
    with pytest.raises(InputError):
        p.pseudonym("  ", "audit")
    with pytest.raises(InputError, match="domain"):
        p.pseudonym("P1", "Partner X")
    assert p.pseudonyms(["P1", None, ""], "audit")[1:] == [None, None]
    with pytest.raises(InputError):
        key_version_of(CF)
    assert parse_key_file("\n# only a comment\n") == []
