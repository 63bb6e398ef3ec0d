"""What a decision says: for one melding and one recipient, which categories go and which are withheld, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Uitkomst(StrEnum):
    PERMIT = "permit"
    PARTIAL = "partial"
    DENY = "deny"


class Reden(StrEnum):
    """Why a category is withheld."""

    GEEN_REGEL = "geen-regel"
    VERBOD = "verbod"
    TOESTEMMING_ONTBREEKT = "toestemming-ontbreekt"
    REGEL_VERLOPEN = "regel-verlopen"
    REGEL_NOG_NIET_GELDIG = "regel-nog-niet-geldig"
    GEEN_DEELNEMER = "geen-deelnemer"


@dataclass(frozen=True, slots=True)
class Verzoek:
    """The question: may `verstrekker` give `ontvanger` these categories, for `doel`, in a `berichttype`, on `datum`?

    `toestemmingen` holds the consents on record for the betrokkene: a category (`basisvoorwaarden`) or one item
    of it (`basisvoorwaarden/huisvesting`).
    """

    verstrekker: str
    ontvanger: str
    doel: str
    berichttype: str
    categorieen: frozenset[str]
    datum: date
    toestemmingen: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Verstrekt:
    """A disclosed category, under the rule that permits it. `items` is None for the whole category."""

    regel: str
    grondslag: str
    bewaartermijn: str
    items: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Achtergehouden:
    """A withheld category (or, with `items`, the items of it that lack consent), and why."""

    reden: Reden
    verwijzing: str | None = None
    """The prohibition or rule the reason refers to (e.g. `V-01`, or the expired `R-POL-009`)."""
    items: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Besluit:
    uitkomst: Uitkomst
    verstrekt: Mapping[str, Verstrekt]
    achtergehouden: Mapping[str, Achtergehouden]
    doel: str
    verwerkingsactiviteit: str | None
    beleid_hash: str
    beleid_label: str
    regels: tuple[str, ...] = field(default=())
    grondslagen: tuple[str, ...] = field(default=())

    def staat_toe(self, categorie: str, item: str | None) -> bool:
        """May a field of this category (and consent item) go to the recipient?"""
        grant = self.verstrekt.get(categorie)
        if grant is None:
            return False
        return grant.items is None or (item is not None and item in grant.items)
