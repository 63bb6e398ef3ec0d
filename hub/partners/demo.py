"""The demo partnership of the sample convenant "Zuid-Limburg": invented OINs, locally generated keys.

Development only: `schakel serve --demo` refuses to run in production, and production refuses demo keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from hub.config import Settings
from hub.errors import SchakelError
from hub.keys.service import demo_key
from hub.kit.canonical import content_hash
from hub.kit.clock import utcnow
from hub.partners import repository, service
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PartnerUpdate, PrincipalCreate
from hub.policy import repository as policy_repository
from hub.policy import service as policy_service
from hub.policy.convenant.format import load_directory, source_to_data
from hub.policy.runtime import PolicyRuntime
from hub.policy.service import Officer


@dataclass(frozen=True)
class DemoPrincipal:
    id: str
    soort: PrincipalSoort
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class DemoPartner:
    id: str
    naam: str
    soort: PartnerSoort
    oin: str
    principals: tuple[DemoPrincipal, ...]


def _system(partner_id: str) -> DemoPrincipal:
    return DemoPrincipal(f"{partner_id}-systeem", PrincipalSoort.SYSTEEM, (Role.PARTNER,))


def _partner(n: int, partner_id: str, naam: str, soort: PartnerSoort, *extra: DemoPrincipal) -> DemoPartner:
    # OINs of the form 000000990000000000NN are invented for the demo and belong to no real organisation.
    return DemoPartner(partner_id, naam, soort, f"0000009900000000{n:04d}", (_system(partner_id), *extra))


DEMO_PARTNERS: tuple[DemoPartner, ...] = (
    _partner(
        1,
        "zvh-zuid-limburg",
        "Zorg- en Veiligheidshuis Zuid-Limburg (demo)",
        PartnerSoort.ZVH,
        DemoPrincipal("zvh-zuid-limburg-beheer", PrincipalSoort.PERSOON, (Role.OPERATOR,)),
        DemoPrincipal("zvh-zuid-limburg-fg", PrincipalSoort.PERSOON, (Role.PRIVACY_OFFICER,)),
        DemoPrincipal("zvh-zuid-limburg-dpia", PrincipalSoort.PERSOON, (Role.DPIA_REVIEWER,)),
        DemoPrincipal("zvh-zuid-limburg-regie", PrincipalSoort.PERSOON, (Role.PROCESREGISSEUR,)),
    ),
    _partner(2, "politie-limburg", "Politie eenheid Limburg (demo)", PartnerSoort.POLITIE),
    _partner(
        3,
        "via-zuid-limburg",
        "VIA Zuid-Limburg (demo)",
        PartnerSoort.VIA,
        DemoPrincipal("via-zuid-limburg-fg", PrincipalSoort.PERSOON, (Role.PRIVACY_OFFICER,)),
    ),
    _partner(4, "veilig-thuis-zuid-limburg", "Veilig Thuis Zuid-Limburg (demo)", PartnerSoort.VEILIG_THUIS),
    _partner(
        5,
        "gemeente-maastricht",
        "Gemeente Maastricht (demo)",
        PartnerSoort.GEMEENTE,
        DemoPrincipal("gemeente-maastricht-fg", PrincipalSoort.PERSOON, (Role.PRIVACY_OFFICER,)),
    ),
    _partner(6, "gemeente-heerlen", "Gemeente Heerlen (demo)", PartnerSoort.GEMEENTE),
    _partner(7, "dji-pi-limburg", "DJI Penitentiaire Inrichting Limburg (demo)", PartnerSoort.DJI),
    _partner(8, "amw-zuid-limburg", "Algemeen Maatschappelijk Werk Zuid-Limburg (demo)", PartnerSoort.AMW),
    _partner(9, "cjg-zuid-limburg", "Centrum voor Jeugd en Gezin Zuid-Limburg (demo)", PartnerSoort.CJG),
    _partner(10, "bkr", "Bureau Krediet Registratie (demo)", PartnerSoort.BKR),
    _partner(11, "woningcorporatie-maasdal", "Woningcorporatie Maasdal (demo)", PartnerSoort.WONINGCORPORATIE),
    _partner(12, "reclassering-limburg", "Reclassering Limburg (demo)", PartnerSoort.RECLASSERING),
    _partner(13, "kredietbank-limburg", "Kredietbank Limburg, vroegsignaleringsteam (demo)", PartnerSoort.KREDIETBANK),
    _partner(14, "trajekt", "Trajekt, vroegsignaleringsteam (demo)", PartnerSoort.WELZIJN),
)
"""The demo's partners; each serves the werkgebied the sample convenant declares for it."""


_SHIPPED = Path(__file__).resolve().parents[1] / "voorbeeldconvenant" / "zuid-limburg"
_CHECKOUT = Path(__file__).resolve().parents[2] / "policies" / "zuid-limburg"
SAMPLE_CONVENANT = _SHIPPED if _SHIPPED.is_dir() else _CHECKOUT
"""The sample convenant: shipped inside an installed package (hub/voorbeeldconvenant), or beside the package in
the checkout; found wherever the hub is started from."""
PROPOSER = Officer(principal_id="zvh-zuid-limburg-fg", partner_id="zvh-zuid-limburg")
APPROVER = Officer(principal_id="gemeente-maastricht-fg", partner_id="gemeente-maastricht")


def seed_convenant(session: Session, directory: Path = SAMPLE_CONVENANT) -> str:
    """Put the sample convenant through the real lifecycle (proposed by one demo privacy officer, approved by
    another) unless that exact version exists. Returns what was done, for the operator."""
    if not directory.is_dir():
        return f"no sample convenant at {directory}; the hub has no sharing rules until one is approved"
    source = load_directory(directory)
    digest = content_hash(policy_service.HASH_DOMAIN, source_to_data(source))
    if policy_repository.version_by_hash(session, digest) is not None:
        return f"sample convenant {source.convenant.versie} is registered already"
    now = utcnow()
    version, _ = policy_service.propose(
        session, PROPOSER, source_to_data(source), "Voorbeeldconvenant Zuid-Limburg (demo)", now
    )
    try:
        policy_service.approve(
            session, PolicyRuntime(), APPROVER, version.id or 0, active_from=now, now=now, warnings_seen=True
        )  # the demo's officers: the warnings are the sample's own te_bevestigen marks
    except SchakelError as exc:
        # An upgraded hub keeps the convenant it has in force: the new sample waits for its four eyes, as any
        # proposal would (e.g. when the change needs the approval of a verstrekker it affects).
        return (
            f"sample convenant {source.convenant.versie} is proposed as version {version.id}; the version in force "
            f"stays until two privacy officers approve it on /beheer/convenant ({exc.code})"
        )
    return f"sample convenant {source.convenant.versie} is version {version.id}, active now"


def demo_werkgebieden(directory: Path = SAMPLE_CONVENANT) -> dict[str, list[str]]:
    """The werkgebied of each demo partner, as the sample convenant declares it."""
    source = load_directory(directory)
    return {d.partner: list(d.werkgebied or ()) for d in source.convenant.deelnemers}


def seed(session: Session, actor: str, keys_dir: Path, directory: Path = SAMPLE_CONVENANT) -> int:
    """Register the demo partners, principals and keys that are not there yet. Returns how many were added."""
    added = 0
    werkgebieden = demo_werkgebieden(directory)
    for partner in DEMO_PARTNERS:
        existing = repository.get_partner(session, partner.id)
        if existing is not None and not existing.werkgebied:
            # Registered before partners had a werkgebied (schema 0007): the demo gives it the sample's.
            service.update_partner(session, actor, partner.id, PartnerUpdate(werkgebied=werkgebieden[partner.id]))
            added += 1
        if existing is None:
            service.create_partner(
                session,
                actor,
                PartnerCreate(
                    id=partner.id,
                    naam=partner.naam,
                    soort=partner.soort,
                    oin=partner.oin,
                    delivery_mode=DeliveryMode.INBOX,
                    werkgebied=werkgebieden[partner.id],
                ),
            )
            added += 1
        for principal in partner.principals:
            if repository.get_principal(session, principal.id) is None:
                service.create_principal(
                    session,
                    actor,
                    PrincipalCreate(
                        id=principal.id, partner_id=partner.id, soort=principal.soort, roles=list(principal.roles)
                    ),
                )
                added += 1
            key = demo_key(keys_dir, principal.id)
            if repository.get_key(session, key.kid) is None:
                service.add_key(session, actor, principal.id, KeyCreate(jwk=key.public_jwk()))
                added += 1
    return added


DEMO_PEOPLE = (
    ("zvh-zuid-limburg-fg", "privacy officer van het ZVH"),
    ("gemeente-maastricht-fg", "privacy officer van de gemeente Maastricht"),
    ("via-zuid-limburg-fg", "privacy officer van VIA"),
    ("zvh-zuid-limburg-dpia", "DPIA-reviewer"),
    ("zvh-zuid-limburg-beheer", "beheerder"),
    ("zvh-zuid-limburg-regie", "procesregisseur"),
)


def enrolment_links(session: Session, actor: str, settings: Settings) -> list[tuple[str, str]]:
    """A fresh one-time enrolment link for each of the demo's people: (who, link)."""
    from hub.web import service as web  # noqa: PLC0415 - the demo only

    now = utcnow()
    return [
        (
            f"{principal_id} ({role})",
            web.enrolment_url(settings, web.create_enrolment(session, actor, who, settings, now)),
        )
        for who, role in DEMO_PEOPLE
        for principal_id in (who,)
    ]


VOORBEELDMELDINGEN = Path(__file__).resolve().parent / "voorbeeldmeldingen"
"""One invented melding per berichttype (invented people, BSNs that pass the 11-proef but belong to no one)."""
DEMO_TRAFFIC = (
    ("politie-limburg", "e33-verward-gedrag"),
    ("politie-limburg", "zorgmelding"),
    ("gemeente-maastricht", "huisverbod"),
    ("dji-pi-limburg", "detentiemelding"),
    ("bkr", "betalingsachterstand"),
    ("woningcorporatie-maasdal", "huurachterstand"),
)
DEMO_BSN = "762621606"
"""Teun van Verzonnen, of the E33 sample: whom to look up in the demo's inzage."""


def sample_melding(berichttype: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((VOORBEELDMELDINGEN / f"{berichttype}.json").read_text(encoding="utf-8"))
    return data


def send_traffic(url: str, keys_dir: Path) -> int:
    """Send the demo's sample meldingen to the running hub at `url`, signed by each sender's demo key, as a
    partner's system would. Returns how many were accepted."""
    from connectors import HubClient, SigningKey  # noqa: PLC0415 - the demo only

    sent = 0
    for sender, berichttype in DEMO_TRAFFIC:
        key = SigningKey.load(keys_dir / "demo" / f"{sender}-systeem.private.jwk")
        with HubClient(url, partner_id=sender, principal_id=f"{sender}-systeem", key=key) as client:
            client.submit_melding({"berichttype": berichttype, "inhoud": sample_melding(berichttype)})
            sent += 1
    return sent
