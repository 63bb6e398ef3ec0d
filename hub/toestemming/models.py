"""The table of consents. A person is named by their log-domain pseudonym, never by their identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class Toestemming(SQLModel, table=True):
    __tablename__ = "toestemming"

    id: int | None = Field(default=None, primary_key=True)
    log_pseudonym: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    item: str = Field(max_length=130)
    """A category (`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`)."""
    vastgelegd_door: str = Field(max_length=64)
    """The partner that obtained the consent."""
    principal_id: str = Field(max_length=64)
    vastgelegd_op: datetime = Field(sa_type=UTCDateTime)
    ingetrokken_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
