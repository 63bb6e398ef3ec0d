"""What a decision says: for one melding and one recipient, which categories go and which are withheld, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType


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
    BUITEN_WERKGEBIED = "buiten-werkgebied"
    """The melding concerns a gemeente the recipient does not serve."""
    GEMEENTE_ONBEKEND = "gemeente-onbekend"
    """The melding does not say which gemeente it concerns, so no werkgebied can cover it."""


_MEMO_LIMIT = 64


def uitkomst_van(granted: Mapping[str, object], withheld: Mapping[str, object]) -> Uitkomst:
    if granted and not withheld:
        return Uitkomst.PERMIT
    return Uitkomst.PARTIAL if granted else Uitkomst.DENY


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
    op_toestemming: bool = False
    """Granted only because the betrokkene consented (to the category, or to `items`)."""


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
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False, hash=False)
    """Derived values (projection plans, restrictions) memoised on this shared, immutable decision."""

    def voor(self, categorieen: frozenset[str]) -> Besluit:
        """This decision restricted to the categories a melding actually holds: what its record says.

        Categories are decided independently, so deciding for all categories of a berichttype and restricting
        afterwards gives the same answer as deciding for the present ones (and lets the decision be reused).
        """
        key = ("voor", categorieen)
        restricted = self.memo.get(key)
        if isinstance(restricted, Besluit):
            return restricted
        granted = {c: g for c, g in self.verstrekt.items() if c in categorieen}
        withheld = {c: w for c, w in self.achtergehouden.items() if c in categorieen}
        restricted = Besluit(
            uitkomst=uitkomst_van(granted, withheld),
            verstrekt=MappingProxyType(granted),
            achtergehouden=MappingProxyType(withheld),
            doel=self.doel,
            verwerkingsactiviteit=self.verwerkingsactiviteit,
            beleid_hash=self.beleid_hash,
            beleid_label=self.beleid_label,
            regels=tuple(sorted({g.regel for g in granted.values()})),
            grondslagen=tuple(sorted({g.grondslag for g in granted.values()})),
        )
        if len(self.memo) < _MEMO_LIMIT:
            self.memo[key] = restricted
        return restricted

    def staat_toe(self, categorie: str, item: str | None) -> bool:
        """May a field of this category (and consent item) go to the recipient?"""
        grant = self.verstrekt.get(categorie)
        if grant is None:
            return False
        return grant.items is None or (item is not None and item in grant.items)
