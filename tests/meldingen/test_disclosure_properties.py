"""A property over generated convenants, registries, meldingen and consents: nothing is disclosed to a recipient
unless a rule in force names it (as partner or soort) for this verstrekker, doel, berichttype and category, its
werkgebied in both the convenant and the registry covers the melding's gemeente, and, where every such rule needs
consent, a consent recorded by an entitled partner covers this recipient, doel and day. And nothing at all is
disclosed unless the sender's own werkgebied (convenant and registry) covers the gemeente and the address's postcode
lies in it; a free-text field reaches only a recipient allowed its category and every category it may hold.
(Forgotten persons and re-identification, which need a live hub: tests/meldingen/test_live_properties.py.)

The oracle below is written from those sentences, not from the engine: it shares no code with `hub.policy`
beyond the source format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import SchakelError, Unprocessable
from hub.meldingen.postcodes import Postcodes
from hub.meldingen.routing import doel_of, route
from hub.meldingen.service import check_gemeente
from hub.policy.convenant.format import PolicySource
from hub.policy.deciding.decision import Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.deciding.projection import build_tree, project
from hub.toestemming.models import Toestemming
from hub.toestemming.service import Register

PARTNERS = ("p0", "p1", "p2", "p3")
SOORTEN = ("a", "b")
GEMEENTEN = ("GM0001", "GM0002", "GM0003")
DOELEN = ("d1", "d2")
CATEGORIES = ("c1", "c2", "c3")
ITEMS = ("c3", "c3/i1", "c3/i2")
DAY = date(2026, 6, 1)
POSTCODES = Postcodes({"1001": "GM0001", "2002": "GM0002", "3003": "GM0003"}, "test")
"""The PC4 table of this world: each gemeente one postcode area; 9009 is in no gemeente."""

werkgebied = st.lists(st.sampled_from(GEMEENTEN), min_size=1, max_size=3, unique=True)
selector = st.sampled_from((*PARTNERS, *SOORTEN))


@st.composite
def rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    made = []
    for n in range(draw(st.integers(1, 6))):
        categories = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
        made.append(
            {
                "verstrekker": draw(selector),
                "id": f"R-X-{n:03d}",
                "ontvanger": draw(selector),
                "doel": draw(st.sampled_from(DOELEN)),
                "berichttypes": ["bt"],
                "categorieen": categories,
                "grondslag": "g1",
                "artikel": "art. 1",
                "bewaartermijn": "P1Y",
                "geldig_van": draw(st.sampled_from(["2026-01-01", "2026-07-01"])),
                # Most rules that carry the consent category need consent: where consent bugs would show.
                "voorwaarden": {"toestemming": draw(st.booleans()) or ("c3" in categories and draw(st.booleans()))},
            }
        )
    return made


@dataclass
class World:
    source: PolicySource
    registry: dict[str, frozenset[str]]
    consents: list[Toestemming]
    verstrekker: str
    gemeente: str | None
    named: tuple[str, ...] | None
    doel: str | None
    postcode: str | None


@st.composite
def worlds(draw: st.DrawFn) -> World:
    soorten = {p: draw(st.sampled_from(SOORTEN)) for p in PARTNERS}
    convenant_werkgebied = {p: draw(werkgebied) for p in PARTNERS}
    by_verstrekker: dict[str, list[dict[str, Any]]] = {}
    for rule in draw(rules()):
        by_verstrekker.setdefault(rule.pop("verstrekker"), []).append(rule)
    raw = {
        "convenant": {
            "convenant": "x",
            "naam": "x",
            "versie": "1",
            "deelnemers": [
                {"partner": p, "soort": soorten[p], "werkgebied": convenant_werkgebied[p]} for p in PARTNERS
            ],
            "toestemmingen": [{"item": "c3", "vastleggers": [draw(st.sampled_from(SOORTEN))]}],
        },
        "vocabulaires": {
            "soorten": [{"code": s, "omschrijving": s} for s in SOORTEN],
            "doelen": [
                {"code": d, "omschrijving": d, "verwerkingsactiviteit": {"id": f"VA-{d}", "versie": 1}} for d in DOELEN
            ],
            "categorieen": [{"code": c, "omschrijving": c} for c in CATEGORIES],
            "grondslagen": [{"code": "g1", "omschrijving": "g", "wet": "w", "artikelen": ["1"]}],
        },
        "berichttypes": {
            "berichttypes": [
                {
                    "code": "bt",
                    "versie": 1,
                    "omschrijving": "bt",
                    "gemeente": "gemeentecode",
                    "postcode": "postcode",
                    "velden": {
                        "gemeentecode": "c1",
                        "postcode": "c1",
                        "x.c2": "c2",
                        "x.tekst": "c2",
                        "x.i1": {"categorie": "c3", "item": "i1"},
                        "x.i2": {"categorie": "c3", "item": "i2"},
                    },
                    # Free text of category c2 that may hold c1 data too.
                    "vrije_tekst": {"x.tekst": {"kan_bevatten": ["c1"]}},
                }
            ]
        },
        "verboden": {"verboden": []},
        "regels": {f"{v}.yaml": {"verstrekker": v, "regels": rs} for v, rs in by_verstrekker.items()},
    }
    consents = [
        Toestemming(
            id=n + 1,
            log_pseudonym="x",
            item=draw(st.sampled_from(ITEMS)),
            vastgelegd_door=draw(st.sampled_from(PARTNERS)),  # entitled or not: the convenant's soort decides
            principal_id="x",
            ontvangers=draw(st.lists(st.sampled_from(SOORTEN) | selector, min_size=1, max_size=2)),
            doel=draw(st.sampled_from(DOELEN)),
            geldig_van=draw(st.sampled_from([None, date(2026, 1, 1), date(2026, 12, 1)])),
            geldig_tot=draw(st.sampled_from([None, date(2026, 3, 1), date(2026, 12, 31)])),
            vastgelegd_op=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for n in range(draw(st.integers(0, 6)))
    ]
    return World(
        source=PolicySource.model_validate(raw),
        registry={
            p: frozenset(draw(st.just(convenant_werkgebied[p]) | st.lists(st.sampled_from(GEMEENTEN), max_size=3)))
            for p in PARTNERS
        },
        consents=consents,
        verstrekker=draw(st.sampled_from(PARTNERS)),
        gemeente=draw(st.sampled_from((*GEMEENTEN, *GEMEENTEN, None))),
        named=draw(st.none() | st.lists(st.sampled_from(PARTNERS), min_size=1, max_size=3).map(tuple)),
        doel=draw(st.none() | st.sampled_from(DOELEN)),
        postcode=draw(st.none() | st.sampled_from(("1001AB", "2002CD", "3003EF", "9009GH"))),
    )


def _selects(world: World, selector: str, partner: str) -> bool:
    soort = next(d.soort for d in world.source.convenant.deelnemers if d.partner == partner)
    return selector in (partner, soort)


def _may_send(world: World) -> bool:
    """The oracle: may the sender speak about the melding's gemeente at all, and does the address lie in it?"""
    if world.gemeente is None:
        return True  # nobody is reached anyway (gemeente unknown)
    deelnemer = next(d for d in world.source.convenant.deelnemers if d.partner == world.verstrekker)
    if world.gemeente not in (deelnemer.werkgebied or ()) or world.gemeente not in world.registry[world.verstrekker]:
        return False
    return world.postcode is None or POSTCODES.gemeenten.get(world.postcode[:4]) == world.gemeente


def _may_receive(world: World, ontvanger: str, doel: str, categorie: str, item: str | None) -> bool:
    """The oracle: may a field of `categorie` (and consent `item`) reach `ontvanger`, by the sentences above?"""
    deelnemer = next(d for d in world.source.convenant.deelnemers if d.partner == ontvanger)
    if world.gemeente is None or world.gemeente not in (deelnemer.werkgebied or ()):
        return False
    if world.gemeente not in world.registry[ontvanger] or ontvanger == world.verstrekker:
        return False
    in_force = [
        r
        for name, regels in world.source.regels.items()
        for r in regels.regels
        if _selects(world, regels.verstrekker, world.verstrekker)
        and _selects(world, r.ontvanger, ontvanger)
        and r.doel == doel
        and "bt" in r.berichttypes
        and categorie in r.categorieen
        and r.geldig_van <= DAY
        and name
    ]
    if not in_force:
        return False
    if any(not r.voorwaarden.toestemming for r in in_force):
        return True
    entitled = world.source.convenant.toestemmingen[0].vastleggers
    return any(
        t.doel == doel
        and any(_selects(world, s, ontvanger) for s in t.ontvangers)
        and (t.geldig_van is None or t.geldig_van <= DAY)
        and (t.geldig_tot is None or t.geldig_tot >= DAY)
        and any(_selects(world, s, t.vastgelegd_door) for s in entitled)
        and t.item in (categorie, f"{categorie}/{item}")
        for t in world.consents
    )


@settings(max_examples=500, deadline=None)
@given(worlds())
def test_nothing_reaches_a_recipient_outside_its_rule_werkgebied_and_consent(world: World) -> None:
    policy = CompiledPolicy(world.source, content_hash="", label="x", registry_werkgebieden=world.registry)
    try:
        doel = doel_of(policy, world.verstrekker, "bt", DAY, world.doel, named=world.named is not None)
    except Unprocessable:
        return  # asked to choose a doel (or no rule at all): nothing is disclosed
    addresses = [world.postcode] if world.postcode is not None else []
    try:
        if world.gemeente is not None:
            check_gemeente(policy, world.verstrekker, world.gemeente, addresses, POSTCODES)
    except SchakelError:
        return  # refused: nothing is disclosed to anyone
    assert _may_send(world), "a sender outside its werkgebied, or an address outside the gemeente, was let through"
    register = Register((tuple(world.consents),))
    categories = frozenset(CATEGORIES)
    tree = build_tree(world.source.berichttypes.berichttypes[0])
    inhoud = {"gemeentecode": world.gemeente, "x": {"c2": "v", "tekst": "vrij", "i1": "v", "i2": "v"}}
    for r in route(policy, world.verstrekker, "bt", DAY, named=world.named, doel=doel, gemeente=world.gemeente):
        assert r.doel == doel, "every recipient is decided under the melding's one doel"
        consented, _ = register.voor(policy, r.ontvanger, doel, DAY)
        verzoek = Verzoek(world.verstrekker, r.ontvanger, doel, "bt", categories, DAY, consented)
        besluit = policy.decide_in(verzoek, world.gemeente)
        for categorie in CATEGORIES:
            for item in ("i1", "i2") if categorie == "c3" else (None,):
                if besluit.staat_toe(categorie, item):
                    assert _may_receive(world, r.ontvanger, doel, categorie, item), (r.ontvanger, categorie, item)
        view = project(inhoud, tree, besluit)
        if "tekst" in view.get("x", {}):
            assert _may_receive(world, r.ontvanger, doel, "c2", None), "free text without its own category"
            assert _may_receive(world, r.ontvanger, doel, "c1", None), "free text without what it may hold"
