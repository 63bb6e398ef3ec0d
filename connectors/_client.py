"""`HubClient`: an httpx client that signs every request to the hub with a request-bound token."""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import httpx

from connectors._keys import SigningKey
from connectors._token import sign_request_token
from connectors.errors import (
    AuthenticationFailed,
    Conflict,
    HubError,
    HubUnavailable,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

_ERRORS_BY_STATUS: dict[int, type[HubError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: ValidationFailed,
    415: ValidationFailed,
    422: ValidationFailed,
}


class HubClient:
    """Calls the hub as one principal of one partner.

    `base_url` is the hub's public base URL (the token audience), e.g. `https://schakel.example`. Every request
    gets a fresh token bound to its method, URL and body. Pass `http` to reuse or inject an `httpx.Client`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        partner_id: str,
        principal_id: str,
        key: SigningKey,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        audience: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.audience = (audience or self.base_url).rstrip("/")
        self.partner_id = partner_id
        self.principal_id = principal_id
        self._key = key
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout, follow_redirects=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Sign and send one request; return the raw response whatever its status."""
        url = self.base_url + path
        body = b"" if json_body is None else json.dumps(json_body, separators=(",", ":")).encode("utf-8")
        _, auth_headers = sign_request_token(
            self._key,
            issuer=self.partner_id,
            subject=self.principal_id,
            audience=self.audience,
            method=method,
            url=url,
            body=body,
        )
        all_headers = {"Accept": "application/json", **(headers or {}), **auth_headers}
        if body:
            all_headers["Content-Type"] = "application/json"
        try:
            return self._http.request(method, url, content=body or None, params=params, headers=all_headers)
        except httpx.TransportError as exc:
            raise HubUnavailable(f"could not reach the hub at {self.base_url}: {type(exc).__name__}") from exc

    def submit_melding(
        self, melding: dict[str, Any], *, idempotency_key: str | None = None, attempts: int = 4
    ) -> dict[str, Any]:
        """POST a melding, retrying when the hub is unreachable or answers 5xx. Every try carries the same
        Idempotency-Key (a new random one unless you give yours), so a retry after a lost answer cannot make a
        second melding: the hub answers it as it answered the first. Raises a typed error for a 4xx."""
        key = idempotency_key or secrets.token_urlsafe(24)
        for attempt in range(attempts):
            try:
                response = self.send("POST", "/api/v1/meldingen", json_body=melding, headers={"Idempotency-Key": key})
            except HubUnavailable:
                if attempt == attempts - 1:
                    raise
            else:
                if response.status_code < 500 or attempt == attempts - 1:
                    return self._answer(response)  # type: ignore[no-any-return]
            time.sleep(min(0.2 * 2**attempt, 5.0) * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret
        raise HubUnavailable("the hub did not answer")  # unreachable: the last attempt returns or raises

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, str] | None = None) -> Any:
        """Sign and send one request; return the parsed JSON body (or the text, for another content type such as
        CSV), or raise a typed `HubError`."""
        return self._answer(self.send(method, path, json_body=json_body, params=params))

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        if response.status_code >= 500:
            raise HubUnavailable(f"the hub answered {response.status_code}; try again later")
        if response.status_code >= 400:
            raise _ERRORS_BY_STATUS.get(response.status_code, HubError)(response.status_code, _problem(response))
        if response.status_code == 204 or not response.content:
            return None
        if "json" not in response.headers.get("content-type", "application/json"):
            return response.text  # e.g. a report as CSV: returned as the text it is
        return response.json()

    def get(self, path: str, *, params: dict[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def items(self, path: str, *, params: dict[str, str] | None = None, limit: int = 100) -> Iterator[Any]:
        """Every item of a list, page after page: the hub answers each list as `{items, volgende}` and takes the
        cursor back as `na`."""
        query = {**(params or {}), "limit": str(limit)}
        while True:
            page = self.get(path, params=query)
            yield from page["items"]
            if page["volgende"] is None:
                return
            query["na"] = str(page["volgende"])

    def post(self, path: str, json_body: Any) -> Any:
        return self.request("POST", path, json_body=json_body)

    def patch(self, path: str, json_body: Any) -> Any:
        return self.request("PATCH", path, json_body=json_body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    return {"status": response.status_code, "title": response.reason_phrase, "detail": ""}
