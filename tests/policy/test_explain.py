"""Every reason a category can be withheld has words for people (a missing one was a 500 on /beleid/besluiten)."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from hub.policy.deciding.decision import Achtergehouden, Besluit, Reden, Uitkomst
from hub.policy.deciding.explain import explain


@pytest.mark.parametrize("reden", list(Reden))
def test_each_reason_is_explained_in_dutch(reden: Reden) -> None:
    besluit = Besluit(
        uitkomst=Uitkomst.DENY,
        verstrekt=MappingProxyType({}),
        achtergehouden=MappingProxyType({"adres": Achtergehouden(reden, "R-X-001")}),
        doel="triage-zvh",
        verwerkingsactiviteit=None,
        beleid_hash="sha256:00",
        beleid_label="test",
    )
    line = explain(besluit)[-1]
    assert line.startswith("- adres: achtergehouden, ")
    assert reden.value not in line or reden is Reden.VERBOD, "words, not the code"
