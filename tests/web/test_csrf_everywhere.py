"""Every state-changing page route refuses a post without the session's CSRF token, before it looks at anything
else; the few that run before there is a session (sign-in, enrolment) check the origin and their ceremony."""

from __future__ import annotations

import re

import httpx
from starlette.routing import Route

from hub.kit.clock import utcnow
from hub.main import PAGE_ROUTERS
from hub.web import service as web
from tests.web.conftest import WebHub

WITHOUT_SESSION = {
    "/aanmelden/passkey/begin", "/aanmelden/passkey", "/inschrijven/{token}/begin", "/inschrijven/{token}",
}  # fmt: skip
POSTS = sorted(
    route.path
    for router in PAGE_ROUTERS
    for route in router.routes
    if isinstance(route, Route) and "POST" in (route.methods or set()) and route.path not in WITHOUT_SESSION
)


def _concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+(:int)?\}", lambda m: "1" if m.group(1) else "x", re.sub(r":str\}", "}", path))


def test_a_post_without_the_csrf_token_is_refused(web_hub: WebHub) -> None:
    with web_hub.database.unit_of_work() as session:
        cookies = {
            who: web.start_session(session, who, "passkey", web_hub.settings, utcnow())
            for who in ("zvh-zuid-limburg-fg", "zvh-zuid-limburg-beheer", "zvh-zuid-limburg-regie")
        }
    for path, (who, cookie) in ((p, c) for p in POSTS for c in cookies.items()):
        answer = httpx.post(
            web_hub.url + _concrete(path),
            data={"reden": "zonder code", "csrf": "vervalst"},
            cookies={"schakel_sessie": cookie},
            headers={"Origin": web_hub.url},
        )
        assert answer.status_code == 403, f"{path} as {who}: {answer.status_code}"
        assert answer.json()["code"] == "csrf-geweigerd", f"{path} as {who}: {answer.json()['code']}"


def test_the_table_knows_every_post() -> None:
    assert len(POSTS) >= 20, POSTS
