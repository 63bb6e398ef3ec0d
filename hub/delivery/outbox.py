"""Putting a melding's deliveries in the outbox: the one place their `levering` rows are made.

The melding's unit of work runs on the sequencer's writer thread and inserts with SQLAlchemy Core (one statement
per table for the whole group), so a delivery is planned as a plain value and becomes a row here, every column
given (Core applies no model defaults)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub.delivery.models import Levering, Soort, Status
from hub.ledger.sequencer import Rows
from hub.pseudonym.vault import Sealed

_LEVERING = Levering.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes


@dataclass(frozen=True, slots=True)
class Planned:
    """One recipient's delivery of a melding, decided and sealed, not yet stored."""

    id: str
    ontvanger: str
    doel: str
    besluit: str
    digest: str
    """`sha256:<hex>` of the view's bytes."""
    sealed: Sealed
    voorwaarden: dict[str, Any] | None
    toestemmingen: list[int] = field(default_factory=list)
    """The consents the decision needed: withdrawing one withdraws the delivery."""
    top_x_casus: int | None = None
    """The casus whose Top X status the decision needed: its lapse withdraws the delivery."""
    tafel_casus: int | None = None
    """The casus at whose table the recipient had to sit: leaving it withdraws the delivery."""


def add(rows: Rows, melding_id: str, spoed: bool, at: datetime, planned: Sequence[Planned]) -> None:
    """The deliveries of one melding, waiting from `at` (spoed first)."""
    rows.add(_LEVERING, [_row(p, melding_id, spoed, at) for p in planned])


def _row(planned: Planned, melding_id: str, spoed: bool, at: datetime) -> dict[str, Any]:
    return {
        "id": planned.id,
        "soort": str(Soort.MELDING),
        "melding_id": melding_id,
        "ontvanger": planned.ontvanger,
        "doel": planned.doel,
        "besluit": planned.besluit,
        "prioriteit": 1 if spoed else 0,
        "status": str(Status.WACHTEND),
        "pogingen": 0,
        "volgende_poging": at,
        "inhoud_digest": planned.digest,
        "voorwaarden": planned.voorwaarden,
        "top_x_casus": planned.top_x_casus,
        "tafel_casus": planned.tafel_casus,
        "toestemmingen": planned.toestemmingen,
        "kek_id": planned.sealed.kek_id,
        "wrapped_key": planned.sealed.wrapped_key,
        "payload": planned.sealed.sealed,
        "aangemaakt_op": at,
    }
