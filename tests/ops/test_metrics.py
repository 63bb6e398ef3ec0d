"""The metrics an operator alerts on, read from a live hub after real meldingen: meldingen by berichttype and
outcome, deliveries waiting and dead, the oldest waiting one, the log's size, the checkpoint's age, the process."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from hub.bewaren.keeper import one_round
from hub.db import Database
from hub.keys.keyring import HubKeyring
from hub.kit.clock import utcnow
from hub.ledger import service
from hub.pseudonym.vault import Vault
from tests.partnership import Partnership, sample_melding, wait_for


def _samples(text: str) -> dict[str, float]:
    """Every sample of a Prometheus text exposition, by its full name with labels."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


class TestDomainMetrics:
    def test_meldingen_deliveries_and_the_log_as_an_operator_sees_them(
        self, partnership: Partnership, database: Database, keys_dir: Path
    ) -> None:
        politie = partnership.client("politie-limburg")
        melding = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
        for _ in range(3):
            politie.post("/api/v1/meldingen", melding)
        partnership.receivers["via-zuid-limburg"].stop()  # a partner that is down: its delivery waits
        waiting = politie.post("/api/v1/meldingen", melding)["ontvangers"][0]["leveringId"]
        with database.engine.connect() as connection:
            size = connection.execute(sa.text("SELECT size FROM ledger_head")).scalar_one()
            waits = sa.text("SELECT count(*) FROM levering WHERE status = 'wachtend'")
            pending = connection.execute(waits).scalar_one()
        assert pending >= 1, waiting

        samples = _samples(partnership.http.get("/metrics").text)
        assert samples['schakel_meldingen_total{berichttype="e33-verward-gedrag",uitkomst="aangenomen"}'] == 4
        assert samples['schakel_leveringen{status="wachtend"}'] == pending
        assert samples['schakel_leveringen{status="dood"}'] == 0
        assert samples["schakel_oudste_wachtende_levering_seconds"] >= 0
        assert samples["schakel_verstrekkingenlog_entries"] >= size  # more may have been appended since
        assert samples["process_resident_memory_bytes"] > 0
        assert "schakel_controlepunt_leeftijd_seconds" not in samples, "no checkpoint signed yet"

        with database.unit_of_work() as session:  # what the checkpoint keeper does each interval
            origin = service.log_origin(session, None, str(partnership.http.base_url))
            service.sign_checkpoint(session, origin, HubKeyring(keys_dir).ed25519_key(), utcnow())
        after = _samples(partnership.http.get("/metrics").text)
        assert 0 <= after["schakel_controlepunt_leeftijd_seconds"] < 60
        partnership.receivers["via-zuid-limburg"].start()
        metric = 'schakel_leveringen{status="wachtend"}'
        wait_for(lambda: _samples(partnership.http.get("/metrics").text)[metric] < pending)
        assert json.dumps(after).count("762621606") == 0, "no personal data in metrics"

    def test_deliveries_nobody_collected_are_counted_and_not_offered_for_a_re_drive(
        self, partnership: Partnership, database: Database, vault: Vault
    ) -> None:
        body = {"berichttype": "huurachterstand", "inhoud": sample_melding("huurachterstand")}
        partnership.client("woningcorporatie-maasdal").post("/api/v1/meldingen", body)
        assert _samples(partnership.http.get("/metrics").text)["schakel_leveringen_niet_opgehaald"] == 0
        one_round(database, vault, now=utcnow() + timedelta(days=15))  # past the sample's collection term (P14D)
        samples = _samples(partnership.http.get("/metrics").text)
        assert samples["schakel_leveringen_niet_opgehaald"] == 3
        assert samples['schakel_leveringen{status="dood"}'] == 0, "their content is gone: nothing to re-drive"
