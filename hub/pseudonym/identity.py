"""Identity normalisation: one person, one canonical form, whatever the source system typed.

A valid BSN (11-proef) identifies a person on its own. Without one, the person is their name and date of birth,
normalised: case, white space, diacritics and punctuation folded, and tussenvoegsels ("van der", "'t", ...)
separated from the surname wherever the source put them. Garbage is refused with a reason, never guessed at.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from hub.kit.clock import dutch_date, utcnow
from hub.refusals import BsnInvalid, IdentityIncomplete, IdentityInvalid

TUSSENVOEGSELS = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "het",
        "t",
        "te",
        "ten",
        "ter",
        "in",
        "op",
        "onder",
        "over",
        "aan",
        "bij",
        "tot",
        "uit",
        "uijt",
        "voor",
        "d",
        "da",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
        "l",
        "los",
        "s",
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
        "el",
        "al",
        "dos",
        "das",
    }
)
_EARLIEST_BIRTH = date(1880, 1, 1)


_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)  # the weighted sum of nine '0' characters


def bsn_valid(bsn: str) -> bool:
    """The 11-proef: 9 digits d1..d9 with 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (and not 000000000)."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit() or bsn == "000000000":
        return False
    weighted: int = sum(map(operator.mul, bsn.encode("ascii"), _WEIGHTS))
    return (weighted - _ZERO_OFFSET) % 11 == 0


def normalise_bsn(value: str) -> str:
    """Digits only; an 8-digit BSN (a dropped leading zero) is padded. Refuses what fails the 11-proef."""
    if len(value) == 9 and bsn_valid(value):
        return value
    digits = re.sub(r"[\s.\-]", "", value)
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    if not bsn_valid(digits):
        raise BsnInvalid("the BSN does not pass the 11-proef")
    return digits


def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as space, white space collapsed.

    `Ĳsbrand  D'Ávila` becomes `ijsbrand d avila`.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def split_surname(tussenvoegsel: str | None, achternaam: str) -> tuple[str, str]:
    """(tussenvoegsel, achternaam) folded, with tussenvoegsels found at the start of the surname moved over."""
    if not achternaam and not tussenvoegsel:
        return "", ""
    prefix = fold(tussenvoegsel or "").split()
    words = fold(achternaam).split()
    while len(words) > 1 and words[0] in TUSSENVOEGSELS:
        prefix.append(words.pop(0))
    return " ".join(prefix), " ".join(words)


@dataclass(frozen=True, slots=True)
class Identiteit:
    """A normalised identity. `key` is its canonical form: what pseudonyms are computed from."""

    bsn: str | None
    voornamen: str
    tussenvoegsel: str
    achternaam: str
    geboortedatum: date | None

    @property
    def key(self) -> bytes:
        if self.bsn is not None:
            return f"bsn:{self.bsn}".encode("ascii")
        assert self.geboortedatum is not None  # noqa: S101 - guaranteed by normalise()
        return f"naam:{self.voornamen}|{self.tussenvoegsel}|{self.achternaam}|{self.geboortedatum.isoformat()}".encode()


def normalise(
    *,
    bsn: str | None = None,
    voornamen: str | None = None,
    tussenvoegsel: str | None = None,
    achternaam: str | None = None,
    geboortedatum: date | None = None,
    today: date | None = None,
) -> Identiteit:
    """Normalise what a melding says about a person. A BSN, if given, must be valid and then decides alone."""
    if geboortedatum is not None and not _EARLIEST_BIRTH <= geboortedatum <= (today or dutch_date(utcnow())):
        raise IdentityInvalid("the date of birth is not a possible one")
    given, middle, surname = fold(voornamen or ""), *split_surname(tussenvoegsel, achternaam or "")
    if bsn is not None and bsn.strip():
        return Identiteit(normalise_bsn(bsn), given, middle, surname, geboortedatum)
    if not surname or not given or geboortedatum is None:
        raise IdentityIncomplete("without a BSN a person needs voornamen, achternaam and geboortedatum")
    return Identiteit(None, given, middle, surname, geboortedatum)
