"""Helpers shared by the tests: test principals with real keys, and a registry to seed them into."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

import httpx

from connectors import HubClient, SigningKey
from hub.db import Database
from hub.partners import service
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PrincipalCreate
from hub.policy import service as policy
from hub.policy.convenant.format import PolicySource, source_to_data
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.runtime import PolicyRuntime
from hub.policy.service import Officer


@dataclass(frozen=True)
class Actor:
    partner_id: str
    principal_id: str
    key: SigningKey
    roles: tuple[Role, ...]

    def client(self, http: httpx.Client, key: SigningKey | None = None) -> HubClient:
        return HubClient(
            str(http.base_url),
            partner_id=self.partner_id,
            principal_id=self.principal_id,
            key=key or self.key,
            http=http,
        )


@dataclass(frozen=True)
class TestPartner:
    id: str
    soort: PartnerSoort
    oin: str


PARTNERS = (
    TestPartner("zvh-test", PartnerSoort.ZVH, "00000099000000000101"),
    TestPartner("politie-test", PartnerSoort.POLITIE, "00000099000000000102"),
    TestPartner("via-test", PartnerSoort.VIA, "00000099000000000103"),
)

# principal id -> (partner id, roles)
PRINCIPALS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "operator": ("zvh-test", (Role.OPERATOR,)),
    "privacy_officer": ("zvh-test", (Role.PRIVACY_OFFICER,)),
    "second_officer": ("politie-test", (Role.PRIVACY_OFFICER,)),
    "dpia_reviewer": ("zvh-test", (Role.DPIA_REVIEWER,)),
    "politie": ("politie-test", (Role.PARTNER,)),
    "via": ("via-test", (Role.PARTNER,)),
    "regisseur": ("zvh-test", (Role.PROCESREGISSEUR,)),
    "regisseur_elders": ("politie-test", (Role.PROCESREGISSEUR,)),
}


def seed_registry(database: Database, keys: dict[str, SigningKey]) -> dict[str, Actor]:
    """Register the test partners and principals, each principal with its key from `keys`."""
    actors: dict[str, Actor] = {}
    with database.unit_of_work() as session:
        for partner in PARTNERS:
            service.create_partner(
                session,
                "test",
                PartnerCreate(
                    id=partner.id,
                    naam=f"{partner.id} (test)",
                    soort=partner.soort,
                    oin=partner.oin,
                    delivery_mode=DeliveryMode.INBOX,
                    werkgebied=["GM0935"],
                ),
            )
        for name, (partner_id, roles) in PRINCIPALS.items():
            principal_id = f"{partner_id}-{name.replace('_', '-')}"
            service.create_principal(
                session,
                "test",
                PrincipalCreate(
                    id=principal_id, partner_id=partner_id, soort=PrincipalSoort.SYSTEEM, roles=list(roles)
                ),
            )
            service.add_key(session, "test", principal_id, KeyCreate(jwk=keys[name].public_jwk()))
            actors[name] = Actor(partner_id, principal_id, keys[name], roles)
    return actors


def activate_sample(
    database: Database, source: PolicySource, now: datetime, *, also: tuple[TestPartner, ...] = ()
) -> CompiledPolicy:
    """Make the sample convenant the active version (proposed and approved by two officers outside the tests'
    registry), and return it compiled as the hub will decide with it. `also`: test partners that take part too
    (their privacy officers may then act: only deelnemers may write)."""
    data = copy.deepcopy(source_to_data(source))
    data["convenant"]["goedkeuring"]["fg_van_betrokken_verstrekker"] = False
    data["convenant"]["deelnemers"] += [
        {"partner": p.id, "soort": str(p.soort), "werkgebied": ["GM0935"]} for p in also
    ]
    runtime = PolicyRuntime()
    with database.unit_of_work() as session:
        version, _ = policy.propose(session, Officer("fg-een", "elders"), data, "test", now)
        policy.approve(
            session,
            runtime,
            Officer("fg-twee", "elders"),
            version.id or 0,
            active_from=now,
            now=now,
            warnings_seen=True,
        )
        active = runtime.active(session, now)
    assert active is not None
    return active
