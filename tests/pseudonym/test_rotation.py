"""Pseudonym key rotation keeps linkability: recipients get a translation of their old pseudonyms, and the vault
still recognises everyone it knew."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.db import Database
from hub.pseudonym.identity import normalise
from hub.pseudonym.scheme import parse_pseudonym
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PEOPLE = [OpgegevenIdentiteit(bsn=b) for b in ("762621606", "118784481", "247603260")]


def _vault(keys_dir: Path) -> Vault:
    secrets = PrivacySecrets(keys_dir)
    return Vault(secrets.pseudonyms(), secrets.kek())


class TestRotation:
    def test_translation_and_recognition_across_a_rotation(
        self, database: Database, keys_dir: Path, tmp_path: Path, cli_env: None
    ) -> None:
        before = _vault(keys_dir)
        with database.unit_of_work() as session:
            ids = [before.seal(session, p, NOW) for p in PEOPLE]
            old = [before.pseudonym_for(session, i, "via-zuid-limburg", NOW) for i in ids]
            before.forget(session, ids[2], NOW)

        runner = CliRunner()
        assert "pseudoniemsleutel k2 is actief" in runner.invoke(app, ["pseudoniem", "roteer"]).stdout
        pairs_file = tmp_path / "via.jsonl"
        result = runner.invoke(app, ["pseudoniem", "vertaal", "--domein", "via-zuid-limburg", "--out", str(pairs_file)])
        assert result.exit_code == 0, result.output
        pairs = [json.loads(line) for line in pairs_file.read_text().splitlines()]

        after = _vault(keys_dir)
        expected = [after.pseudonyms.pseudonymise(normalise(bsn=p.bsn), "via-zuid-limburg") for p in PEOPLE[:2]]
        assert sorted((p["oud"], p["nieuw"]) for p in pairs) == sorted(zip(old[:2], expected, strict=True))
        assert all(parse_pseudonym(p["nieuw"]).version == 2 for p in pairs)
        with database.unit_of_work() as session:
            assert [after.seal(session, p, NOW) for p in PEOPLE[:2]] == ids[:2], "the vault still knows them"
            assert after.seal(session, PEOPLE[2], NOW) != ids[2], "a forgotten person stays forgotten"
