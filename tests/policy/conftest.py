"""The sample convenant's field trees and the sample meldingen (the convenant itself: tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.policy.convenant.format import PolicySource
from hub.policy.deciding.projection import FieldTree, build_tree

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "policies" / "zuid-limburg"
MELDINGEN = ROOT / "hub" / "partners" / "voorbeeldmeldingen"


@pytest.fixture(scope="session")
def trees(sample_source: PolicySource) -> dict[str, FieldTree]:
    return {b.code: build_tree(b) for b in sample_source.berichttypes.berichttypes}


def melding(berichttype: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MELDINGEN / f"{berichttype}.json").read_text(encoding="utf-8"))
    return data
