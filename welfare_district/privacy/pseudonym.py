"""Keyed pseudonyms of identifiers (codice fiscale, person and family ids).

A pseudonym is ``<key version>.<32 base32 characters>``: HMAC-SHA256 of the identifier under a key derived
from the master key and the *domain* (the recipient: ``audit``, ``partner:ORG``, ``export:public``...).
Consequences, each tested:
- without the master key nobody can compute or reverse a pseudonym (no dictionary attack on the ~60 million
  valid codici fiscali, which would defeat a plain hash);
- two recipients get unrelated pseudonyms of the same person, so their extracts cannot be joined;
- the key version travels inside the pseudonym, so keys can rotate: old versions stay in the key file to
  recompute old pseudonyms, new pseudonyms use the current one.

The keys never live in the database: they come from WELFARE_PSEUDONYM_KEY or from the file named by
WELFARE_PSEUDONYM_KEY_FILE (one ``version:key`` per line). Outside demo mode a missing key, one shorter
than MIN_KEY_LENGTH characters, or a key file that every local account may read, is refused with ConfigError.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from welfare_district.errors import ConfigError, InputError

if TYPE_CHECKING:
    from welfare_district.settings import Settings

MIN_KEY_LENGTH = 32
DEFAULT_VERSION = "k1"
DEMO_VERSION = "demo"
# Public on purpose: demo pseudonyms carry the version "demo", so they can never pass for real ones.
_DEMO_KEY = b"welfare-district demo pseudonym key - synthetic data only"
_VERSION_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
_PSEUDONYM_RE = re.compile(r"^([A-Za-z0-9_-]{1,16})\.([a-z2-7]{32})$")
_DERIVE_LABEL = b"welfare-district/pseudonym-domain/v1\x00"
IdKind = Literal["id", "cf"]


@dataclass(frozen=True)
class Keyring:
    """Pseudonym keys by version id, and the version new pseudonyms use."""

    keys: dict[str, bytes]
    current: str
    demo: bool = False

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ConfigError(f"pseudonym key version {self.current!r} is not among the loaded keys")
        for version, key in self.keys.items():
            if not _VERSION_RE.match(version):
                raise ConfigError(f"pseudonym key version {version!r}: use 1-16 letters, digits, '-' or '_'")
            if not self.demo and len(key) < MIN_KEY_LENGTH:
                raise ConfigError(f"pseudonym key {version!r} is shorter than {MIN_KEY_LENGTH} characters; "
                                  "generate one with: python -c \"import secrets; print(secrets.token_urlsafe(48))\"")

    def key(self, version: str | None = None) -> bytes:
        """The key of ``version`` (default: the current one); ConfigError for an unknown version."""
        v = self.current if version is None else version
        if v not in self.keys:
            raise ConfigError(f"pseudonym key version {v!r} is not in the key file")
        return self.keys[v]

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(versions={sorted(self.keys)}, current={self.current!r}, demo={self.demo})"


def parse_key_file(text: str) -> list[tuple[str, bytes]]:
    """``version:key`` lines (blank lines and ``#`` comments skipped), in file order.

    Raises ConfigError naming the line number of a malformed line (never its content: it is a secret).
    """
    entries: list[tuple[str, bytes]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        version, sep, key = line.partition(":")
        if not sep or not version.strip() or not key.strip():
            raise ConfigError(f"pseudonym key file, line {number}: expected 'version:key'")
        if any(v == version.strip() for v, _ in entries):
            raise ConfigError(f"pseudonym key file, line {number}: version {version.strip()!r} appears twice")
        entries.append((version.strip(), key.strip().encode("utf-8")))
    return entries


def load_keyring(settings: Settings) -> Keyring:
    """The pseudonym keys the settings point to.

    Order: WELFARE_PSEUDONYM_KEY, then WELFARE_PSEUDONYM_KEY_FILE; in demo mode with neither, the public demo
    key (version ``demo``). Outside demo mode a missing or short key raises ConfigError.
    """
    if settings.pseudonym_key is not None and settings.pseudonym_key.get_secret_value().strip():
        version = settings.pseudonym_key_version or DEFAULT_VERSION
        key = settings.pseudonym_key.get_secret_value().strip().encode("utf-8")
        return Keyring({version: key}, version, demo=settings.demo)
    if settings.pseudonym_key_file is not None:
        return _keyring_from_file(settings.pseudonym_key_file, settings.pseudonym_key_version, settings.demo)
    if settings.demo:
        return Keyring({DEMO_VERSION: _DEMO_KEY}, DEMO_VERSION, demo=True)
    raise ConfigError("no pseudonym key: set WELFARE_PSEUDONYM_KEY or WELFARE_PSEUDONYM_KEY_FILE "
                      "(or WELFARE_DEMO=true for the demo)")


def _keyring_from_file(path: Path, version: str | None, demo: bool) -> Keyring:
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"cannot read the pseudonym key file {path}: {exc.strerror or exc}") from None
    if not demo and os.name == "posix" and mode & (stat.S_IROTH | stat.S_IWOTH):
        # a key every local account can read is not held apart from anything
        raise ConfigError(f"the pseudonym key file {path} is readable or writable by every user: "
                          f"run chmod 600 (or 640 for the service group) on it")
    entries = parse_key_file(text)
    if not entries:
        raise ConfigError(f"the pseudonym key file {path} holds no key")
    return Keyring(dict(entries), version or entries[-1][0], demo=demo)


def normalise(identifier: str, kind: IdKind = "id") -> str:
    """The canonical text of an identifier: trimmed; a codice fiscale also upper-cased without spaces.

    Raises InputError for an empty identifier (a pseudonym of nothing would join unrelated rows).
    """
    text = str(identifier).strip()
    if kind == "cf":
        text = "".join(text.split()).upper()
    if not text:
        raise InputError("cannot pseudonymise an empty identifier")
    return text


@dataclass
class Pseudonymiser:
    """Computes pseudonyms with one keyring; domain keys are derived once and cached."""

    keyring: Keyring
    _domain_keys: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)

    def _domain_key(self, domain: str, version: str) -> bytes:
        if not _DOMAIN_RE.match(domain):
            raise InputError(f"invalid pseudonym domain {domain!r}: lower-case letters, digits and . _ : -")
        cached = self._domain_keys.get((domain, version))
        if cached is None:
            cached = hmac.new(self.keyring.key(version), _DERIVE_LABEL + domain.encode(), hashlib.sha256).digest()
            self._domain_keys[(domain, version)] = cached
        return cached

    def pseudonym(self, identifier: str, domain: str, *, kind: IdKind = "id", version: str | None = None) -> str:
        """The pseudonym of ``identifier`` for ``domain``: same inputs and key, same pseudonym; else unrelated."""
        v = self.keyring.current if version is None else version
        text = normalise(identifier, kind)
        mac = hmac.new(self._domain_key(domain, v), f"{kind}\x00{text}".encode(), hashlib.sha256).digest()
        return f"{v}.{base64.b32encode(mac[:20]).decode('ascii').lower()}"

    def pseudonyms(self, identifiers: Iterable[str | None], domain: str, *, kind: IdKind = "id") -> list[str | None]:
        """Pseudonyms of many identifiers (a column of an extract); a missing value stays missing."""
        return [None if i is None or (isinstance(i, float) and i != i) or not str(i).strip()
                else self.pseudonym(i, domain, kind=kind) for i in identifiers]

    def every_version(self, identifier: str, domain: str, *, kind: IdKind = "id") -> list[str]:
        """The pseudonyms of ``identifier`` under every loaded key version (to find rows older than a rotation)."""
        return [self.pseudonym(identifier, domain, kind=kind, version=v) for v in sorted(self.keyring.keys)]


def key_version_of(pseudonym: str) -> str:
    """The key version inside a pseudonym; InputError when the text is not a pseudonym."""
    match = _PSEUDONYM_RE.match(pseudonym)
    if match is None:
        raise InputError("not a pseudonym: expected '<version>.<32 base32 characters>'")
    return match.group(1)


def is_pseudonym(text: str) -> bool:
    """True when ``text`` has the shape of a pseudonym (version, dot, 32 base32 characters)."""
    return _PSEUDONYM_RE.match(text) is not None
