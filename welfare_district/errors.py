"""The platform's errors: one base class, translated to HTTP or CLI messages only at the edges."""

from __future__ import annotations


class WelfareError(Exception):
    """Base of every error the platform raises on purpose; its message is safe to show to the user."""


class ConfigError(WelfareError):
    """A setting is missing, malformed or unsafe for the current mode."""


class EngineError(WelfareError):
    """The database could not be reached or does not support what was asked."""


class NotFoundError(WelfareError):
    """An area, indicator, year or record that was asked for does not exist."""


class PermissionDeniedError(WelfareError):
    """The account may not do this; the message names the action, never other people's data."""


class InputError(WelfareError):
    """Input data or arguments are invalid.

    ``location`` says where (file, row, field) without repeating personal data.
    """

    def __init__(self, message: str, *, path: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        parts = [p for p in (path, f"row {row}" if row is not None else None,
                             f"field '{field}'" if field else None) if p]
        self.path, self.row, self.field = path, row, field
        self.reason = message
        super().__init__(f"{': '.join([', '.join(parts), message]) if parts else message}")
