"""The table of consents. A person is named by their log-domain pseudonym, never by their identity."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime


class Toestemming(SQLModel, table=True):
    __tablename__ = "toestemming"

    id: int | None = Field(default=None, primary_key=True)
    log_pseudonym: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    item: str = Field(max_length=130)
    """A category (`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`)."""
    vastgelegd_door: str = Field(max_length=64)
    """The partner that obtained the consent (one the convenant entitles for this item)."""
    principal_id: str = Field(max_length=64)
    referentie: str | None = Field(default=None, max_length=200)
    """The partner's reference of the betrokkene's signed statement (no content of it); None before revision 0008."""
    ontvangers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    """The recipients it covers: partner ids or soorten. Nobody else receives anything under it."""
    doel: str | None = Field(default=None, max_length=64)
    """The one doel it covers; None (so no doel) for a consent recorded before revision 0008."""
    verklaard_op: date | None = None
    """The day the betrokkene signed the statement; None before revision 0020."""
    geldig_van: date | None = None
    geldig_tot: date | None = None
    """The last day it may be relied on (None: until withdrawn)."""
    vastgelegd_op: datetime = Field(sa_type=UTCDateTime)
    ingetrokken_op: datetime | None = Field(default=None, sa_type=UTCDateTime)
