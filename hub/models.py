"""Every table of the hub, imported in one place so the migrations see the whole schema."""

from __future__ import annotations

from sqlmodel import SQLModel

from hub.audit.models import AdminAuditEvent
from hub.auth.models import UsedToken
from hub.bekendheid.models import BekendSignaal
from hub.casus.models import Casus, CasusDeelnemer, CasusGebeurtenis, CasusInformering, CasusMelding, CasusPersoon
from hub.delivery.models import Levering
from hub.kit.generation import Generatie
from hub.ledger.models import (
    LedgerBetrokkene,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerTerugzetting,
)
from hub.meldingen.models import Melding
from hub.partners.models import Partner, Principal, PrincipalKey
from hub.policy.models import EmergencyProhibition, PolicyVersion
from hub.pseudonym.models import IssuedPseudonym, PrivacyRequest, VaultPerson
from hub.toestemming.models import Toestemming
from hub.web.models import Ceremony, Confirmation, Enrolment, Passkey, WebSession

metadata = SQLModel.metadata

__all__ = [
    "AdminAuditEvent",
    "BekendSignaal",
    "Casus",
    "CasusDeelnemer",
    "CasusGebeurtenis",
    "CasusInformering",
    "CasusMelding",
    "CasusPersoon",
    "Ceremony",
    "Confirmation",
    "EmergencyProhibition",
    "Enrolment",
    "Generatie",
    "IssuedPseudonym",
    "LedgerBetrokkene",
    "LedgerCheckpoint",
    "LedgerCosignature",
    "LedgerEntry",
    "LedgerHead",
    "LedgerNode",
    "LedgerTerugzetting",
    "Levering",
    "Melding",
    "Partner",
    "Passkey",
    "PolicyVersion",
    "Principal",
    "PrincipalKey",
    "PrivacyRequest",
    "Toestemming",
    "UsedToken",
    "VaultPerson",
    "WebSession",
    "metadata",
]
