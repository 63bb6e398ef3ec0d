"""The validator: the sample is clean; each kind of mistake is found and named with file, rule and fix."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.policy.analysis.validate import Bevinding, Niveau, findings_from_format_error, validate
from hub.policy.convenant.format import (
    FormatError,
    PolicySource,
    json_schemas,
    load_directory,
    parse_source,
    source_to_data,
)
from tests.policy.conftest import ROOT, SAMPLE

Mutation = Callable[[dict[str, Any]], None]


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    for regels in data["regels"].values():
        for regel in regels["regels"]:
            if regel["id"] == rule_id:
                found: dict[str, Any] = regel
                return found
    raise KeyError(rule_id)


def _findings(sample_source: PolicySource, mutate: Mutation) -> list[Bevinding]:
    data = copy.deepcopy(source_to_data(sample_source))
    mutate(data)
    try:
        return validate(parse_source(data))
    except FormatError as exc:
        return findings_from_format_error(exc)


def _set(rule_id: str, **fields: Any) -> Mutation:
    return lambda data: _rule(data, rule_id).update(fields)


def _add_rule(file: str, rule: dict[str, Any]) -> Mutation:
    return lambda data: data["regels"][file]["regels"].append(rule)


POL_001 = {
    "id": "R-POL-099", "ontvanger": "via", "doel": "screening-verward-gedrag", "berichttypes": ["e33-verward-gedrag"],
    "categorieen": ["adres"], "grondslag": "wpg-art-19-20", "artikel": "x", "bewaartermijn": "P6M",
    "geldig_van": "2026-01-01",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutation
    level: Niveau
    file: str
    subject: str
    words: str
    """Words the finding's message must contain."""


CASES: list[Case] = [
    Case(
        "unknown doel",
        _set("R-POL-001", doel="screening"),
        Niveau.FOUT,
        "regels/politie-limburg.yaml",
        "R-POL-001",
        "unknown doel 'screening'; use one of",
    ),
    Case(
        "unknown categorie",
        _set("R-BKR-001", categorieen=["adres", "iban"]),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "R-BKR-001",
        "unknown categorie 'iban'",
    ),
    Case(
        "unknown ontvanger",
        _set("R-BKR-001", ontvanger="bank"),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "R-BKR-001",
        "unknown ontvanger",
    ),
    Case(
        "unknown grondslag",
        _set("R-BKR-001", grondslag="wgs-art-3a"),  # the old code of the schuldhulpverlening ground, read as the WGS
        Niveau.FOUT,
        "regels/bkr.yaml",
        "R-BKR-001",
        "unknown grondslag 'wgs-art-3a'",
    ),
    Case(
        "art. 9 without a ground",
        _set("R-BKR-001", categorieen=["adres", "gezondheid"]),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "R-BKR-001",
        "does not cover art9",
    ),
    Case(
        "art. 10 without a ground",
        _set("R-VIA-001", categorieen=["adres", "strafrechtelijk"]),
        Niveau.FOUT,
        "regels/via-zuid-limburg.yaml",
        "R-VIA-001",
        "does not cover art10",
    ),
    Case(
        "impossible dates",
        _set("R-BKR-001", geldig_tot="2025-12-31"),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "R-BKR-001",
        "lies before geldig_van",
    ),
    Case(
        "duplicate rule",
        _add_rule("politie-limburg.yaml", POL_001),
        Niveau.FOUT,
        "regels/politie-limburg.yaml",
        "R-POL-001",
        "duplicates R-POL-099",
    ),
    Case(
        "contradictory rule",
        _add_rule("politie-limburg.yaml", {**POL_001, "bewaartermijn": "P2Y"}),
        Niveau.FOUT,
        "regels/politie-limburg.yaml",
        "R-POL-001",
        "contradicts R-POL-099",
    ),
    Case(
        "rule id used twice",
        _add_rule("bkr.yaml", {**POL_001, "id": "R-POL-001"}),
        Niveau.FOUT,
        "regels/",
        "R-POL-001",
        "used twice",
    ),
    Case(
        "prohibition trims a rule",
        _set("R-POL-012", ontvanger="gemeente", categorieen=["adres", "gezondheid"]),
        Niveau.WAARSCHUWING,
        "regels/politie-limburg.yaml",
        "R-POL-012",
        "prohibition V-01 trims this rule: gezondheid",
    ),
    Case(
        "prohibition empties a rule",
        _set("R-POL-012", ontvanger="gemeente", categorieen=["gezondheid"]),
        Niveau.WAARSCHUWING,
        "regels/politie-limburg.yaml",
        "R-POL-012",
        "prohibition V-01 empties this rule",
    ),
    Case(
        "category no berichttype carries",
        _set("R-BKR-001", categorieen=["adres", "zrm"], grondslag="avg-6-1-e-9-2-g"),
        Niveau.WAARSCHUWING,
        "regels/bkr.yaml",
        "R-BKR-001",
        "none of its berichttypes has a field of zrm",
    ),
    Case(
        "bad duration",
        _set("R-BKR-001", bewaartermijn="6 maanden"),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "regels.0.bewaartermijn",
        "ISO 8601",
    ),
    Case(
        "unknown field in a rule",
        _set("R-BKR-001", ontvangers="x"),
        Niveau.FOUT,
        "regels/bkr.yaml",
        "regels.0.ontvangers",
        "Extra inputs",
    ),
]


class TestSample:
    def test_the_sample_convenant_is_clean_but_for_what_a_lawyer_must_confirm(
        self, sample_source: PolicySource
    ) -> None:
        findings = validate(sample_source)
        assert findings, "the sample marks its grondslagen te_bevestigen: validate must say so"
        assert all(f.niveau is Niveau.WAARSCHUWING and "te_bevestigen" in f.melding for f in findings), findings
        unconfirmed = {g.code for g in sample_source.vocabulaires.grondslagen if g.te_bevestigen}
        warned = {f.onderwerp.removeprefix("grondslag ") for f in findings if f.onderwerp.startswith("grondslag ")}
        assert warned == unconfirmed, "one warning for every grondslag still te_bevestigen"

    def test_articles_a_lawyer_must_confirm_are_marked(self, sample_source: PolicySource) -> None:
        assert any(g.te_bevestigen for g in sample_source.vocabulaires.grondslagen)
        assert any(r.artikel_te_bevestigen for regels in sample_source.regels.values() for r in regels.regels)

    def test_the_published_json_schemas_are_current(self) -> None:
        for name, schema in json_schemas().items():
            published = json.loads((ROOT / "policies" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
            assert published == schema, f"run `schakel policy schema` to refresh {name}.schema.json"


class TestFindings:
    @pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
    def test_found_and_named(self, sample_source: PolicySource, case: Case) -> None:
        findings = _findings(sample_source, case.mutate)
        matching = [
            f for f in findings if f.bestand == case.file and f.onderwerp == case.subject and case.words in f.melding
        ]
        assert matching, (
            f"expected {case.level} in {case.file} about {case.subject} saying {case.words!r}; got {findings}"
        )
        assert matching[0].niveau == case.level

    def test_a_broken_yaml_file_is_named_with_its_line(self, tmp_path: Path) -> None:
        copy_dir = tmp_path / "convenant"
        shutil.copytree(SAMPLE, copy_dir)
        (copy_dir / "verboden.yaml").write_text("verboden:\n  - id: V-01\n    categorieen: [gezondheid\n")
        with pytest.raises(FormatError) as broken:
            load_directory(copy_dir)
        assert broken.value.problems[0][0] == "verboden.yaml"
        assert broken.value.problems[0][1].startswith("line")

    def test_yaml_anchors_are_allowed_for_shared_category_lists(self) -> None:
        text = (SAMPLE / "regels" / "politie-limburg.yaml").read_text(encoding="utf-8")
        assert "&zorgmelding" in text
        assert yaml.safe_load(text)["regels"][2]["categorieen"] == yaml.safe_load(text)["regels"][1]["categorieen"]


class TestBeroepsgeheim:
    """Finding 5: the sample gave the ZVH a beroepsgeheim "afgeleid via dit convenant"; the format refuses it."""

    def test_a_duty_the_convenant_would_create_is_refused(self, sample_source: PolicySource) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        zvh = next(s for s in data["vocabulaires"]["soorten"] if s["code"] == "zvh")
        zvh["beroepsgeheim"] = {"wet": "afgeleid via dit convenant", "artikelen": ["art. 4"]}
        with pytest.raises(FormatError, match="a convenant cannot create a professional secrecy duty"):
            parse_source(data)

    def test_a_bare_flag_is_refused_too(self, sample_source: PolicySource) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        next(s for s in data["vocabulaires"]["soorten"] if s["code"] == "zvh")["beroepsgeheim"] = True
        with pytest.raises(FormatError):
            parse_source(data)


class TestConsentEntitlement:
    def test_an_unknown_consent_item_and_an_unknown_recorder_are_errors(self, sample_source: PolicySource) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        data["convenant"]["toestemmingen"] = [{"item": "basisvoorwaarden/hobby", "vastleggers": ["bakkerij"]}]
        findings = validate(parse_source(data))
        assert any("no category or consent item" in f.melding for f in findings if f.niveau is Niveau.FOUT)
        assert any("unknown partner or soort 'bakkerij'" in f.melding for f in findings if f.niveau is Niveau.FOUT)

    def test_a_consent_rule_nobody_may_satisfy_is_a_warning(self, sample_source: PolicySource) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        data["convenant"]["toestemmingen"] = []
        findings = validate(parse_source(data))
        assert any(
            f.onderwerp == "R-DJI-003" and "names nobody who may record a consent" in f.melding for f in findings
        )

    def test_a_berichttype_without_its_gemeente_is_a_warning(self, sample_source: PolicySource) -> None:
        data = copy.deepcopy(source_to_data(sample_source))
        data["berichttypes"]["berichttypes"][0]["gemeente"] = None
        findings = validate(parse_source(data))
        assert any(f.onderwerp == "e33-verward-gedrag" and "names no `gemeente`" in f.melding for f in findings)
