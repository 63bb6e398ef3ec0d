"""The example alert rules are valid Prometheus rules and fire on the series they are meant for (promtool's own
unit tests, docker/prometheus/alerts.test.yml); every metric they name is one the hub exports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hub.ops.metrics import Metrics

PROMETHEUS = Path(__file__).resolve().parents[2] / "docker" / "prometheus"
REQUIRE = "SCHAKEL_TEST_REQUIRE_PROMTOOL"


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get(REQUIRE):
            pytest.fail(f"{REQUIRE} is set but promtool is missing: install Debian's `prometheus`")
        pytest.skip("promtool is missing: install Debian's `prometheus` (as .ci/run does) to check the alert rules")
    return found


def test_the_rules_pass_promtool_and_its_unit_tests() -> None:
    promtool = _promtool()
    for command in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]):
        done = subprocess.run([promtool, *command], check=False, cwd=PROMETHEUS, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_metric_an_alert_names_is_exported() -> None:
    exported = {m.name for m in Metrics().registry.collect()} | {
        "schakel_leveringen",
        "schakel_leveringen_niet_opgehaald",
        "schakel_limiet_geweigerd",
        "schakel_oudste_wachtende_levering_seconds",
        "schakel_verstrekkingenlog_entries",
        "schakel_controlepunt_leeftijd_seconds",
        "schakel_getuige_achterstand_entries",
        "schakel_schijf_vrij_verhouding",
        "schakel_convenant_leesbaar",
        "schakel_convenant_formaat_achter",
        "schakel_verstrekkingenlog_teruggezet",
    }  # fmt: skip  (the state metrics appear once a database is watched: tests/ops/test_metrics.py, test_health.py)
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    named = {
        name
        for group in rules["groups"]
        for rule in group["rules"]
        for name in re.findall(r"\b((?:schakel|process)_[a-z_]+)", rule["expr"])
    }
    missing = {n for n in named if n.removesuffix("_total") not in exported and n not in exported}
    assert not missing, missing
