"""What falls due in the open casussen of a ZVH: Top X requalifications, ends of huisverbod monitoring, and
reviews of decisions not to inform the persons. Which casussen a reader sees is `access`'s to say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from hub.casus import repository
from hub.casus.models import Casus, CasusInformering, Informeren


def restricted(found: CasusInformering | None) -> bool:
    """Whether the persons are not to be told of the casus: the newest decision is not to inform them. A review
    date that passed does not lift it by itself (the regisseur must decide again; it shows as overdue)."""
    return found is not None and found.besluit == Informeren.NIET_GEINFORMEERD


@dataclass(frozen=True, slots=True)
class Termijn:
    """Something in an open casus that falls due: a Top X requalification, the end of a huisverbod monitoring, or
    the review of a decision not to inform its persons."""

    casus_id: int
    soort: str
    """`top-x-herkwalificatie`, `monitoring-einde` or `informeren-herbeoordeling`."""
    datum: date
    verlopen: bool


def due_in(session: Session, casussen: Sequence[Casus], today: date, days: int) -> list[Termijn]:
    """What falls due within `days` from `today` in these casussen (the open ones of one ZVH: `access.due`),
    overdue reviews included, soonest first."""
    until = today + timedelta(days=days)
    decisions = repository.informing_of(session, [c.id or 0 for c in casussen])
    items: list[Termijn] = []
    for casus_ in casussen:
        cid = casus_.id or 0
        if casus_.top_x_tot is not None and today <= casus_.top_x_tot <= until:
            items.append(Termijn(cid, "top-x-herkwalificatie", casus_.top_x_tot, verlopen=False))
        if casus_.monitoring_tot is not None and casus_.monitoring_tot <= until:
            items.append(Termijn(cid, "monitoring-einde", casus_.monitoring_tot, casus_.monitoring_tot < today))
        review = decisions[cid].herbeoordeling if restricted(decisions.get(cid)) else None
        if review is not None and review <= until:
            items.append(Termijn(cid, "informeren-herbeoordeling", review, review < today))
    return sorted(items, key=lambda t: (t.datum, t.casus_id, t.soort))
