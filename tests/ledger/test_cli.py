"""`schakel ledger checkpoint|export|verify` on the configured database, with the hub's own key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.db import Database
from hub.ledger import service


def test_checkpoint_export_verify(database: Database, cli_env: None, keys_dir: Path, tmp_path: Path) -> None:
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "verstrekking", "n": n} for n in range(7)], datetime.now(UTC))
    runner = CliRunner()
    kept = runner.invoke(app, ["ledger", "checkpoint"]).stdout
    assert kept.startswith("schakel.example/verstrekkingenlog\n7\n")
    (tmp_path / "kept.note").write_text(kept)
    with database.unit_of_work() as session:
        service.append(session, [{"soort": "weigering", "n": 7}], datetime.now(UTC))
    assert "8 entries exported" in runner.invoke(app, ["ledger", "export", "--out", str(tmp_path / "bundle")]).stdout

    trusted = keys_dir / "hub" / "keyset.json"
    jwks = {"keys": [k["public_jwk"] for k in json.loads(trusted.read_text())["keys"]]}
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    result = runner.invoke(
        app,
        [
            "ledger",
            "verify",
            str(tmp_path / "bundle"),
            "--sleutels",
            str(tmp_path / "jwks.json"),
            "--vorige",
            str(tmp_path / "kept.note"),
        ],
    )
    assert result.exit_code == 0, result.stdout
    assert "OK: 8 entries" in result.stdout

    lines = (tmp_path / "bundle" / "entries.jsonl").read_bytes().splitlines()
    lines[3] = b'{"n":3,"soort":"weigering"}'
    (tmp_path / "bundle" / "entries.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    tampered = runner.invoke(
        app, ["ledger", "verify", str(tmp_path / "bundle"), "--sleutels", str(tmp_path / "jwks.json")]
    )
    assert tampered.exit_code == 1
    assert "FOUT" in tampered.stdout
