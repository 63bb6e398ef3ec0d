"""The kinds and states of partners and principals, and the roles: plain enums, light to import (the command line
uses them in its options)."""

from __future__ import annotations

from enum import StrEnum


class PartnerSoort(StrEnum):
    """The kind of organisation; rules of the convenant can name a soort instead of one partner."""

    POLITIE = "politie"
    VIA = "via"
    VEILIG_THUIS = "veilig_thuis"
    GEMEENTE = "gemeente"
    ZVH = "zvh"
    DJI = "dji"
    RECLASSERING = "reclassering"
    OM = "om"
    GGZ = "ggz"
    AMW = "amw"
    CJG = "cjg"
    WONINGCORPORATIE = "woningcorporatie"
    KREDIETBANK = "kredietbank"
    BKR = "bkr"
    WELZIJN = "welzijn"
    RAAD_KINDERBESCHERMING = "raad_kinderbescherming"
    JEUGDBESCHERMING = "jeugdbescherming"


class DeliveryMode(StrEnum):
    WEBHOOK = "webhook"
    INBOX = "inbox"


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Role(StrEnum):
    PARTNER = "partner"
    PRIVACY_OFFICER = "privacy_officer"
    DPIA_REVIEWER = "dpia_reviewer"
    OPERATOR = "operator"
    PROCESREGISSEUR = "procesregisseur"
    """A person of the ZVH who runs casussen (opens them, moves their stages, sets who is at the table)."""


class PrincipalSoort(StrEnum):
    SYSTEEM = "systeem"
    PERSOON = "persoon"


class PrincipalStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
