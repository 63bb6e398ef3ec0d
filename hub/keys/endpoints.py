"""`/.well-known/jwks.json`: the hub's public keys, for partners checking webhooks and reviewers checking the ledger."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub.errors import ServiceUnavailable
from hub.keys.keyring import KeyringError
from hub.keys.service import PublishedKeys

router = APIRouter()


@router.get("/.well-known/jwks.json", include_in_schema=False)
async def jwks(request: Request) -> JSONResponse:
    published: PublishedKeys = request.app.state.published_keys
    try:
        keys = published.jwks()
    except KeyringError:
        raise ServiceUnavailable(
            "the hub has no signing keys yet; run `schakel keys init`", code="hub-keys-missing"
        ) from None
    return JSONResponse(
        {"keys": keys},
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=300"},
    )
