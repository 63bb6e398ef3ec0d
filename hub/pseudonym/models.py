"""Tables of the identity vault and of the four-eyes privacy requests. No table holds a BSN or name in the clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class VaultPerson(SQLModel, table=True):
    """One betrokkene. Their identity is sealed (AES-256-GCM) under their own data key, which is wrapped by the
    vault's key-encryption key. Erasure destroys the wrapped key and the sealed identity; the row stays, so what
    refers to the person stays valid but can no longer be opened."""

    __tablename__ = "vault_person"

    id: str = Field(primary_key=True, max_length=32)
    log_pseudonym: str | None = Field(default=None, max_length=128, unique=True)
    """The person's pseudonym in the hub's log domain: how the vault recognises them again (None once erased)."""
    kek_id: str | None = Field(default=None, max_length=32)
    wrapped_key: bytes | None = Field(default=None, sa_type=LargeBinary)
    sealed_identity: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IssuedPseudonym(SQLModel, table=True):
    """A pseudonym handed to a recipient's domain, so that a privacy officer can ask (with four eyes) who it is."""

    __tablename__ = "issued_pseudonym"

    pseudonym: str = Field(primary_key=True, max_length=128)
    person_id: str = Field(sa_column=Column(String(32), ForeignKey("vault_person.id"), nullable=False, index=True))
    domain: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PrivacyRequest(SQLModel, table=True):
    """A re-identification or an erasure: asked by one privacy officer, approved by another, carried out once."""

    __tablename__ = "privacy_request"

    id: int | None = Field(default=None, primary_key=True)
    soort: str = Field(max_length=20)
    """`heridentificatie` or `vergetelheid`."""
    pseudonym: str | None = Field(default=None, max_length=128)
    person_id: str | None = Field(default=None, max_length=32)
    doel: str | None = Field(default=None, max_length=64)
    motivering: str = Field(max_length=1000)
    requested_by: str = Field(max_length=64)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=64)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    executed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
