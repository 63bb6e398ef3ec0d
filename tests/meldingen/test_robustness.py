"""No 5xx on any input (issue 12): each 500 the review's fuzz run found, as a regression test on a live hub; a lost
database is a 503 with Retry-After; readiness tells the truth when the database cannot be written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from hub.db import Database
from hub.state import state_of
from tests.partnership import Partnership, sample_melding
from tests.support import Actor

HUGE = "33051728041305961195102917746915663583"


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


class TestNumbersAndDates:
    @pytest.mark.parametrize(
        ("actor", "method", "path"),
        [
            ("politie", "GET", f"/api/v1/inbox?na={HUGE}"),
            ("privacy_officer", "POST", f"/api/v1/vergetelheidsverzoeken/-{HUGE}/goedkeuring"),
            ("privacy_officer", "POST", f"/api/v1/heridentificaties/{HUGE}/goedkeuring"),
            ("dpia_reviewer", "GET", f"/api/v1/verstrekkingen/{HUGE}"),
            ("dpia_reviewer", "GET", f"/api/v1/verstrekkingen?na={HUGE}"),
            ("dpia_reviewer", "GET", f"/api/v1/verstrekkingenlog/consistentiebewijs?van=0&tot={HUGE}"),
            ("dpia_reviewer", "GET", f"/api/v1/beleid/versies/{HUGE}"),
            ("operator", "GET", f"/api/v1/beheerlog?na={HUGE}"),
            ("dpia_reviewer", "GET", "/api/v1/rapportages/verstrekkingen?tot=0001-02-02"),
            ("dpia_reviewer", "GET", "/api/v1/verstrekkingen?van=9999-12-31"),
        ],
    )
    def test_a_number_or_date_out_of_range_is_a_422_problem(
        self, http: httpx.Client, actors: dict[str, Actor], actor: str, method: str, path: str
    ) -> None:
        answer = actors[actor].client(http).send(method, path, json_body={} if method == "POST" else None)
        problem = _problem(answer, 422)
        assert problem["code"] == "validation-failed" and problem["detail"]


class TestNulCharacters:
    """Found by the fuzzer at 120 examples per operation: U+0000 in a filter reached PostgreSQL (a DataError, 500)."""

    @pytest.mark.parametrize(
        ("actor", "method", "path", "body"),
        [
            ("dpia_reviewer", "GET", "/api/v1/verstrekkingen?doel=a%00b", None),
            ("politie", "GET", "/api/v1/meldingen/a%00b", None),
            ("operator", "GET", "/api/v1/beheerlog?doel=%00", None),
            ("operator", "PATCH", "/api/v1/partners/via-test", {"naam": "VIA\u0000 test"}),
        ],
    )
    def test_a_nul_character_anywhere_is_a_422_problem(  # noqa: PLR0917 - the case and its fixtures
        self, http: httpx.Client, actors: dict[str, Actor], actor: str, method: str, path: str, body: Any
    ) -> None:
        if body is not None:
            body = json.loads(json.dumps(body).replace("\\\\u0000", "\\u0000"))
        answer = actors[actor].client(http).send(method, path, json_body=body)
        assert _problem(answer, 422)["code"] == "validation-failed"


class TestTokensAndBodies:
    def test_an_oversized_token_gets_a_401_problem(self, http: httpx.Client) -> None:
        answer = http.get("/api/v1/aanroeper", headers={"Authorization": "Bearer " + "a" * 200_000})
        assert _problem(answer, 401)["code"] == "token-oversized"

    def test_a_chunked_body_over_the_limit_is_a_413_problem(self, http: httpx.Client) -> None:
        def chunks() -> Iterator[bytes]:
            for _ in range(40):
                yield b"x" * 65_536

        answer = http.post("/api/v1/meldingen", content=chunks(), headers={"Content-Type": "application/json"})
        assert _problem(answer, 413)["code"] == "payload-too-large"

    def test_the_caller_is_authenticated_before_the_body_is_looked_at(self, http: httpx.Client) -> None:
        answer = http.post(
            "/api/v1/meldingen", json={"niet": "een melding"}, headers={"Authorization": "Bearer niet.een.token"}
        )
        assert _problem(answer, 401)["code"] != "validation-failed"


class TestMeldingContent:
    @pytest.mark.parametrize(
        ("undeclared", "rule"),
        [
            (1.5, "a number with a fraction"),
            (2**70, "beyond 64 bits"),
            ("\ud800", "lone surrogate"),
            (json.loads("[" * 254 + "]" * 254), "nested deeper than 32"),
        ],
    )
    def test_content_that_cannot_be_kept_canonically_is_a_422_naming_where(
        self, partnership: Partnership, undeclared: Any, rule: str
    ) -> None:
        inhoud = sample_melding("e33-verward-gedrag")
        inhoud["extra"] = undeclared
        answer = partnership.client("politie-limburg").send(
            "POST", "/api/v1/meldingen", json_body={"berichttype": "e33-verward-gedrag", "inhoud": inhoud}
        )
        detail = _problem(answer, 422)["detail"]
        assert "inhoud.extra" in detail and rule in detail


class TestDatabaseTrouble:
    def test_a_failing_write_is_a_503_with_retry_after_and_readiness_says_so(
        self, partnership: Partnership, http: httpx.Client, app: FastAPI
    ) -> None:
        assert http.get("/api/v1/health/ready").status_code == 200
        engine = state_of(app).database.engine

        def full_disk(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                raise OperationalError(statement, {}, Exception("database or disk is full"))

        event.listen(engine, "before_cursor_execute", full_disk)
        try:
            ready = http.get("/api/v1/health/ready")
            assert _problem(ready, 503)["code"] == "database-not-writable"
            assert ready.headers["Retry-After"] == "5"
            assert http.get("/api/v1/health/live").status_code == 200, "the process lives: do not restart it"
            melding = partnership.client("politie-limburg").send(
                "POST",
                "/api/v1/meldingen",
                json_body={"berichttype": "e33-verward-gedrag", "inhoud": sample_melding("e33-verward-gedrag")},
            )
            assert _problem(melding, 503)["code"] in {"ledger-failed", "database-unavailable"}
            assert melding.headers["Retry-After"]
        finally:
            event.remove(engine, "before_cursor_execute", full_disk)
        assert http.get("/api/v1/health/ready").status_code == 200, "ready again once writes succeed"

    def test_an_acknowledgement_on_a_lost_connection_is_a_503_not_a_500(
        self, partnership: Partnership, http: httpx.Client, app: FastAPI, database: Database
    ) -> None:
        receipt = partnership.client("dji-pi-limburg").post(
            "/api/v1/meldingen", {"berichttype": "detentiemelding", "inhoud": sample_melding("detentiemelding")}
        )
        zvh = partnership.client("zvh-zuid-limburg")
        (item,) = zvh.get("/api/v1/inbox")["items"]
        engine = state_of(app).database.engine

        def lost(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if statement.startswith("UPDATE levering"):
                raise OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))

        event.listen(engine, "before_cursor_execute", lost)
        try:
            answer = zvh.send(
                "POST",
                f"/api/v1/inbox/{item['leveringId']}/ontvangstbevestiging",
                json_body={"inhoudDigest": item["inhoudDigest"]},
            )
        finally:
            event.remove(engine, "before_cursor_execute", lost)
        problem = _problem(answer, 503)
        assert problem["code"] == "database-unavailable" and answer.headers["Retry-After"]
        assert receipt["meldingId"] not in answer.text
        again = zvh.post(
            f"/api/v1/inbox/{item['leveringId']}/ontvangstbevestiging", {"inhoudDigest": item["inhoudDigest"]}
        )
        assert again["status"] == "bevestigd", "nothing was half-stored: the retry succeeds"

    def test_connections_terminated_by_postgresql_never_give_a_500(
        self, partnership: Partnership, database: Database, app: FastAPI
    ) -> None:
        if database.backend != "postgresql":
            pytest.skip("PostgreSQL terminates backends; SQLite has no server connections")
        client = partnership.client("politie-limburg")
        client.get("/api/v1/inbox")
        pooled = [state_of(app).database.engine.connect() for _ in range(3)]  # the hub's own connections
        pids = [int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()) for c in pooled]
        for connection in pooled:
            connection.close()
        with database.engine.connect() as connection:
            for pid in pids:
                connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        for _ in range(3):
            answer = client.send("GET", "/api/v1/inbox")
            assert answer.status_code in (200, 503), answer.text


class TestAuthenticationFirst:
    def test_every_operation_with_a_body_answers_a_bad_token_before_a_bad_body(
        self, http: httpx.Client, app: FastAPI
    ) -> None:
        document = app.openapi()
        checked = 0
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if "requestBody" not in operation or not operation.get("security"):
                    continue
                url = "/api/v1" + path.replace("{", "").replace("}", "")
                answer = http.request(
                    method.upper(), url, json={"onbekendVeld": [1.5]}, headers={"Authorization": "Bearer x.y.z"}
                )
                assert answer.status_code == 401, (method, path, answer.text)
                assert answer.headers["content-type"] == "application/problem+json"
                checked += 1
        assert checked >= 15, "every operation that takes a body"
