"""End-to-end `POST /api/v1/meldingen` against a bare FastAPI endpoint, at 16 concurrent clients, in one run.

Schakel: a real hub (uvicorn, one process, SQLite WAL `synchronous=FULL`) on a fresh database with the sample
convenant plus one rule that also gives the ZVH the E33, so that a 2 KB E33 melding has two recipients that
both get a delivery. Each request carries a freshly signed request-bound token; the hub verifies it, spends its
jti, validates, decides per recipient, pseudonymises, seals the views and commits melding, deliveries and
ledger entries durably (group commit) before it answers 201.

Baseline: a FastAPI app with one endpoint that reads and parses the same body (orjson) and answers 201, served by
uvicorn with the same settings, sent the very same requests (token included, which it ignores).

Targets: throughput at least half the bare endpoint's; p99 latency at most twice its.

For scale, a third server: the bare endpoint that also verifies each request's token with the same library and
checks (no database: the key is in a dictionary, the jti is not spent). It shows what the signature check alone
costs against the budget the target leaves.

Run: .venv/bin/python bench/meldingen_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors import SigningKey, sign_request_token  # noqa: E402
from hub.config import LogFormat  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.keys.keyring import HubKeyring  # noqa: E402
from hub.logging import configure_logging  # noqa: E402
from hub.partners import service as partners  # noqa: E402
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role  # noqa: E402
from hub.partners.schemas import KeyCreate, PartnerCreate, PrincipalCreate  # noqa: E402
from hub.policy import service as policy  # noqa: E402
from hub.policy.convenant.format import load_directory, source_to_data  # noqa: E402
from hub.policy.runtime import PolicyRuntime  # noqa: E402
from hub.policy.service import Officer  # noqa: E402
from hub.pseudonym.secrets import PrivacySecrets  # noqa: E402

CLIENTS = 16
BARE_APP = textwrap.dedent(
    """
    import orjson
    from fastapi import FastAPI, Request
    from fastapi.responses import Response

    app = FastAPI()

    @app.post("/api/v1/meldingen")
    async def meldingen(request: Request) -> Response:
        orjson.loads(await request.body())
        return Response(b'{"ok":true}', status_code=201, media_type="application/json")
    """
)
VERIFY_APP = textwrap.dedent(
    """
    import json, os
    import orjson
    from fastapi import FastAPI, Request
    from fastapi.responses import Response
    from connectors import ResolvedKey, public_key_from_jwk, verify_request_token

    public_key, algorithm = public_key_from_jwk(json.loads(os.environ["BENCH_JWK"]))
    resolved = ResolvedKey(public_key, algorithm, issuer="politie-limburg", subject="politie-systeem")
    audience = os.environ["SCHAKEL_PUBLIC_URL"]
    app = FastAPI()

    @app.post("/api/v1/meldingen")
    async def meldingen(request: Request) -> Response:
        body = await request.body()
        verify_request_token(
            request.headers["authorization"].partition(" ")[2], resolve_key=lambda kid: resolved, audience=audience,
            method="POST", url=audience + "/api/v1/meldingen", body=body,
            content_digest_header=request.headers.get("content-digest"),
        )
        orjson.loads(body)
        return Response(b'{"ok":true}', status_code=201, media_type="application/json")
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def melding() -> dict[str, Any]:
    """The sample E33 with a second invented person: about 2 KB."""
    inhoud = json.loads((ROOT / "hub/partners/voorbeeldmeldingen/e33-verward-gedrag.json").read_text(encoding="utf-8"))
    second = copy.deepcopy(inhoud["personen"][0])
    second.update(rol="huisgenoot", bsn="118784481", voornamen="Sanne", achternaam="Bedacht")
    inhoud["personen"].append(second)
    return {
        "berichttype": "e33-verward-gedrag",
        "ontvangers": ["via-zuid-limburg", "zvh-zuid-limburg"],
        "inhoud": inhoud,
    }


def prepare_hub(work: Path, key: SigningKey, url: str | None = None) -> dict[str, str]:
    """Keys, a migrated database (SQLite in `work` unless `url` names another), the bench's partners and the
    sample convenant in force; the hub's environment."""
    keys = work / "keys"
    HubKeyring(keys).init(demo=False)
    PrivacySecrets(keys).init()
    url = url or f"sqlite:///{work / 'schakel.db'}"
    database = Database(url)
    database.upgrade()
    source = source_to_data(load_directory(ROOT / "policies/zuid-limburg"))
    source["convenant"]["goedkeuring"]["fg_van_betrokken_verstrekker"] = False
    police = source["regels"]["politie-limburg.yaml"]["regels"]
    extra = copy.deepcopy(next(r for r in police if r["id"] == "R-POL-001"))
    extra.update(id="R-POL-099", ontvanger="zvh")
    police.append(extra)
    now = datetime.now(UTC)
    with database.unit_of_work() as session:
        for n, (partner, soort) in enumerate(
            (("politie-limburg", "politie"), ("via-zuid-limburg", "via"), ("zvh-zuid-limburg", "zvh"))
        ):
            partners.create_partner(
                session,
                "bench",
                PartnerCreate(
                    id=partner,
                    naam=partner,
                    soort=PartnerSoort(soort),
                    oin=f"0000009900000000090{n}",
                    delivery_mode=DeliveryMode.INBOX,
                    werkgebied=["GM0935"],
                ),
            )
        partners.create_principal(
            session,
            "bench",
            PrincipalCreate(
                id="politie-systeem", partner_id="politie-limburg", soort=PrincipalSoort.SYSTEEM, roles=[Role.PARTNER]
            ),
        )
        partners.add_key(session, "bench", "politie-systeem", KeyCreate(jwk=key.public_jwk()))
        version, _ = policy.propose(session, Officer("fg-een", "elders"), source, "bench", now)
        policy.approve(
            session,
            PolicyRuntime(),
            Officer("fg-twee", "elders"),
            version.id or 0,
            active_from=now,
            now=now,
            warnings_seen=True,
        )
    database.dispose()
    return {"SCHAKEL_DATABASE_URL": url, "SCHAKEL_KEYS_DIR": str(keys), "SCHAKEL_DELIVERY_IN_PROCESS": "false"}


def serve(command: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1)
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"the server did not start: {command}") from None
            time.sleep(0.1)
        else:
            return process


def requests(base_audience: str, key: SigningKey, body: bytes, count: int, port: int) -> list[bytes]:
    """`count` complete HTTP/1.1 requests, each with its own freshly signed token, made before the clock runs."""
    out = []
    for _ in range(count):
        _, headers = sign_request_token(
            key,
            issuer="politie-limburg",
            subject="politie-systeem",
            audience=base_audience,
            method="POST",
            url=f"{base_audience}/api/v1/meldingen",
            body=body,
            lifetime_seconds=300,
        )
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out.append(
            (
                f"POST /api/v1/meldingen HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n{head}\r\n"
            ).encode("latin-1")
            + body
        )
    return out


async def load(port: int, prepared: list[bytes], seconds: float) -> tuple[float, list[float]]:
    """16 keep-alive connections posting as fast as the server answers, for `seconds` (or until the prepared
    requests run out): (requests per second, latencies). A minimal HTTP/1.1 client, so that the load generator
    costs far less than the servers it measures."""
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds
    queue = iter(prepared)

    async def client() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                if time.monotonic() >= stop:
                    break
                started = time.perf_counter()
                writer.write(request)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if b" 201 " not in status_line:
                    failures += 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"{failures} requests failed against port {port}")
    return len(latencies) / elapsed, latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    seconds = 4.0 if parser.parse_args().quick else 20.0
    configure_logging(LogFormat.CONSOLE, "WARNING")  # setting up the hub's registry is not news
    key = SigningKey.generate()
    body = json.dumps(melding(), separators=(",", ":")).encode()
    uvicorn_args = ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        hub_port, bare_port, verify_port = free_port(), free_port(), free_port()
        hub_url, bare_url = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{bare_port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
        env.update(prepare_hub(work, key), SCHAKEL_PUBLIC_URL=hub_url, SCHAKEL_LOG_LEVEL="WARNING")
        (work / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
        (work / "verify_app.py").write_text(VERIFY_APP, encoding="utf-8")
        env.update(BENCH_JWK=json.dumps(key.public_jwk()), PYTHONPATH=str(ROOT))
        uvicorn_bin = str(ROOT / ".venv/bin/uvicorn")
        bare = serve(
            [uvicorn_bin, "bare_app:app", "--app-dir", str(work), "--port", str(bare_port), *uvicorn_args],
            env,
            bare_url + "/docs",
        )
        verify_url = f"http://127.0.0.1:{verify_port}"
        verifier = serve(
            [uvicorn_bin, "verify_app:app", "--app-dir", str(work), "--port", str(verify_port), *uvicorn_args],
            env,
            verify_url + "/docs",
        )
        hub = serve(
            [uvicorn_bin, "hub.main:create_app", "--factory", "--port", str(hub_port), *uvicorn_args],
            env,
            hub_url + "/api/v1/health",
        )
        try:
            budget = int(seconds * 3000)  # more than either server can take in the time
            asyncio.run(load(bare_port, requests(hub_url, key, body, 300, bare_port), 1.0))  # warm both up
            asyncio.run(load(verify_port, requests(hub_url, key, body, 300, verify_port), 1.0))
            asyncio.run(load(hub_port, requests(hub_url, key, body, 300, hub_port), 1.0))
            bare_rate, bare_latencies = asyncio.run(
                load(bare_port, requests(hub_url, key, body, budget, bare_port), seconds)
            )
            verify_rate, verify_latencies = asyncio.run(
                load(verify_port, requests(hub_url, key, body, budget, verify_port), seconds)
            )
            hub_rate, hub_latencies = asyncio.run(
                load(hub_port, requests(hub_url, key, body, budget, hub_port), seconds)
            )
        finally:
            for process in (hub, verifier, bare):
                process.terminate()
                process.wait(timeout=30)
    print(f"POST /api/v1/meldingen, {len(body):,}-byte E33 with two recipients, {CLIENTS} concurrent clients:")
    for name, rate, latencies in (
        ("bare FastAPI endpoint (parse only)", bare_rate, bare_latencies),
        ("bare + token check (for scale)", verify_rate, verify_latencies),
        ("Schakel, durable, end to end", hub_rate, hub_latencies),
    ):
        median, tail = statistics.median(latencies) * 1e3, p99(latencies) * 1e3
        print(f"  {name:36} {rate:8,.0f} req/s   p50 {median:6.1f} ms   p99 {tail:6.1f} ms   {rate / bare_rate:5.2f}x")
    latency_ratio = p99(hub_latencies) / p99(bare_latencies)
    print(
        f"  throughput ratio {hub_rate / bare_rate:5.2f} (target >= 0.5)   p99 ratio {latency_ratio:5.2f} (target <= 2)"
    )
    print(f"  Schakel against bare + token check: {hub_rate / verify_rate:5.2f}x (target >= 0.5; one process each)")


if __name__ == "__main__":
    main()
