"""Properties of the policy engine that must hold for every input (hypothesis)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.policy.convenant.format import PolicySource, Verbod
from hub.policy.deciding.decision import Verzoek
from hub.policy.deciding.engine import CompiledPolicy, evaluate
from hub.policy.deciding.projection import FieldTree, Node, project

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8))
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)


def payloads(nodes: Mapping[str, Node]) -> st.SearchStrategy[dict[str, Any]]:
    """Melding-like data for a field tree: declared fields (with right or wrong shapes) and undeclared ones."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, node in nodes.items():
        if node.children is None:
            fields[name] = st.one_of(scalars, st.lists(scalars, max_size=2), junk)
        elif node.is_list:
            fields[name] = st.one_of(st.lists(payloads(node.children), max_size=3), junk)
        else:
            fields[name] = st.one_of(payloads(node.children), junk)
    declared = st.fixed_dictionaries({}, optional=fields)
    undeclared = st.dictionaries(st.sampled_from(["onbekend", "x", "notitie", "bsn_extra"]), junk, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, declared, undeclared)


def _only_allowed(view: Mapping[str, Any], nodes: Mapping[str, Node], allowed: Any) -> None:
    for name, value in view.items():
        node = nodes[name]  # an undeclared name raises KeyError: the property fails
        if node.children is None:
            assert node.categorie is not None
            assert allowed(node.categorie, node.item), f"{name} ({node.categorie}) is not permitted"
            assert not isinstance(value, dict)
        elif node.is_list:
            for element in value:
                _only_allowed(element, node.children, allowed)
        else:
            _only_allowed(value, node.children, allowed)


class TestProjection:
    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test_a_view_holds_only_declared_fields_of_permitted_categories(
        self, data: st.DataObject, trees: dict[str, FieldTree], sample: CompiledPolicy
    ) -> None:
        tree = data.draw(st.sampled_from(sorted(trees.values(), key=lambda t: t.berichttype)))
        payload = data.draw(payloads(tree.root))
        permitted = data.draw(st.frozensets(st.sampled_from(sorted(tree.categories()))))
        items = data.draw(st.frozensets(st.sampled_from(["huisvesting", "zorg", "schulden", "identiteitsbewijs"])))

        def allowed(categorie: str, item: str | None) -> bool:
            return categorie in permitted or (item is not None and item in items and categorie == "basisvoorwaarden")

        view = project(payload, tree, allowed)
        _only_allowed(view, tree.root, allowed)


participants = [
    "zvh-zuid-limburg", "politie-limburg", "via-zuid-limburg", "veilig-thuis-zuid-limburg", "gemeente-maastricht",
    "gemeente-heerlen", "dji-pi-limburg", "amw-zuid-limburg", "cjg-zuid-limburg", "bkr", "kredietbank-limburg",
    "woningcorporatie-maasdal", "reclassering-limburg",
]  # fmt: skip


def requests(source: PolicySource) -> st.SearchStrategy[Verzoek]:
    categories = [c.code for c in source.vocabulaires.categorieen]
    consents = [*categories, "basisvoorwaarden/huisvesting", "basisvoorwaarden/schulden", "gezondheid/zorg"]
    return st.builds(
        Verzoek,
        verstrekker=st.sampled_from(participants),
        ontvanger=st.sampled_from(participants),
        doel=st.sampled_from([d.code for d in source.vocabulaires.doelen]),
        berichttype=st.sampled_from([b.code for b in source.berichttypes.berichttypes]),
        categorieen=st.frozensets(st.sampled_from(categories), min_size=1),
        datum=st.dates(date(2024, 6, 1), date(2028, 1, 1)),
        toestemmingen=st.frozensets(st.sampled_from(consents), max_size=3),
    )


class TestDecisions:
    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test_prohibitions_always_win(
        self, data: st.DataObject, sample: CompiledPolicy, sample_source: PolicySource
    ) -> None:
        categories = [c.code for c in sample_source.vocabulaires.categorieen]
        soorten = sorted(set(sample.deelnemers.values()))
        verbod = Verbod(
            id="NV-99",
            omschrijving="property",
            categorieen=data.draw(st.lists(st.sampled_from(categories), min_size=1, max_size=4, unique=True)),
            ontvangers=data.draw(
                st.lists(st.sampled_from(participants + soorten), min_size=1, max_size=3, unique=True)
            ),
        )
        policy = CompiledPolicy(sample_source, content_hash="h", label="l", noodverboden=[verbod])
        verzoek = data.draw(requests(sample_source))
        hit = verzoek.ontvanger in verbod.ontvangers or sample.deelnemers.get(verzoek.ontvanger) in verbod.ontvangers
        besluit = policy.decide(verzoek)
        if hit:
            assert not set(besluit.verstrekt) & set(verbod.categorieen)
        for categorie in set(verbod.categorieen) & verzoek.categorieen if hit else ():
            assert besluit.achtergehouden[categorie].reden in {"verbod", "geen-deelnemer"}

    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test_decisions_are_deterministic_for_a_version(
        self, data: st.DataObject, sample: CompiledPolicy, sample_source: PolicySource
    ) -> None:
        verzoek = data.draw(requests(sample_source))
        fresh = CompiledPolicy(sample_source, content_hash=sample.content_hash, label=sample.label)
        first, again, other = sample.decide(verzoek), sample.decide(verzoek), fresh.decide(verzoek)
        assert first == again == other

    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test_the_table_agrees_with_the_rules_read_directly(
        self, data: st.DataObject, sample: CompiledPolicy, sample_source: PolicySource
    ) -> None:
        verzoek = data.draw(requests(sample_source))
        if verzoek.verstrekker == verzoek.ontvanger:
            return
        rules = sorted(
            (
                r
                for r in sample.regels
                if (r.verstrekker, r.ontvanger, r.doel, r.berichttype)
                == (verzoek.verstrekker, verzoek.ontvanger, verzoek.doel, verzoek.berichttype)
            ),
            key=lambda r: r.id,
        )
        verboden = list(sample.verboden_voor(verzoek.ontvanger))
        besluit = sample.decide(verzoek)
        for categorie in verzoek.categorieen:
            entry = evaluate(rules, verboden, categorie, verzoek.datum.toordinal())
            if entry.withheld is not None:
                assert besluit.achtergehouden[categorie] == entry.withheld
            elif not entry.options[0].conditional and entry.options[0].casus is None:
                assert besluit.verstrekt[categorie] == entry.options[0].grant
            else:
                assert categorie in besluit.verstrekt or categorie in besluit.achtergehouden

    def test_interval_edges(self, sample: CompiledPolicy) -> None:
        def health(day: date) -> str:
            verzoek = Verzoek(
                "politie-limburg", "zvh-zuid-limburg", "top-x-aanpak", "aanmelding", frozenset({"gezondheid"}), day
            )
            besluit = sample.decide(verzoek)
            return "verstrekt" if "gezondheid" in besluit.verstrekt else str(besluit.achtergehouden["gezondheid"].reden)

        last_day = date(2026, 6, 30)
        assert health(date(2024, 12, 31)) == "regel-nog-niet-geldig"
        assert health(date(2025, 1, 1)) == "verstrekt"
        assert health(last_day) == "verstrekt"
        assert health(last_day + timedelta(days=1)) == "regel-verlopen"
