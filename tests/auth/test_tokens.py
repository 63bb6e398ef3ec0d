"""Request-bound tokens, end to end through the app: the hostile corpus, the good paths, and what is logged."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import httpx
import pytest

from connectors import AuthenticationFailed, SigningKey, TokenRejected, VerifiedToken, sign_request_token
from hub.auth import repository
from hub.auth.service import Authenticator
from hub.db import Database
from hub.kit.clock import utcnow
from hub.ledger.sequencer import Sequencer
from hub.partners import service
from hub.partners.models import PartnerStatus, PrincipalStatus
from hub.partners.schemas import KeyCreate, PartnerUpdate, PrincipalUpdate
from tests.assets.hostile_tokens import CORPUS, WHOAMI, Case, HostileRequest, World
from tests.support import Actor


def _world(database: Database, actors: dict[str, Actor], public_url: str) -> World:
    def revoke_key(actor: Actor) -> None:
        with database.unit_of_work() as session:
            service.revoke_key(session, "test", actor.principal_id, actor.key.kid, "compromised")

    def suspend_partner(partner_id: str) -> None:
        with database.unit_of_work() as session:
            service.update_partner(session, "test", partner_id, PartnerUpdate(status=PartnerStatus.SUSPENDED))

    def disable_principal(principal_id: str) -> None:
        with database.unit_of_work() as session:
            update = PrincipalUpdate(status=PrincipalStatus.DISABLED)
            service.update_principal(session, "test", principal_id, update)

    return World(actors, public_url, revoke_key, suspend_partner, disable_principal)


def _send(http: httpx.Client, request: HostileRequest) -> tuple[int, dict[str, object], str]:
    response = http.request(request.method, request.path, headers=request.headers, content=request.body or None)
    return response.status_code, response.json(), response.headers["content-type"]


class TestHostileTokens:
    @pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
    def test_refused_with_401_and_its_reason(
        self, case: Case, http: httpx.Client, database: Database, actors: dict[str, Actor]
    ) -> None:
        world = _world(database, actors, str(http.base_url))
        request = case.build(world)
        for earlier in world.replay:
            first = _send(http, earlier)
            assert first[0] == 200, f"the first use of a token must pass: {first[1]}"
        status, problem, content_type = _send(http, request)
        assert status == 401
        assert content_type == "application/problem+json"
        assert problem["code"] == case.reason, problem
        assert problem["type"] == f"urn:schakel:problem:{case.reason}"
        assert problem["detail"]

    def test_corpus_covers_every_named_attack_of_the_issue(self) -> None:
        required = {
            "alg-none", "hs256-signed-with-public-key", "expired", "iat-in-the-future", "wrong-aud", "wrong-iss",
            "unknown-kid", "revoked-key", "suspended-partner", "replayed-jti", "body-changed-after-signing",
            "htu-of-another-request", "htm-of-another-request", "partner-a-token-with-partner-b-kid",
            "missing-typ", "oversized",
        }  # fmt: skip
        assert required <= {case.name for case in CORPUS}

    def test_a_rejection_is_logged_with_its_reason_but_never_the_token(
        self, http: httpx.Client, database: Database, actors: dict[str, Actor], captured_logs: io.StringIO
    ) -> None:
        request = next(c for c in CORPUS if c.name == "expired").build(_world(database, actors, str(http.base_url)))
        assert _send(http, request)[0] == 401
        output = captured_logs.getvalue()
        token = request.headers["Authorization"].removeprefix("Bearer ")
        assert '"reason": "token-expired"' in output
        assert token not in output
        assert token.split(".")[1] not in output  # not even the claims part

    def test_each_rejection_is_counted_by_reason(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        http.get(WHOAMI)
        http.get(WHOAMI, headers={"Authorization": "Bearer x.y.z"})
        metrics = http.get("/metrics").text
        assert 'schakel_auth_failures_total{reason="token-missing"} 1.0' in metrics
        assert 'schakel_auth_failures_total{reason="token-malformed"} 1.0' in metrics


class TestGoodTokens:
    def test_ed25519_and_es256_callers_are_recognised(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        for name in ("politie", "privacy_officer"):  # EdDSA and ES256
            actor = actors[name]
            answer = actor.client(http).get(WHOAMI)
            assert answer["partnerId"] == actor.partner_id
            assert answer["principalId"] == actor.principal_id
            assert answer["kid"] == actor.key.kid

    def test_a_signed_body_is_accepted(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        body = {"id": "ggz-x", "naam": "GGZ X", "soort": "ggz", "oin": "00000099000000000301", "deliveryMode": "inbox",
                "werkgebied": ["GM0935"]}  # fmt: skip
        assert actors["operator"].client(http).post("/api/v1/partners", body)["id"] == "ggz-x"

    def test_rotation_both_keys_work_until_the_old_one_is_revoked(
        self, http: httpx.Client, database: Database, actors: dict[str, Actor]
    ) -> None:
        politie = actors["politie"]
        new_key = SigningKey.generate("EdDSA")
        with database.unit_of_work() as session:
            service.add_key(session, "test", politie.principal_id, KeyCreate(jwk=new_key.public_jwk()))
        assert politie.client(http).get(WHOAMI)["kid"] == politie.key.kid
        assert politie.client(http, new_key).get(WHOAMI)["kid"] == new_key.kid
        with database.unit_of_work() as session:
            service.revoke_key(session, "test", politie.principal_id, politie.key.kid, "superseded")
        with pytest.raises(AuthenticationFailed) as refused:
            politie.client(http).get(WHOAMI)
        assert refused.value.code == "key-revoked"
        assert politie.client(http, new_key).get(WHOAMI)["kid"] == new_key.kid

    def test_clock_skew_within_leeway_is_tolerated(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        politie = actors["politie"]
        _, headers = sign_request_token(
            politie.key,
            issuer=politie.partner_id,
            subject=politie.principal_id,
            audience=str(http.base_url),
            method="GET",
            url=str(http.base_url) + WHOAMI,
            now=utcnow().timestamp() + 20,  # the partner's clock runs 20 s ahead; leeway is 30 s
        )
        assert http.get(WHOAMI, headers=headers).status_code == 200

    def test_query_string_is_not_part_of_htu(self, http: httpx.Client, actors: dict[str, Actor]) -> None:
        client = actors["operator"].client(http)
        assert client.get("/api/v1/principals", params={"partnerId": "via-test"})["items"][0]["partnerId"] == "via-test"


def _token(issuer: str, jti: str, expires_at: int) -> VerifiedToken:
    return VerifiedToken(issuer, f"{issuer}-systeem", "kid", jti, expires_at - 60, expires_at, "digest")


class TestReplayStore:
    def test_a_jti_is_spent_once_across_processes(self, database_url: str, database: Database) -> None:
        """Two engines, each with its own group-commit writer, behave as two API processes: the second spend of a
        jti must fail, whichever process made the first."""
        other = Database(database_url)
        writers = [Sequencer(database), Sequencer(other)]
        for writer in writers:
            writer.start()
        try:
            processes = [(Authenticator(database, "http://hub", 30, writers[0]), writers[0]),
                         (Authenticator(other, "http://hub", 30, writers[1]), writers[1])]  # fmt: skip
            expires = int(time.time()) + 300

            def spend(process: int, token: VerifiedToken) -> None:
                authenticator, writer = processes[process]
                writer.commit(lambda group: authenticator.spend(group, token), [])

            spend(0, _token("politie-test", "jti-1", expires))
            with pytest.raises(TokenRejected) as refused:
                spend(1, _token("politie-test", "jti-1", expires))
            assert refused.value.reason == "token-replayed"
            spend(1, _token("via-test", "jti-1", expires))  # a jti is per issuer
        finally:
            for writer in writers:
                writer.stop()
            other.dispose()

    def test_expired_entries_are_purged(self, database: Database) -> None:
        table = repository.USED_TOKENS
        with database.unit_of_work() as session:
            session.connection().execute(
                table.insert(),
                [
                    {"issuer": "p", "jti": "old", "expires_at": utcnow() - timedelta(minutes=1)},
                    {"issuer": "p", "jti": "new", "expires_at": utcnow() + timedelta(minutes=1)},
                ],
            )
        with database.unit_of_work() as session:
            assert repository.purge_expired(session, utcnow()) == 1
