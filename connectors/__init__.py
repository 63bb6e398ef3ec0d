"""Partner-side library for Schakel: sign calls to the hub, and verify what the hub sends.

It never imports the hub; a partner can vendor or install it on its own.
"""

from connectors._client import HubClient
from connectors._digest import content_digest, digest_matches
from connectors._keys import ALLOWED_ALGORITHMS, SigningKey, jwk_thumbprint, public_key_from_jwk, write_secret_file
from connectors._receiver import HubKeys, Voorwaarden, WebhookReceiver, inhoud_digest, is_stopbericht
from connectors._token import (
    MAX_LIFETIME_SECONDS,
    MAX_TOKEN_BYTES,
    TOKEN_TYPE,
    ResolvedKey,
    VerifiedToken,
    normalise_htu,
    sign_request_token,
    verify_request_token,
)
from connectors.errors import (
    AuthenticationFailed,
    Conflict,
    ConnectorError,
    HubError,
    HubUnavailable,
    KeyFileError,
    NotFound,
    PermissionDenied,
    TokenRejected,
    ValidationFailed,
)

__all__ = [
    "ALLOWED_ALGORITHMS",
    "MAX_LIFETIME_SECONDS",
    "MAX_TOKEN_BYTES",
    "TOKEN_TYPE",
    "AuthenticationFailed",
    "Conflict",
    "ConnectorError",
    "HubClient",
    "HubError",
    "HubKeys",
    "HubUnavailable",
    "KeyFileError",
    "NotFound",
    "PermissionDenied",
    "ResolvedKey",
    "SigningKey",
    "TokenRejected",
    "ValidationFailed",
    "VerifiedToken",
    "Voorwaarden",
    "WebhookReceiver",
    "content_digest",
    "digest_matches",
    "inhoud_digest",
    "is_stopbericht",
    "jwk_thumbprint",
    "normalise_htu",
    "public_key_from_jwk",
    "sign_request_token",
    "verify_request_token",
    "write_secret_file",
]
