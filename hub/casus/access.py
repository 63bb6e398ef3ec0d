"""Who may read what of the casussen: decided here, for every endpoint and page that shows one.

A casus belongs to the ZVH that runs it. Its procesregisseurs, privacy officers and DPIA reviewers read it whole
(deelnemers, meldingen, persons, history, deadlines, the bekendheidscheck), whatever other roles they hold. For
everyone else it does not exist: the same 404 as for a number no casus has, so nobody learns which casussen another
organisation runs. A partner at the table learns only what concerns its own seat, through what is delivered to it
(the meldingen it may receive, the afschaling notice, a bekendheidsvraag). The annual figures of anyone but a ZVH's
own readers are aggregates with small cells suppressed (`hub/reports/jaarcijfers.py` asks `own_zvh`).

The endpoints and pages let only these roles in (`READERS`); this module decides which organisation's casussen
they see. The caller's organisation is the one it is registered with, never a parameter of the request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlmodel import Session

from hub import refusals
from hub.casus import repository
from hub.casus.models import Casus
from hub.casus.termijnen import Termijn, due_in
from hub.partners import service as partners
from hub.partners.models import PartnerSoort, Role

READERS = frozenset({Role.PROCESREGISSEUR, Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER})
"""The roles that read the casussen of their own ZVH."""


class Reader(Protocol):
    """A verified caller (`Caller`) or a signed-in person (`Person`)."""

    @property
    def partner_id(self) -> str: ...

    @property
    def roles(self) -> frozenset[Role]: ...


def _organisation(reader: Reader) -> str | None:
    """The organisation whose casussen `reader` may read, if it holds a reading role at all."""
    return reader.partner_id if not reader.roles.isdisjoint(READERS) else None


def own_zvh(session: Session, reader: Reader) -> str | None:
    """The ZVH whose casussen (and figures) `reader` reads whole: its own organisation, if that is a ZVH and it
    holds a reading role there; else None."""
    organisation = _organisation(reader)
    if organisation is None or partners.get_partner(session, organisation).soort != PartnerSoort.ZVH:
        return None
    return organisation


def casus(session: Session, reader: Reader, casus_id: int) -> Casus:
    """The casus, if `reader`'s organisation runs it; else the 404 of a casus that does not exist."""
    return of_organisation(session, _organisation(reader), casus_id)


def of_organisation(session: Session, organisation: str | None, casus_id: int) -> Casus:
    """The casus, if `organisation` runs it; for any other (or none) the 404 of a casus that does not exist, so
    nobody learns which casussen another organisation runs. Changes ask this too (`service.own`)."""
    found = repository.get(session, casus_id)
    if found is None or organisation is None or found.zvh != organisation:
        raise refusals.CasusNotFound(f"there is no casus {casus_id}")
    return found


def casussen(
    session: Session, reader: Reader, *, open_only: bool = False, after: int | None = None, limit: int | None = None
) -> Sequence[Casus]:
    """The casussen of `reader`'s organisation, newest first (none, for an organisation that runs none)."""
    organisation = _organisation(reader)
    if organisation is None:
        return []
    return repository.of_zvh(session, organisation, open_only=open_only, after=after, limit=limit)


def due(session: Session, reader: Reader, today: date, days: int) -> list[Termijn]:
    """What falls due within `days` in the open casussen of `reader`'s organisation, soonest first."""
    return due_in(session, casussen(session, reader, open_only=True), today, days)
