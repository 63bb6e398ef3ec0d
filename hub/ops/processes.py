"""`schakel serve --workers N`: N hub processes on one port, each with its own listening socket.

uvicorn's own `--workers` hands one listening socket to every process, and whichever event loop wakes first
accepts every connection waiting: a burst of keep-alive connections (a load balancer's, a partner's connection
pool) can all land on one process while the others idle. Here each process listens on its own socket with
SO_REUSEPORT, and the kernel spreads new connections over them. The supervisor holds the port (bound, not
listening, so it takes no connections itself), starts the processes, starts a process again when one dies, and on
SIGTERM or SIGINT stops them all: each finishes its requests in hand (uvicorn's graceful shutdown).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import structlog

log = structlog.get_logger("hub.ops")

_STOP_SECONDS = 30.0
"""How long a process may take to finish its requests after SIGTERM before it is killed."""
_RESTART_PAUSE_SECONDS = 1.0
"""Between a process's death and its restart: a process that cannot start does not spin the machine."""


def balanced() -> bool:
    """Whether this platform can give each process its own socket on one port (Linux, the BSDs, macOS)."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket on host:port that shares the port with the other hub processes (SO_REUSEPORT); bound, not yet
    listening (the server listens on it). OSError when the port is taken by anything else."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def serve(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Run `workers` hub processes on host:port until SIGTERM or SIGINT; `options` are uvicorn's."""
    claim = listening_socket(host, port)  # holds the port for the processes; never listens
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: no forked locks or connections
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    processes: list[BaseProcess] = []
    try:
        for _ in range(workers):  # one by one: if a start fails, those started are stopped below
            processes.append(_start(context, host, port, options))
        log.info("hub.processes_started", workers=workers, port=port)
        while not stopping:
            wait([p.sentinel for p in processes], timeout=0.5)
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.warning("hub.process_died", exitcode=process.exitcode, pid=process.pid)
                    time.sleep(_RESTART_PAUSE_SECONDS)
                    processes[i] = _start(context, host, port, options)
    finally:
        _stop_all(processes)
        claim.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        log.info("hub.processes_stopped", workers=workers)


def _start(context: Any, host: str, port: int, options: dict[str, Any]) -> BaseProcess:
    process: BaseProcess = context.Process(
        target=_run, args=(host, port, options, os.getpid()), name="schakel-hub", daemon=False
    )
    process.start()
    return process


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in hand, then the lifespan's shutdown
    deadline = time.monotonic() + _STOP_SECONDS
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0.1))
        if process.is_alive():
            log.warning("hub.process_killed", pid=process.pid)
            process.kill()
            process.join()


def _run(host: str, port: int, options: dict[str, Any], supervisor: int) -> None:
    """One hub process: its own socket on the shared port, the whole hub (settings read from the environment).

    In a process group of its own, so that Ctrl-C in a terminal reaches only the supervisor, which then stops each
    process once (a second signal would make uvicorn drop the requests in hand). Stops by itself, gracefully, when
    the supervisor is gone (killed, say), instead of serving on unsupervised."""
    import uvicorn  # noqa: PLC0415 - in the child only

    os.setpgrp()
    threading.Thread(target=_watch, args=(supervisor,), name="supervisor-watch", daemon=True).start()
    sock = listening_socket(host, port)
    config = uvicorn.Config("hub.main:create_app", factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def _watch(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
