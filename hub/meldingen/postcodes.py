"""Which gemeente a Dutch postcode lies in: the hub's PC4 table, so that a melding's gemeentecode must fit its address.

The recipients' werkgebied gate rests on the gemeentecode a melding carries; a sender could label a Heerlen address
with Maastricht's code. Where a berichttype declares the address that its gemeentecode describes (`postcode`), every
postcode there must lie in that gemeente by this table. The table is data the operator keeps: a file of
`pc4;gemeentecode` lines (the CBS publishes the division each year), `SCHAKEL_POSTCODES_FILE`, read when a process
starts; the hub ships one for the sample region. A postcode area the table does not know is refused too (fail
closed): the hub cannot tell whether it fits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from hub import refusals
from hub.errors import ConfigurationError

SAMPLE = Path(__file__).resolve().parent / "postcodes" / "zuid-limburg.csv"
"""The PC4 table of the sample region (Zuid-Limburg), shipped with the hub."""
_LINE = re.compile(r"([1-9][0-9]{3})\s*[;,]\s*(GM[0-9]{4})")
_POSTCODE = re.compile(r"([1-9][0-9]{3})\s?[A-Za-z]{0,2}")


@dataclass(frozen=True, slots=True)
class Postcodes:
    """PC4 area -> CBS gemeentecode."""

    gemeenten: Mapping[str, str]
    bron: str
    """Where the table was read from, for the operator."""

    @classmethod
    def load(cls, path: Path | None = None) -> Postcodes:
        """Read a table (the sample region's without `path`). A line it cannot read is a configuration error that
        names the line; a PC4 listed twice with different gemeenten too."""
        path = path or SAMPLE
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigurationError(f"the postcode table {path} cannot be read ({exc.strerror})") from None
        found: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match = _LINE.fullmatch(line)
            if match is None:
                raise ConfigurationError(
                    f"{path}, line {number}: expected `pc4;gemeentecode`, e.g. `6211;GM0935`, not {line[:40]!r}"
                )
            pc4, gemeente = match.groups()
            if found.setdefault(pc4, gemeente) != gemeente:
                raise ConfigurationError(f"{path}, line {number}: {pc4} is listed for {found[pc4]} and for {gemeente}")
        if not found:
            raise ConfigurationError(f"the postcode table {path} lists no postcode area")
        return cls(MappingProxyType(found), str(path))

    def gemeente(self, postcode: str) -> str | None:
        """The gemeentecode of the area of `postcode` (`6211AB`, `6211 AB` or `6211`), or None if unknown."""
        match = _POSTCODE.fullmatch(postcode.strip())
        return self.gemeenten.get(match.group(1)) if match else None

    def check(self, postcodes: Iterable[str], gemeente: str) -> None:
        """Refuse a melding whose address lies outside the gemeente it names, or in an area the table lacks. The
        problem names the area (four digits), never the full postcode."""
        for postcode in postcodes:
            match = _POSTCODE.fullmatch(postcode.strip())
            area = match.group(1) if match else None
            found = self.gemeenten.get(area) if area else None
            if found is None:
                raise refusals.PostcodeOnbekend(
                    f"the hub's postcode table does not know postcode area {area or '(not a Dutch postcode)'}, so "
                    f"it cannot tell whether the address lies in {gemeente}; an operator adds it "
                    "(SCHAKEL_POSTCODES_FILE)"
                )
            if found != gemeente:
                raise refusals.GemeentePastNietBijAdres(
                    f"the melding names gemeente {gemeente}, but its address (postcode area {area}) lies in "
                    f"{found}: send it with gemeentecode {found}, or correct the address"
                )


@cache
def sample_postcodes() -> Postcodes:
    """The sample region's table, read once."""
    return Postcodes.load(SAMPLE)
