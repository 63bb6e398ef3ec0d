"""Two witnesses on 127.0.0.1 cosign the hub's checkpoints; one that was down catches up; a bundle verifies with
`--getuigen --minimaal 2` only when both cosigned. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from connectors.tlog import Checkpoint, VerifierKey, leaf_hash, root, sign, verifier_key
from hub.cli import app
from hub.db import Database
from hub.kit.canonical import canonical_json
from hub.ledger import repository, service
from hub.ledger.witnesses import CheckpointKeeper, Witnessing, load_witnesses
from tests.witnessing import ORIGIN, WitnessServer


def _append(database: Database, count: int) -> None:
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "verstrekking", "n": n} for n in range(count)], datetime.now(UTC))


def _witnessing(database: Database, hub_key: Ed25519PrivateKey, servers: list[WitnessServer]) -> Witnessing:
    return Witnessing(database, hub_key, (ORIGIN, "https://schakel.example"), [s.config for s in servers])


class TestWitnessing:
    def test_two_witnesses_cosign_and_one_that_was_down_catches_up(
        self, database: Database, hub_key: Ed25519PrivateKey, witnesses: list[WitnessServer]
    ) -> None:
        first, second = witnesses
        witnessing = _witnessing(database, hub_key, witnesses)
        _append(database, 5)
        assert witnessing.run_once() == {first.witness.name: True, second.witness.name: True}
        second.stop()
        _append(database, 3)
        assert witnessing.run_once() == {first.witness.name: True, second.witness.name: False}, "the hub goes on"
        second.start()
        _append(database, 2)
        assert witnessing.run_once() == {first.witness.name: True, second.witness.name: True}
        assert second.witness.latest(ORIGIN) is not None and second.witness.latest(ORIGIN)[0] == 10  # type: ignore[index]
        with database.unit_of_work() as session:
            latest = repository.latest_checkpoint(session)
            assert latest is not None
            rows = repository.cosignatures(session, [latest.id or 0])[latest.id or 0]
        assert sorted(r.getuige for r in rows) == sorted(w.witness.name for w in witnesses)
        witnessing.close()

    def test_a_witness_that_knows_a_later_size_is_answered_from_there(
        self, database: Database, hub_key: Ed25519PrivateKey, witnesses: list[WitnessServer]
    ) -> None:
        first = witnesses[0]
        witnessing = _witnessing(database, hub_key, [first])
        _append(database, 4)
        witnessing.run_once()
        with database.unit_of_work() as session:  # the hub forgets what it kept (e.g. restored from a backup)
            session.connection().exec_driver_sql("DELETE FROM ledger_cosignature")
        _append(database, 4)
        assert witnessing.run_once() == {first.witness.name: True}
        witnessing.close()

    def test_the_keeper_thread_signs_and_gets_cosignatures_by_itself(
        self, database: Database, hub_key: Ed25519PrivateKey, witnesses: list[WitnessServer]
    ) -> None:
        _append(database, 3)
        keeper = CheckpointKeeper(_witnessing(database, hub_key, witnesses), interval=0.05)
        keeper.start()
        try:
            deadline = time.monotonic() + 15
            while any(w.witness.latest(ORIGIN) is None for w in witnesses):
                assert time.monotonic() < deadline, "the keeper did not have the checkpoint cosigned"
                time.sleep(0.05)
        finally:
            keeper.stop()


class TestVerifyWithWitnesses:
    def test_verify_requires_the_cosignatures_asked_for(  # noqa: PLR0917 - fixtures
        self,
        database: Database,
        hub_key: Ed25519PrivateKey,
        witnesses: list[WitnessServer],
        cli_env: None,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("SCHAKEL_LOG_ORIGIN", ORIGIN)
        _append(database, 6)
        witnessing = _witnessing(database, hub_key, witnesses)
        witnessing.run_once()
        witnessing.close()
        runner = CliRunner()
        assert runner.invoke(app, ["ledger", "export", "--out", str(tmp_path / "b")]).exit_code == 0
        (tmp_path / "hub.vkey").write_text(verifier_key(ORIGIN, hub_key.public_key()) + "\n")
        both = "".join(w.witness.verifier_key.encode() + "\n" for w in witnesses)
        (tmp_path / "getuigen").write_text(both)
        stranger = VerifierKey("getuige.elders.example/w3", 0x04, Ed25519PrivateKey.generate().public_key())
        (tmp_path / "een-onbekend").write_text(witnesses[0].witness.verifier_key.encode() + "\n" + stranger.encode())
        base = ["ledger", "verify", str(tmp_path / "b"), "--sleutels", str(tmp_path / "hub.vkey")]

        ok = runner.invoke(app, [*base, "--getuigen", str(tmp_path / "getuigen"), "--minimaal", "2"])
        assert ok.exit_code == 0, ok.output
        assert "medeondertekend door 2 getuige(n)" in ok.stdout
        short = runner.invoke(app, [*base, "--getuigen", str(tmp_path / "een-onbekend"), "--minimaal", "2"])
        assert short.exit_code == 1 and "medeondertekend door 1 van de getuigen die u gaf" in short.stdout
        too_many = runner.invoke(app, [*base, "--getuigen", str(tmp_path / "getuigen"), "--minimaal", "3"])
        assert too_many.exit_code == 2 and "u vraagt 3" in too_many.stderr


class TestConfiguration:
    def test_the_witnesses_file_is_read_and_a_bad_line_named(self, tmp_path: Path) -> None:
        key = VerifierKey("getuige.example/w1", 0x04, Ed25519PrivateKey.generate().public_key())
        path = tmp_path / "getuigen"
        path.write_text(f"# een commentaar\nhttps://getuige.example {key.encode()}\n")
        (config,) = load_witnesses(path)
        assert (config.url, config.name) == ("https://getuige.example", "getuige.example/w1")
        path.write_text("https://getuige.example niet-een-sleutel\n")
        with pytest.raises(Exception, match="line 1"):
            load_witnesses(path)


class TestSplitView:
    def test_both_witnesses_refuse_a_second_history_of_the_same_size(
        self, database: Database, hub_key: Ed25519PrivateKey, witnesses: list[WitnessServer]
    ) -> None:
        _append(database, 6)
        witnessing = _witnessing(database, hub_key, witnesses)
        witnessing.run_once()
        witnessing.close()
        # The hub's operator signs another log of the same size (an altered entry) and shows it to the witnesses.
        forged = [leaf_hash(canonical_json({"n": n})) for n in range(6)]
        note = sign(Checkpoint(ORIGIN, 6, root(forged)).text(), ORIGIN, hub_key)
        for server in witnesses:
            answer = httpx.post(f"{server.config.url}/add-checkpoint", content=f"old 6\n\n{note}".encode())
            assert answer.status_code == 409 and "split view" in answer.text
            assert server.witness.latest(ORIGIN) is not None
