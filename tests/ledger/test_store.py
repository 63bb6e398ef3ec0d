"""The verstrekkingenlog store on both databases: concurrent appends, append-only rows, export and verification."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from connectors.tlog import open_note, parse_checkpoint
from hub.db import Database
from hub.ledger import repository, service
from hub.ledger.verify import Trust, verify_bundle

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ORIGIN = "schakel.example/verstrekkingenlog"


def _entry(writer: int, n: int) -> dict[str, object]:
    return {"soort": "verstrekking", "schrijver": writer, "n": n, "ontvanger": "via-zuid-limburg"}


class RolledBack(Exception):
    """Raised on purpose to roll a transaction back."""


class TestAppends:
    def test_sixteen_concurrent_writers_no_gaps_no_duplicates_nothing_lost(self, database: Database) -> None:
        acknowledged: dict[int, bytes] = {}
        lock, failures = threading.Lock(), []

        def writer(number: int) -> None:
            try:
                for n in range(12):
                    try:
                        with database.unit_of_work() as session:
                            positions = service.append(session, [_entry(number, n), _entry(number, n + 100)], NOW)
                            if n % 5 == 4:
                                raise RolledBack  # its positions must come back, leaving no gap
                        with lock:
                            for position, entry in zip(
                                positions, (_entry(number, n), _entry(number, n + 100)), strict=True
                            ):
                                acknowledged[position] = repr(entry).encode()
                    except RolledBack:
                        pass
            except Exception as exc:  # noqa: BLE001 - collected and reported by the test
                failures.append(exc)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with database.unit_of_work() as session:
            stored = list(repository.entries(session.connection(), 10_000))
            size = repository.size(session.connection())
        assert [seq for seq, _ in stored] == list(range(size)), "positions are 0..n-1: no gaps, no duplicates"
        assert size == len(acknowledged) == 16 * 10 * 2
        assert set(acknowledged) == set(range(size)), "every acknowledged entry is present"

    def test_entries_and_checkpoints_are_append_only(self, database: Database) -> None:
        with database.unit_of_work() as session:
            service.append(session, [_entry(0, 0)], NOW)
            service.sign_checkpoint(session, ORIGIN, Ed25519PrivateKey.generate(), NOW)
        for statement in (
            "UPDATE ledger_entry SET entry = entry",
            "DELETE FROM ledger_entry",
            "UPDATE ledger_checkpoint SET size = 7",
            "DELETE FROM ledger_checkpoint",
        ):
            with pytest.raises(sa.exc.DatabaseError), database.engine.begin() as connection:
                connection.execute(sa.text(statement))


class TestExportAndVerify:
    def test_a_bundle_verifies_offline_and_a_later_one_is_consistent_with_a_kept_checkpoint(
        self, database: Database, tmp_path: Path
    ) -> None:
        key = Ed25519PrivateKey.generate()
        jwks = [_jwk(key)]
        with database.unit_of_work() as session:
            service.append(session, [_entry(1, n) for n in range(5)], NOW)
            kept = service.sign_checkpoint(session, ORIGIN, key, NOW).note
            service.append(session, [_entry(2, n) for n in range(4)], NOW)
            service.sign_checkpoint(session, ORIGIN, key, NOW)
            assert service.export(session, tmp_path / "bundle", jwks) == 9
        verdict = verify_bundle(tmp_path / "bundle", Trust(ORIGIN, (key.public_key(),)), kept=kept)
        assert verdict.ok, verdict.problems
        assert verdict.size == 9
        assert parse_checkpoint(open_note(kept, ORIGIN, key.public_key())).size == 5


def _jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), "alg": "EdDSA"}
