"""Re-identification and erasure, each with four eyes and a trail.

Re-identification: a privacy officer asks who is behind a pseudonym, with a purpose and a justification; a
different privacy officer approves; the asker sees the identity once. Erasure: a privacy officer asks to forget a
person; a different one approves, and the vault destroys the person's key at once. The audit trail records each
step (who, what, when) but never the identity. The verstrekkingenlog records the acts themselves: a shown
identity as an entry about the person, an erasure as an entry that names only the request, after which the
openings of the person's commitments are deleted: their entries stay and verify, but can no longer be tied to
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from hub import refusals
from hub.audit import service as audit
from hub.ledger import entries as ledger_entries
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context
from hub.pseudonym import repository
from hub.pseudonym.models import PrivacyRequest
from hub.pseudonym.scheme import parse_pseudonym
from hub.pseudonym.vault import OpgegevenIdentiteit, Vault


class Soort(StrEnum):
    HERIDENTIFICATIE = "heridentificatie"
    VERGETELHEID = "vergetelheid"


def status(request: PrivacyRequest) -> str:
    if request.executed_at is not None:
        return "getoond" if request.soort == Soort.HERIDENTIFICATIE else "uitgevoerd"
    return "goedgekeurd" if request.approved_at is not None else "aangevraagd"


def _record(session: Session, actor: str, action: str, request: PrivacyRequest, details: dict[str, str]) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="privacy_request",
        target_id=str(request.id),
        details={"soort": request.soort, **details},
    )


def request_reidentification(
    session: Session, officer: str, *, pseudonym: str, doel: str, motivering: str, now: datetime
) -> PrivacyRequest:
    parsed = parse_pseudonym(pseudonym)
    issued = repository.issued(session, pseudonym)
    if issued is None:
        raise refusals.PseudonymUnknown("the hub never issued this pseudonym")
    request = PrivacyRequest(
        soort=Soort.HERIDENTIFICATIE,
        pseudonym=pseudonym,
        person_id=issued.person_id,
        doel=doel,
        motivering=motivering,
        requested_by=officer,
        requested_at=now,
    )
    repository.add(session, request)
    _record(session, officer, "reidentification.requested", request, {"domein": parsed.domain, "doel": doel})
    return request


def request_erasure(
    session: Session, vault: Vault, officer: str, *, given: OpgegevenIdentiteit, motivering: str, now: datetime
) -> PrivacyRequest:
    person_id = vault.find(session, given)
    if person_id is None:
        raise refusals.BetrokkeneUnknown("the vault holds no such betrokkene (or they were forgotten already)")
    request = PrivacyRequest(
        soort=Soort.VERGETELHEID, person_id=person_id, motivering=motivering, requested_by=officer, requested_at=now
    )
    repository.add(session, request)
    _record(session, officer, "erasure.requested", request, {})
    return request


def get(session: Session, request_id: int, soort: Soort) -> PrivacyRequest:
    request = repository.request(session, request_id)
    if request is None or request.soort != soort:
        raise refusals.PrivacyRequestNotFound(f"there is no {soort} request {request_id}")
    return request


def list_requests(
    session: Session, soort: Soort, *, after: int | None = None, limit: int | None = None
) -> Sequence[PrivacyRequest]:
    return repository.requests(session, soort, after=after, limit=limit)


def approve(
    session: Session, vault: Vault, officer: str, request_id: int, *, soort: Soort, context: Context, now: datetime
) -> PrivacyRequest:
    request = get(session, request_id, soort)
    if request.approved_at is not None:
        raise refusals.PrivacyRequestSettled("this request was approved already")
    if request.requested_by == officer:
        raise refusals.FourEyesRequired("four eyes: a different privacy officer must approve this request")
    request.approved_by, request.approved_at = officer, now
    if soort == Soort.VERGETELHEID and request.person_id is not None:
        record = ledger_entries.vergetelheid(
            context=context, verzoek_id=request.id or 0, door=request.requested_by, goedgekeurd=officer
        )
        ledger.append(session, [record], now)
        ledger.forget(session, vault.log_pseudonyms(vault.open(session, request.person_id).normalised()))
        vault.forget(session, request.person_id, now)
        request.executed_at = now
    repository.add(session, request)
    action = "erasure.executed" if soort == Soort.VERGETELHEID else "reidentification.approved"
    _record(session, officer, action, request, {})
    return request


def reveal(
    session: Session, vault: Vault, officer: str, request_id: int, *, context: Context, now: datetime
) -> OpgegevenIdentiteit:
    """Show the identity behind an approved re-identification, once, to the officer who asked."""
    request = get(session, request_id, Soort.HERIDENTIFICATIE)
    if request.requested_by != officer:
        raise refusals.NotTheRequester("only the privacy officer who asked may see the identity")
    if request.approved_at is None:
        raise refusals.PrivacyRequestPending("a second privacy officer has not approved this request yet")
    if request.executed_at is not None:
        raise refusals.IdentityShown("the identity was shown once already; ask again if it is needed again")
    person_id = request.person_id or ""
    identity = vault.open(session, person_id)
    record = ledger_entries.heridentificatie(
        context=context,
        betrokkene=Betrokkene(vault.log_pseudonym(session, person_id)),
        verzoek_id=request.id or 0,
        domein=parse_pseudonym(request.pseudonym or "").domain,
        doel=request.doel or "",
        door=request.requested_by,
        goedgekeurd=request.approved_by or "",
    )
    ledger.append(session, [record], now)
    request.executed_at = now
    repository.add(session, request)
    _record(session, officer, "reidentification.revealed", request, {})
    return identity
