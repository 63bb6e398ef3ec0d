"""`schakel serve --workers 2` on PostgreSQL: two hub processes, each on its own socket of the one port, so a burst
of keep-alive connections reaches both (uvicorn's shared socket let one process take them all); a process that
dies is started again; SIGTERM stops the supervisor and every process, exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hub.db import Database
from tests.partnership import wait_for
from tests.server import free_socket

BIN = Path(sys.executable).parent
CONNECTIONS = 32
LISTENING = "0A"


def _hub_processes(supervisor: int) -> list[int]:
    """The supervisor's hub processes (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))
        if parent == supervisor and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def _connections_on(port: int, pid: int, state: str = "01") -> int:
    """How many TCP sockets on local `port` in `state` (01: established, 0A: listening) process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port, inode = int(fields[1].rsplit(":", 1)[1], 16), fields[9]
            if local_port == port and fields[3] == state and inode in inodes:
                count += 1
    return count


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.postgresql
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the processes' sockets from /proc (Linux)")
def test_two_processes_share_the_port_restart_and_stop(
    database: Database, database_url: str, keys_dir: Path, tmp_path: Path
) -> None:
    if database.backend != "postgresql":
        pytest.skip("several hub processes is the PostgreSQL path; the embedded SQLite has one process")
    sock = free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHAKEL_")}
    env.update(
        SCHAKEL_DATABASE_URL=database_url,
        SCHAKEL_KEYS_DIR=str(keys_dir),
        SCHAKEL_LOG_LEVEL="WARNING",
        SCHAKEL_CHECKPOINT_INTERVAL_SECONDS="0",
    )
    live = f"http://127.0.0.1:{port}/api/v1/health/live"
    supervisor = subprocess.Popen(
        [str(BIN / "schakel"), "serve", "--port", str(port), "--workers", "2"], env=env, cwd=tmp_path
    )
    held: list[socket.socket] = []
    try:
        wait_for(lambda: _answers(live) and len(_hub_processes(supervisor.pid)) == 2, seconds=60)
        first = _hub_processes(supervisor.pid)
        wait_for(lambda: all(_connections_on(port, pid, LISTENING) for pid in first), seconds=60)

        # A burst of keep-alive connections, as a load balancer's pool opens them: both processes get some.
        for _ in range(CONNECTIONS):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(b"GET /api/v1/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            held.append(connection)
        for connection in held:
            assert connection.recv(12) == b"HTTP/1.1 200", "each connection is served"
        spread = {pid: _connections_on(port, pid) for pid in first}
        assert sum(spread.values()) == CONNECTIONS, spread
        assert all(spread.values()), f"one process took every connection: {spread}"
        for connection in held:
            connection.close()
        held.clear()

        # A process that dies is started again; the port keeps answering.
        os.kill(first[0], signal.SIGKILL)
        wait_for(lambda: len(set(_hub_processes(supervisor.pid)) - set(first)) == 1, seconds=60)
        replaced = _hub_processes(supervisor.pid)
        wait_for(lambda: all(_connections_on(port, pid, LISTENING) for pid in replaced), seconds=60)
        assert _answers(live)
        assert len(replaced) == 2 and first[1] in replaced

        # SIGTERM: every process stops, then the supervisor, with exit code 0.
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in replaced) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(Path(f"/proc/{pid}/status").exists() for pid in replaced), "no process outlives the supervisor"
    finally:
        for connection in held:
            connection.close()
        if supervisor.poll() is None:  # stop the processes before the schema goes
            supervisor.send_signal(signal.SIGTERM)
            try:
                supervisor.wait(timeout=60)
            except subprocess.TimeoutExpired:
                supervisor.kill()
                supervisor.wait()
