"""Who reads a casus, walked over every combination of roles, every read endpoint and page, two ZVHs and a partner.

A casus is read whole by its own ZVH's procesregisseurs, privacy officers and DPIA reviewers, whatever other roles
they hold, and by nobody of another organisation: to them it does not exist (404), it is in no list, no deadline
and no figure of theirs. Annual figures beyond one's own organisation are the whole hub's with small cells
suppressed. Seen on a live hub (#34): a procesregisseur of a second ZVH who was also `partner` or `operator` read
zvh-zuid-limburg's casussen, deadlines and figures, and the privacy officer of a gemeente listed and read a ZVH's
radicalisering casus although the gemeente is not at its table."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations
from typing import Any

import httpx

from connectors import HubClient, SigningKey
from hub.config import Settings
from hub.db import Database
from hub.kit.clock import dutch_date, utcnow
from hub.partners import service as partners
from hub.partners.models import DeliveryMode, PartnerSoort, PrincipalSoort, Role
from hub.partners.schemas import KeyCreate, PartnerCreate, PrincipalCreate
from hub.web.security import SESSION_COOKIE
from hub.web.service import NotAPerson, start_session
from tests.support import Actor

ZVH, OTHER_ZVH, PARTNER = "zvh-test", "zvh-tweede", "politie-test"
READERS = frozenset({Role.PROCESREGISSEUR, Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER})
ROLE_SETS = [frozenset(c) for n in range(1, len(Role) + 1) for c in combinations(sorted(Role), n)]


def _principal(database: Database, partner_id: str, principal_id: str, roles: frozenset[Role]) -> SigningKey:
    key = SigningKey.generate()
    with database.unit_of_work() as session:
        partners.create_principal(
            session,
            "test",
            PrincipalCreate(id=principal_id, partner_id=partner_id, soort=PrincipalSoort.PERSOON, roles=sorted(roles)),
        )
        partners.add_key(session, "test", principal_id, KeyCreate(jwk=key.public_jwk()))
    return key


def _casussen_of(regie: HubClient, *, table: list[str]) -> list[int]:
    """A casus with a partner at the table, and a huisverbod monitoring that falls due within the year."""
    ids = []
    pga = regie.post("/api/v1/casussen", {"type": "radicalisering", "reden": "Aanmelding van de gemeente"})
    for partner in table:
        regie.post(f"/api/v1/casussen/{pga['id']}/deelnemers", {"partner": partner, "reden": "Kent de situatie"})
    ids.append(int(pga["id"]))
    einde = (dutch_date(utcnow()) - timedelta(days=10)).isoformat()
    monitoring = regie.post(
        "/api/v1/casussen", {"type": "huisverbod-monitoring", "reden": "Huisverbod afgelopen", "huisverbodEinde": einde}
    )
    ids.append(int(monitoring["id"]))
    return ids


def _total_casussen(table: str) -> str:
    """The year's number of casussen in the figures' CSV (`afgeschermd` when suppressed)."""
    rows = list(csv.DictReader(io.StringIO(table)))
    (total,) = [r for r in rows if r["tabel"] == "casussen" and r["gemeente"] == "alle" and r["thema"] == "alle"]
    return total["aantal"]


def test_no_reader_sees_a_casus_of_another_organisation(
    http: httpx.Client, actors: dict[str, Actor], database: Database, settings: Settings
) -> None:
    with database.unit_of_work() as session:
        partners.create_partner(
            session,
            "test",
            PartnerCreate(
                id=OTHER_ZVH,
                naam="Tweede ZVH (test)",
                soort=PartnerSoort.ZVH,
                oin="00000099000000000104",
                delivery_mode=DeliveryMode.INBOX,
                werkgebied=["GM0917"],
            ),
        )
    other_key = _principal(database, OTHER_ZVH, "tweede-regie", frozenset({Role.PROCESREGISSEUR}))
    other_regie = HubClient(
        str(http.base_url), partner_id=OTHER_ZVH, principal_id="tweede-regie", key=other_key, http=http
    )
    runs = {
        ZVH: _casussen_of(actors["regisseur"].client(http), table=[PARTNER]),
        OTHER_ZVH: _casussen_of(other_regie, table=[PARTNER]),
        PARTNER: [],
    }
    everything = [c for ids in runs.values() for c in ids]
    year = dutch_date(utcnow()).year
    walked = 0
    for organisation, own in runs.items():
        for n, roles in enumerate(ROLE_SETS):
            principal_id = f"{organisation}-lezer-{n}"
            key = _principal(database, organisation, principal_id, roles)
            api = HubClient(str(http.base_url), partner_id=organisation, principal_id=principal_id, key=key, http=http)
            try:
                with database.unit_of_work() as session:
                    cookie = start_session(session, principal_id, "passkey", settings, utcnow())
            except NotAPerson:
                assert roles == {Role.PARTNER}, "only a partner's system signs in to no page"
                cookie = ""
            pages = httpx.Client(base_url=str(http.base_url), cookies={SESSION_COOKIE: cookie}, timeout=10)
            with pages:
                _walk(api, pages if cookie else None, roles, Seen(own, everything, year, zvh=organisation != PARTNER))
            walked += 1
    assert walked == 3 * 31, "three organisations, every combination of the five roles"


@dataclass(frozen=True)
class Seen:
    """What a reader of an organisation may see: `own`, the casussen it runs (the second falls due), of
    `everything`; figures of `year`, its own if it is a ZVH (`zvh`)."""

    own: list[int]
    everything: list[int]
    year: int
    zvh: bool


def _walk(api: HubClient, pages: httpx.Client | None, roles: frozenset[Role], seen: Seen) -> None:
    """Every read endpoint and page, as one principal (`pages` None: it signs in to none)."""
    reader = not roles.isdisjoint(READERS)
    who = f"{sorted(roles)} of an organisation running {seen.own}"
    expected = 200 if reader else 403

    listed = api.send("GET", "/api/v1/casussen")
    due = api.send("GET", "/api/v1/casussen/termijnen", params={"dagen": "366"})
    figures = api.send("GET", "/api/v1/rapportages/jaarcijfers", params={"jaar": str(seen.year)})
    table = api.send("GET", "/api/v1/rapportages/jaarcijfers", params={"jaar": str(seen.year), "formaat": "csv"})
    assert [r.status_code for r in (listed, due, figures, table)] == [expected] * 4, who
    if reader:
        assert sorted(c["id"] for c in listed.json()["items"]) == sorted(seen.own), who
        assert {t["casusId"] for t in due.json()["items"]} == set(seen.own[1:]), who
        _figures_are_own_or_suppressed(figures.json(), table.text, seen, who)
    for casus in seen.everything:
        one = api.send("GET", f"/api/v1/casussen/{casus}")
        assert one.status_code == (expected if casus in seen.own or not reader else 404), (who, casus)
        if one.status_code == 404:
            assert one.json()["code"] == "casus-not-found", (who, casus)
    if pages is not None:
        _walk_pages(pages, reader, seen, who)


def _walk_pages(pages: httpx.Client, reader: bool, seen: Seen, who: str) -> None:
    expected = 200 if reader else 403
    for casus in seen.everything:
        page = pages.get(f"/casussen/{casus}")
        assert page.status_code == (expected if casus in seen.own or not reader else 404), (who, casus)
    for path, own in (("/casussen", seen.own), ("/casussen/termijnen", seen.own[1:])):
        answer = pages.get(path, params={"dagen": 366})
        assert answer.status_code == expected, (who, path)
        if reader:
            assert {int(c) for c in re.findall(r'href="/casussen/(\d+)"', answer.text)} == set(own), (who, path)
    figures = pages.get("/jaarcijfers", params={"jaar": seen.year})
    table = pages.get("/jaarcijfers.csv", params={"jaar": seen.year})
    assert (figures.status_code, table.status_code) == (expected, expected), who
    if reader:
        whole = seen.zvh and seen.own
        assert ("afgeschermd" in figures.text) == (not whole), who
        assert _total_casussen(table.text) == (str(len(seen.own)) if whole else "afgeschermd"), who


def _figures_are_own_or_suppressed(figures: dict[str, Any], table: str, seen: Seen, who: str) -> None:
    own = seen.own
    total = next(r for r in figures["casussen"] if r["gemeente"] is None and r["thema"] is None)
    if seen.zvh and own:
        assert not figures["afgeschermd"], who
        assert total["aantal"] == len(own), ("only its own casussen", who)
        assert _total_casussen(table) == str(len(own)), who
    else:
        assert figures["afgeschermd"], who
        assert all(
            r["aantal"] is None or r["aantal"] >= 5 for rows in ("meldingen", "casussen") for r in figures[rows]
        ), who
        assert _total_casussen(table) == "afgeschermd", ("four casussen in the hub: too few to show", who)
