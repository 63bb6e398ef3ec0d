"""Required fields have one definition: the hub's validator and the published JSON Schema give the same verdict,
checked with a standard JSON Schema validator on every sample and on generated meldingen."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.meldingen.berichttypes import Schema, required_of
from hub.policy.convenant.format import PolicySource
from tests.partnership import sample_melding


def _schemas(source: PolicySource) -> dict[str, Schema]:
    return {b.code: Schema(b) for b in source.berichttypes.berichttypes}


def _standard(schema: Schema) -> jsonschema.protocols.Validator:
    validator_class = jsonschema.validators.validator_for(schema.json_schema())
    validator_class.check_schema(schema.json_schema())
    return validator_class(schema.json_schema(), format_checker=validator_class.FORMAT_CHECKER)


def _same_verdict(schema: Schema, payload: Any) -> None:
    ours = schema.validate(payload) == []
    theirs = _standard(schema).is_valid(payload)
    assert ours == theirs, (schema.code, payload, schema.validate(payload))


class TestRequiredFields:
    def test_required_paths_become_nodes_up_to_the_nearest_list(self) -> None:
        required = required_of(["incident.datum", "personen[]", "adressen[].postcode", "a.b[].c.d"])
        assert ("incident",) in required.present and ("incident", "datum") in required.present
        assert ("personen",) in required.non_empty
        assert ("adressen", "postcode") in required.present and ("adressen",) not in required.present
        assert ("a", "b", "c") in required.present and ("a", "b") not in required.present

    def test_every_sample_is_valid_by_both(self, sample_source: PolicySource) -> None:
        for code, schema in _schemas(sample_source).items():
            payload = sample_melding(code)
            assert schema.validate(payload) == [], code
            _same_verdict(schema, payload)

    def test_leaving_out_a_required_field_fails_both(self, sample_source: PolicySource) -> None:
        schemas = _schemas(sample_source)
        for berichttype in sample_source.berichttypes.berichttypes:
            for path in berichttype.verplicht:
                payload = sample_melding(berichttype.code)
                _drop(payload, path.removesuffix("[]").split("."), empty_list=path.endswith("[]"))
                assert schemas[berichttype.code].validate(payload), (berichttype.code, path)
                _same_verdict(schemas[berichttype.code], payload)


def _drop(payload: Any, parts: list[str], *, empty_list: bool) -> None:
    """Remove the field at `parts` (in every element of a list on the way); a required list is emptied."""
    head, rest = parts[0].removesuffix("[]"), parts[1:]
    if isinstance(payload, list):
        for element in payload:
            _drop(element, parts, empty_list=empty_list)
        return
    if not isinstance(payload, dict) or head not in payload:
        return
    if rest:
        _drop(payload[head], rest, empty_list=empty_list)
    elif empty_list:
        payload[head] = []
    else:
        del payload[head]


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    # JSON Schema counts 3.0 as an integer; the hub refuses every float (canonical JSON has none): no integral floats.
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer())
    | st.text(max_size=12)
    | st.sampled_from(["2026-11-02", "2026-02-30", "23:40", "24:00", "GM0935", "GM093", "762621606", "ouder", ""])
)


def _mutations(sample: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The sample with some of its values replaced, removed or nulled: near-valid meldingen, where bugs hide."""
    paths = list(_leaf_paths(sample, ()))

    @st.composite
    def mutate(draw: st.DrawFn) -> dict[str, Any]:
        import copy  # noqa: PLC0415 - only here

        payload = copy.deepcopy(sample)
        for path in draw(st.lists(st.sampled_from(paths), max_size=4)):
            action = draw(st.sampled_from(["replace", "drop", "null"]))
            _apply(payload, path, action, draw(JSON_LEAVES))
        return payload

    return mutate()


def _leaf_paths(value: Any, path: tuple[Any, ...]) -> Any:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*path, key)
            yield from _leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*path, index)
            yield from _leaf_paths(child, (*path, index))


def _apply(payload: Any, path: tuple[Any, ...], action: str, value: Any) -> None:
    for step in path[:-1]:
        try:
            payload = payload[step]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if (isinstance(payload, dict) and last in payload) or (isinstance(payload, list) and last < len(payload)):
        if action == "drop" and isinstance(payload, dict):
            del payload[last]
        else:
            payload[last] = None if action == "null" else value


@pytest.mark.parametrize(
    "code",
    [
        "e33-verward-gedrag",
        "zorgmelding",
        "aanmelding",
        "huisverbod",
        "detentiemelding",
        "betalingsachterstand",
        "huurachterstand",
        "verrijking",
        "zrm-meting",
    ],
)
def test_generated_meldingen_get_the_same_verdict_from_both(code: str, sample_source: PolicySource) -> None:
    schema = _schemas(sample_source)[code]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_mutations(sample_melding(code)))
    def check(payload: dict[str, Any]) -> None:
        _same_verdict(schema, payload)

    check()
