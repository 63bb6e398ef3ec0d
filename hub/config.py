"""Settings: one class, read from `SCHAKEL_*` environment variables (and an optional `.env`)."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub import __version__

API_VERSION = __version__
"""The full version of the public API, sent in the `API-Version` header of every response."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


class Settings(BaseSettings):
    """Everything the hub can be configured with. See the configuration reference in README.md."""

    model_config = SettingsConfigDict(env_prefix="SCHAKEL_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(default=Path("data"), description="Where the embedded SQLite database lives.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file `schakel.db` in the data dir."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The hub's public base URL: the `aud` of every token and the base of every `htu`.",
    )
    log_origin: str | None = Field(
        default=None,
        description=(
            "The verstrekkingenlog's permanent name (C2SP origin), e.g. `schakel.zvh.nl/verstrekkingenlog`; default: "
            "the public URL's host + `/verstrekkingenlog`. Once the log has a checkpoint, its origin is fixed."
        ),
    )
    postcodes_file: Path | None = Field(
        default=None,
        description=(
            "The postcode table (`pc4;gemeentecode` per line) by which a melding's gemeentecode must fit its address; "
            "default: the sample region's (Zuid-Limburg), shipped with the hub."
        ),
    )
    witnesses_file: Path | None = Field(
        default=None,
        description="Witnesses of the verstrekkingenlog, one per line: `<submission URL> <witness verifier key>`.",
    )
    checkpoint_interval_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How often the hub signs a checkpoint if the log grew, and has its witnesses cosign it (0: never).",
    )
    keys_dir: Path = Field(default=Path("keys"), description="Where the hub's keys and demo keys live.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_format: LogFormat | None = Field(
        default=None, description="`json` or `console`; default: json in production, console in development."
    )
    log_level: str = "INFO"
    token_leeway_seconds: int = Field(default=30, ge=0, le=120)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    delivery_in_process: bool = Field(
        default=True, description="Run a delivery worker inside `schakel serve` (more run as `schakel worker`)."
    )
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    delivery_backoff_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    delivery_max_age_seconds: int = Field(default=3 * 86400, ge=1, description="Then a delivery is a dead letter.")
    db_backup_command: str | None = Field(
        default=None,
        description=(
            "PostgreSQL: the shell command `schakel db upgrade` runs for a backup before it migrates (e.g. a "
            "`pg_dump` into your backup store); without it, the operator confirms with `--backup-gemaakt`."
        ),
    )
    backup_recipient: str | None = Field(
        default=None, description="The operator's age recipient (`age1...`) that `schakel backup` encrypts for."
    )
    health_disk_free_minimum: float = Field(
        default=0.05, ge=0, le=1, description="Health says degraded when less than this share of the data disk is free."
    )
    delivery_grace_seconds: int = Field(
        default=7 * 86400, ge=0, description="How long an acknowledged payload stays before it is deleted."
    )
    worker_metrics_port: int = Field(
        default=9101,
        ge=0,
        le=65535,
        description=(
            "`schakel worker` serves its Prometheus metrics (and so its health) on this port; 0 turns it off."
        ),
    )
    worker_metrics_host: str = Field(
        default="127.0.0.1", description="The address `schakel worker` serves its metrics on (0.0.0.0 in a container)."
    )
    retention_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description=(
            "How often `schakel serve` and `schakel worker` apply retention (bewaartermijnen); 0 turns it off there "
            "(then run `schakel bewaren`)."
        ),
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A web session ends after this many minutes without a request."
    )
    session_max_hours: int = Field(
        default=10, ge=1, le=7 * 24, description="A web session ends this many hours after sign-in, used or not."
    )
    enrolment_valid_hours: int = Field(
        default=72, ge=1, le=14 * 24, description="How long a one-time passkey enrolment link stays valid."
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect: the identity provider's issuer URL (its discovery document is read from it).",
    )
    oidc_client_id: str | None = Field(default=None, description="OpenID Connect: the hub's client id there.")
    oidc_client_secret: str | None = Field(default=None, description="OpenID Connect: the hub's client secret.")
    oidc_principal_claim: str = Field(
        default="preferred_username",
        description="OpenID Connect: the ID-token claim whose value is the person's principal id in the registry.",
    )
    oidc_display_name: str = Field(
        default="uw organisatie", description="OpenID Connect: how the sign-in page names the identity provider."
    )
    contact_name: str = "Schakel beheer"
    contact_email: str = "beheer@schakel.example"
    contact_url: str = "https://schakel.example/contact"

    @field_validator("public_url")
    @classmethod
    def _public_url_is_a_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("SCHAKEL_PUBLIC_URL must be an absolute http(s) URL such as https://schakel.example")
        if parts.query or parts.fragment:
            raise ValueError("SCHAKEL_PUBLIC_URL must not carry a query or fragment")
        return value.rstrip("/")

    @field_validator("log_origin")
    @classmethod
    def _origin_is_a_key_name(cls, value: str | None) -> str | None:
        if value is not None and (not value or " " in value or "+" in value or "\n" in value):
            raise ValueError("SCHAKEL_LOG_ORIGIN must be non-empty and hold no spaces, plus signs or newlines")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'schakel.db').as_posix()}"

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.JSON if self.environment is Environment.PRODUCTION else LogFormat.CONSOLE

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry `Secure` whenever the hub is reached over https, and always in production."""
        return self.is_production or urlsplit(self.public_url).scheme == "https"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def insecure_settings(self) -> list[str]:
        """What makes these settings unfit for production, one sentence each (keys are checked separately)."""
        problems: list[str] = []
        if urlsplit(self.public_url).scheme != "https":
            problems.append("SCHAKEL_PUBLIC_URL must use https in production (tokens are bound to it).")
        if self.effective_log_format is not LogFormat.JSON:
            problems.append("SCHAKEL_LOG_FORMAT must be json in production (console logs are for development).")
        if self.log_level.upper() == "DEBUG":
            problems.append("SCHAKEL_LOG_LEVEL=DEBUG is not allowed in production.")
        if self.token_leeway_seconds > 60:
            problems.append("SCHAKEL_TOKEN_LEEWAY_SECONDS above 60 widens the replay window; use 60 or less.")
        if self.oidc_issuer and urlsplit(self.oidc_issuer).scheme != "https":
            problems.append("SCHAKEL_OIDC_ISSUER must use https in production.")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            problems.append("SCHAKEL_OIDC_ISSUER needs SCHAKEL_OIDC_CLIENT_ID and SCHAKEL_OIDC_CLIENT_SECRET.")
        return problems


SECRETS_DIR_ENV = "SCHAKEL_SECRETS_DIR"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment; with SCHAKEL_SECRETS_DIR, also from one file per setting there
    (e.g. `/run/secrets/schakel_database_url`), so a password need not sit in an environment variable."""
    secrets_dir = os.environ.get(SECRETS_DIR_ENV)
    if secrets_dir:
        return Settings(_secrets_dir=secrets_dir)
    return Settings()
