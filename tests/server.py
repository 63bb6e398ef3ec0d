"""A real hub on 127.0.0.1, in a thread, for the duration of one test."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from hub.main import SERVER_OPTIONS


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start_serving(
    command: Callable[[int], list[str]],
    log: Path,
    seconds: float = 60,
    ready: str = "running on http://127.0.0.1:{port}",
    **popen: Any,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `command(port)` (a `schakel serve`) on a free port and wait until that process itself listens there.

    Seen in CI: a port freed by `free_socket` went to two tests at once; the second hub could not bind it and
    stopped, while the first one answered the second test's health check. So the answer must come from this process
    (its own log says it listens, and it is still running), and a port taken meanwhile is tried again with another.
    """
    for _ in range(3):
        sock = free_socket()
        port = sock.getsockname()[1]
        sock.close()
        with log.open("wb") as output:
            process = subprocess.Popen(command(port), stdout=output, stderr=subprocess.STDOUT, **popen)
        deadline = time.monotonic() + seconds
        while process.poll() is None and time.monotonic() < deadline:
            if ready.format(port=port) in log.read_text(errors="replace"):
                return process, port
            time.sleep(0.1)
        if process.poll() is None:
            process.kill()
            process.wait()
            break
        if "address already in use" not in log.read_text(errors="replace"):
            break
    raise RuntimeError(f"{' '.join(command(0))[:80]} did not come up:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def serving(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Run `app` on the bound socket until the block ends; raises if it does not start within 10 s."""
    config = uvicorn.Config(app, lifespan="on", timeout_graceful_shutdown=2, **SERVER_OPTIONS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test hub did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Restartable:
    """An ASGI app served on a port of 127.0.0.1 that a test can take down and bring back (a receiver or a witness
    that is unreachable for a while).

    The port stays reserved from construction to `close()`: a bound socket that does not listen holds it, so no
    other test running in parallel can take it while the app is down (a connection is then refused, as with a
    partner that is down). `close()` when done."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._reservation = _shared_port_socket()
        self._reservation.bind(("127.0.0.1", 0))
        self.port: int = self._reservation.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        sock = _shared_port_socket()
        sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None

    def close(self) -> None:
        """Stop, and give the port back."""
        self.stop()
        self._reservation.close()


def _shared_port_socket() -> socket.socket:
    """A socket that may share its port with the reservation (SO_REUSEPORT; only a listening socket is connected
    to, so the reservation itself never answers) and rebind it at once after a stop (SO_REUSEADDR)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock
