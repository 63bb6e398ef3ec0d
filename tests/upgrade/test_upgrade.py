"""Upgrades tested against the past (#35): a database made by each earlier version (every release, and every commit
that added a migration since the last one), with that version's own code, demo partners, sample convenant and sample
traffic, on SQLite and PostgreSQL, is upgraded with today's `schakel db upgrade` and served by today's
`schakel serve --demo`, as an operator does after a pull. Then new meldingen are decided and delivered, every old
receipt and inbox item reads back, every page renders, and the ledger verifies against the keys and the checkpoint
pinned before the upgrade, and grows from it.

Seen on a live hub: a database from 790595d (release 0.1.0, schema 0007) upgraded fine, and then every melding and
every old receipt answered 500 and `serve --demo` refused to start.

The databases are built by `scripts/upgrade-assets` (cached outside the repository; `.ci/run` builds what is
missing). Without them these tests skip and say so, unless SCHAKEL_TEST_REQUIRE_UPGRADES is set.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from connectors import HubClient, SigningKey
from hub.config import Settings
from hub.db import Database
from hub.kit.clock import utcnow
from hub.partners import service as partners
from hub.partners.demo import DEMO_TRAFFIC, sample_melding
from hub.partners.models import PrincipalSoort, Role
from hub.partners.schemas import PrincipalCreate
from hub.web.security import SESSION_COOKIE
from hub.web.service import start_session
from tests.partnership import wait_for
from tests.server import start_serving

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REQUIRE_ENV = "SCHAKEL_TEST_REQUIRE_UPGRADES"
PAST = json.loads((ROOT / "tests" / "upgrade" / "verleden.json").read_text(encoding="utf-8"))
PERSON = "zvh-zuid-limburg-iedereen"


def _builder() -> types.ModuleType:
    path = ROOT / "scripts" / "upgrade-assets"
    loader = importlib.machinery.SourceFileLoader("upgrade_assets", str(path))
    module = types.ModuleType(loader.name)
    module.__file__ = str(path)
    loader.exec_module(module)
    return module


ASSETS = _builder()


def _asset(commit: str, database: str) -> Path:
    found: Path = ASSETS.asset_dir(commit, database)
    if (found / "manifest.json").exists():
        return found
    hint = "scripts/upgrade-assets" + (" --postgres URL" if database == "postgresql" else "")
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but the database of {commit[:7]} on {database} is not built: run {hint}")
    pytest.skip(f"the database of {commit[:7]} on {database} is not built: run {hint} (needs network once)")


@dataclass
class Upgraded:
    url: str
    keys: Path
    env: dict[str, str]
    manifest: dict[str, Any]
    settings: Settings

    def client(self, principal: str) -> HubClient:
        partner = principal.rsplit("-", 1)[0]
        key = SigningKey.load(self.keys / "demo" / f"{principal}.private.jwk")
        return HubClient(self.url, partner_id=partner, principal_id=principal, key=key)

    def schakel(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(BIN / "schakel"), *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120, check=False)


@contextmanager
def _postgresql_copy(dump: Path, name: str) -> Iterator[str]:
    base = os.environ["SCHAKEL_TEST_POSTGRES_URL"]
    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    url = f"{base.rpartition('/')[0]}/{name}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        loaded = subprocess.run(
            ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-f", str(dump), url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@contextmanager
def upgraded(asset: Path, database: str, tmp_path: Path) -> Iterator[Upgraded]:
    """The earlier version's database and keys, upgraded with today's `schakel db upgrade` and served by today's
    `schakel serve --demo` (as scripts/serve does), on a port of its own."""
    manifest = json.loads((asset / "manifest.json").read_text(encoding="utf-8"))
    keys = tmp_path / "keys"
    shutil.copytree(asset / "keys", keys)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")},
        "SCHAKEL_DATA_DIR": str(tmp_path / "data"),
        "SCHAKEL_KEYS_DIR": str(keys),
        # The asset's newest checkpoint is as old as the cached asset: the hub signs a fresh one as soon as its log
        # grows, so that the health does not depend on when the asset was built.
        "SCHAKEL_CHECKPOINT_INTERVAL_SECONDS": "1",
    }
    with _database(asset, database, tmp_path) as database_url:
        env["SCHAKEL_DATABASE_URL"] = database_url
        dump = tmp_path / "voor-upgrade.dump"
        if database == "postgresql":  # a real backup, as the operator configures it
            env["SCHAKEL_DB_BACKUP_COMMAND"] = f"pg_dump --format=custom --file={dump} '{database_url}'"
        hub = Upgraded("", keys, env, manifest, Settings(database_url=database_url, keys_dir=keys))
        upgrade = hub.schakel("db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        if manifest["schema"] == Database.head():
            assert "er is niets te doen" in upgrade.stdout
        else:
            assert "proef op een kopie: na de upgrade kan de hub alles lezen" in upgrade.stdout
            if database == "postgresql":
                assert dump.stat().st_size > 0, "the backup was made before the migrations ran"
            else:
                assert "backup gemaakt: " in upgrade.stdout
        log = tmp_path / "hub.log"

        def serve(port: int) -> list[str]:
            env["SCHAKEL_PUBLIC_URL"] = hub.url = f"http://127.0.0.1:{port}"
            return [str(BIN / "schakel"), "serve", "--demo", "--port", str(port)]

        running = []
        if (asset / "getuige").is_dir():  # the earlier version's witness goes on witnessing, as today's
            shutil.copytree(asset / "getuige", tmp_path / "getuige")
            assert _cosigned(tmp_path / "getuige") == manifest["grootte"], "it cosigned the pinned checkpoint"
            running.append(_witness(tmp_path / "getuige", env))
        process, _ = start_serving(serve, log, env=env)
        running.append(process)
        hub.settings = Settings(database_url=database_url, keys_dir=keys, public_url=hub.url)
        try:
            assert httpx.get(f"{hub.url}/api/v1/health", timeout=10).status_code == 200
            yield hub
        finally:
            for started in reversed(running):
                started.send_signal(signal.SIGTERM)
                try:
                    started.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    started.kill()
                    started.wait()
        assert "request.unhandled_error" not in log.read_text(errors="replace"), "a 500 on the upgraded hub"


def _witness(getuige: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Today's `schakel-witness` with the earlier witness's key and state; the hub submits to it every second."""
    name = (getuige / "getuige.vkey").read_text(encoding="utf-8").split("+", 1)[0]

    def command(port: int) -> list[str]:
        vkey = (getuige / "getuige.vkey").read_text(encoding="utf-8").strip()
        (getuige / "getuigen.txt").write_text(f"http://127.0.0.1:{port} {vkey}\n", encoding="utf-8")
        key, state = getuige / "getuige.private.jwk", getuige / "staat.json"
        return [str(BIN / "schakel-witness"), "serve", "--naam", name, "--sleutel", str(key),
                "--log", str(getuige / "hub.vkey"), "--staat", str(state), "--port", str(port)]  # fmt: skip

    witness, _ = start_serving(command, getuige / "getuige.log", ready="luistert op http://127.0.0.1:{port}")
    env |= {"SCHAKEL_WITNESSES_FILE": str(getuige / "getuigen.txt"), "SCHAKEL_CHECKPOINT_INTERVAL_SECONDS": "1"}
    return witness


def _cosigned(getuige: Path) -> int:
    """The largest size the witness cosigned."""
    state = json.loads((getuige / "staat.json").read_text(encoding="utf-8"))
    return max(int(record["size"]) for record in state.values())


@contextmanager
def _database(asset: Path, database: str, tmp_path: Path) -> Iterator[str]:
    if database == "sqlite":
        (tmp_path / "data").mkdir()
        shutil.copyfile(asset / "schakel.db", tmp_path / "data" / "schakel.db")
        yield f"sqlite:///{tmp_path / 'data' / 'schakel.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    with _postgresql_copy(asset / "postgresql.sql", f"upgrade_{asset.name[:7]}_{worker}") as url:
        yield url


def _new_meldingen_are_decided_and_delivered(hub: Upgraded) -> None:
    delivered = 0
    for sender, berichttype in DEMO_TRAFFIC:
        with hub.client(f"{sender}-systeem") as client:
            body = {"berichttype": berichttype, "inhoud": sample_melding(berichttype)}
            answer = client.send("POST", "/api/v1/meldingen", json_body=body)
        if answer.status_code == 201:
            delivered += sum(1 for o in answer.json()["ontvangers"] if o["leveringId"])
        else:  # a berichttype the convenant in force does not know yet: a clear refusal, never a 500
            assert answer.status_code == 422, answer.text
            assert answer.json()["detail"] == f"the convenant has no berichttype {berichttype!r}"
    assert delivered >= 3, "the upgraded hub decided and delivered new meldingen"


def _old_receipts_and_inbox_items_read_back(hub: Upgraded) -> None:
    for stored in hub.manifest["receipts"]:
        with hub.client(f"{stored['verstrekker']}-systeem") as client:
            receipt = client.get(f"/api/v1/meldingen/{stored['meldingId']}")
        assert receipt["meldingId"] == stored["meldingId"]
        expected = [(o["partner"], o["leveringId"]) for o in stored["receipt"]["ontvangers"]]
        assert [(o["partner"], o["leveringId"]) for o in receipt["ontvangers"]] == expected
    for partner, levering_ids in hub.manifest["inbox"].items():
        with hub.client(f"{partner}-systeem") as client:
            items = {i["leveringId"]: i for i in client.items("/api/v1/inbox")}
            assert set(levering_ids) <= set(items), partner
            first = items[levering_ids[0]]
            client.post(
                f"/api/v1/inbox/{first['leveringId']}/ontvangstbevestiging", {"inhoudDigest": first["inhoudDigest"]}
            )


def _old_casussen_read_back(hub: Upgraded) -> None:
    with hub.client("zvh-zuid-limburg-regie") as regie:
        for casus_id in hub.manifest.get("casussen", []):
            assert regie.get(f"/api/v1/casussen/{casus_id}")["id"] == casus_id


def _pages_render(hub: Upgraded) -> None:
    from tests.test_one_unit_of_work import PAGES, _concrete  # noqa: PLC0415 - the same list of every page

    database = Database(hub.settings.effective_database_url)
    try:
        with database.unit_of_work() as session:
            partners.create_principal(
                session,
                "test",
                PrincipalCreate(
                    id=PERSON, partner_id="zvh-zuid-limburg", soort=PrincipalSoort.PERSOON, roles=list(Role)
                ),
            )
            cookie = start_session(session, PERSON, "passkey", hub.settings, utcnow())
    finally:
        database.dispose()
    values = {"partner_id": "zvh-zuid-limburg", "principal_id": PERSON, "positie": "0"}
    if hub.manifest.get("casussen"):
        values["casus_id"] = str(hub.manifest["casussen"][0])
    with httpx.Client(base_url=hub.url, cookies={SESSION_COOKIE: cookie}, timeout=20) as browser:
        for path in PAGES:
            answer = browser.get(_concrete(path, values))
            assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
        for path in ("/", "/convenant", "/beheer", "/verstrekkingenlog"):
            assert browser.get(path).status_code == 200, path


def _ledger_verifies_against_what_was_pinned(hub: Upgraded, tmp_path: Path) -> None:
    with hub.client("zvh-zuid-limburg-beheer") as operator:
        operator.post("/api/v1/verstrekkingenlog/checkpoints", {})
        log = operator.get("/api/v1/verstrekkingenlog")
    assert log["origin"] == hub.manifest["origin"]
    assert log["checkpoint"]["grootte"] > hub.manifest["grootte"], "the log grew from the pinned checkpoint"
    pinned_keys, pinned_checkpoint = tmp_path / "vastgelegd.jwks", tmp_path / "vastgelegd.checkpoint"
    pinned_keys.write_text(json.dumps(hub.manifest["jwks"]), encoding="utf-8")
    pinned_checkpoint.write_text(hub.manifest["checkpoint"], encoding="utf-8")
    witnessed: list[str] = []
    getuige = tmp_path / "getuige"
    if getuige.is_dir():  # the witness that cosigned before the upgrade cosigns the grown log: it extends that one
        deadline = time.monotonic() + 30
        while _cosigned(getuige) < log["checkpoint"]["grootte"]:
            assert time.monotonic() < deadline, "the witness did not cosign the upgraded hub's checkpoint"
            time.sleep(0.2)
        witnessed = ["--getuigen", str(getuige / "getuige.vkey"), "--minimaal", "1"]
    bundle = tmp_path / "bundel"
    exported = hub.schakel("ledger", "export", "--out", str(bundle))
    assert exported.returncode == 0, exported.stderr
    verified = hub.schakel(
        "ledger", "verify", str(bundle), "--sleutels", str(pinned_keys), "--origin", hub.manifest["origin"],
        "--vorige", str(pinned_checkpoint), *witnessed, "--json",
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _health_says_only_what_needs_attention(hub: Upgraded) -> None:
    def codes() -> set[str]:
        return {r["code"] for r in httpx.get(f"{hub.url}/api/v1/health", timeout=10).json()["redenen"]}

    # The new meldingen grew the log: within a second or two the hub signs a checkpoint over it (the asset's own
    # may be hours old, as old as the cache it came from).
    wait_for(lambda: codes() <= {"convenant-oud-formaat"}, seconds=20)
    if hub.manifest["schema"] == "0007":
        assert codes() == {"convenant-oud-formaat"}, "a convenant of format 1 in force is reported"


def _ids(entry: dict[str, str]) -> str:
    return f"{entry.get('versie') or entry['commit'][:7]}-schema{entry['schema']}"


@pytest.mark.parametrize("entry", PAST, ids=[_ids(e) for e in PAST])
class TestUpgradeFromThePast:
    def test_sqlite(self, entry: dict[str, str], tmp_path: Path) -> None:
        self._check(_asset(entry["commit"], "sqlite"), "sqlite", tmp_path)

    @pytest.mark.postgresql
    def test_postgresql(self, entry: dict[str, str], tmp_path: Path) -> None:
        if not os.environ.get("SCHAKEL_TEST_POSTGRES_URL"):
            pytest.skip("SCHAKEL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
        self._check(_asset(entry["commit"], "postgresql"), "postgresql", tmp_path)

    @staticmethod
    def _check(asset: Path, database: str, tmp_path: Path) -> None:
        with upgraded(asset, database, tmp_path) as hub:
            _new_meldingen_are_decided_and_delivered(hub)
            _old_receipts_and_inbox_items_read_back(hub)
            _old_casussen_read_back(hub)
            _pages_render(hub)
            _health_says_only_what_needs_attention(hub)
            _ledger_verifies_against_what_was_pinned(hub, tmp_path)


def test_every_migration_since_the_last_release_is_in_the_matrix() -> None:
    """A commit that adds a migration joins tests/upgrade/verleden.json (and scripts/upgrade-assets builds it) once
    it is on main; the newest migration is the schema every other test runs on until the next one comes."""
    heads = sorted(p.name[:4] for p in (ROOT / "hub" / "migrations" / "versions").glob("[0-9]*.py"))
    last_release = max(int(e["schema"]) for e in PAST if e.get("versie"))
    listed = {e["schema"] for e in PAST}
    missing = [h for h in heads[:-1] if int(h) > last_release and h not in listed]
    assert not missing, f"add the commits that added migrations {missing} to tests/upgrade/verleden.json"
    assert all(re.fullmatch(r"[0-9a-f]{40}", e["commit"]) for e in PAST)


CHANGED_SINCE = {
    ("6965df5c3309b30d908e0d49bd1c6dd9390564c5", "0015"): "feca6a5 added levering.top_x_casus; 0018 repairs those hubs"
}
"""Migrations that were changed after a listed version ran them (never again: a change is a new migration)."""


def test_a_migration_a_listed_version_ran_is_never_changed() -> None:
    """Seen on a live hub: 0015 gained a column after 6965df5 had run it, and those hubs failed every delivery."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True, check=False).returncode != 0:
        pytest.skip("not a git checkout: the history of the migrations cannot be read")
    for entry in PAST:
        listing = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "--name-only", entry["commit"], "hub/migrations/versions/"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if listing.returncode != 0:
            pytest.skip(f"the history does not reach {entry['commit'][:7]} (a shallow clone?)")
        for path in (p for p in listing.stdout.split() if p.endswith(".py") and "/0" in p):
            then = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{entry['commit']}:{path}"], capture_output=True, check=True
            ).stdout
            now = (ROOT / path).read_bytes()
            code = Path(path).name[:4]
            if then != now and (entry["commit"], code) not in CHANGED_SINCE:
                pytest.fail(f"{path} changed after {entry['commit'][:7]} ran it: add a new migration instead")


def test_every_release_names_its_commit_and_is_in_the_matrix() -> None:
    """CHANGELOG.md has a section per release that names the commit it was cut from; tests/upgrade upgrades each."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", changelog, flags=re.MULTILINE)[1:]
    releases = {}
    for section in sections:
        header = re.match(r"\[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}\n", section)
        if header is None:
            assert section.startswith("[Unreleased]"), section[:80]
            continue
        cut = re.search(r"Cut from commit `([0-9a-f]{7,40})`", section)
        assert cut is not None, f"the section of {header.group(1)} names the commit it was cut from"
        releases[header.group(1)] = cut.group(1)
    listed = {e["versie"]: e["commit"] for e in PAST if e.get("versie")}
    assert set(releases) == set(listed), "each release is in tests/upgrade/verleden.json, and only those"
    assert all(listed[v].startswith(c) for v, c in releases.items())
