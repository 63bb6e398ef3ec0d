"""Delivery: a receiver that is down gets everything once it is back; dead letters and re-drive; spoed first;
several workers on PostgreSQL never deliver twice."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from hub.db import Database
from hub.delivery import repository
from hub.delivery.worker import DeliveryWorker, Policy
from hub.keys.keyring import HubKeyring
from hub.state import state_of
from tests.partnership import Partnership, sample_melding, wait_for
from tests.support import Actor


def _e33(partnership: Partnership, **extra: Any) -> dict[str, Any]:
    body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag"), **extra}
    receipt: dict[str, Any] = partnership.client("politie-limburg").post("/api/v1/meldingen", body)
    return receipt


def _status(database: Database, levering_id: str) -> tuple[str, int]:
    with database.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT status, pogingen FROM levering WHERE id = :id"), {"id": levering_id}
        ).one()
    return str(row[0]), int(row[1])


class TestRetries:
    def test_a_receiver_that_is_down_gets_everything_once_it_is_back(
        self, partnership: Partnership, database: Database
    ) -> None:
        via = partnership.receivers["via-zuid-limburg"]
        via.stop()
        ids = [_e33(partnership)["ontvangers"][0]["leveringId"] for _ in range(3)]
        wait_for(lambda: all(_status(database, i)[1] >= 2 for i in ids))
        assert all(_status(database, i)[0] == "wachtend" for i in ids), "retried, not given up"
        via.start()
        wait_for(lambda: {e["leveringId"] for e in via.received} == set(ids))
        wait_for(lambda: all(_status(database, i)[0] == "bevestigd" for i in ids))
        assert len(via.received) == 3, "each once"


class TestDeadLetters:
    def test_past_the_maximum_age_a_delivery_is_a_dead_letter_that_an_operator_re_drives(
        self, partnership: Partnership, database: Database, app: FastAPI, actors: dict[str, Actor]
    ) -> None:
        via = partnership.receivers["via-zuid-limburg"]
        via.stop()
        levering_id = _e33(partnership)["ontvangers"][0]["leveringId"]
        with database.engine.begin() as connection:  # four days pass
            connection.execute(
                sa.text("UPDATE levering SET aangemaakt_op = :t WHERE id = :id"),
                {"t": datetime.now(UTC) - timedelta(days=4), "id": levering_id},
            )
        wait_for(lambda: _status(database, levering_id)[0] == "dood")
        operator = actors["operator"].client(partnership.http)
        dead = operator.get("/api/v1/leveringen/dood")["items"]
        assert [d["id"] for d in dead] == [levering_id]
        assert dead[0]["laatsteFout"].startswith("connect")
        via.start()
        assert operator.post(f"/api/v1/leveringen/{levering_id}/herstart", {})["status"] == "wachtend"
        wait_for(lambda: _status(database, levering_id)[0] == "bevestigd")
        assert [e["leveringId"] for e in via.received] == [levering_id]
        again = operator.send("POST", f"/api/v1/leveringen/{levering_id}/herstart")
        assert (again.status_code, again.json()["code"]) == (409, "not-dead")


class _Undone(Exception):
    """Raised to roll a unit of work back."""


class TestPriority:
    def test_spoed_meldingen_are_claimed_first(self, partnership: Partnership, database: Database) -> None:
        partnership.receivers["via-zuid-limburg"].stop()
        normal = [_e33(partnership)["ontvangers"][0]["leveringId"] for _ in range(3)]
        spoed = _e33(partnership, spoed=True)["ontvangers"][0]["leveringId"]
        # Claim as a worker would in ten minutes, when every retry is due and every lease the hub's own worker
        # holds now has run out: the order is then the priority's alone.
        # On PostgreSQL a row the hub's worker has locked at that instant is skipped (SKIP LOCKED): claim again,
        # and roll back, until all four are free at once.
        later = datetime.now(UTC) + timedelta(minutes=10)
        claimed: list[str] = []
        for _ in range(200):
            with contextlib.suppress(_Undone), database.unit_of_work() as session:
                claimed = [c.id for c in repository.claim_due(session, later, later + timedelta(minutes=1), 10)]
                raise _Undone
            if len(claimed) == 4:
                break
            time.sleep(0.02)
        assert claimed[:1] == [spoed]
        assert set(claimed[1:]) == set(normal)


@pytest.mark.postgresql
class TestSeveralWorkers:
    def test_two_workers_on_postgresql_never_deliver_twice(
        self, partnership: Partnership, database: Database, app: FastAPI
    ) -> None:
        if database.backend != "postgresql":
            pytest.skip("SKIP LOCKED is the PostgreSQL scale path; the embedded SQLite runs one worker")
        via = partnership.receivers["via-zuid-limburg"]
        via.stop()
        ids = [_e33(partnership)["ontvangers"][0]["leveringId"] for _ in range(30)]
        settings = state_of(app).settings
        key = HubKeyring(settings.keys_dir).signing_key()
        vault = state_of(app).require_vault()
        workers = [
            DeliveryWorker(database, vault, key, issuer=settings.public_url, policy=Policy(batch=3)) for _ in range(2)
        ]
        with database.engine.begin() as connection:
            connection.execute(sa.text("UPDATE levering SET volgende_poging = now(), geclaimd_tot = NULL"))
        via.start()
        rounds = [threading.Thread(target=lambda w=w: [w.run_once() for _ in range(15)]) for w in workers]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join()
        for worker in workers:
            worker.stop()
        wait_for(lambda: {e["leveringId"] for e in via.received} == set(ids))
        pushes = Counter(e["leveringId"] for e in via.received)
        assert max(pushes.values()) == 1, "no delivery was pushed twice"


class TestTransitOnly:
    def test_an_acknowledged_payload_leaves_the_hub_after_the_grace_period_and_the_ledger_stays(
        self, partnership: Partnership, database: Database, app: FastAPI
    ) -> None:
        receipt = partnership.client("politie-limburg").post(
            "/api/v1/meldingen", {"berichttype": "zorgmelding", "inhoud": sample_melding("zorgmelding")}
        )
        vt = next(o["leveringId"] for o in receipt["ontvangers"] if o["partner"] == "veilig-thuis-zuid-limburg")
        wait_for(lambda: _status(database, vt)[0] == "bevestigd")  # Veilig Thuis acknowledges by webhook
        cjg = partnership.client("cjg-zuid-limburg")
        (item,) = cjg.get("/api/v1/inbox")["items"]
        cjg.post(f"/api/v1/inbox/{item['leveringId']}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]})
        settings = state_of(app).settings
        vault = state_of(app).require_vault()
        worker = DeliveryWorker(
            database,
            vault,
            HubKeyring(settings.keys_dir).signing_key(),
            issuer=settings.public_url,
            policy=Policy(grace=timedelta(days=7)),
        )
        try:
            worker.run_once(datetime.now(UTC) + timedelta(days=6))  # within the grace period: kept
            with database.engine.connect() as connection:
                kept = connection.execute(
                    sa.text("SELECT payload IS NOT NULL FROM levering WHERE id = :id"), {"id": item["leveringId"]}
                ).scalar()
            assert kept
            later = DeliveryWorker(
                database,
                vault,
                HubKeyring(settings.keys_dir).signing_key(),
                issuer=settings.public_url,
                policy=Policy(grace=timedelta(days=7)),
            )
            later.run_once(datetime.now(UTC) + timedelta(days=8))
            later.stop()
        finally:
            worker.stop()
        with database.engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT payload, wrapped_key, verwijderd_op FROM levering WHERE id = :id"),
                {"id": item["leveringId"]},
            ).one()
            others = connection.execute(sa.text("SELECT count(*) FROM levering WHERE payload IS NOT NULL")).scalar()
            sealed = connection.execute(
                sa.text("SELECT sealed IS NOT NULL FROM melding WHERE id = :id"), {"id": receipt["meldingId"]}
            ).scalar()
            logged = connection.execute(sa.text("SELECT count(*) FROM ledger_entry WHERE soort = 'ontvangst'")).scalar()
        assert row[0] is None and row[1] is None and row[2] is not None, "the acknowledged view is gone"
        assert others == 2, "the views ZVH and AMW did not collect yet stay (Veilig Thuis acknowledged by webhook)"
        assert sealed, "the melding stays sealed while any of its views is still in transit"
        assert logged == 2, "what remains is the ledger: both acknowledgements"
