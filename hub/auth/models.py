"""The replay store: every accepted token's `jti`, kept until the token could no longer be valid anyway."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class UsedToken(SQLModel, table=True):
    __tablename__ = "used_token"

    issuer: str = Field(primary_key=True, max_length=64)
    jti: str = Field(primary_key=True, max_length=128)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
