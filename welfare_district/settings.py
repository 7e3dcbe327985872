"""Typed settings read from WELFARE_* environment variables (and an optional .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from welfare_district.errors import ConfigError

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "demo", "password", "test"})
# Shorter secrets are refused outside demo mode: 32 characters of token_urlsafe carry about 190 bits.
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Every setting of the platform. Each field is documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="WELFARE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "duckdb:///var/welfare.duckdb",
        description="Database URL: duckdb:///path/file.duckdb or postgresql://user:password@host:port/db.",
    )
    var_dir: Path = Field(Path("var"), description="Folder for the database file, synthetic data and caches.")
    demo: bool = Field(False, description="Demo mode: allows the built-in demo secret and demo data.")
    secret_key: SecretStr = Field(
        SecretStr("change-me"), description="Key for sessions and pseudonyms; must be set outside demo mode."
    )
    pseudonym_key: SecretStr | None = Field(
        None, description="Key of the HMAC pseudonyms (at least 32 characters); overrides the key file.")
    pseudonym_key_file: Path | None = Field(
        None, description="File outside the database holding the pseudonym keys, one 'version:key' per line.")
    pseudonym_key_version: str | None = Field(
        None, description="Version id of the current pseudonym key (default: k1, or the file's last line).")
    disclosure_threshold: int = Field(
        3, ge=3, description="Smallest published count in partner and public outputs (SISTAN: never below 3).")
    disclosure_special_threshold: int = Field(
        10, ge=3, description="Smallest published count for special-category indicators (health, social care).")
    disclosure_rounding_base: int = Field(
        5, ge=1, description="Published counts are randomly rounded to a multiple of this base (1 = no rounding).")
    composite_base_year: int | None = Field(
        None, ge=1900, le=2200,
        description="Year in which the city scores 100 on the AMPI composite (default: the earliest stored year).")
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on.")
    language: Literal["it", "en"] = Field("it", description="Default language of the web pages (it or en).")
    base_url: str | None = Field(
        None, description="Public address of the site (e.g. https://welfare.example.it/); https makes cookies Secure.")
    cookie_secure: bool = Field(
        False, description="Send the session cookie only over HTTPS even when WELFARE_BASE_URL is not https.")
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A session unused for this many minutes ends (inactivity timeout).")
    session_absolute_hours: int = Field(
        8, ge=1, le=7 * 24, description="A session ends this many hours after sign-in, however active.")
    login_max_failures: int = Field(
        5, ge=1, le=1000, description="Failed sign-ins per account or per client address before a pause.")
    login_window_minutes: int = Field(
        15, ge=1, le=24 * 60, description="Window of the failed sign-in count; also the longest pause.")
    max_body_bytes: int = Field(
        65536, ge=1024, description="Largest request body accepted by forms and the API (bigger: 413).")
    warmup: bool = Field(
        True, description="Fill the read caches in the background when the server starts (maps, profiles).")
    seed: int = Field(20231231, description="Seed of the synthetic Padova data used by `welfare demo`.")
    years: str = Field("2019-2025", description="Snapshot years of the synthetic data used by `welfare demo`.")

    @property
    def synth_dir(self) -> Path:
        """Folder where `welfare demo` writes the synthetic Padova extracts."""
        return self.var_dir / "synth"

    @property
    def secure_cookies(self) -> bool:
        """True when cookies must carry Secure: an https base URL or WELFARE_COOKIE_SECURE."""
        return self.cookie_secure or (self.base_url or "").lower().startswith("https://")

    def require_safe_secrets(self) -> None:
        """Raise ConfigError when a placeholder or short secret is used outside demo mode.

        Covers the secret key (sessions, CSRF tokens) and the pseudonym key when it is given inline; a key file
        is checked when the keyring is loaded (privacy.pseudonym.load_keyring).
        """
        if self.demo:
            return
        secret = self.secret_key.get_secret_value().strip()
        if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"WELFARE_SECRET_KEY is unset, a placeholder or shorter than {MIN_SECRET_LENGTH} characters; "
                "set a long random value (or WELFARE_DEMO=true for the demo)."
            )
        if self.pseudonym_key is not None:
            pseudonym = self.pseudonym_key.get_secret_value().strip()
            if pseudonym.lower() in PLACEHOLDER_SECRETS or pseudonym == secret:
                raise ConfigError("WELFARE_PSEUDONYM_KEY is a placeholder or equals WELFARE_SECRET_KEY; "
                                  "set a separate long random value.")


def get_settings(**overrides: object) -> Settings:
    """Return settings from the environment, with explicit overrides taking precedence.

    Raises ConfigError naming each invalid WELFARE_* variable (never a raw validation traceback).
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"WELFARE_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors() if err.get("loc"))
        raise ConfigError(f"invalid settings: {problems}") from None
