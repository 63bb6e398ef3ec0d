"""Reading the log, the DPIA report and inzage, through a running hub on both databases.

The log is filled as the meldingen flow fills it: decisions of the sample convenant, one entry per recipient and
person, for invented people sealed in the vault.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from connectors.tlog import RootMismatch, leaf_hash, open_note, parse_checkpoint, verify_consistency, verify_inclusion
from hub.db import Database
from hub.kit.canonical import canonical_json
from hub.ledger import repository, service
from hub.ledger.entries import Betrokkene, Context
from hub.ledger.verify import Trust, public_keys, verify_bundle
from hub.meldingen.entries import verstrekking
from hub.policy.convenant.format import PolicySource
from hub.policy.deciding.decision import Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault
from hub.state import state_of
from tests.support import PARTNERS, Actor, activate_sample

TEUN = "762621606"
ANNA = "118784481"
E33 = frozenset({"incident", "identificatie", "adres", "gezondheid", "strafrechtelijk"})


@dataclass(frozen=True)
class Log:
    teun: list[int]
    anna: list[int]
    confidential: int


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _write(database: Database, vault: Vault, policy: CompiledPolicy, now: datetime) -> Log:
    """Teun: E33 to VIA (partial) and to the woningcorporatie (deny), and one confidential doel; Anna: E33 to VIA."""
    context = Context(trace_id="0af7651916cd43dd8448eb211c80319c", span_id="b7ad6b7169203331")
    written: dict[str, list[int]] = {"teun": [], "anna": []}
    confidential = -1
    with database.unit_of_work() as session:
        for name, bsn in (("teun", TEUN), ("anna", ANNA)):
            person = vault.seal(session, OpgegevenIdentiteit(bsn=bsn), now)
            who = Betrokkene(vault.log_pseudonym(session, person))
            asks = [("via-zuid-limburg", "screening-verward-gedrag")]
            if name == "teun":
                asks += [
                    ("woningcorporatie-maasdal", "screening-verward-gedrag"),
                    ("zvh-zuid-limburg", "radicalisering-casusoverleg"),
                ]
            for ontvanger, doel in asks:
                besluit = policy.decide(
                    Verzoek("politie-limburg", ontvanger, doel, "e33-verward-gedrag", E33, now.date())
                )
                entry = verstrekking(
                    context=context,
                    betrokkene=who,
                    rol="betrokkene",
                    verstrekker="politie-limburg",
                    ontvanger=ontvanger,
                    berichttype="e33-verward-gedrag",
                    melding_id=f"m-{name}",
                    besluit=besluit,
                    levering_id=None,
                    inhoud_digest=None,
                    gemeente="GM0935",
                )
                (position,) = service.append(session, [entry], now)
                if doel == "radicalisering-casusoverleg":
                    confidential = position
                else:
                    written[name].append(position)
    return Log(written["teun"], written["anna"], confidential)


@pytest.fixture
def log(app: FastAPI, database: Database, sample_source: PolicySource, actors: dict[str, Actor]) -> Log:
    now = datetime.now(UTC)
    policy = activate_sample(database, sample_source, now, also=PARTNERS)
    return _write(database, state_of(app).require_vault(), policy, now)


def _checkpoint(http: httpx.Client, note: str) -> tuple[int, bytes]:
    keys = public_keys(http.get("/.well-known/jwks.json").json())
    origin = note.split("\n", 1)[0]
    checkpoint = parse_checkpoint(open_note(note, origin, keys[0]))
    return checkpoint.size, checkpoint.root


class TestReadingTheLog:
    def test_filters_pages_and_every_read_is_itself_recorded(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        reviewer = actors["dpia_reviewer"].client(http)
        first = reviewer.get("/api/v1/verstrekkingen", params={"partner": "via-zuid-limburg", "limit": "1"})
        assert [i["positie"] for i in first["items"]] == [log.teun[0]]
        second = reviewer.get(
            "/api/v1/verstrekkingen", params={"partner": "via-zuid-limburg", "na": str(first["volgende"])}
        )
        assert [i["positie"] for i in second["items"]] == [log.anna[0]]
        assert second["volgende"] is None
        denied = reviewer.get("/api/v1/verstrekkingen", params={"besluit": "deny", "doel": "screening-verward-gedrag"})
        assert [i["entry"]["ontvanger"] for i in denied["items"]] == ["woningcorporatie-maasdal"]
        health = reviewer.get("/api/v1/verstrekkingen", params={"categorie": "gezondheid", "soort": "verstrekking"})
        assert len(health["items"]) == 4, "every verstrekking decides on gezondheid, granted or withheld"
        for item in first["items"]:
            assert item["entry"]["betrokkene_id"].startswith("sha256:")
            assert _b64(item["bytes"]) == canonical_json(item["entry"]), "the exact bytes, and what they say"
        reads = reviewer.get("/api/v1/verstrekkingen", params={"soort": "raadpleging"})["items"]
        assert [(r["entry"]["lezer"], r["entry"]["posities"]) for r in reads[:2]] == [
            (actors["dpia_reviewer"].principal_id, [log.teun[0]]),
            (actors["dpia_reviewer"].principal_id, [log.anna[0]]),
        ]

    def test_an_entry_comes_with_a_proof_in_the_newest_checkpoint(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        operator, reviewer = actors["operator"].client(http), actors["privacy_officer"].client(http)
        signed = operator.post("/api/v1/verstrekkingenlog/checkpoints", {})
        found = reviewer.get(f"/api/v1/verstrekkingen/{log.teun[1]}")
        size, root = _checkpoint(http, found["checkpoint"]["note"])
        assert size == signed["grootte"] == found["bewijs"]["grootte"]
        path = [_b64(h) for h in found["bewijs"]["hashes"]]
        verify_inclusion(leaf_hash(_b64(found["bytes"])), log.teun[1], size, path, root)
        with pytest.raises(RootMismatch):
            verify_inclusion(leaf_hash(_b64(found["bytes"]) + b" "), log.teun[1], size, path, root)

    def test_consistency_between_a_kept_checkpoint_and_a_later_one(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        operator = actors["operator"].client(http)
        kept = operator.post("/api/v1/verstrekkingenlog/checkpoints", {})
        actors["dpia_reviewer"].client(http).get("/api/v1/verstrekkingen")  # the read grows the log
        later = operator.post("/api/v1/verstrekkingenlog/checkpoints", {})
        assert later["grootte"] == kept["grootte"] + 1
        state = actors["politie"].client(http).get("/api/v1/verstrekkingenlog")
        assert state["checkpoint"] == later
        proof = (
            actors["politie"]
            .client(http)
            .get(
                "/api/v1/verstrekkingenlog/consistentiebewijs",
                params={"van": str(kept["grootte"]), "tot": str(later["grootte"])},
            )
        )
        hashes = [_b64(h) for h in proof["hashes"]]
        old, new = _checkpoint(http, kept["note"]), _checkpoint(http, later["note"])
        verify_consistency(old[0], new[0], hashes, old[1], new[1])
        too_far = (
            actors["politie"]
            .client(http)
            .send("GET", f"/api/v1/verstrekkingenlog/consistentiebewijs?van=0&tot={later['grootte'] + 5}")
        )
        assert (too_far.status_code, too_far.json()["code"]) == (422, "proof-out-of-range")

    def test_a_missing_entry_is_a_problem_not_an_error(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        answer = actors["dpia_reviewer"].client(http).send("GET", "/api/v1/verstrekkingen/999")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"


class TestDpiaReport:
    def test_counts_per_flow_category_and_month_in_json_and_csv(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        reviewer = actors["dpia_reviewer"].client(http)
        report = reviewer.get("/api/v1/rapportages/verstrekkingen")
        month = datetime.now(UTC).strftime("%Y-%m")
        via = {
            (r["categorie"], r["uitkomst"]): r["aantal"]
            for r in report["categorieen"]
            if r["ontvanger"] == "via-zuid-limburg" and r["maand"] == month
        }
        assert via[("incident", "verstrekt")] == 2, "Teun and Anna: counted per person"
        assert {r["gemeente"] for r in report["categorieen"] if r["ontvanger"] == "via-zuid-limburg"} == {"GM0935"}
        assert ("strafrechtelijk", "verstrekt") not in via
        decisions = {r["ontvanger"]: (r["permit"], r["partial"], r["deny"]) for r in report["besluiten"]}
        assert decisions["woningcorporatie-maasdal"] == (0, 0, 1)
        assert sum(decisions["via-zuid-limburg"]) == 2
        response = reviewer.send("GET", "/api/v1/rapportages/verstrekkingen?formaat=csv")
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == len(report["categorieen"])
        assert {r["categorie"] for r in rows} >= {"incident", "gezondheid"}
        assert {r["gemeente"] for r in rows} == {"GM0935"}, "the gemeentecode is a column of the CSV"

    def test_an_empty_period_and_an_impossible_one(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        reviewer = actors["dpia_reviewer"].client(http)
        assert (
            reviewer.get("/api/v1/rapportages/verstrekkingen", params={"van": "2020-01-01", "tot": "2020-02-01"})[
                "categorieen"
            ]
            == []
        )
        wrong = reviewer.send("GET", "/api/v1/rapportages/verstrekkingen?van=2026-02-01&tot=2026-01-01")
        assert (wrong.status_code, wrong.json()["code"]) == (422, "period-invalid")


def _inzage(http: httpx.Client, actors: dict[str, Actor], bsn: str) -> dict[str, Any]:
    answer: dict[str, Any] = (
        actors["privacy_officer"]
        .client(http)
        .post("/api/v1/inzageverzoeken", {"bsn": bsn, "motivering": "Inzageverzoek 2026-117"})
    )
    return answer


class TestInzage:
    def test_every_entry_about_the_person_in_words_with_proofs_and_confidential_doelen_held_back(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        report = _inzage(http, actors, TEUN)
        assert [r["positie"] for r in report["verwerkingen"]] == log.teun, "only Teun's, without the confidential"
        assert report["achtergehouden"] == [{"doel": "radicalisering-casusoverleg", "aantal": 1}]
        assert "niet getoond" not in report["samenvatting"], "the letter never says anything is held back"
        size, root = _checkpoint(http, report["checkpoint"]["note"])
        for regel in report["verwerkingen"]:
            raw = _b64(regel["bytes"])
            opening = hashlib.sha256(
                b"schakel/betrokkene/v1\x00"
                + _b64(regel["opening"]["salt"])
                + regel["opening"]["logPseudoniem"].encode()
            ).hexdigest()
            assert regel["entry"]["betrokkene_id"] == f"sha256:{opening}", "the opening shows it is this person"
            path = [_b64(h) for h in regel["bewijs"]]
            verify_inclusion(leaf_hash(raw), regel["positie"], size, path, root)
        via, woco = (r["tekst"] for r in report["verwerkingen"])
        assert "heeft politie-limburg gegevens over u verstrekt aan via-zuid-limburg" in via
        assert "Verstrekt: " in via and "incident" in via and "Niet verstrekt: " in via
        assert "Dat is geweigerd" in woco
        assert TEUN not in str(report)

    def test_the_inzage_is_recorded_and_shows_up_next_time(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        _inzage(http, actors, TEUN)
        again = _inzage(http, actors, TEUN)
        last = again["verwerkingen"][-1]
        assert last["entry"]["soort"] == "raadpleging" and last["entry"]["reden"] == "inzage"
        assert last["entry"]["posities"] == sorted([*log.teun, log.confidential])
        assert "de registratie over u ingezien" in last["tekst"]

    def test_a_person_the_hub_never_saw_gets_an_empty_report(
        self, http: httpx.Client, actors: dict[str, Actor], log: Log
    ) -> None:
        report = _inzage(http, actors, "247603260")
        assert report["verwerkingen"] == [] and report["achtergehouden"] == []
        assert report["samenvatting"].startswith("Schakel heeft geen")

    def test_a_bad_bsn_is_refused_without_echoing_it(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        answer = (
            actors["privacy_officer"]
            .client(http)
            .send(
                "POST",
                "/api/v1/inzageverzoeken",
                json_body={"bsn": "123456789", "motivering": "Inzageverzoek 2026-118"},
            )
        )
        assert (answer.status_code, answer.json()["code"]) == (422, "bsn-invalid")
        assert "123456789" not in answer.text


class TestErasure:
    def test_after_erasure_the_entries_stay_and_verify_but_no_longer_point_to_anyone(
        self,
        *,
        http: httpx.Client,
        actors: dict[str, Actor],
        log: Log,
        database: Database,
        app: FastAPI,
        tmp_path: Path,
    ) -> None:
        hub_key = state_of(app).keyring.ed25519_key()
        asker, approver = actors["privacy_officer"].client(http), actors["second_officer"].client(http)
        request = asker.post("/api/v1/vergetelheidsverzoeken", {"bsn": TEUN, "motivering": "AVG art. 17 verzoek 9"})
        approver.post(f"/api/v1/vergetelheidsverzoeken/{request['id']}/goedkeuring", {})
        assert _inzage(http, actors, TEUN)["verwerkingen"] == []
        anna = _inzage(http, actors, ANNA)
        assert [r["positie"] for r in anna["verwerkingen"]][:1] == log.anna
        erased = actors["dpia_reviewer"].client(http).get("/api/v1/verstrekkingen", params={"soort": "vergetelheid"})
        (entry,) = (i["entry"] for i in erased["items"])
        assert entry["verzoek_id"] == request["id"] and "betrokkene_id" not in entry
        with database.engine.connect() as connection:
            assert repository.subject_rows(connection, "") == []
            openings = connection.execute(sa.text("SELECT seq FROM ledger_betrokkene ORDER BY seq")).scalars().all()
        assert not set(openings) & {*log.teun, log.confidential}, "nothing ties Teun's entries to anyone any more"
        with database.unit_of_work() as session:
            service.sign_checkpoint(session, "schakel.test/verstrekkingenlog", hub_key, datetime.now(UTC))
            service.export(session, tmp_path / "bundle", http.get("/.well-known/jwks.json").json()["keys"])
        origin = actors["dpia_reviewer"].client(http).get("/api/v1/verstrekkingenlog")["origin"]
        verdict = verify_bundle(tmp_path / "bundle", Trust(origin, (hub_key.public_key(),)))
        assert verdict.ok, verdict.problems
        assert verdict.size > max(log.teun), "Teun's entries are still in the log, and it verifies"
