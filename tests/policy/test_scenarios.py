"""The sample convenant's flows, as data (scenarios.yaml): decision and projection together."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.policy.deciding.decision import CasusStand, Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.deciding.projection import FieldTree, present_categories, project
from tests.policy.conftest import melding

SCENARIOS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))
MISSING = object()


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return MISSING
    return data


_WITH_REFERENCE = {"verbod", "regel-verlopen", "geen-casus", "buiten-casusfase", "niet-aan-tafel", "geen-top-x"}


def _reason(withheld: Any) -> str:
    return f"{withheld.reden}:{withheld.verwijzing}" if withheld.reden in _WITH_REFERENCE else str(withheld.reden)


def _casus(given: dict[str, Any] | None) -> CasusStand | None:
    """A scenario's casus: `{type, fase, aan_tafel: [partners], top_x}`."""
    if given is None:
        return None
    return CasusStand(1, given["type"], given["fase"], frozenset(given.get("aan_tafel", [])), given.get("top_x", False))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["naam"] for s in SCENARIOS])
def test_flow(scenario: dict[str, Any], sample: CompiledPolicy, trees: dict[str, FieldTree]) -> None:
    payload = melding(scenario["berichttype"])
    tree = trees[scenario["berichttype"]]
    besluit = sample.decide(
        Verzoek(
            verstrekker=scenario["van"],
            ontvanger=scenario["naar"],
            doel=scenario["doel"],
            berichttype=scenario["berichttype"],
            categorieen=present_categories(payload, tree),
            datum=scenario.get("datum", date(2026, 11, 22)),
            toestemmingen=frozenset(scenario.get("toestemmingen", [])),
            casus=_casus(scenario.get("casus")),
        )
    )
    assert besluit.uitkomst == scenario["uitkomst"]
    if "verstrekt" in scenario:
        assert sorted(besluit.verstrekt) == sorted(scenario["verstrekt"])
    for categorie, reason in scenario.get("achtergehouden", {}).items():
        assert categorie in besluit.achtergehouden, f"{categorie} should be withheld"
        assert _reason(besluit.achtergehouden[categorie]) == reason
    view = project(payload, tree, besluit.staat_toe)
    for path in scenario.get("bereikt", []):
        assert _get(view, path) == _get(payload, path) is not MISSING, f"{path} must reach the recipient"
    for path in scenario.get("bereikt_niet", []):
        assert _get(view, path) is MISSING, f"{path} must not reach the recipient"


def test_every_berichttype_has_a_sample_melding_and_a_scenario(trees: dict[str, FieldTree]) -> None:
    assert {s["berichttype"] for s in SCENARIOS} == set(trees)
    for code in trees:
        assert melding(code)
