"""Identity normalisation and per-domain pseudonyms: the 11-proef, idempotent normalisation, determinism within a
domain and unlinkability across domains (hypothesis)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.pseudonym.identity import bsn_valid, fold, normalise
from hub.pseudonym.scheme import HmacPseudonyms, parse_pseudonym
from hub.refusals import IdentityRefused

VALID = ["762621606", "118784481", "247603260", "929468843", "716885943", "446019689"]  # invented, 11-proef
SCHEME = HmacPseudonyms({1: os.urandom(32)}, active_version=1)


def _with_check_digit(head: int) -> str | None:
    """The BSN with these first eight digits, if a check digit exists that makes the 11-proef hold."""
    digits = [int(c) for c in f"{head:08d}"]
    check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
    return f"{head:08d}{check}" if check < 10 else None


bsns = st.integers(10_000_000, 99_999_999).map(_with_check_digit).filter(lambda b: b is not None).map(str)


names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéëïöüÀÇ '-"), min_size=1, max_size=20).filter(
    lambda s: fold(s) != ""
)


class TestBsn:
    @pytest.mark.parametrize("bsn", VALID)
    def test_invented_valid_numbers(self, bsn: str) -> None:
        assert bsn_valid(bsn)

    @pytest.mark.parametrize("bad", ["762621607", "000000000", "12345678a", "1234567890", "", "76262160"])
    def test_invalid_numbers(self, bad: str) -> None:
        assert not bsn_valid(bad)

    @settings(max_examples=300)
    @given(bsn=bsns, position=st.integers(0, 8), delta=st.integers(1, 9))
    def test_every_single_digit_error_is_caught(self, bsn: str, position: int, delta: int) -> None:
        assert bsn_valid(bsn)
        digits = list(bsn)
        digits[position] = str((int(digits[position]) + delta) % 10)
        assert not bsn_valid("".join(digits))

    def test_spacing_and_a_dropped_leading_zero(self) -> None:
        assert normalise(bsn=" 7626.21.606 ").bsn == "762621606"
        assert normalise(bsn="11222335").bsn == "011222335"  # invented; valid with its leading zero


class TestNormalisation:
    @settings(max_examples=200)
    @given(text=st.text(max_size=40))
    def test_fold_is_idempotent(self, text: str) -> None:
        assert fold(fold(text)) == fold(text)

    @settings(max_examples=200)
    @given(voornamen=names, achternaam=names, day=st.dates(date(1930, 1, 1), date(2020, 1, 1)))
    def test_normalising_a_normalised_identity_changes_nothing(
        self, voornamen: str, achternaam: str, day: date
    ) -> None:
        first = normalise(voornamen=voornamen, achternaam=achternaam, geboortedatum=day)
        again = normalise(
            voornamen=first.voornamen, tussenvoegsel=first.tussenvoegsel, achternaam=first.achternaam, geboortedatum=day
        )
        assert again.key == first.key

    @pytest.mark.parametrize(
        "variant",
        [
            {"voornamen": "Teun", "tussenvoegsel": "van", "achternaam": "Verzonnen"},
            {"voornamen": "TEUN", "achternaam": "van Verzonnen"},
            {"voornamen": " teun ", "achternaam": "Van  Verzonnen"},
            {"voornamen": "Téün", "tussenvoegsel": "", "achternaam": "van verzonnen"},
        ],
    )
    def test_spellings_of_one_person_meet(self, variant: dict[str, str]) -> None:
        reference = normalise(
            voornamen="Teun", tussenvoegsel="van", achternaam="Verzonnen", geboortedatum=date(1987, 4, 12)
        )
        assert normalise(**variant, geboortedatum=date(1987, 4, 12)).key == reference.key  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"bsn": "762621607"}, "bsn-invalid"),
            ({"voornamen": "Teun", "achternaam": "Verzonnen"}, "identity-incomplete"),
            ({"achternaam": "Verzonnen", "geboortedatum": date(1987, 4, 12)}, "identity-incomplete"),
            ({"voornamen": "T", "achternaam": "V", "geboortedatum": date(2999, 1, 1)}, "identity-invalid"),
            ({"voornamen": "T", "achternaam": "...", "geboortedatum": date(1987, 4, 12)}, "identity-incomplete"),
        ],
    )
    def test_garbage_is_refused_with_a_reason_and_without_the_value(self, fields: dict[str, object], code: str) -> None:
        with pytest.raises(IdentityRefused) as refused:
            normalise(**fields)  # type: ignore[arg-type]
        assert refused.value.code == code
        assert refused.value.status == 422
        assert "762621607" not in refused.value.detail


class TestPseudonyms:
    @settings(max_examples=150)
    @given(bsn=bsns)
    def test_deterministic_within_a_domain_distinct_across(self, bsn: str) -> None:
        person = normalise(bsn=bsn)
        via = SCHEME.pseudonymise(person, "via-zuid-limburg")
        assert via == SCHEME.pseudonymise(normalise(bsn=bsn), "via-zuid-limburg")
        other = SCHEME.pseudonymise(person, "veilig-thuis-zuid-limburg")
        assert parse_pseudonym(via).value != parse_pseudonym(other).value
        assert bsn not in via

    @settings(max_examples=150)
    @given(a=bsns, b=bsns)
    def test_different_people_differ(self, a: str, b: str) -> None:
        if a != b:
            assert SCHEME.pseudonymise(normalise(bsn=a), "x") != SCHEME.pseudonymise(normalise(bsn=b), "x")

    def test_the_text_carries_domain_and_key_version(self) -> None:
        text = SCHEME.pseudonymise(normalise(bsn=VALID[0]), "via-zuid-limburg")
        parsed = parse_pseudonym(text)
        assert (parsed.version, parsed.domain, str(parsed)) == (1, "via-zuid-limburg", text)

    def test_a_new_key_version_gives_new_pseudonyms_and_keeps_the_old_computable(self) -> None:
        old, new = os.urandom(32), os.urandom(32)
        rotated = HmacPseudonyms({1: old, 2: new}, active_version=2)
        person = normalise(bsn=VALID[1])
        assert rotated.pseudonymise(person, "d").startswith("ps1.k2.d.")
        assert rotated.pseudonymise(person, "d", version=1) == HmacPseudonyms({1: old}, 1).pseudonymise(person, "d")

    @pytest.mark.parametrize(
        "text", ["ps1.k1.via.123", "PS1.K1.via." + "a" * 32, "ps2.k1.via." + "a" * 32, "762621606"]
    )
    def test_not_a_pseudonym(self, text: str) -> None:
        with pytest.raises(Exception, match="not a Schakel pseudonym"):
            parse_pseudonym(text)
