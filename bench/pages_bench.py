"""The pages against the API calls they are built on, on a verstrekkingenlog of a million entries.

For each page: the median time of the page (session cookie, template, the same service call) against the median
time of the API call that gives the same data (signed request-bound token, JSON), both through the same running
hub over HTTP on 127.0.0.1, measured in the same run. Target: every page within 2x its API call.

The log is grown with realistic verstrekking entries spread over 50 days, through the real append path (tree nodes
included). A web session and the API tokens are made before the clock runs; signing in is not what is measured.

Run: .venv/bin/python bench/pages_bench.py [--quick]   (--quick: 50,000 entries and fewer rounds, for CI)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors import SigningKey, sign_request_token  # noqa: E402
from connectors.tlog import leaf_hash  # noqa: E402
from hub.config import LogFormat, Settings  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.keys.keyring import HubKeyring  # noqa: E402
from hub.kit.cli import cli_actor  # noqa: E402
from hub.kit.clock import NL, utcnow  # noqa: E402
from hub.ledger import service  # noqa: E402
from hub.ledger.repository import Prepared  # noqa: E402
from hub.logging import configure_logging  # noqa: E402
from hub.main import create_app  # noqa: E402
from hub.partners import demo  # noqa: E402
from hub.pseudonym.secrets import PrivacySecrets  # noqa: E402
from hub.web import service as web  # noqa: E402
from tests.server import free_socket, serving  # noqa: E402

READER = "zvh-zuid-limburg-dpia"
OPERATOR = "zvh-zuid-limburg-beheer"
DAYS = 50
RECIPIENTS = ("via-zuid-limburg", "veilig-thuis-zuid-limburg", "zvh-zuid-limburg", "amw-zuid-limburg")


def entry(n: int, moment: datetime) -> bytes:
    data = {
        "soort": "verstrekking",
        "tijdstip": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "trace_id": f"{n:032x}",
        "span_id": f"{n:016x}",
        "verzoek_digest": "sha256:" + "ab" * 32,
        "verwerkingsactiviteit_id": "VA-ZVH-001@v1",
        "verstrekker": "politie-limburg",
        "ontvanger": RECIPIENTS[n % len(RECIPIENTS)],
        "doel": "screening-verward-gedrag",
        "berichttype": "e33-verward-gedrag",
        "gemeente": "GM0935",
        "melding_id": f"m-{n // 2:012d}",
        "rol": "betrokkene",
        "besluit": "partial" if n % 5 else "deny",
        "grondslagen": ["wpg-art-19-20"],
        "regels": ["R-POL-001"],
        "bewaartermijnen": ["P2Y"],
        "beleid_hash": "sha256:" + "cd" * 32,
        "beleid": "zuid-limburg 2026.1 (versie 1)",
        "categorieen_verstrekt": [{"categorie": c, "regel": "R-POL-001"} for c in ("incident", "adres")],
        "categorieen_achtergehouden": [{"categorie": "strafrechtelijk", "reden": "geen-regel"}],
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def grow(database: Database, size: int) -> None:
    """Append `size` entries in blocks, each block a little older than the next, over `DAYS` days."""
    block_size = max(size // DAYS, 1)
    start = utcnow() - timedelta(days=DAYS)
    with database.engine.connect() as connection:
        for first in range(0, size, block_size):
            moment = start + timedelta(days=first // block_size)
            block = []
            for n in range(first, min(size, first + block_size)):
                raw = entry(n, moment)
                index = {
                    "soort": "verstrekking", "verstrekker": "politie-limburg", "ontvanger": RECIPIENTS[n % 4],
                    "doel": "screening-verward-gedrag", "besluit": "partial" if n % 5 else "deny",
                    "categorieen": "|adres|incident|strafrechtelijk|", "berichttype": "e33-verward-gedrag",
                }  # fmt: skip
                block.append(Prepared(raw, leaf_hash(raw), index))
            with connection.begin():
                service.append_prepared(connection, block, moment)


def median_ms(run: Callable[[], httpx.Response], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = run()
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{answer.request.url} answered {answer.status_code}: {answer.text[:300]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50,000 entries and fewer rounds (CI)")
    args = parser.parse_args()
    configure_logging(LogFormat.CONSOLE, "WARNING")
    size, rounds = (50_000, 5) if args.quick else (1_000_000, 15)
    with tempfile.TemporaryDirectory() as work:
        run(Path(work), size, rounds)


def run(work: Path, size: int, rounds: int) -> None:
    listener = free_socket()
    url = f"http://localhost:{listener.getsockname()[1]}"
    keys = work / "keys"
    settings = Settings(
        database_url=f"sqlite:///{work / 'schakel.db'}",
        keys_dir=keys,
        public_url=url,
        checkpoint_interval_seconds=0,
        delivery_in_process=False,
        log_level="WARNING",
    )
    HubKeyring(keys).init(demo=True)
    PrivacySecrets(keys).init()
    database = Database(settings.effective_database_url)
    database.upgrade()
    with database.unit_of_work() as session:
        demo.seed(session, cli_actor(), keys)
        demo.seed_convenant(session)
    started = time.perf_counter()
    grow(database, size)
    print(f"log grown to {size:,} entries in {time.perf_counter() - started:.0f} s")
    with database.unit_of_work() as session:
        service.sign_checkpoint(
            session, service.log_origin(session, None, url), HubKeyring(keys).ed25519_key(), utcnow()
        )
        reader_cookie = web.start_session(session, READER, "passkey", settings, utcnow())
        operator_cookie = web.start_session(session, OPERATOR, "passkey", settings, utcnow())
    day = (utcnow() - timedelta(days=DAYS // 2)).astimezone(NL).date()
    period = f"van={day}&tot={day}"
    api_period = f"van={day}&tot={day + timedelta(days=1)}"
    middle = size // 2
    flow = "verstrekker=politie-limburg&ontvanger=via-zuid-limburg"
    report = f"/api/v1/rapportages/verstrekkingen?{api_period}"
    pairs = [
        ("verstrekkingenlog, gefilterd", f"/verstrekkingenlog?{flow}&{period}",
         f"/api/v1/verstrekkingen?{flow}&{api_period}&limit=50", READER),
        ("vastlegging met bewijs", f"/verstrekkingenlog/{middle}", f"/api/v1/verstrekkingen/{middle}", READER),
        ("DPIA-rapport (een dag)", f"/verstrekkingenlog/rapport?{period}", report, READER),
        ("grafieken (een dag)", f"/verstrekkingenlog/grafieken?{period}", report, READER),
        ("convenantversie", "/convenant/versies/1", "/api/v1/beleid/versies/1", READER),
        ("convenantversies", "/convenant", "/api/v1/beleid/versies", READER),
        ("partners", "/beheer/partners", "/api/v1/partners", OPERATOR),
        ("audittrail", "/beheer/audittrail", "/api/v1/beheerlog?limit=50", OPERATOR),
    ]  # fmt: skip
    app = create_app(settings, configure_logs=False)
    keys_of = {who: SigningKey.load(keys / "demo" / f"{who}.private.jwk") for who in (READER, OPERATOR)}
    cookies = {READER: reader_cookie, OPERATOR: operator_cookie}
    print(f"{'pagina':<28} {'pagina ms':>10} {'API ms':>10} {'verhouding':>11}  (doel: <= 2.0)")
    worst = 0.0
    direct = f"http://127.0.0.1:{listener.getsockname()[1]}"  # no name lookup in the measurement
    with serving(app, listener), httpx.Client(base_url=direct, timeout=120) as client:
        for name, page, api, who in pairs:
            tokens = iter([token_headers(url, api, who, keys_of[who]) for _ in range(rounds + 1)])
            html = {"Accept": "text/html", "Cookie": f"schakel_sessie={cookies[who]}"}
            client.get(page, headers=html)  # warm: the policy compiled, the pages' templates loaded
            client.get(api, headers=next(tokens))
            page_ms = median_ms(partial(client.get, page, headers=html), rounds)
            api_ms = median_ms(lambda: client.get(api, headers=next(tokens)), rounds)  # noqa: B023 - called at once
            ratio = page_ms / api_ms
            worst = max(worst, ratio)
            print(f"{name:<28} {page_ms:>10.1f} {api_ms:>10.1f} {ratio:>10.2f}x")
    print(f"slechtste verhouding: {worst:.2f}x (doel <= 2.0x) over {size:,} vastleggingen")
    database.dispose()


def token_headers(base: str, path: str, who: str, key: SigningKey) -> dict[str, str]:
    _, headers = sign_request_token(
        key, issuer="zvh-zuid-limburg", subject=who, audience=base, method="GET", url=base + path.partition("?")[0]
    )
    return headers


if __name__ == "__main__":
    main()
