"""Health that tells the truth (#35, first part): `/api/v1/health` says `degraded`, with the reason, for each thing that
needs the operator, with the same limits as the alert rules; `ok` with no reasons otherwise."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from hub.config import Settings
from hub.db import Database
from hub.delivery.models import Levering, Soort, Status
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature
from hub.meldingen.models import Melding
from tests.policy.test_formaat import in_force


def _delivery(database: Database, status: Status, age: timedelta) -> None:
    """A delivery of an invented melding, made `age` ago, in `status` (no content: only its state counts)."""
    now, melding_id = utcnow(), secrets.token_hex(16)
    with database.unit_of_work() as session:
        session.add(
            Melding(
                id=melding_id, verstrekker="politie-test", berichttype="e33-verward-gedrag", berichttype_versie=1,
                spoed=False, request_digest="sha256:" + "0" * 64, status_code=201, receipt={}, ontvangen_op=now - age,
            )
        )  # fmt: skip
        session.flush()
        session.add(
            Levering(
                id=secrets.token_hex(16), soort=Soort.MELDING, melding_id=melding_id, ontvanger="via-test",
                doel="screening-verward-gedrag", besluit="permit", status=status, volgende_poging=now,
                toestemmingen=[], inhoud_digest="sha256:" + "0" * 64, aangemaakt_op=now - age,
            )
        )  # fmt: skip


def _checkpoint(database: Database, size: int, age: timedelta, cosigned_by: tuple[str, ...] = ()) -> None:
    with database.unit_of_work() as session:
        checkpoint = LedgerCheckpoint(size=size, root=bytes(32), note="-", signed_at=utcnow() - age)
        session.add(checkpoint)
        session.flush()
        for witness in cosigned_by:
            session.add(
                LedgerCosignature(
                    checkpoint_id=checkpoint.id or 0, getuige=witness, regel="-", tijdstip=0, ontvangen_op=utcnow()
                )
            )


def _reasons(http: httpx.Client) -> dict[str, str]:
    answer = http.get("/api/v1/health")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == ("degraded" if body["redenen"] else "ok")
    return {r["code"]: r["detail"] for r in body["redenen"]}


class TestDegraded:
    def test_a_quiet_hub_is_ok(self, http: httpx.Client) -> None:
        assert _reasons(http) == {}

    def test_dead_letters(self, http: httpx.Client, database: Database) -> None:
        _delivery(database, Status.DOOD, timedelta(days=4))
        assert "1 levering is onbestelbaar" in _reasons(http)["onbestelbare-leveringen"]

    def test_a_delivery_waiting_over_six_hours(self, http: httpx.Client, database: Database) -> None:
        _delivery(database, Status.WACHTEND, timedelta(hours=5))
        assert _reasons(http) == {}, "five hours is within the limit"
        _delivery(database, Status.WACHTEND, timedelta(hours=7))
        assert "7 uur" in _reasons(http)["levering-wacht-lang"]

    def test_an_old_checkpoint(self, http: httpx.Client, database: Database) -> None:
        _checkpoint(database, 1, timedelta(hours=3))
        assert set(_reasons(http)) == {"controlepunt-oud"}

    def test_a_witness_behind(self, http: httpx.Client, database: Database) -> None:
        _checkpoint(database, 1, timedelta(hours=1, minutes=40), cosigned_by=("getuige.zvh-noord.example/w1",))
        _checkpoint(database, 2, timedelta(minutes=30))
        assert _reasons(http) == {}, "a witness gets an hour"
        _checkpoint(database, 3, timedelta(hours=1, minutes=10))  # not the newest by time, but by size
        reasons = _reasons(http)
        assert "getuige.zvh-noord.example/w1" in reasons["getuige-achter"]


class TestDisk:
    @pytest.fixture
    def settings(self, database_url: str, keys_dir: Path, public_url: str) -> Settings:
        """A hub that wants the whole disk free: any real disk is nearly full to it."""
        return Settings(database_url=database_url, keys_dir=keys_dir, public_url=public_url, health_disk_free_minimum=1)

    def test_a_nearly_full_disk(self, http: httpx.Client, database: Database) -> None:
        if database.backend != "sqlite":
            pytest.skip("on PostgreSQL the database server's own monitoring watches its disk")
        assert "MiB vrij" in _reasons(http)["schijf-bijna-vol"]

    def test_a_convenant_in_force_of_an_older_format(self, http: httpx.Client, database: Database) -> None:
        version = in_force(database, formaat=1)
        detail = _reasons(http)["convenant-oud-formaat"]
        assert f"Convenantversie {version} is goedgekeurd in formaat 1" in detail
        assert "schakel policy migreer" in detail
        metrics = http.get("/metrics").text
        assert "schakel_convenant_leesbaar 1.0" in metrics
        assert "schakel_convenant_formaat_achter 1.0" in metrics

    def test_a_convenant_in_force_the_hub_cannot_read(self, http: httpx.Client, database: Database) -> None:
        version = in_force(database, formaat=9)  # as a newer hub would have written it
        reasons = _reasons(http)
        assert f"convenantversie {version} (formaat 9)" in reasons["convenant-onleesbaar"]
        assert "convenant-oud-formaat" not in reasons
        assert "schakel_convenant_leesbaar 0.0" in http.get("/metrics").text

    def test_a_log_put_back_behind_what_a_witness_cosigned(self, http: httpx.Client, database: Database) -> None:
        with database.unit_of_work() as session:
            service.note_rolled_back(session, 5, 8, "getuige.ap.example/w2", utcnow())
        detail = _reasons(http)["log-teruggezet"]
        assert (
            "5 vastleggingen, maar getuige.ap.example/w2 kent een controlepunt van 8: 3 vastleggingen ontbreken"
            in detail
        )
        assert "schakel_verstrekkingenlog_teruggezet 1.0" in http.get("/metrics").text
