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
    GEEN_CASUS = "geen-casus"
    """The rule applies only within a casus, and the melding names none."""
    BUITEN_CASUSFASE = "buiten-casusfase"
    """The casus is not in a stage (or not of a kind) the rule applies to."""
    NIET_AAN_TAFEL = "niet-aan-tafel"
    """The recipient is not at the table of the casus."""
    GEEN_TOP_X = "geen-top-x"
    """The rule needs Top X status, and the casus has none in force (never given, or its requalification lapsed)."""
    CASUS_AFGESCHAALD = "casus-afgeschaald"
    """The casus was scaled down or closed: nothing more is disclosed in it."""
    MONITORING_VERLOPEN = "monitoring-verlopen"
    """The term of a huisverbod-monitoring casus has ended."""


_MEMO_LIMIT = 64


def uitkomst_van(granted: Mapping[str, object], withheld: Mapping[str, object]) -> Uitkomst:
    if granted and not withheld:
        return Uitkomst.PERMIT
    return Uitkomst.PARTIAL if granted else Uitkomst.DENY


@dataclass(frozen=True, slots=True)
class CasusStand:
    """The casus a melding is sent in, as it stands on the day of the decision.

    `aan_tafel`: the partners at its table (its participants and the ZVH that runs it). `einde`: why nothing more
    may be disclosed in it (scaled down, closed, its monitoring term ended), or None while it runs."""

    id: int
    type: str
    fase: str
    aan_tafel: frozenset[str]
    top_x: bool
    einde: Reden | None = None

    def sleutel(self, ontvanger: str) -> tuple[str, str, bool, bool, Reden | None]:
        """What a decision for `ontvanger` can depend on (for memoising decisions)."""
        return (self.type, self.fase, ontvanger in self.aan_tafel, self.top_x, self.einde)


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
    casus: CasusStand | None = None
    """The casus the melding is sent in; rules bound to a casus apply only through it."""


@dataclass(frozen=True, slots=True)
class Verstrekt:
    """A disclosed category, under the rule that permits it. `items` is None for the whole category."""

    regel: str
    grondslag: str
    bewaartermijn: str
    items: frozenset[str] | None = None
    op_toestemming: bool = False
    """Granted only because the betrokkene consented (to the category, or to `items`)."""
    op_top_x: bool = False
    """Granted only because the casus it was sent in has Top X status: its lapse ends the disclosure."""
    aan_tafel: bool = False
    """Granted only because the recipient is at the table of the casus it was sent in: leaving it ends the
    disclosure."""


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
