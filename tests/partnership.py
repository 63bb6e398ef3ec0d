"""The sample partnership on a running hub: every deelnemer of the sample convenant registered with a real key,
the convenant active, and real webhook receivers (the connectors' `WebhookReceiver`) on 127.0.0.1. A pytest plugin
(tests/conftest.py loads it), so that the tests of every domain that needs a live partnership can use it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient, HubKeys, SigningKey, WebhookReceiver
from hub.db import Database
from hub.partners import service as partners
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PartnerUpdate, PrincipalCreate
from hub.policy import service as policy_service
from hub.policy.convenant.format import PolicySource
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.runtime import PolicyRuntime
from hub.policy.service import Officer
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import Vault
from tests.server import Restartable, free_socket
from tests.support import activate_sample

ASSETS = Path(__file__).resolve().parents[1] / "hub" / "partners" / "voorbeeldmeldingen"
WEBHOOK_PARTNERS = ("via-zuid-limburg", "veilig-thuis-zuid-limburg")


def sample_melding(berichttype: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ASSETS / f"{berichttype}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def partner_keys(sample_source: PolicySource) -> dict[str, SigningKey]:
    return {d.partner: SigningKey.generate() for d in sample_source.convenant.deelnemers}


class Receiver(Restartable):
    """A partner's webhook receiver (the connectors' `WebhookReceiver`) on 127.0.0.1, that can be taken down and
    brought back on the same port."""

    def __init__(self, partner_id: str, public_url: str, hub_keys: HubKeys, client: HubClient) -> None:
        self.partner_id = partner_id
        self.received: list[dict[str, Any]] = []
        super().__init__(None)
        self.app = WebhookReceiver(
            partner_id=partner_id,
            url=self.url,
            hub_issuer=public_url,
            hub_keys=hub_keys,
            handle=self.received.append,
            hub=client,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/schakel"


@dataclass
class Partnership:
    policy: CompiledPolicy
    keys: dict[str, SigningKey]
    http: httpx.Client
    receivers: dict[str, Receiver]
    database: Database

    def client(self, partner_id: str) -> HubClient:
        return HubClient(
            str(self.http.base_url),
            partner_id=partner_id,
            principal_id=f"{partner_id}-systeem",
            key=self.keys[partner_id],
            http=self.http,
        )


def register(
    database: Database,
    keys: dict[str, SigningKey],
    webhooks: dict[str, str],
    soorten: dict[str, str],
    werkgebieden: dict[str, list[str]],
) -> None:
    with database.unit_of_work() as session:
        for n, (partner_id, key) in enumerate(sorted(keys.items())):
            webhook = webhooks.get(partner_id)
            partners.create_partner(
                session,
                "test",
                PartnerCreate(
                    id=partner_id,
                    naam=partner_id.replace("-", " ").title(),
                    soort=PartnerSoort(soorten[partner_id]),
                    oin=f"000000990000000003{n:02d}",
                    delivery_mode=DeliveryMode.WEBHOOK if webhook else DeliveryMode.INBOX,
                    webhook_url=webhook,
                    werkgebied=werkgebieden[partner_id],
                ),
            )
            principal = f"{partner_id}-systeem"
            partners.create_principal(
                session,
                "test",
                PrincipalCreate(
                    id=principal, partner_id=partner_id, soort=PrincipalSoort.SYSTEEM, roles=[Role.PARTNER]
                ),
            )
            partners.add_key(session, "test", principal, KeyCreate(jwk=key.public_jwk()))


@contextmanager
def receivers_for(public_url: str, keys: dict[str, SigningKey], http: httpx.Client) -> Iterator[dict[str, Receiver]]:
    made: dict[str, Receiver] = {}
    clients: list[HubClient] = []
    hub_keys = HubKeys(public_url, http=http, min_refresh_seconds=0)
    for partner_id in WEBHOOK_PARTNERS:
        client = HubClient(
            public_url, partner_id=partner_id, principal_id=f"{partner_id}-systeem", key=keys[partner_id]
        )
        clients.append(client)
        made[partner_id] = Receiver(partner_id, public_url, hub_keys, client)
    try:
        yield made
    finally:
        for receiver in made.values():
            receiver.close()
        for client in clients:
            client.close()


@pytest.fixture
def partnership(
    database: Database,
    sample_source: PolicySource,
    partner_keys: dict[str, SigningKey],
    public_url: str,
    http: httpx.Client,
) -> Iterator[Partnership]:
    soorten = {d.partner: d.soort for d in sample_source.convenant.deelnemers}
    werkgebieden = {d.partner: list(d.werkgebied or ()) for d in sample_source.convenant.deelnemers}
    with receivers_for(public_url, partner_keys, http) as receivers:
        register(database, partner_keys, {p: r.url for p, r in receivers.items()}, soorten, werkgebieden)
        policy = activate_sample(database, sample_source, datetime.now(UTC))
        for receiver in receivers.values():
            receiver.start()
        yield Partnership(policy, partner_keys, http, receivers, database)


def forbid_identity(database: Database, ontvangers: list[str]) -> None:
    """An emergency prohibition: these recipients (partner ids or soorten) may no longer learn who anyone is; it
    applies at once, so they receive their own pseudonym for each person instead."""
    with database.unit_of_work() as session:
        policy_service.issue_emergency(
            session,
            PolicyRuntime(),
            Officer("fg-nood", "elders"),
            categorieen=["identificatie"],
            ontvangers=ontvangers,
            reden="test: identiteit tijdelijk niet delen",
            now=datetime.now(UTC),
        )


def wait_for(condition: Any, seconds: float = 15.0) -> None:
    """Poll until `condition()` is true (deliveries are asynchronous); fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the hub"
        time.sleep(0.05)


def person_client(partnership: Partnership, partner_id: str, principal_id: str, role: Role) -> HubClient:
    """A new principal of `partner_id` with one role and a fresh key, and a client that signs as them."""
    key = SigningKey.generate()
    with partnership.database.unit_of_work() as session:
        partners.create_principal(
            session,
            "test",
            PrincipalCreate(id=principal_id, partner_id=partner_id, soort=PrincipalSoort.PERSOON, roles=[role]),
        )
        partners.add_key(session, "test", principal_id, KeyCreate(jwk=key.public_jwk()))
    return HubClient(
        str(partnership.http.base_url), partner_id=partner_id, principal_id=principal_id, key=key, http=partnership.http
    )


@pytest.fixture
def actors_for_partnership(partnership: Partnership) -> dict[str, HubClient]:
    """Two privacy officers (of the ZVH and of a gemeente), for four-eyes requests."""
    officers = {"asker": ("zvh-zuid-limburg", "zvh-fg"), "approver": ("gemeente-maastricht", "gemeente-fg")}
    return {
        name: person_client(partnership, partner_id, principal, Role.PRIVACY_OFFICER)
        for name, (partner_id, principal) in officers.items()
    }


@pytest.fixture
def vault(keys_dir: Path) -> Vault:
    """The hub's vault, for running a retention round in the test's process."""
    privacy = PrivacySecrets(keys_dir)
    return Vault(privacy.pseudonyms(), privacy.kek())


@pytest.fixture
def regie(partnership: Partnership) -> HubClient:
    """A procesregisseur of the ZVH of the sample convenant."""
    return person_client(partnership, "zvh-zuid-limburg", "zvh-regie", Role.PROCESREGISSEUR)


@contextmanager
def unreachable(database: Database, partner_id: str) -> Iterator[None]:
    """`partner_id` takes its deliveries by webhook at a port that is bound but never listens (held for the block,
    so no other test can take it): every push is refused, and a delivery becomes a dead letter once it is old."""
    with free_socket() as closed:
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/schakel"
        with database.unit_of_work() as session:
            partners.update_partner(
                session, "test", partner_id, PartnerUpdate(delivery_mode=DeliveryMode.WEBHOOK, webhook_url=url)
            )
        yield


def levering_status(database: Database, levering_id: str) -> str:
    with database.engine.connect() as connection:
        status = connection.execute(sa.text("SELECT status FROM levering WHERE id = :id"), {"id": levering_id})
        return str(status.scalar_one())


def dead_letter(database: Database, levering_id: str) -> None:
    """Let four days pass for `levering_id` (past the maximum age) and wait until the hub's own worker, failing to
    push it once more, makes it a dead letter."""
    with database.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE levering SET aangemaakt_op = :t WHERE id = :id"),
            {"t": datetime.now(UTC) - timedelta(days=4), "id": levering_id},
        )
    wait_for(lambda: levering_status(database, levering_id) == "dood")
