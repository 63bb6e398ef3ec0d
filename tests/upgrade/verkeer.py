"""The sample traffic of an earlier Schakel version, sent to that version's own hub: run by scripts/upgrade-assets
with the earlier version's interpreter and code on its path, never with today's.

It imports only what every version since 0.1.0 has: `connectors.HubClient` and `SigningKey`, and the version's own
sample meldingen (`hub.partners.demo`, or before that its `scripts/demo.py`). It leaves every delivery in the
partners' inboxes (nothing collected) and writes what the upgrade test checks afterwards: the receipts, the inbox
items, a casus (where the version has them), the hub's published keys, the log's origin and its newest signed
checkpoint.

    python verkeer.py HUB_URL KEYS_DIR SOURCE_DIR OUT.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from connectors import HubClient, SigningKey


def traffic(source: Path) -> list[tuple[str, dict[str, Any]]]:
    """(sender, melding) of the version's own samples."""
    try:
        from hub.partners.demo import DEMO_TRAFFIC, sample_melding  # noqa: PLC0415 - since the casus (0012)
    except ImportError:
        sys.path.insert(0, str(source / "scripts"))
        import demo  # type: ignore[import-not-found]  # noqa: PLC0415 - the 0.1.0 demo's generators

        people = demo.People(seed=20261116)
        exports = demo.write_exports(Path(tempfile.mkdtemp(prefix="schakel-exports-")), 6, people)
        senders = {"e33": "politie-limburg", "dji": "dji-pi-limburg", "bkr": "bkr"}
        sent = [(senders[a], m) for a, path in sorted(exports.items()) for m in demo.ADAPTERS[a](path)]
        return sent + [("politie-limburg", m) for m in demo.zorgmeldingen(2, people)]
    return [(s, {"berichttype": b, "inhoud": sample_melding(b)}) for s, b in DEMO_TRAFFIC]


def client(url: str, keys: Path, principal: str) -> HubClient:
    partner = principal.rsplit("-", 1)[0]
    return HubClient(
        url, partner_id=partner, principal_id=principal, key=SigningKey.load(keys / f"{principal}.private.jwk")
    )


def main() -> None:
    url, keys, source, out = sys.argv[1], Path(sys.argv[2]) / "demo", Path(sys.argv[3]), Path(sys.argv[4])
    receipts, refused, inbox = [], [], {}
    for sender, melding in traffic(source):
        with client(url, keys, f"{sender}-systeem") as hub:
            answer = hub.send("POST", "/api/v1/meldingen", json_body=melding)
        if answer.status_code == 201:
            receipt = answer.json()
            receipts.append({"meldingId": receipt["meldingId"], "verstrekker": sender, "receipt": receipt})
        else:
            refused.append({"verstrekker": sender, "status": answer.status_code, "problem": answer.json()})
    recipients = {o["partner"] for r in receipts for o in r["receipt"]["ontvangers"] if o.get("leveringId")}
    for partner in sorted(recipients):
        with client(url, keys, f"{partner}-systeem") as hub:
            inbox[partner] = sorted(i["leveringId"] for i in hub.get("/api/v1/inbox", params={"limit": "100"})["items"])
    casussen = []
    if (keys / "zvh-zuid-limburg-regie.private.jwk").exists():  # the ZVH's process, since bd97fa6
        with client(url, keys, "zvh-zuid-limburg-regie") as regie:
            body = {"type": "pga", "reden": "Een casus van voor de upgrade"}
            answer = regie.send("POST", "/api/v1/casussen", json_body=body)
            if answer.status_code == 201:
                casussen.append(answer.json()["id"])
    with client(url, keys, "zvh-zuid-limburg-beheer") as operator:
        operator.post("/api/v1/verstrekkingenlog/checkpoints", {})
        log = operator.get("/api/v1/verstrekkingenlog")
    manifest = {
        "receipts": receipts,
        "refused": refused,
        "inbox": inbox,
        "casussen": casussen,
        "origin": log["origin"],
        "checkpoint": log["checkpoint"]["note"],
        "grootte": log["checkpoint"]["grootte"],
        "jwks": httpx.get(f"{url}/.well-known/jwks.json", timeout=10).json(),
    }
    out.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
