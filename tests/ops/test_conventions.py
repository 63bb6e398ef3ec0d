"""API conventions on a running hub: problem+json for every error, API-Version on every response, trace context."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from hub.config import API_VERSION, Settings
from hub.db import Database
from hub.main import create_app
from hub.state import HubState, state_of
from tests.server import free_socket, serving
from tests.support import Actor

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


class TestProblems:
    @pytest.mark.parametrize(
        ("method", "path", "status", "code"),
        [
            ("GET", "/api/v1/bestaat-niet", 404, "not-found"),
            ("GET", "/nergens", 404, "not-found"),
            ("DELETE", "/api/v1/health", 405, "method-not-allowed"),
            ("GET", "/api/v1/aanroeper", 401, "token-missing"),
        ],
    )
    def test_errors_are_problem_json_with_api_version(
        self, http: httpx.Client, method: str, path: str, status: int, code: str
    ) -> None:
        response = http.request(method, path)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["api-version"] == API_VERSION
        problem = response.json()
        assert problem["status"] == status
        assert problem["code"] == code
        assert problem["type"] == f"urn:schakel:problem:{code}"
        assert problem["title"]
        assert problem["detail"]

    def test_malformed_json_is_422_problem(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        client = actors["operator"].client(http)
        response = client.send("POST", "/api/v1/partners", json_body="not an object")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    def test_an_oversized_body_is_413_problem(self, http: httpx.Client) -> None:
        response = http.post("/api/v1/partners", content=b"x" * 2_000_000, headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["code"] == "payload-too-large"
        assert response.headers["api-version"] == API_VERSION

    def test_a_bug_is_a_500_problem_that_leaks_nothing(
        self, settings: Settings, database: Database, captured_logs: io.StringIO
    ) -> None:
        app = create_app(settings, configure_logs=False)

        @app.get("/api/v1/kapot", include_in_schema=False)  # a route for this test only: not in the document
        def broken() -> None:
            raise RuntimeError("BSN 123456782 of Jan Jansen")

        sock = free_socket()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with serving(app, sock), httpx.Client(base_url=url) as client:
            response = client.get("/api/v1/kapot")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["api-version"] == API_VERSION
        assert "123456782" not in response.text
        assert "Jansen" not in response.text
        _wait_for_event(captured_logs, "request.completed")
        logs = captured_logs.getvalue()
        assert "request.unhandled_error" in logs
        assert "RuntimeError" in logs
        assert "123456782" not in logs
        assert "Jansen" not in logs


class TestHeaders:
    def test_every_success_carries_api_version(self, http: httpx.Client) -> None:
        for path in ("/api/v1/health", "/api/v1/openapi.json", "/.well-known/jwks.json", "/metrics"):
            assert http.get(path).headers["api-version"] == API_VERSION, path

    def test_an_incoming_traceparent_is_continued(self, http: httpx.Client) -> None:
        response = http.get("/api/v1/health", headers={"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"})
        version, trace, span, flags = response.headers["traceparent"].split("-")
        assert (version, trace, flags) == ("00", TRACE, "01")
        assert span != "00f067aa0ba902b7"

    @pytest.mark.parametrize("bad", ["", "garbage", f"00-{'0' * 32}-00f067aa0ba902b7-01", f"00-{TRACE}-xyz-01"])
    def test_an_invalid_traceparent_starts_a_new_trace(self, http: httpx.Client, bad: str) -> None:
        response = http.get("/api/v1/health", headers={"traceparent": bad})
        trace = response.headers["traceparent"].split("-")[1]
        assert len(trace) == 32
        assert trace not in {TRACE, "0" * 32}

    def test_requests_are_logged_by_route_with_their_trace(
        self, http: httpx.Client, captured_logs: io.StringIO
    ) -> None:
        http.get("/api/v1/partners/geheim-123456782", headers={"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"})
        # The line is written just after the response is sent, by the server's thread: wait for it.
        line = _wait_for_event(captured_logs, "request.completed")
        assert line["route"] == "/api/v1/partners/{partnerId}"
        assert line["trace_id"] == TRACE
        assert line["status"] == 401
        assert "geheim" not in captured_logs.getvalue()


def _wait_for_event(logs: io.StringIO, event: str) -> dict[str, object]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for raw in logs.getvalue().splitlines():
            line: dict[str, object] = json.loads(raw)
            if line["event"] == event:
                return line
        time.sleep(0.01)
    raise AssertionError(f"no {event} logged")


class TestHealthAndMetrics:
    def test_health_reports_the_database(self, http: httpx.Client) -> None:
        response = http.get("/api/v1/health")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "version": API_VERSION, "redenen": []}

    def test_health_is_503_problem_when_the_database_is_gone(self, app: FastAPI, http: httpx.Client) -> None:
        state = state_of(app)
        working = state.database
        gone = Database("postgresql://schakel@127.0.0.1:1/gone")  # nothing listens on port 1
        state.started_database = gone
        try:
            response = http.get("/api/v1/health")
        finally:
            state.started_database = working
            gone.dispose()
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "database-unavailable"
        assert http.get("/api/v1/health").status_code == 200

    def test_metrics_count_requests_by_route_and_status(self, http: httpx.Client) -> None:
        http.get("/api/v1/health")
        http.get("/api/v1/health")
        expected = 'schakel_http_requests_total{method="GET",route="/api/v1/health",status="200"} 2.0'
        # Counted just after each response is sent: poll until the second one is in.
        deadline = time.monotonic() + 5
        while expected not in (text := http.get("/metrics").text) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert expected in text
        assert "schakel_http_request_duration_seconds_bucket" in text


class TestTypedState:
    def test_what_the_factory_builds_is_one_typed_object(self, app: FastAPI) -> None:
        state = state_of(app)
        assert isinstance(state, HubState)
        assert set(vars(app.state)["_state"]) == {"hub"}, "nothing else hangs on app.state"

    def test_no_handler_reads_app_state_or_passes_the_caller_through_request_state(self) -> None:
        """Handlers take `StateDep` (or `state_of`) and their caller as a dependency's value; only the layout reads
        who signed in from the request (error pages have no dependencies), and the middleware its trace context."""
        hub = Path(__file__).resolve().parents[2] / "hub"
        allowed = {("web/dependencies.py", "request.state.person"), ("web/render.py", 'request.state, "person"')}
        found = []
        for path in sorted(hub.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            where = str(path.relative_to(hub))
            found += [(where, m) for m in re.findall(r"app\.state\.(?!hub\b)\w+", text)]
            found += [(where, m) for m in re.findall(r'request\.state(?:\.\w+|, "\w+")', text) if "trace" not in m]
        assert [f for f in found if f not in allowed] == []
