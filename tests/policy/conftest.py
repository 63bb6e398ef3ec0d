"""The sample convenant, compiled once per test session, and the sample meldingen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.kit.canonical import content_hash
from hub.policy.engine import CompiledPolicy
from hub.policy.format import PolicySource, load_directory, source_to_data
from hub.policy.projection import FieldTree, build_tree

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "policies" / "zuid-limburg"
MELDINGEN = ROOT / "tests" / "assets" / "meldingen"


@pytest.fixture(scope="session")
def sample_source() -> PolicySource:
    return load_directory(SAMPLE)


@pytest.fixture(scope="session")
def sample(sample_source: PolicySource) -> CompiledPolicy:
    digest = content_hash("schakel-beleid-v1", source_to_data(sample_source))
    return CompiledPolicy(sample_source, content_hash=digest, label="zuid-limburg 2026.1")


@pytest.fixture(scope="session")
def trees(sample_source: PolicySource) -> dict[str, FieldTree]:
    return {b.code: build_tree(b) for b in sample_source.berichttypes.berichttypes}


def melding(berichttype: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MELDINGEN / f"{berichttype}.json").read_text(encoding="utf-8"))
    return data
