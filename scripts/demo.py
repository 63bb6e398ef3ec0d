"""A demo anyone can watch: a day of meldingen through a real hub, to real receivers, with the ledger verified.

It starts `schakel serve --demo` on its own SQLite database and keys (in a fresh temporary directory), starts
webhook receivers for VIA, Veilig Thuis, the ZVH and the gemeente Maastricht on 127.0.0.1, writes the partners'
export files for a day's traffic (invented people; volumes in proportion to a real year: ~1,400 meldingen, half
of them E33, ~280 detentiemeldingen), sends them through the adapters, collects the inboxes of the partners
without a webhook, and shows per recipient what arrived and what was withheld; then that a pseudonym is
re-identified only for its holder's privacy officer. Then it exports the verstrekkingenlog and verifies it offline.

Run: scripts/demo [--meldingen 1400]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors import HubClient, HubKeys, SigningKey, WebhookReceiver  # noqa: E402
from connectors._witness import Witness, WitnessApp  # noqa: E402
from connectors.adapters import ADAPTERS, GEMEENTECODES  # noqa: E402
from connectors.tlog import COSIGNATURE_ED25519, VerifierKey, parse_vkey  # noqa: E402

WEBHOOKS = ("via-zuid-limburg", "veilig-thuis-zuid-limburg", "zvh-zuid-limburg", "gemeente-maastricht")
VOORNAMEN = ("Anna", "Bram", "Chantal", "Daan", "Eva", "Finn", "Gijs", "Hanna", "Ilse", "Jesse", "Kim", "Lars")
ACHTERNAMEN = ("Verzonnen", "Fictief", "Bedacht", "Denkbeeld", "Gefingeerd", "Proef", "Voorbeeld", "Verzinsel")
PLAATSEN = (("Maastricht", "6211"), ("Heerlen", "6411"), ("Sittard-Geleen", "6131"), ("Kerkrade", "6461"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class People:
    """Invented people with BSNs that pass the 11-proef (never real ones: they start at 27182...)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self._next = 271_800_000

    def bsn(self) -> str:
        while True:
            self._next += 7
            digits = f"{self._next:09d}"
            weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
            if sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0:
                return digits

    def person(self) -> dict[str, str]:
        place, postcode = self._rng.choice(PLAATSEN)
        return {
            "bsn": self.bsn(),
            "voornamen": self._rng.choice(VOORNAMEN),
            "achternaam": self._rng.choice(ACHTERNAMEN),
            "geboortedatum": f"{self._rng.randint(1940, 2008)}-{self._rng.randint(1, 12):02d}-"
            f"{self._rng.randint(1, 28):02d}",
            "straat": "Demostraat",
            "huisnummer": str(self._rng.randint(1, 200)),
            "postcode": f"{postcode}{self._rng.choice('ABCDEFGH')}{self._rng.choice('KLMNPRST')}",
            "woonplaats": place,
        }


def write_exports(directory: Path, total: int, people: People) -> dict[str, Path]:
    """The partners' export files for the day: E33 CSV (police), detentiemeldingen JSONL (DJI), BKR CSV."""
    e33, detentie = total // 2, total // 5
    rows = []
    for n in range(e33):
        p = people.person()
        rows.append(
            f"2026111600{n:03d};2026-11-16;{n % 24:02d}:{n % 60:02d};{p['woonplaats']};;Persoon met verward gedrag"
            f" op straat.;betrokkene;{p['bsn']};{p['voornamen']};;{p['achternaam']};{p['geboortedatum']};;"
            f"{p['straat']};{p['huisnummer']};{p['postcode']};{p['woonplaats']};;Onrustig.;Onbekend.;;"
            f"{'Eerder aangehouden.' if n % 3 == 0 else ''};nee;Nee;"
            "Agent Demo;0900-8844;Basisteam Demo"
        )
    from connectors.adapters import E33_COLUMNS  # noqa: PLC0415 - the header row the adapter reads

    (directory / "e33.csv").write_text(";".join(E33_COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    lines = []
    for n in range(detentie):
        p = people.person()
        record = {
            "soort": "einde" if n % 2 else "begin",
            "datum": "2026-11-16",
            "inrichting": "PI Limburg (demo)",
            "titel": "Gevangenisstraf",
            "gedetineerde": {k: p[k] for k in ("bsn", "voornamen", "achternaam", "geboortedatum")}
            | {"adres": {k: p[k] for k in ("straat", "huisnummer", "postcode", "woonplaats")}},
            "informatieblad": {"huisvesting": "Geen woning na ontslag", "schulden": "Onbekend"},
            "gemeentecode_inschrijving": GEMEENTECODES[p["woonplaats"].lower()],
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    (directory / "detentie.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bkr = ["peildatum;straat;huisnummer;postcode;woonplaats;soort_achterstand;maanden;bedrag_euro"]
    for _ in range(20):  # the BKR knows addresses, not residents
        p = people.person()
        bkr.append(f"2026-11-01;{p['straat']};{p['huisnummer']};{p['postcode']};{p['woonplaats']};huur;3;1800")
    (directory / "bkr.csv").write_text("\n".join(bkr) + "\n", encoding="utf-8")
    return {"e33": directory / "e33.csv", "dji": directory / "detentie.jsonl", "bkr": directory / "bkr.csv"}


def zorgmeldingen(count: int, people: People) -> list[dict[str, Any]]:
    """The rest of the day: zorgmeldingen from the police to the joint screening (a parent and a child)."""
    out = []
    for _ in range(count):
        ouder, kind = people.person(), people.person()
        out.append(
            {
                "berichttype": "zorgmelding",
                "inhoud": {
                    "incident": {
                        "gemeentecode": GEMEENTECODES[ouder["woonplaats"].lower()],
                        "datum": "2026-11-16",
                        "omschrijving": "Zorgen om de thuissituatie.",
                        "soort_zorg": "Kind",
                    },
                    "personen": [
                        {"rol": "ouder", **{k: ouder[k] for k in ("bsn", "voornamen", "achternaam", "geboortedatum")}},
                        {"rol": "kind", **{k: kind[k] for k in ("bsn", "voornamen", "achternaam", "geboortedatum")}},
                    ],
                    "huishouden": {"aantal_kinderen": 1, "kinderen_aanwezig_bij_incident": True},
                    "melder": {"naam": "Agent Demo", "telefoon": "0900-8844"},
                },
            }
        )
    return out


class Witnesses:
    """Two witnesses of the log on 127.0.0.1, as another ZVH and the AP would run them (`schakel-witness serve`)."""

    NAMES = ("getuige.zvh-noord.example/schakel", "getuige.ap.example/schakel")

    def __init__(self, work: Path) -> None:
        self.keys = [Ed25519PrivateKey.generate() for _ in self.NAMES]
        self.ports = [free_port() for _ in self.NAMES]
        self.state = work / "getuigen"
        self.vkeys = [
            VerifierKey(name, COSIGNATURE_ED25519, key.public_key())
            for name, key in zip(self.NAMES, self.keys, strict=True)
        ]
        self._servers: list[uvicorn.Server] = []

    def hub_file(self, path: Path) -> Path:
        """What the hub's operator configures (SCHAKEL_WITNESSES_FILE): each witness's URL and verifier key."""
        path.write_text(
            "".join(f"http://127.0.0.1:{p} {v.encode()}\n" for p, v in zip(self.ports, self.vkeys, strict=True))
        )
        return path

    def reviewer_file(self, path: Path) -> Path:
        """What a reviewer pins: the witnesses' verifier keys."""
        path.write_text("".join(f"{v.encode()}\n" for v in self.vkeys))
        return path

    def start(self, log_vkey: str) -> None:
        log_key = parse_vkey(log_vkey)
        for name, key, port in zip(self.NAMES, self.keys, self.ports, strict=True):
            witness = Witness(name, key, [log_key], self.state / f"{port}.json")
            server = uvicorn.Server(
                uvicorn.Config(WitnessApp(witness), host="127.0.0.1", port=port, log_config=None, access_log=False)
            )
            threading.Thread(target=server.run, daemon=True).start()
            self._servers.append(server)

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True


class Receivers:
    def __init__(self, hub_url: str, keys_dir: Path, out: Path) -> None:
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.urls: dict[str, str] = {}
        self._servers: list[uvicorn.Server] = []
        hub_keys = HubKeys(hub_url, min_refresh_seconds=0)
        for partner in WEBHOOKS:
            port = free_port()
            url = f"http://127.0.0.1:{port}/schakel"
            key = SigningKey.load(keys_dir / "demo" / f"{partner}-systeem.private.jwk")
            client = HubClient(hub_url, partner_id=partner, principal_id=f"{partner}-systeem", key=key)
            folder = out / partner
            folder.mkdir(parents=True)

            def store(envelope: dict[str, Any], partner: str = partner, folder: Path = folder) -> None:
                (folder / f"{envelope['leveringId']}.json").write_text(
                    json.dumps(envelope, ensure_ascii=False), encoding="utf-8"
                )
                self.received[partner].append(envelope)

            app = WebhookReceiver(
                partner_id=partner, url=url, hub_issuer=hub_url, hub_keys=hub_keys, handle=store, hub=client
            )
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off")
            )
            threading.Thread(target=server.run, daemon=True).start()
            self._servers.append(server)
            self.urls[partner] = url
        for server in self._servers:
            while not server.started:
                time.sleep(0.02)

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True


def officer(hub_url: str, keys: Path, partner: str, principal: str) -> HubClient:
    """A demo privacy officer's client (the demo made a key for each of its people)."""
    key = SigningKey.load(keys / f"{principal}.private.jwk")
    return HubClient(hub_url, partner_id=partner, principal_id=principal, key=key)


def show_reidentification(hub_url: str, keys: Path, politie: HubClient, e33: dict[str, Any], via: list[Any]) -> None:
    """Re-identification belongs to the holder. A noodverbod keeps VIA from knowing who anyone is, so VIA gets its
    own pseudonym for the betrokkene of one more E33. The gemeente's privacy officer asks who it is: refused. VIA's
    own asks, the ZVH's approves (the sample convenant names it), and only VIA's sees the identity. Every step,
    the refusal too, is on the verstrekkingenlog. The noodverbod is lifted again."""
    zvh = officer(hub_url, keys, "zvh-zuid-limburg", "zvh-zuid-limburg-fg")
    gemeente = officer(hub_url, keys, "gemeente-maastricht", "gemeente-maastricht-fg")
    holder = officer(hub_url, keys, "via-zuid-limburg", "via-zuid-limburg-fg")
    nood = zvh.post(
        "/api/v1/beleid/noodverboden",
        {"categorieen": ["identificatie"], "ontvangers": ["via"], "reden": "Demo: VIA even zonder identiteit"},
    )
    before = len(via)
    politie.submit_melding(e33)
    deadline = time.monotonic() + 30
    while len(via) == before:
        if time.monotonic() > deadline:
            raise SystemExit("VIA did not receive the E33 sent under the noodverbod")
        time.sleep(0.1)
    pseudonym = via[-1]["inhoud"]["personen"][0]["pseudoniem"]
    gemeente.post(f"/api/v1/beleid/noodverboden/{nood['id']}/opheffing", {})
    print(f"  VIA received pseudonym {pseudonym[:30]}... (noodverbod {nood['id']} on identificatie, lifted again)")
    ask = {"pseudoniem": pseudonym, "doel": "screening-verward-gedrag", "motivering": "Demo: acute zorg nodig."}
    refused = gemeente.send("POST", "/api/v1/heridentificaties", json_body=ask)
    print(f"  gemeente-maastricht-fg asks who it is: {refused.status_code} {refused.json()['code']} (refused)")
    asked = holder.post("/api/v1/heridentificaties", ask)
    print(f"  via-zuid-limburg-fg asks who it is: request {asked['id']}, {asked['status']}")
    approved = zvh.post(f"/api/v1/heridentificaties/{asked['id']}/goedkeuring", {})
    print(f"  zvh-zuid-limburg-fg approves it: {approved['status']}")
    shown = holder.post(f"/api/v1/heridentificaties/{asked['id']}/onthulling", {})
    print(f"  via-zuid-limburg-fg sees (an invented person): {shown['voornamen']} {shown['achternaam']}")
    for client in (zvh, gemeente, holder):
        client.close()


def main() -> None:  # noqa: PLR0912, PLR0915 - a linear script, told top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meldingen", type=int, default=1400, help="how many meldingen (default: a year's ~1,400)")
    total = parser.parse_args().meldingen
    work = Path(tempfile.mkdtemp(prefix="schakel-demo-"))
    port = free_port()
    hub_url = f"http://127.0.0.1:{port}"
    witnesses = Witnesses(work)
    env = {**os.environ, "SCHAKEL_DATA_DIR": str(work / "data"), "SCHAKEL_KEYS_DIR": str(work / "keys"),
           "SCHAKEL_PUBLIC_URL": hub_url, "SCHAKEL_LOG_LEVEL": "WARNING",
           "SCHAKEL_WITNESSES_FILE": str(witnesses.hub_file(work / "getuigen.txt")),
           "SCHAKEL_CHECKPOINT_INTERVAL_SECONDS": "1"}  # fmt: skip
    print(f"== the hub: {hub_url} (SQLite and keys in {work})")
    hub = subprocess.Popen(
        [str(ROOT / ".venv/bin/schakel"), "serve", "--demo", "--geen-voorbeeldverkeer", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{hub_url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or hub.poll() is not None:
                raise SystemExit("the hub did not start")
            time.sleep(0.2)
        keys = work / "keys" / "demo"
        pinned = work / "verstrekkingenlog.vkey"  # what a DPIA reviewer pins once, before any bundle reaches them
        pinned.write_text(httpx.get(f"{hub_url}/.well-known/schakel/verstrekkingenlog.vkey", timeout=5).text)
        print(f"== the log's verifier key, pinned: {pinned.read_text().strip()}")
        witnesses.start(pinned.read_text())
        print(f"== witnesses: {', '.join(Witnesses.NAMES)} (they cosign every checkpoint that extends the last)")
        receivers = Receivers(hub_url, work / "keys", work / "ontvangen")
        operator = HubClient(
            hub_url,
            partner_id="zvh-zuid-limburg",
            principal_id="zvh-zuid-limburg-beheer",
            key=SigningKey.load(keys / "zvh-zuid-limburg-beheer.private.jwk"),
        )
        for partner, url in receivers.urls.items():
            operator.patch(f"/api/v1/partners/{partner}", {"deliveryMode": "webhook", "webhookUrl": url})
        print("== receivers: " + ", ".join(f"{p} on {u}" for p, u in receivers.urls.items()))

        people = People(seed=20261116)
        exports = write_exports(work, total, people)
        senders = {"e33": "politie-limburg", "dji": "dji-pi-limburg", "bkr": "bkr"}
        batches: list[tuple[str, dict[str, Any]]] = []
        for adapter, path in exports.items():
            batches += [(senders[adapter], m) for m in ADAPTERS[adapter](path)]
        batches += [("politie-limburg", m) for m in zorgmeldingen(max(total - len(batches), 0), people)]
        print(
            f"== sending {len(batches)} meldingen through the adapters "
            f"({Counter(m['berichttype'] for _, m in batches)})"
        )
        clients = {
            s: HubClient(
                hub_url,
                partner_id=s,
                principal_id=f"{s}-systeem",
                key=SigningKey.load(keys / f"{s}-systeem.private.jwk"),
            )
            for s in set(senders.values())
        }
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            receipts = list(pool.map(lambda b: clients[b[0]].submit_melding(b[1]), batches))
        print(f"   done in {time.monotonic() - started:.1f} s")

        expected: Counter[str] = Counter()
        withheld: dict[str, Counter[str]] = defaultdict(Counter)
        under: dict[str, Counter[str]] = defaultdict(Counter)
        for receipt in receipts:
            for outcome in receipt["ontvangers"]:
                if outcome["leveringId"]:
                    expected[outcome["partner"]] += 1
                    under[outcome["partner"]][f"{outcome['doel']} in {receipt['gemeente']}"] += 1
                for item in outcome["achtergehouden"]:
                    withheld[outcome["partner"]][f"{item['categorie']} ({item['reden']})"] += 1
        deadline = time.monotonic() + 120
        while any(len(receivers.received[p]) < expected[p] for p in WEBHOOKS) and time.monotonic() < deadline:
            time.sleep(0.2)
        pulled: Counter[str] = Counter()
        for partner in sorted(set(expected) - set(WEBHOOKS)):
            key = SigningKey.load(keys / f"{partner}-systeem.private.jwk")
            with HubClient(hub_url, partner_id=partner, principal_id=f"{partner}-systeem", key=key) as client:
                while items := client.get("/api/v1/inbox", params={"limit": "100"})["items"]:
                    for item in items:
                        client.post(
                            f"/api/v1/inbox/{item['leveringId']}/ontvangstbevestiging",
                            {"inhoudDigest": item["inhoudDigest"]},
                        )
                        pulled[partner] += 1

        werkgebied = {p["id"]: p["werkgebied"] for p in operator.get("/api/v1/partners")["items"]}
        print("\n== per recipient: what arrived, under which doel and for which gemeente, and what was withheld")
        for partner in sorted(expected):
            arrived = len(receivers.received[partner]) if partner in WEBHOOKS else pulled[partner]
            how = "webhook" if partner in WEBHOOKS else "inbox"
            print(f"  {partner:28} {arrived:5} of {expected[partner]:5} delivered ({how})")
            served = werkgebied.get(partner, [])
            print(f"  {'':28}   werkgebied: {', '.join(served) if len(served) < 4 else f'{len(served)} gemeenten'}")
            for doel, count in sorted(under[partner].items()):
                print(f"  {'':28}   received: {doel} x{count}")
            for reason, count in withheld[partner].most_common(4):
                print(f"  {'':28}   withheld: {reason} x{count}")
        sample = (
            receivers.received["via-zuid-limburg"][0]["inhoud"]["personen"][0]
            if receivers.received["via-zuid-limburg"]
            else {}
        )
        print(f"\n  VIA sees of a person only: {', '.join(sorted(sample))}")

        print("\n== re-identification belongs to the holder")
        e33 = next(m for _, m in batches if m["berichttype"] == "e33-verward-gedrag")
        show_reidentification(hub_url, keys, clients["politie-limburg"], e33, receivers.received["via-zuid-limburg"])

        # The hub signs a checkpoint every second while the log grows, and has both witnesses cosign it.
        deadline = time.monotonic() + 60
        while True:
            state = operator.get("/api/v1/verstrekkingenlog")
            latest = state["checkpoint"] or {}
            if latest.get("grootte") == state["grootte"] and len(latest.get("getuigen", [])) == len(Witnesses.NAMES):
                break
            if time.monotonic() > deadline:
                raise SystemExit("the witnesses did not cosign the log's newest checkpoint in time")
            time.sleep(0.5)
        print(f"\n== checkpoint at size {latest['grootte']} cosigned by {', '.join(latest['getuigen'])}")
        bundle = work / "verstrekkingenlog"
        subprocess.run([str(ROOT / ".venv/bin/schakel"), "ledger", "export", "--out", str(bundle)], env=env, check=True)
        # A reviewer verifies against the key pinned out of band; here, the verifier key fetched at the start.
        subprocess.run(
            [
                str(ROOT / ".venv/bin/schakel"),
                "ledger",
                "verify",
                str(bundle),
                "--sleutels",
                str(pinned),
                "--getuigen",
                str(witnesses.reviewer_file(work / "getuigen.vkey")),
                "--minimaal",
                "2",
            ],
            env=env,
            check=True,
        )
        print(f"\nWhat each receiver stored: {work / 'ontvangen'}; the ledger bundle: {bundle}")
        receivers.stop()
        witnesses.stop()
    finally:
        hub.terminate()
        hub.wait(timeout=30)


if __name__ == "__main__":
    main()
