"""Tables of the casus: the casus itself, its participants over time, its persons and meldingen, and its history.

The history table is for reading; the verstrekkingenlog holds the same events (without the free-text reasons,
of which it keeps a hash), so no one can change a casus's history unnoticed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.kit.tables import UTCDateTime

_ID = BigInteger().with_variant(Integer(), "sqlite")


class CasusType(StrEnum):
    PGA = "pga"
    """Persoonsgerichte aanpak."""
    TOP_X = "top-x"
    HUISVERBOD = "huisverbod-monitoring"
    NAZORG = "nazorg"
    """Nazorg ex-gedetineerden."""
    RADICALISERING = "radicalisering"


class Fase(StrEnum):
    AANMELDING = "aanmelding"
    TRIAGE = "triage"
    PLAN_VAN_AANPAK = "plan-van-aanpak"
    AFSCHALING = "afschaling"
    GESLOTEN = "gesloten"


class Casus(SQLModel, table=True):
    __tablename__ = "casus"

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    type: CasusType = Field(sa_type=String(32))
    fase: Fase = Field(sa_type=String(32), index=True)
    zvh: str = Field(sa_column=Column(String(64), ForeignKey("partner.id"), nullable=False, index=True))
    """The Zorg- en Veiligheidshuis that runs it."""
    geopend_door: str = Field(max_length=64)
    geopend_op: datetime = Field(sa_type=UTCDateTime)
    gesloten_op: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    """When it was scaled down (afschaling) or closed, whichever came first: nothing is disclosed in it after,
    and retention runs from here."""
    top_x_tot: date | None = Field(default=None)
    """A Top X casus: the last day its weegtafel decision holds; requalified, it moves on; lapsed, it is cleared."""
    monitoring_tot: date | None = Field(default=None)
    """A huisverbod-monitoring casus: the last day it may run (the huisverbod's end plus the agreed term)."""


class CasusDeelnemer(SQLModel, table=True):
    """A partner at the table of a casus, from `sinds` until `tot` (removed, with a reason)."""

    __tablename__ = "casus_deelnemer"

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    casus_id: int = Field(sa_column=Column(_ID, ForeignKey("casus.id"), nullable=False, index=True))
    partner_id: str = Field(sa_column=Column(String(64), ForeignKey("partner.id"), nullable=False))
    sinds: datetime = Field(sa_type=UTCDateTime)
    tot: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CasusPersoon(SQLModel, table=True):
    """A person the casus is about, by the vault's id (which erasure makes unresolvable)."""

    __tablename__ = "casus_persoon"
    __table_args__ = (UniqueConstraint("casus_id", "person_id"),)

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    casus_id: int = Field(sa_column=Column(_ID, ForeignKey("casus.id"), nullable=False, index=True))
    person_id: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    sinds: datetime = Field(sa_type=UTCDateTime)


class CasusMelding(SQLModel, table=True):
    __tablename__ = "casus_melding"
    __table_args__ = (UniqueConstraint("casus_id", "melding_id"),)

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    casus_id: int = Field(sa_column=Column(_ID, ForeignKey("casus.id"), nullable=False, index=True))
    melding_id: str = Field(sa_column=Column(String(32), ForeignKey("melding.id"), nullable=False, index=True))
    sinds: datetime = Field(sa_type=UTCDateTime)


class CasusGebeurtenis(SQLModel, table=True):
    """One step in a casus's history: opened, stage changed, participant added or removed, person or melding
    linked; who, when, why, and the position of its entry in the verstrekkingenlog."""

    __tablename__ = "casus_gebeurtenis"

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    casus_id: int = Field(sa_column=Column(_ID, ForeignKey("casus.id"), nullable=False, index=True))
    soort: str = Field(max_length=32)
    door: str = Field(max_length=64)
    op: datetime = Field(sa_type=UTCDateTime)
    reden: str = Field(max_length=1000)
    details: str = Field(default="", max_length=200)
    """What changed, in codes: `triage -> plan-van-aanpak`, a partner id, a melding id."""
    positie: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Informeren(StrEnum):
    """Whether the persons of a casus were told that the ZVH processes their data (AVG art. 13/14), or not yet, on
    a ground of AVG art. 23 (in the Netherlands UAVG art. 41)."""

    GEINFORMEERD = "geinformeerd"
    NIET_GEINFORMEERD = "niet-geinformeerd"


class Beperkingsgrond(StrEnum):
    """The grounds of AVG art. 23 lid 1 for not informing (yet), by their letter."""

    A = "a"
    """De nationale veiligheid."""
    B = "b"
    """De landsverdediging."""
    C = "c"
    """De openbare veiligheid."""
    D = "d"
    """Het voorkomen, onderzoeken, opsporen en vervolgen van strafbare feiten, of de tenuitvoerlegging van straffen."""
    E = "e"
    """Andere belangrijke doelstellingen van algemeen belang."""
    F = "f"
    """De bescherming van de onafhankelijkheid van de rechter en van gerechtelijke procedures."""
    G = "g"
    """Het voorkomen en vervolgen van schendingen van de beroepscodes voor gereglementeerde beroepen."""
    H = "h"
    """Toezicht, inspectie of regelgeving in verband met c tot en met g."""
    I = "i"  # noqa: E741 - the article's own letter
    """De bescherming van de betrokkene of van de rechten en vrijheden van anderen."""
    J = "j"
    """De inning van civielrechtelijke vorderingen."""


GRONDEN: dict[str, str] = {
    "a": "de nationale veiligheid",
    "b": "de landsverdediging",
    "c": "de openbare veiligheid",
    "d": "het voorkomen, onderzoeken, opsporen en vervolgen van strafbare feiten of het uitvoeren van straffen",
    "e": "andere belangrijke doelstellingen van algemeen belang",
    "f": "de onafhankelijkheid van de rechter en gerechtelijke procedures",
    "g": "het voorkomen en vervolgen van schendingen van beroepscodes",
    "h": "toezicht, inspectie of regelgeving voor c tot en met g",
    "i": "de bescherming van de betrokkene of van de rechten en vrijheden van anderen",
    "j": "de inning van civielrechtelijke vorderingen",
}
"""The grounds of AVG art. 23 lid 1 in words, by letter."""


class CasusInformering(SQLModel, table=True):
    """A decision on informing the persons of a casus: informed on `datum` under AVG art. 13 or 14; or not
    (yet), on a ground of art. 23 lid 1, to be reviewed by `herbeoordeling`. The newest one holds."""

    __tablename__ = "casus_informering"

    id: int | None = Field(default=None, sa_column=Column(_ID, primary_key=True, autoincrement=True))
    casus_id: int = Field(sa_column=Column(_ID, ForeignKey("casus.id"), nullable=False, index=True))
    besluit: Informeren = Field(sa_type=String(24))
    artikel: str = Field(max_length=4)
    """`13`, `14` (informed) or `23` (not informed)."""
    datum: date
    """The day they were informed, or the day it was decided not to inform them (yet)."""
    grond: Beperkingsgrond | None = Field(default=None, sa_type=String(2))
    herbeoordeling: date | None = Field(default=None, index=True)
    """Not informed: the day the restriction must be reviewed by."""
    door: str = Field(max_length=64)
    op: datetime = Field(sa_type=UTCDateTime)
    positie: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
