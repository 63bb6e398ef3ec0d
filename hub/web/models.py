"""Tables of the web shell: people's accounts and passkeys, enrolment links, ceremonies, sessions, and the
passkey confirmations kept with four-eyes acts.

Secrets that travel to a browser (session ids, enrolment tokens, ceremony ids) are stored only as their SHA-256:
a copy of the database does not let anyone sign in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class Passkey(SQLModel, table=True):
    """A WebAuthn credential of a person's principal: how they sign in and confirm four-eyes acts."""

    __tablename__ = "web_passkey"

    credential_id: str = Field(primary_key=True, max_length=1400)
    """base64url, as the browser sends it."""
    principal_id: str = Field(sa_column=Column(String(64), ForeignKey("principal.id"), nullable=False, index=True))
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The credential's COSE public key, as the authenticator registered it."""
    sign_count: int = 0
    naam: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Enrolment(SQLModel, table=True):
    """A one-time link with which a person registers a passkey for a principal."""

    __tablename__ = "web_enrolment"

    token_hash: str = Field(primary_key=True, max_length=64)
    principal_id: str = Field(sa_column=Column(String(64), ForeignKey("principal.id"), nullable=False, index=True))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Ceremony(SQLModel, table=True):
    """A WebAuthn challenge the hub handed out and has not seen answered: used once, then deleted.

    Bound to the browser that asked for it by a cookie holding the id (only its hash is here)."""

    __tablename__ = "web_ceremony"

    id_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=32)
    """`inschrijven`, `aanmelden` or `bevestigen`."""
    principal_id: str | None = Field(default=None, max_length=64)
    challenge: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    act: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """For `bevestigen`: the act the challenge is the hash of."""
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class WebSession(SQLModel, table=True):
    """A signed-in person's session. Ends at logout, after the idle time-out, or at the absolute time-out."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    principal_id: str = Field(sa_column=Column(String(64), ForeignKey("principal.id"), nullable=False, index=True))
    csrf_token: str = Field(max_length=64)
    method: str = Field(max_length=16)
    """`passkey` or `oidc`."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Confirmation(SQLModel, table=True):
    """A four-eyes act confirmed with a passkey: the act, and the assertion over its canonical hash.

    Everything needed to check it later, offline, is here: the act's canonical JSON, the authenticator data,
    the client data and the signature, and the public key the signature verifies with."""

    __tablename__ = "web_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    handeling: str = Field(max_length=64, index=True)
    object_id: str = Field(max_length=64, index=True)
    principal_id: str = Field(max_length=64, index=True)
    act: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    act_hash: str = Field(max_length=64)
    credential_id: str = Field(max_length=1400)
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    authenticator_data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    client_data_json: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    at: datetime = Field(sa_type=UTCDateTime)
