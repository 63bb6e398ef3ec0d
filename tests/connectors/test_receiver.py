"""The webhook receiver when the hub cannot take its acknowledgement: it retries, then answers 503 so the hub
delivers again; the delivery is handled once, and acknowledged on the redelivery."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors import HubClient, HubKeys, SigningKey, WebhookReceiver, inhoud_digest, sign_request_token

HUB = "https://schakel.example"
URL = "https://partner.example/schakel"


def test_a_failed_acknowledgement_is_retried_then_answered_503_and_the_redelivery_acknowledges() -> None:
    hub_key = SigningKey.generate()
    partner_key = SigningKey.generate()
    acks: list[int] = []
    hub_up = {"now": False}

    def hub(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/jwks.json":
            return httpx.Response(200, json={"keys": [hub_key.public_jwk()]})
        acks.append(1)
        if not hub_up["now"]:
            return httpx.Response(503, json={"status": 503, "code": "database-unavailable"})
        return httpx.Response(200, json={"status": "bevestigd"})

    http = httpx.Client(transport=httpx.MockTransport(hub), base_url=HUB)
    handled: list[dict[str, Any]] = []
    receiver = WebhookReceiver(
        partner_id="via-zuid-limburg",
        url=URL,
        hub_issuer=HUB,
        hub_keys=HubKeys(HUB, http=http, min_refresh_seconds=0),
        handle=handled.append,
        hub=HubClient(HUB, partner_id="via-zuid-limburg", principal_id="via-systeem", key=partner_key, http=http),
        ack_retries=(0.0, 0.0),
    )
    inhoud = {"incident": {"datum": "2026-11-02"}}
    envelope = {"soort": "melding", "leveringId": "l-1", "inhoudDigest": inhoud_digest(inhoud), "inhoud": inhoud}
    body = json.dumps(envelope).encode()

    def deliver() -> tuple[int, dict[str, Any]]:
        _, headers = sign_request_token(
            hub_key, issuer=HUB, subject="schakel", audience="via-zuid-limburg", method="POST", url=URL, body=body
        )
        return receiver.receive({k.lower(): v for k, v in headers.items()}, body)

    status, answer = deliver()
    assert (status, answer["fout"]) == (503, "ontvangstbevestiging-mislukt")
    assert len(acks) == 3, "tried three times before giving up"
    hub_up["now"] = True
    status, _ = deliver()  # the hub delivers again, with a fresh token
    assert status == 200
    assert len(handled) == 1, "stored once, whatever the number of deliveries"
    assert len(acks) == 4
