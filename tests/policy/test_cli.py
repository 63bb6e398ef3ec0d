"""`schakel policy ...`: validate, schema, show, diff and simulate on directories; propose and approve via the API."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import yaml
from typer.testing import CliRunner

from hub.cli import app
from hub.db import Database
from hub.policy import service
from hub.policy.runtime import PolicyRuntime
from tests.policy.conftest import ROOT, SAMPLE
from tests.support import Actor

runner = CliRunner()
TRAFFIC = ROOT / "policies" / "voorbeelden" / "verkeer.jsonl"


def _changed_copy(tmp_path: Path) -> Path:
    changed = tmp_path / "voorstel"
    shutil.copytree(SAMPLE, changed)
    rules_file = changed / "regels" / "politie-limburg.yaml"
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    rules["regels"][0]["categorieen"].append("strafrechtelijk")
    rules_file.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return changed


class TestLocalCommands:
    def test_validate_the_sample(self) -> None:
        result = runner.invoke(app, ["policy", "validate", str(SAMPLE)])
        assert result.exit_code == 0, result.output
        assert "0 fouten, 12 waarschuwingen" in result.output
        assert "waarschuwing: vocabulaires.yaml, grondslag wgs: the article references" in result.output

    def test_validate_names_the_error_and_exits_1(self, tmp_path: Path) -> None:
        broken = tmp_path / "kapot"
        shutil.copytree(SAMPLE, broken)
        text = (broken / "regels" / "bkr.yaml").read_text(encoding="utf-8").replace("wgshv-art-3a", "wgs-art-3a")
        (broken / "regels" / "bkr.yaml").write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["policy", "validate", str(broken)])
        assert result.exit_code == 1
        assert "fout: regels/bkr.yaml, R-BKR-001: unknown grondslag 'wgs-art-3a'" in result.output

    def test_diff_in_plain_words_and_json(self, tmp_path: Path) -> None:
        changed = _changed_copy(tmp_path)
        result = runner.invoke(app, ["policy", "diff", str(SAMPLE), str(changed), "--op", "2026-11-22"])
        assert result.exit_code == 0, result.output
        assert (
            "politie-limburg -> via-zuid-limburg, doel screening-verward-gedrag: + strafrechtelijk (regel R-POL-001)"
            in result.output
        )
        as_json = json.loads(runner.invoke(app, ["policy", "diff", str(SAMPLE), str(changed), "--json"]).output)
        assert [c["categorie"] for c in as_json] == ["strafrechtelijk"]

    def test_simulate_on_recorded_traffic(self, tmp_path: Path) -> None:
        changed = _changed_copy(tmp_path)
        result = runner.invoke(
            app, ["policy", "simulate", str(changed), "--verkeer", str(TRAFFIC), "--huidig", str(SAMPLE), "--json"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["totaal"] == len(TRAFFIC.read_text().splitlines())
        assert report["nuVerstrekt"] == {"strafrechtelijk": report["gewijzigd"]}
        assert report["voorbeelden"][0]["ontvanger"] == "via-zuid-limburg"

    def test_a_missing_traffic_file_is_a_sentence_not_a_traceback(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["policy", "simulate", str(SAMPLE), "--verkeer", str(tmp_path / "weg.jsonl")])
        assert result.exit_code == 2
        assert "--verkeer" in result.stderr and "No such file" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_show(self) -> None:
        result = runner.invoke(app, ["policy", "show", str(SAMPLE)])
        assert "R-DJI-003: -> zvh, doel nazorg-ex-gedetineerden" in result.output
        assert "met toestemming" in result.output

    def test_schema_writes_the_published_files(self, tmp_path: Path) -> None:
        assert runner.invoke(app, ["policy", "schema", "--out", str(tmp_path)]).exit_code == 0
        for name in ("convenant", "vocabulaires", "berichttypes", "verboden", "regels"):
            assert (tmp_path / f"{name}.schema.json").read_text() == (
                ROOT / "policies" / "schema" / f"{name}.schema.json"
            ).read_text()


class TestThroughTheApi:
    def test_propose_and_four_eyes_hold_from_the_command_line(
        self, http: httpx.Client, actors: dict[str, Actor], tmp_path: Path, database: object
    ) -> None:
        keys = {}
        for name in ("privacy_officer", "operator"):
            path = tmp_path / f"{name}.jwk"
            actors[name].key.save(path)
            keys[name] = path
        officer = actors["privacy_officer"]

        def as_officer(*args: str) -> str:
            result = runner.invoke(
                app,
                [
                    *args,
                    "--hub",
                    str(http.base_url),
                    "--partner",
                    officer.partner_id,
                    "--principal",
                    officer.principal_id,
                    "--key",
                    str(keys["privacy_officer"]),
                ],
            )
            assert result.exit_code == 0, result.output
            return result.stdout

        proposed = json.loads(as_officer("policy", "propose", str(SAMPLE), "--toelichting", "Eerste versie"))
        assert proposed["versie"]["status"] == "concept"
        # The same officer cannot approve: the API refuses, and the CLI says why.
        credentials = [
            "--hub", str(http.base_url), "--partner", officer.partner_id,
            "--principal", officer.principal_id, "--key", str(keys["privacy_officer"]),
        ]  # fmt: skip
        result = runner.invoke(app, ["policy", "approve", str(proposed["versie"]["id"]), *credentials])
        assert result.exit_code != 0
        assert getattr(result.exception, "code", None) == "four-eyes-required"


class TestEmergencyReport:
    def test_overdue_prohibitions_exit_3(self, database: Database, cli_env: None) -> None:
        assert runner.invoke(app, ["policy", "noodverboden"]).exit_code == 0
        with database.unit_of_work() as session:
            service.issue_emergency(
                session,
                PolicyRuntime(),
                service.Officer("fg-a", "zvh-zuid-limburg"),
                categorieen=["adres"],
                ontvangers=["via"],
                reden="test",
                now=datetime.now(UTC) - timedelta(hours=30),
            )
        result = runner.invoke(app, ["policy", "noodverboden"])
        assert result.exit_code == 3
        assert "NV-1   onbevestigd-te-laat" in result.stdout
