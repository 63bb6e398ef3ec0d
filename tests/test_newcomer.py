"""What a newcomer does: `schakel serve --demo` on an empty directory, then a signed call with the connector."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors import HubClient, SigningKey
from tests.server import start_serving

BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
    env.update(extra)
    return env


@pytest.fixture
def demo_hub(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    # No SCHAKEL_PUBLIC_URL: the hub takes the URL it serves as the token audience.
    process, port = start_serving(
        lambda port: [str(BIN / "schakel"), "serve", "--demo", "--port", str(port)],
        tmp_path / "serve.log", seconds=30, cwd=tmp_path, env=_env(),
    )  # fmt: skip
    url = f"http://localhost:{port}"  # the public URL serve takes on 127.0.0.1: passkeys need a host name
    try:
        assert httpx.get(url + "/api/v1/health", timeout=5).status_code == 200
        yield url, tmp_path
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


class TestNewcomer:
    def test_serve_demo_then_a_signed_call(self, demo_hub: tuple[str, Path]) -> None:
        url, workdir = demo_hub
        assert (workdir / "data" / "schakel.db").exists()
        demo_key = workdir / "keys" / "demo" / "politie-limburg-systeem.private.jwk"
        assert stat.S_IMODE(demo_key.stat().st_mode) == 0o600

        result = subprocess.run(
            [
                str(BIN / "schakel-connector"),
                "call",
                "GET",
                "/api/v1/aanroeper",
                "--hub",
                url,
                "--partner",
                "politie-limburg",
                "--principal",
                "politie-limburg-systeem",
                "--key",
                str(demo_key),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["partnerId"] == "politie-limburg"

        operator_key = SigningKey.load(workdir / "keys" / "demo" / "zvh-zuid-limburg-beheer.private.jwk")
        with HubClient(
            url, partner_id="zvh-zuid-limburg", principal_id="zvh-zuid-limburg-beheer", key=operator_key
        ) as c:
            assert len(c.get("/api/v1/partners")["items"]) == 14
        officer_key = SigningKey.load(workdir / "keys" / "demo" / "zvh-zuid-limburg-fg.private.jwk")
        with HubClient(url, partner_id="zvh-zuid-limburg", principal_id="zvh-zuid-limburg-fg", key=officer_key) as c:
            # Started outside the checkout, the demo still has the sample convenant (shipped with the package).
            assert c.get("/api/v1/beleid/actief")["convenant"] == "zuid-limburg"
            report = c.get("/api/v1/rapportages/verstrekkingen", params={"formaat": "csv"})
            assert isinstance(report, str) and report.startswith("maand,gemeente,"), "a CSV report comes back as text"
        assert httpx.get(url + "/.well-known/jwks.json").json()["keys"][0]["alg"] == "EdDSA"

    def test_serve_demo_prints_sign_in_links_and_fills_the_log(self, demo_hub: tuple[str, Path]) -> None:
        url, workdir = demo_hub
        deadline = time.monotonic() + 30
        while "voorbeeldmeldingen verstuurd" not in (output := (workdir / "serve.log").read_text()):
            assert time.monotonic() < deadline, output
            time.sleep(0.2)
        links = re.findall(r"([a-z-]+) \(.*\): (http://localhost:\d+/inschrijven/\S+)", output)
        assert {who for who, _ in links} == {
            "zvh-zuid-limburg-fg", "gemeente-maastricht-fg", "zvh-zuid-limburg-dpia", "zvh-zuid-limburg-beheer",
            "zvh-zuid-limburg-regie", "via-zuid-limburg-fg",
        }  # fmt: skip
        page = httpx.get(links[0][1], headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Uw passkey inschrijven" in page.text
        assert "762621606" in output, "the demo says whom to look up (an invented BSN)"
        assert all(link.startswith(url) for _, link in links)

    def test_a_refused_call_prints_the_problem(self, demo_hub: tuple[str, Path]) -> None:
        url, workdir = demo_hub
        stranger = workdir / "stranger"
        stranger.mkdir()
        subprocess.run(
            [str(BIN / "schakel-connector"), "keygen", "x", "--out", str(stranger)], check=True, capture_output=True
        )
        result = subprocess.run(
            [
                str(BIN / "schakel-connector"),
                "call",
                "GET",
                "/api/v1/aanroeper",
                "--hub",
                url,
                "--partner",
                "politie-limburg",
                "--principal",
                "politie-limburg-systeem",
                "--key",
                str(stranger / "x.private.jwk"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        assert result.returncode == 1
        assert json.loads(result.stderr)["code"] == "kid-unknown"


class TestProductionRefusesDemo:
    def test_serve_demo_in_production_exits_with_the_reason(self, tmp_path: Path) -> None:
        result = subprocess.run(
            [str(BIN / "schakel"), "serve", "--demo"],
            cwd=tmp_path,
            env=_env(SCHAKEL_ENVIRONMENT="production"),
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        assert result.returncode == 2
        assert "--demo is refused" in result.stderr
        assert not (tmp_path / "keys").exists()


def test_the_console_scripts_are_installed() -> None:
    assert shutil.which("schakel", path=str(BIN))
    assert shutil.which("schakel-connector", path=str(BIN))


def test_the_demo_sends_meldingen_to_every_recipient_and_the_ledger_verifies(tmp_path: Path) -> None:
    """`scripts/demo`, smaller: a real hub, real receivers, the adapters, and an offline ledger verification."""
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "demo.py"), "--meldingen", "60"],
        cwd=root,
        env=_env(TMPDIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    delivered = [line for line in lines if " delivered (" in line]
    assert len(delivered) == 9, result.stdout  # VIA, Veilig Thuis, ZVH, AMW, CJG, two gemeenten, kredietbank, Trajekt
    for line in delivered:
        arrived, _, expected = line.split("delivered")[0].split()[-3:]
        assert arrived == expected, line
    assert any(line.startswith("OK: ") and "elke handtekening en elk bewijs klopt" in line for line in lines)
    assert any("medeondertekend door 2 getuige(n) die u vertrouwt" in line for line in lines), (
        "two witnesses cosign the demo's log"
    )
    # Re-identification belongs to the holder: another organisation's officer is refused, the holder's sees it.
    assert "gemeente-maastricht-fg asks who it is: 403 heridentificatie-niet-houder (refused)" in result.stdout
    assert "zvh-zuid-limburg-fg approves it: goedgekeurd" in result.stdout
    assert "via-zuid-limburg-fg sees (an invented person): " in result.stdout


def test_the_map_is_in_the_repository() -> None:
    """A newcomer with a clone and nothing beside it finds the whole map: README, CONTRIBUTING and docs/ link only
    to files in the repository that exist, and docs/architecture.md names only paths that exist."""
    root = Path(__file__).resolve().parent.parent
    pages = [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "beside the checkout" not in text, f"{page.name} points outside the clone"
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).resolve().is_relative_to(root), f"{page.name} links outside: {target}"
            assert (page.parent / target).exists(), f"{page.name} links to a missing file: {target}"
    architecture = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in re.findall(r"`((?:hub|connectors|tests|policies|bench|docker)/[\w./<>-]+?)`", architecture):
        if "<" not in path and "*" not in path:
            assert (root / path).exists(), f"docs/architecture.md names {path}, which does not exist"
