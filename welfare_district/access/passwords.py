"""Password hashes: Argon2id (argon2-cffi defaults, RFC 9106 low-memory profile), never the password itself."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from welfare_district.errors import InputError

MIN_LENGTH = 12
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_password(password: str) -> None:
    """Raise InputError for a password too short or too long (never echoing it)."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"the password must have at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InputError(f"the password must have at most {MAX_LENGTH} characters", field="password")
    if password.strip() != password or not password.strip():
        raise InputError("the password must not start or end with spaces", field="password")


def hash_password(password: str) -> str:
    """An Argon2id hash with a fresh random salt; InputError for an unacceptable password."""
    check_password(password)
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a mismatch or a malformed hash."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so both cases take the same time."""
    return _hasher().hash("no such account: constant-time placeholder")
