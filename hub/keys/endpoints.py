"""`/.well-known/jwks.json`: the hub's public keys, for partners checking webhooks and reviewers checking the ledger;
and the same keys as the verstrekkingenlog's C2SP verifier keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from connectors.tlog import verifier_key
from hub import refusals
from hub.keys.keyring import KeyringError
from hub.ledger.endpoints import LogOriginDep
from hub.ledger.verify import public_keys
from hub.state import state_of

router = APIRouter()


def _published(request: Request) -> list[dict[str, Any]]:
    published = state_of(request.app).published_keys
    try:
        return published.jwks()
    except KeyringError:
        raise refusals.HubKeysMissing("the hub has no signing keys yet; run `schakel keys init`") from None


@router.get("/.well-known/jwks.json", include_in_schema=False)
async def jwks(request: Request) -> JSONResponse:
    keys = _published(request)
    return JSONResponse(
        {"keys": keys}, media_type="application/jwk-set+json", headers={"Cache-Control": "public, max-age=300"}
    )


@router.get("/.well-known/schakel/verstrekkingenlog.vkey", include_in_schema=False)
def log_verifier_keys(request: Request, origin: LogOriginDep) -> PlainTextResponse:
    """The verstrekkingenlog's C2SP verifier keys, one per line (`<origin>+<key id>+<key>`): what a reviewer pins,
    once, from here or from the hub's operator, to verify bundles offline (`schakel ledger verify --sleutels`)."""
    keys = _published(request)
    lines = [verifier_key(origin, key) for key in public_keys({"keys": keys})]
    return PlainTextResponse("".join(f"{line}\n" for line in lines), headers={"Cache-Control": "public, max-age=300"})
