"""Witnesses of the verstrekkingenlog on 127.0.0.1 (connectors' `schakel-witness`), as fixtures for every test
package (registered in tests/conftest.py): the ledger's own tests and the backup's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors._witness import Witness, WitnessApp
from connectors.tlog import NOTE_ED25519, VerifierKey
from hub.keys.keyring import HubKeyring
from hub.ledger.witnesses import WitnessConfig
from tests.server import Restartable

ORIGIN = "schakel.example/verstrekkingenlog"


class WitnessServer(Restartable):
    """A witness's HTTP side on 127.0.0.1, that can be stopped and started on the same port."""

    def __init__(self, name: str, state: Path, hub_key: Ed25519PrivateKey) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.witness = Witness(name, self.key, [VerifierKey(ORIGIN, NOTE_ED25519, hub_key.public_key())], state)
        super().__init__(WitnessApp(self.witness))

    @property
    def config(self) -> WitnessConfig:
        return WitnessConfig(f"http://127.0.0.1:{self.port}", self.witness.verifier_key)


@pytest.fixture
def hub_key(keys_dir: Path) -> Ed25519PrivateKey:
    return HubKeyring(keys_dir).ed25519_key()


@pytest.fixture
def witnesses(tmp_path: Path, hub_key: Ed25519PrivateKey) -> Iterator[list[WitnessServer]]:
    made = [
        WitnessServer("getuige.zvh-noord.example/w1", tmp_path / "w1.json", hub_key),
        WitnessServer("getuige.ap.example/w2", tmp_path / "w2.json", hub_key),
    ]
    for server in made:
        server.start()
    yield made
    for server in made:
        server.close()
