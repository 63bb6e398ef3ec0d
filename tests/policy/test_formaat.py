"""A stored convenant is read under the format it was approved in: a hub upgraded from release 0.1.0 still decides
with the version in force there, with the meaning it was approved with where that is safe and fail closed where not.

`formaat1_zuid_limburg.json` is the sample convenant exactly as a hub of release 0.1.0 (commit 790595d, schema 0007)
stored it, with its content hash.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hub import refusals
from hub.cli import app
from hub.db import Database
from hub.kit.canonical import content_hash
from hub.kit.clock import utcnow
from hub.meldingen.schemas import Ontvangstbewijs
from hub.partners.demo import SAMPLE_CONVENANT
from hub.policy.analysis.validate import Niveau, validate
from hub.policy.convenant.formaat import FormaatOnbekend, aandachtspunten, formaat_van, lees
from hub.policy.convenant.format import FORMAAT, FormatError, load_directory, source_to_data
from hub.policy.convenant.migreren import migreer
from hub.policy.deciding.decision import Reden, Uitkomst, Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.models import PolicyVersion
from hub.policy.runtime import readable
from hub.policy.service import HASH_DOMAIN
from tests.partnership import Partnership, sample_melding

FORMAT_1 = Path(__file__).with_name("formaat1_zuid_limburg.json")
runner = CliRunner()


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    return data


def in_force(database: Database, formaat: int) -> int:
    """The convenant as a hub of release 0.1.0 stored it, approved and in force from now (after any
    other), read under `formaat`. Returns its version id."""
    stored = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    now = utcnow()
    with database.unit_of_work() as session:
        version = PolicyVersion(
            convenant="zuid-limburg", label="2025.1", source=stored["source"],
            content_hash=stored["content_hash"] if formaat == 1 else f"sha256:{formaat:064x}",  # as a newer hub's
            formaat=formaat, toelichting="-", proposed_by="fg-a", proposed_at=now - timedelta(days=2),
            approved_by="fg-b", approved_at=now, active_from=now,
        )  # fmt: skip
        session.add(version)
        session.flush()
        return version.id or 0


def compiled(source: dict[str, Any]) -> CompiledPolicy:
    return CompiledPolicy(lees(source, 1), content_hash="sha256:f1", label="formaat 1", registry_werkgebieden={})


class TestReading:
    def test_the_stored_bytes_are_what_was_hashed_and_read_verbatim(self, stored: dict[str, Any]) -> None:
        assert content_hash(HASH_DOMAIN, stored["source"]) == stored["content_hash"]
        assert formaat_van(stored["source"]) == 1
        assert lees(stored["source"], 1).convenant.convenant == "zuid-limburg"

    def test_todays_format_refuses_it_naming_what_it_lacks(self, stored: dict[str, Any]) -> None:
        with pytest.raises(FormatError) as raised:
            lees(stored["source"], FORMAAT)
        assert ("convenant.deelnemers.0.werkgebied", "", "Field required") in raised.value.problems

    def test_todays_sample_is_of_todays_format(self) -> None:
        source = source_to_data(load_directory(SAMPLE_CONVENANT))
        assert formaat_van(source) == FORMAAT
        assert aandachtspunten(source, FORMAAT) == ()

    def test_a_new_version_may_not_leave_its_werkgebied_out_or_say_yes_for_a_beroepsgeheim(self) -> None:
        source = source_to_data(load_directory(SAMPLE_CONVENANT))
        source["convenant"]["deelnemers"][0]["werkgebied"] = None
        source["vocabulaires"]["soorten"][0]["beroepsgeheim"] = True
        with pytest.raises(FormatError) as raised:
            lees(source, FORMAAT)
        messages = " ".join(m for _, _, m in raised.value.problems)
        assert "name the CBS gemeentecodes" in messages
        assert "valid dictionary" in messages

    def test_an_unknown_format_is_a_clear_refusal_not_a_500(self, stored: dict[str, Any]) -> None:
        with pytest.raises(FormaatOnbekend):
            lees(stored["source"], 9)
        version = PolicyVersion(
            id=7, convenant="zuid-limburg", label="9", content_hash="sha256:9", source=stored["source"], formaat=9,
            toelichting="", proposed_by="fg", proposed_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        with pytest.raises(refusals.ConvenantUnreadable, match="version 7 \\(format 9\\) cannot be read"):
            readable(version)


class TestMeaning:
    def test_format_1_bound_no_disclosure_to_a_werkgebied_and_still_does_not(self, stored: dict[str, Any]) -> None:
        policy = compiled(stored["source"])
        assert not policy.werkgebied_gebonden
        assert policy.werkgebied_reden("kredietbank-limburg", "GM0917") is None
        assert policy.werkgebied_reden("kredietbank-limburg", None) is None

    def test_a_yes_for_beroepsgeheim_names_no_law_so_health_data_is_withheld(self, stored: dict[str, Any]) -> None:
        policy = compiled(stored["source"])
        verzoek = Verzoek(
            verstrekker="politie-limburg", ontvanger="via-zuid-limburg", berichttype="e33-verward-gedrag",
            doel="screening-verward-gedrag", categorieen=frozenset({"gezondheid", "identificatie"}),
            datum=date(2026, 12, 7),
        )  # fmt: skip
        besluit = policy.decide_in(verzoek, None)
        assert besluit.uitkomst is Uitkomst.PARTIAL
        assert "identificatie" in besluit.verstrekt
        assert besluit.achtergehouden["gezondheid"].reden is Reden.VERBOD

    def test_the_officers_are_told_what_todays_format_asks(self, stored: dict[str, Any]) -> None:
        punten = aandachtspunten(stored["source"], 1)
        assert len(punten) == 4
        assert "schakel policy migreer" in punten[0]
        assert "werkgebied" in punten[1]
        assert "amw, cjg, ggz, veilig_thuis, via, zvh" in punten[2]
        assert "toestemming" in punten[3]


class TestReceipts:
    def test_a_receipt_of_schema_0007_reads_back(self) -> None:
        stored: dict[str, Any] = {
            "meldingId": "18befec0b0e1daae402d8f3756332191", "ontvangenOp": "2026-12-07T14:24:52.017181Z",
            "berichttype": "e33-verward-gedrag", "spoed": False, "posities": [0],
            "ontvangers": [{
                "partner": "via-zuid-limburg", "doel": "screening-verward-gedrag", "besluit": "partial",
                "verstrekt": ["adres", "identificatie"], "leveringId": "afded24be0df3a3ee148bf9601a844b5",
                "achtergehouden": [{"categorie": "strafrechtelijk", "reden": "geen-regel", "verwijzing": None}],
            }],
        }  # fmt: skip
        receipt = Ontvangstbewijs.stored(stored)
        assert (receipt.doel, receipt.gemeente, receipt.casus) == ("screening-verward-gedrag", None, None)
        stored["ontvangers"].append({**stored["ontvangers"][0], "partner": "zvh-zuid-limburg", "doel": "casusoverleg"})
        assert Ontvangstbewijs.stored(stored).doel is None


class TestInForce:
    """A hub whose version in force is of format 1 decides and delivers with it; one it cannot read refuses."""

    def test_format_1_in_force_decides_and_delivers(self, partnership: Partnership) -> None:
        in_force(partnership.database, formaat=1)
        with partnership.client("politie-limburg") as client:
            inhoud = sample_melding("e33-verward-gedrag")
            inhoud["incident"]["gemeentecode"] = "GM0917"  # Heerlen: format 1 bound no one to a werkgebied
            receipt = client.submit_melding({"berichttype": "e33-verward-gedrag", "inhoud": inhoud})
        via = next(o for o in receipt["ontvangers"] if o["partner"] == "via-zuid-limburg")
        assert via["leveringId"]
        withheld = {a["categorie"]: a for a in via["achtergehouden"]}
        assert withheld["gezondheid"]["reden"] == "verbod"
        assert withheld["gezondheid"]["verwijzing"] == "V-01"
        assert "gezondheid" not in via["verstrekt"]

    def test_a_version_the_hub_cannot_read_is_a_503_problem_not_a_500(self, partnership: Partnership) -> None:
        version = in_force(partnership.database, formaat=9)
        with partnership.client("politie-limburg") as client:
            body = {"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")}
            answer = client.send("POST", "/api/v1/meldingen", json_body=body)
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "convenant-unreadable"
        assert f"convenant version {version} (format 9)" in problem["detail"]


class TestMigreer:
    """`schakel policy migreer` writes the version in force in today's format, for the officers to complete and
    propose; it never approves anything."""

    def test_what_can_be_carried_over_and_what_the_officers_must_add(self, stored: dict[str, Any]) -> None:
        partners = [d["partner"] for d in stored["source"]["convenant"]["deelnemers"]]
        werkgebieden = {p: ["GM0935"] for p in partners[1:]}
        migratie = migreer(
            stored["source"], 1, werkgebieden=werkgebieden, gemeentevelden={"e33-verward-gedrag": "incident.gemeente"}
        )
        todo = "\n".join(migratie.nog_te_doen)
        assert f"werkgebied (CBS-gemeentecodes, bijv. [GM0935]) aan: {partners[0]};" in todo
        assert "beroepsgeheim van amw, cjg, ggz, veilig_thuis, via, zvh, zonder wet" in todo
        assert "zorgmelding" in todo and "e33-verward-gedrag" not in todo
        assert "toestemmingen" in todo
        assert any("e33-verward-gedrag (incident.gemeente)" in line for line in migratie.gedaan)
        assert stored["source"]["convenant"]["deelnemers"][1].get("werkgebied") is None  # the stored bytes untouched

    def test_the_command_writes_a_directory_that_validates_once_complete(
        self, database: Database, cli_env: None, tmp_path: Path
    ) -> None:
        version = in_force(database, formaat=1)
        partners = [
            d["partner"] for d in json.loads(FORMAT_1.read_text(encoding="utf-8"))["source"]["convenant"]["deelnemers"]
        ]
        out = tmp_path / "gemigreerd"
        result = runner.invoke(app, ["policy", "migreer", "--uit", str(out), "--werkgebied", "bestaat=niet-goed"])
        assert result.exit_code == 1, result.output  # the partner is unknown: it lists every partner as still to do
        assert f"Versie {version} (formaat 1) staat in formaat 2" in result.stdout
        assert "nog te doen: Geef in convenant.yaml een werkgebied" in result.stdout
        again = runner.invoke(app, ["policy", "migreer", "--uit", str(out)])
        assert again.exit_code == 2 and "bestaat al" in again.stderr
        complete = tmp_path / "compleet"
        options = [a for p in partners for a in ("--werkgebied", f"{p}=GM0935,gm0938")]
        result = runner.invoke(app, ["policy", "migreer", "--uit", str(complete), *options])
        assert "gedaan: Werkgebied overgenomen" in result.stdout
        source = load_directory(complete)  # today's format: it loads without a format context
        assert source.convenant.deelnemers[0].werkgebied == ["GM0935", "GM0938"]
        assert source.convenant.versie == "2026.1-formaat2"
        assert all(s.beroepsgeheim is None for s in source.vocabulaires.soorten)
        assert not [f for f in validate(source) if f.niveau is Niveau.FOUT]
        bad = runner.invoke(app, ["policy", "migreer", "--uit", str(tmp_path / "x"), "--gemeenteveld", "zonder-is"])
        assert bad.exit_code == 2 and "heeft niet de vorm BERICHTTYPE=veld" in bad.stderr
