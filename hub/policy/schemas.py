"""Request and response models of /api/v1/beleid."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from hub.kit.api import MAX_ID, ApiModel, Day
from hub.kit.paging import Pagina
from hub.policy.analysis.simulate import Opname
from hub.policy.deciding.decision import Besluit
from hub.policy.deciding.explain import explain


class VersionOut(ApiModel):
    id: int
    convenant: str
    label: str
    content_hash: str
    toelichting: str
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    active_from: datetime | None
    status: str
    formaat: int = Field(description="The convenant format it was approved in; it is read under that format forever.")
    aandachtspunten: list[str] = Field(
        description="What today's format asks of a version of an older one, in Dutch; empty for today's format."
    )


class VersionDetail(VersionOut):
    bron: dict[str, Any]
    waarschuwingen: list[str]


class ProposalIn(ApiModel):
    bron: dict[str, Any] = Field(
        description="The convenant as data: {convenant, vocabulaires, berichttypes, verboden, regels: {file: ...}}."
    )
    toelichting: str = Field(min_length=1, max_length=2000, description="What changes and why.")


class ProposalOut(ApiModel):
    versie: VersionOut
    waarschuwingen: list[str]


class ApprovalIn(ApiModel):
    actief_vanaf: datetime | None = Field(default=None, description="When it becomes active; default: at once.")
    waarschuwingen_gezien: bool = Field(
        default=False,
        description=(
            "You read the version's warnings (e.g. article references a lawyer has not confirmed yet): required when "
            "it has any; the admin audit trail records that both officers saw them."
        ),
    )


class ScheduleIn(ApiModel):
    actief_vanaf: datetime


class DiffOut(ApiModel):
    van: int | None
    naar: int
    op: date
    regels: list[str]
    wijzigingen: list[dict[str, Any]]


class SimulationIn(ApiModel):
    versie: int = Field(ge=0, le=MAX_ID, description="The (proposed) version to try.")
    vergelijk_met: int | None = Field(default=None, ge=0, le=MAX_ID, description="Default: the active version.")
    verkeer: list[Opname] = Field(max_length=20_000, description="Recorded decision inputs (metadata only).")


class StroomWijziging(ApiModel):
    verstrekker: str
    ontvanger: str
    doel: str
    gewijzigd: int = Field(description="How many recorded inputs of this flow would be decided differently.")


class SimulationOut(ApiModel):
    totaal: int
    gewijzigd: int
    uitkomsten: dict[str, int]
    nu_verstrekt: dict[str, int]
    nu_achtergehouden: dict[str, int]
    voorbeelden: list[dict[str, Any]]
    per_stroom: list[StroomWijziging] = Field(description="What changes, per flow (verstrekker, ontvanger, doel).")
    regels: list[str]


class DecisionIn(ApiModel):
    verstrekker: str = Field(max_length=64)
    ontvanger: str = Field(max_length=64)
    doel: str = Field(max_length=64)
    berichttype: str = Field(max_length=64)
    categorieen: list[str] = Field(min_length=1, max_length=64)
    datum: Day | None = Field(default=None, description="Default: today (Dutch date).")
    toestemmingen: list[str] = Field(default_factory=list, max_length=64)
    versie: int | None = Field(default=None, ge=0, le=MAX_ID, description="Default: the active version.")
    gemeente: str | None = Field(
        default=None,
        pattern=r"^GM[0-9]{4}$",
        description=(
            "The CBS gemeentecode the melding would concern: the recipient's werkgebied is then applied, as for a "
            "real melding. Without it, only the rules are read."
        ),
    )


class GrantOut(ApiModel):
    regel: str
    grondslag: str
    bewaartermijn: str
    items: list[str] | None


class WithheldOut(ApiModel):
    reden: str
    verwijzing: str | None
    items: list[str] | None


class DecisionOut(ApiModel):
    uitkomst: str
    verstrekt: dict[str, GrantOut]
    achtergehouden: dict[str, WithheldOut]
    regels: list[str]
    grondslagen: list[str]
    doel: str
    verwerkingsactiviteit: str | None
    beleid_hash: str
    beleid_label: str
    uitleg: list[str]

    @classmethod
    def of(cls, besluit: Besluit) -> DecisionOut:
        return cls(
            uitkomst=str(besluit.uitkomst),
            verstrekt={
                c: GrantOut(
                    regel=g.regel,
                    grondslag=g.grondslag,
                    bewaartermijn=g.bewaartermijn,
                    items=sorted(g.items) if g.items is not None else None,
                )
                for c, g in besluit.verstrekt.items()
            },
            achtergehouden={
                c: WithheldOut(
                    reden=str(w.reden), verwijzing=w.verwijzing, items=sorted(w.items) if w.items is not None else None
                )
                for c, w in besluit.achtergehouden.items()
            },
            regels=list(besluit.regels),
            grondslagen=list(besluit.grondslagen),
            doel=besluit.doel,
            verwerkingsactiviteit=besluit.verwerkingsactiviteit,
            beleid_hash=besluit.beleid_hash,
            beleid_label=besluit.beleid_label,
            uitleg=explain(besluit),
        )


class EmergencyIn(ApiModel):
    categorieen: list[str] = Field(min_length=1, max_length=32)
    ontvangers: list[str] = Field(min_length=1, max_length=64, description="Partner ids, soorten, or `*`.")
    reden: str = Field(min_length=1, max_length=500, description="Why, without personal data.")


class EmergencyOut(ApiModel):
    id: int
    code: str
    categorieen: list[str]
    ontvangers: list[str]
    reden: str
    issued_by: str
    issued_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    lifted_by: str | None
    lifted_at: datetime | None
    status: str


class VersionPage(Pagina[VersionOut, int]):
    """Convenant versions, oldest first; the cursor is a version id."""


class EmergencyPage(Pagina[EmergencyOut, int]):
    """Emergency prohibitions, oldest first; the cursor is their id."""
