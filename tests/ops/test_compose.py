"""docker/compose.yaml: valid for Compose (`docker compose config`, or Debian's docker-compose), N hub replicas
behind the reverse proxy with no port of their own, a worker with its own health check; and, where a Docker engine
runs and SCHAKEL_TEST_DOCKER=1, built and started with two hub replicas answering through the proxy."""

from __future__ import annotations

import os
import secrets as secrets_module
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.server import free_socket

DOCKER = Path(__file__).resolve().parents[2] / "docker"
ENV = {**os.environ, "SCHAKEL_PUBLIC_URL": "https://schakel.example"}


def _compose() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed (.ci/run installs Debian's docker-compose)")


def test_compose_accepts_the_file() -> None:
    done = subprocess.run(
        [*_compose(), "-f", "compose.yaml", "config", "--quiet"],
        cwd=DOCKER,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_replicas_behind_the_proxy_and_a_worker_with_a_health_check() -> None:
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert "ports" not in services["hub"], "a fixed host port would make --scale hub=2 conflict"
    assert services["hub"]["expose"] == ["8000"]
    assert any(p.endswith(":8080") for p in services["proxy"]["ports"])
    caddyfile = (DOCKER / "caddy" / "Caddyfile").read_text(encoding="utf-8")
    assert "dynamic a hub 8000" in caddyfile, "the proxy finds every replica"
    health = " ".join(services["worker"]["healthcheck"]["test"])
    assert "schakel_bezorgronde_timestamp_seconds" in health and "9101" in health
    assert services["worker"]["environment"]["SCHAKEL_WORKER_METRICS_HOST"] == "0.0.0.0"  # noqa: S104 - in its container


@pytest.mark.skipif(
    os.environ.get("SCHAKEL_TEST_DOCKER") != "1", reason="needs a Docker engine (SCHAKEL_TEST_DOCKER=1)"
)
def test_two_hub_replicas_answer_through_the_proxy(tmp_path: Path) -> None:  # pragma: no cover - needs a Docker engine
    # A project name and a local port of this run's own, so that nothing else on the machine is in the way.
    compose = [*_compose(), "-p", f"schakeltest{secrets_module.token_hex(4)}", "-f", "compose.yaml"]
    probe = free_socket()
    port = probe.getsockname()[1]
    probe.close()
    secrets = DOCKER / "secrets"
    secrets.mkdir(exist_ok=True)
    (secrets / "postgres_password").write_text("test-only", encoding="utf-8")
    (secrets / "schakel_database_url").write_text(
        "postgresql://schakel:test-only@postgres:5432/schakel", encoding="utf-8"
    )
    env = {**ENV, "SCHAKEL_KEYS_HOST_DIR": str(tmp_path / "keys"), "SCHAKEL_HTTP_PORT": str(port)}

    def run(*args: str) -> None:
        subprocess.run([*compose, *args], cwd=DOCKER, env=env, check=True)

    try:
        run("build")
        run("run", "--rm", "--no-deps", "hub", "schakel", "keys", "init")
        run("up", "-d", "--scale", "hub=2")
        running = subprocess.run(
            [*compose, "ps", "-q", "hub"], cwd=DOCKER, env=env, check=True, capture_output=True, text=True
        ).stdout.split()
        assert len(running) == 2, "two hub replicas"
        deadline, healthy = time.monotonic() + 120, False
        while not healthy and time.monotonic() < deadline:
            try:
                healthy = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                time.sleep(1)
        assert healthy, "the hub replicas answer through the proxy"
    finally:
        subprocess.run([*compose, "down", "-v"], cwd=DOCKER, env=env, check=False)
