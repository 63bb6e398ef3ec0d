"""Re-identification and erasure, each with four eyes and a trail.

Re-identification belongs to the holder: only a privacy officer of the organisation the hub gave the pseudonym to
asks who is behind it, with a doel and a justification, only under a doel the convenant's `heridentificatie` allows
and under which the ledger shows a disclosure about the person to that organisation; an officer of an organisation
the convenant names for the doel approves (never one of the holder); the asker sees the identity once. Each step,
and each refusal, is a ledger entry about the person, so it is in their inzage. Erasure: a privacy officer asks to
forget a person; a different one approves, and the vault destroys the person's key at once. The audit trail records
each step (who, what, when) but never the identity; an erasure's ledger entry names only the request, after which
the openings of the person's commitments are deleted: their entries stay and verify, but can no longer be tied to
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from hub import refusals
from hub.audit import service as audit
from hub.delivery import withdrawal
from hub.errors import SchakelError, on_record
from hub.ledger import entries as ledger_entries
from hub.ledger import service as ledger
from hub.ledger.entries import Betrokkene, Context
from hub.policy.convenant.format import Heridentificatie
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.service import Officer
from hub.pseudonym import repository
from hub.pseudonym.models import PrivacyRequest
from hub.pseudonym.scheme import parse_pseudonym
from hub.pseudonym.vault import Erased, OpgegevenIdentiteit, Vault

VERSTREKKER = "verstrekker"
"""Among the convenant's approvers of a re-identification: a partner that disclosed data about the person to the
holder under the doel."""


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


def _afspraak(policy: CompiledPolicy | None, doel: str) -> Heridentificatie | None:
    """The convenant's agreement on re-identification under `doel`, if any (none without an active convenant)."""
    if policy is None:
        return None
    return next((a for a in policy.source.convenant.heridentificatie if doel in a.doelen), None)


def _refuse(
    session: Session,
    vault: Vault,
    officer: Officer,
    error: SchakelError,
    *,
    person_id: str,
    domain: str,
    doel: str,
    context: Context,
    now: datetime,
    verzoek_id: int | None = None,
) -> SchakelError:
    """Put a refused step on the ledger, about the person (so it is in their inzage), and hand back the refusal to
    raise: the record stays although the request fails."""
    try:
        betrokkene = Betrokkene(vault.log_pseudonym(session, person_id))
    except Erased:
        return error  # the person was forgotten: there is nobody to record it about
    record = ledger_entries.heridentificatie(
        context=context,
        betrokkene=betrokkene,
        stap="geweigerd",
        domein=domain,
        doel=doel,
        verzoek_id=verzoek_id,
        geweigerd=(officer.principal_id, officer.partner_id, error.code),
    )
    ledger.append(session, [record], now)
    return on_record(error)


def _about(request: PrivacyRequest) -> tuple[str, str, str]:
    """A re-identification's holder (the pseudonym's domain), doel and person."""
    return parse_pseudonym(request.pseudonym or "").domain, request.doel or "", request.person_id or ""


def _not_allowed(doel: str) -> SchakelError:
    return refusals.HeridentificatieNietToegestaan(
        f"the active convenant allows no re-identification under doel {doel!r} (convenant.yaml, heridentificatie)"
    )


def _step(
    session: Session, vault: Vault, request: PrivacyRequest, stap: str, *, context: Context, now: datetime
) -> None:
    """A step of a re-identification on the ledger, about the person: who asked, who approved (once someone has)."""
    domain, doel, person_id = _about(request)
    record = ledger_entries.heridentificatie(
        context=context,
        betrokkene=Betrokkene(vault.log_pseudonym(session, person_id)),
        stap=stap,
        domein=domain,
        doel=doel,
        verzoek_id=request.id,
        door=request.requested_by,
        goedgekeurd=request.approved_by,
    )
    ledger.append(session, [record], now)


def _disclosers(session: Session, vault: Vault, person_id: str, holder: str, doel: str) -> set[str]:
    """Who disclosed data about the person to the holder under `doel`, as the ledger shows."""
    log_pseudonyms = vault.log_pseudonyms(vault.open(session, person_id).normalised())
    return ledger.disclosers_to(session, log_pseudonyms, holder, doel)


def request_reidentification(
    session: Session,
    vault: Vault,
    policy: CompiledPolicy | None,
    officer: Officer,
    *,
    pseudonym: str,
    doel: str,
    motivering: str,
    context: Context,
    now: datetime,
) -> PrivacyRequest:
    """Ask who is behind a pseudonym: only the holder's privacy officer, only under a doel the convenant allows it
    for and under which the holder received data about the person. Every refusal is on the ledger."""
    parsed = parse_pseudonym(pseudonym)
    issued = repository.issued(session, pseudonym)
    if issued is None:
        raise refusals.PseudonymUnknown("the hub never issued this pseudonym")
    refusal: SchakelError | None = None
    if issued.domain != officer.partner_id:
        refusal = refusals.HeridentificatieNietHouder(
            f"this pseudonym was given to another organisation than {officer.partner_id}; only its own privacy "
            "officer may ask who is behind it"
        )
    else:
        vault.log_pseudonym(session, issued.person_id)  # a forgotten person: 409 person-erased, nothing to ask
        if _afspraak(policy, doel) is None:
            refusal = _not_allowed(doel)
        elif not _disclosers(session, vault, issued.person_id, issued.domain, doel):
            refusal = refusals.HeridentificatieZonderVerstrekking(
                f"the verstrekkingenlog shows no disclosure about this person to {issued.domain} under doel {doel!r}"
            )
    if refusal is not None:
        raise _refuse(
            session, vault, officer, refusal, person_id=issued.person_id, domain=parsed.domain, doel=doel,
            context=context, now=now,
        )  # fmt: skip
    request = PrivacyRequest(
        soort=Soort.HERIDENTIFICATIE,
        pseudonym=pseudonym,
        person_id=issued.person_id,
        doel=doel,
        motivering=motivering,
        requested_by=officer.principal_id,
        requested_at=now,
    )
    repository.add(session, request)
    _step(session, vault, request, "aangevraagd", context=context, now=now)
    _record(
        session, officer.principal_id, "reidentification.requested", request, {"domein": parsed.domain, "doel": doel}
    )
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


def approve_erasure(
    session: Session, vault: Vault, officer: str, request_id: int, *, context: Context, now: datetime
) -> PrivacyRequest:
    """A second privacy officer approves an erasure, which is carried out at once."""
    request = get(session, request_id, Soort.VERGETELHEID)
    if request.approved_at is not None:
        raise refusals.PrivacyRequestSettled("this request was approved already")
    if request.requested_by == officer:
        raise refusals.FourEyesRequired("four eyes: a different privacy officer must approve this request")
    request.approved_by, request.approved_at = officer, now
    if request.person_id is not None:
        record = ledger_entries.vergetelheid(
            context=context, verzoek_id=request.id or 0, door=request.requested_by, goedgekeurd=officer
        )
        ledger.append(session, [record], now)
        log_pseudonyms = vault.log_pseudonyms(vault.open(session, request.person_id).normalised())
        withdrawal.forget(session, log_pseudonyms, context=context, now=now)  # before the openings it finds them by
        ledger.forget(session, log_pseudonyms)
        vault.forget(session, request.person_id, now)
        request.executed_at = now
    repository.add(session, request)
    _record(session, officer, "erasure.executed", request, {})
    return request


def approve_reidentification(
    session: Session,
    vault: Vault,
    policy: CompiledPolicy | None,
    officer: Officer,
    request_id: int,
    *,
    context: Context,
    now: datetime,
) -> PrivacyRequest:
    """A second privacy officer approves a re-identification: one whose organisation the convenant names for the
    doel (a partner or soort, or `verstrekker`: one that disclosed data about the person to the holder under it),
    never one of the holder. Every refusal is on the ledger."""
    request = get(session, request_id, Soort.HERIDENTIFICATIE)
    if request.approved_at is not None:
        raise refusals.PrivacyRequestSettled("this request was approved already")
    domain, doel, person_id = _about(request)
    afspraak = _afspraak(policy, doel)
    refusal: SchakelError | None = None
    if request.requested_by == officer.principal_id:
        refusal = refusals.FourEyesRequired("four eyes: a different privacy officer must approve this request")
    elif afspraak is None:
        refusal = _not_allowed(doel)
    elif officer.partner_id == domain or not _names_approver(
        session, vault=vault, policy=policy, afspraak=afspraak, officer=officer, request=request
    ):
        refusal = refusals.GoedkeurderNietAangewezen(
            f"the convenant does not name {officer.partner_id} to approve a re-identification under doel {doel!r}; "
            f"it names: {', '.join(afspraak.goedkeurders)} (never the holder {domain} itself)"
        )
    if refusal is not None:
        raise _refuse(
            session, vault, officer, refusal, person_id=person_id, domain=domain, doel=doel, context=context,
            now=now, verzoek_id=request.id,
        )  # fmt: skip
    request.approved_by, request.approved_at = officer.principal_id, now
    repository.add(session, request)
    _step(session, vault, request, "goedgekeurd", context=context, now=now)
    _record(session, officer.principal_id, "reidentification.approved", request, {})
    return request


def _names_approver(
    session: Session,
    *,
    vault: Vault,
    policy: CompiledPolicy | None,
    afspraak: Heridentificatie,
    officer: Officer,
    request: PrivacyRequest,
) -> bool:
    if policy is None:
        return False
    named = [g for g in afspraak.goedkeurders if g != VERSTREKKER]
    if any(policy.selects(g, officer.partner_id) for g in named):
        return True
    if VERSTREKKER not in afspraak.goedkeurders:
        return False
    holder, doel, person_id = _about(request)
    return officer.partner_id in _disclosers(session, vault, person_id, holder, doel)


def reveal(
    session: Session, vault: Vault, officer: Officer, request_id: int, *, context: Context, now: datetime
) -> OpgegevenIdentiteit:
    """Show the identity behind an approved re-identification, once, to the officer who asked."""
    request = get(session, request_id, Soort.HERIDENTIFICATIE)
    domain, doel, person_id = _about(request)
    if request.requested_by != officer.principal_id:
        raise _refuse(
            session, vault, officer,
            refusals.NotTheRequester("only the privacy officer who asked may see the identity"),
            person_id=person_id, domain=domain, doel=doel, context=context, now=now, verzoek_id=request.id,
        )  # fmt: skip
    if request.approved_at is None:
        raise refusals.PrivacyRequestPending("a second privacy officer has not approved this request yet")
    if request.executed_at is not None:
        raise refusals.IdentityShown("the identity was shown once already; ask again if it is needed again")
    identity = vault.open(session, person_id)
    _step(session, vault, request, "getoond", context=context, now=now)
    request.executed_at = now
    repository.add(session, request)
    _record(session, officer.principal_id, "reidentification.revealed", request, {})
    return identity
