"""HTTP routes of /api/v1/beleid. Privacy officers change the convenant; reviewers and operators read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlmodel import Session

from hub import refusals
from hub.auth.dependencies import PartnerDep, require_roles
from hub.auth.service import Caller
from hub.db import SessionDep
from hub.kit.api import MAX_ID, Day, id_path
from hub.kit.clock import dutch_date, utcnow
from hub.kit.openapi import API_PREFIX
from hub.kit.paging import Limit, NumberCursor, cut
from hub.partners.models import Role
from hub.policy import repository, service
from hub.policy.analysis.diff import diff
from hub.policy.analysis.simulate import simulate
from hub.policy.analysis.validate import validate
from hub.policy.convenant.formaat import aandachtspunten
from hub.policy.deciding.decision import Verzoek
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.models import EmergencyProhibition, PolicyVersion
from hub.policy.runtime import PolicyRuntime, emergency_code
from hub.policy.schemas import (
    ApprovalIn,
    DecisionIn,
    DecisionOut,
    DiffOut,
    EmergencyIn,
    EmergencyOut,
    EmergencyPage,
    ProposalIn,
    ProposalOut,
    ScheduleIn,
    SimulationIn,
    SimulationOut,
    VersionDetail,
    VersionOut,
    VersionPage,
)
from hub.state import StateDep

router = APIRouter(prefix=f"{API_PREFIX}/beleid", tags=["beleid"])

Reader = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER, Role.OPERATOR))]
Reviewer = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]
OfficerDep = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER))]


def _runtime(state: StateDep) -> PolicyRuntime:
    return state.policy_runtime


RuntimeDep = Annotated[PolicyRuntime, Depends(_runtime)]


def _active(runtime: RuntimeDep, session: SessionDep) -> CompiledPolicy:
    policy = runtime.active(session, utcnow())
    if policy is None:
        raise refusals.ConvenantNotActive("no convenant is active yet")
    return policy


ActivePolicyDep = Annotated[CompiledPolicy, Depends(_active)]
"""The convenant in force, with the emergency prohibitions and the registry's werkgebieden; 503 when none is."""


def _deelnemer(caller: PartnerDep, policy: ActivePolicyDep) -> Caller:
    if caller.partner_id not in policy.deelnemers:
        raise refusals.GeenDeelnemer(
            f"{caller.partner_id} is not a deelnemer of the active convenant, so it may not write here"
        )
    return caller


DeelnemerDep = Annotated[Caller, Depends(_deelnemer)]
"""A partner's system or person, of a partner that is a deelnemer of the active convenant: every partner write."""


def _member_officer(caller: OfficerDep, runtime: RuntimeDep, session: SessionDep) -> Caller:
    service.check_member_officer(session, runtime, caller.partner_id, utcnow())
    return caller


MemberOfficerDep = Annotated[Caller, Depends(_member_officer)]
"""A privacy officer of a deelnemer of the active convenant (any privacy officer while none is active yet, so that
the first convenant can be proposed and approved): every privacy officer's write."""


def officer_of(caller: Caller) -> service.Officer:
    """The privacy officer acting, as the domains know them."""
    return service.Officer(principal_id=caller.principal_id, partner_id=caller.partner_id)


def _out(session: Session, version: PolicyVersion) -> VersionOut:
    return _out_all(session, [version])[0]


def _out_all(session: Session, versions: Sequence[PolicyVersion]) -> list[VersionOut]:
    """Versions with their status; the active version is looked up once, not once per version."""
    now = utcnow()
    active = repository.active_version(session, now)
    return [
        VersionOut.model_validate(
            {
                **version.model_dump(exclude={"source"}),
                "status": str(service.status(version, active, now)),
                "aandachtspunten": aandachtspunten(version.source, version.formaat),
            }
        )
        for version in versions
    ]


def _compiled(session: Session, runtime: PolicyRuntime, version_id: int | None) -> CompiledPolicy:
    if version_id is not None:
        return runtime.compile(service.get_version(session, version_id))
    active = runtime.active(session, utcnow())
    if active is None:
        raise refusals.NoActivePolicy("no convenant version is active yet")
    return active


@router.get("/versies", summary="All convenant versions", description="Every version, oldest first, with its status.")
def list_versions(_: Reader, session: SessionDep, na: NumberCursor = None, limit: Limit = 100) -> VersionPage:
    rows, volgende = cut(service.list_versions(session, after=na, limit=limit), limit, lambda v: v.id or 0)
    return VersionPage(items=_out_all(session, rows), volgende=volgende)


@router.post(
    "/versies",
    status_code=status.HTTP_201_CREATED,
    summary="Propose a convenant version",
    description="Validates the convenant; errors give a 422 problem naming file, rule and fix. Warnings come back.",
)
def propose(body: ProposalIn, caller: MemberOfficerDep, session: SessionDep) -> ProposalOut:
    version, findings = service.propose(session, officer_of(caller), body.bron, body.toelichting, utcnow())
    return ProposalOut(versie=_out(session, version), waarschuwingen=[str(f) for f in findings])


@router.get("/versies/{versieId}", summary="One version", description="A version with its full source.")
def get_version(
    versie_id: Annotated[int, id_path("versieId")], _: Reader, session: SessionDep, runtime: RuntimeDep
) -> VersionDetail:
    version = service.get_version(session, versie_id)
    findings = validate(runtime.compile(version).source)
    out = _out(session, version)
    return VersionDetail.model_validate(
        {**out.model_dump(), "bron": version.source, "waarschuwingen": [str(f) for f in findings]}
    )


@router.post(
    "/versies/{versieId}/goedkeuring",
    summary="Approve a version (four eyes)",
    description="By another privacy officer than the proposer; it becomes active at `actiefVanaf` (default now).",
)
def approve(
    versie_id: Annotated[int, id_path("versieId")],
    body: ApprovalIn,
    caller: MemberOfficerDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> VersionOut:
    version = service.approve(
        session,
        runtime,
        officer_of(caller),
        versie_id,
        active_from=body.actief_vanaf,
        now=utcnow(),
        warnings_seen=body.waarschuwingen_gezien,
    )
    return _out(session, version)


@router.post(
    "/versies/{versieId}/activering",
    summary="Set when an approved version becomes active",
    description="Moves the activation moment of an approved version that is not active yet; never into the past.",
)
def activate(
    versie_id: Annotated[int, id_path("versieId")], body: ScheduleIn, caller: MemberOfficerDep, session: SessionDep
) -> VersionOut:
    return _out(session, service.schedule(session, officer_of(caller), versie_id, body.actief_vanaf, utcnow()))


@router.get("/actief", summary="The active version", description="The version the hub decides with now.")
def active(_: Reader, session: SessionDep) -> VersionOut:
    version = repository.active_version(session, utcnow())
    if version is None:
        raise refusals.NoActivePolicy("no convenant version is active yet")
    return _out(session, version)


@router.get(
    "/verschillen",
    summary="What changes between two versions",
    description="Effective permissions on date `op`, in plain words and as JSON. `van` defaults to the active version.",
)
def differences(
    _: Reader,
    session: SessionDep,
    runtime: RuntimeDep,
    naar: Annotated[int, Query(description="The new version.", ge=0, le=MAX_ID)],
    van: Annotated[int | None, Query(description="The old version (default: active).", ge=0, le=MAX_ID)] = None,
    op: Annotated[Day | None, Query(description="The date to compare on (default: today).")] = None,
) -> DiffOut:
    new = runtime.compile(service.get_version(session, naar))
    old_version = service.get_version(session, van) if van is not None else repository.active_version(session, utcnow())
    old = runtime.compile(old_version) if old_version is not None else None
    day = op or dutch_date(utcnow())
    changes = diff(old, new, day)
    return DiffOut(
        van=old_version.id if old_version else None,
        naar=naar,
        op=day,
        regels=[c.zin() for c in changes],
        wijzigingen=[c.as_json() for c in changes],
    )


@router.post(
    "/simulaties",
    summary="Simulate a version on recorded traffic",
    description="Replays recorded decision inputs (metadata only) and reports what would change, with examples.",
)
def simulation(body: SimulationIn, _: Reviewer, session: SessionDep, runtime: RuntimeDep) -> SimulationOut:
    proposed = runtime.compile(service.get_version(session, body.versie))
    current_version = (
        service.get_version(session, body.vergelijk_met)
        if body.vergelijk_met is not None
        else repository.active_version(session, utcnow())
    )
    current = runtime.compile(current_version) if current_version is not None else None
    report = simulate(current, proposed, body.verkeer)
    return SimulationOut.model_validate({**report.as_json(), "regels": report.lines()})


@router.post(
    "/besluiten",
    summary="Explain a decision",
    description="What the convenant decides for these inputs, with the rules, grounds and reasons, in plain words.",
)
def decision(body: DecisionIn, _: Reviewer, session: SessionDep, runtime: RuntimeDep) -> DecisionOut:
    policy = _compiled(session, runtime, body.versie)
    verzoek = Verzoek(
        verstrekker=body.verstrekker,
        ontvanger=body.ontvanger,
        doel=body.doel,
        berichttype=body.berichttype,
        categorieen=frozenset(body.categorieen),
        datum=body.datum or dutch_date(utcnow()),
        toestemmingen=frozenset(body.toestemmingen),
    )
    return DecisionOut.of(policy.decide(verzoek) if body.gemeente is None else policy.decide_in(verzoek, body.gemeente))


def _emergency_out(prohibition: EmergencyProhibition) -> EmergencyOut:
    return EmergencyOut.model_validate(
        {
            **prohibition.model_dump(),
            "code": emergency_code(prohibition),
            "status": service.emergency_status(prohibition, utcnow()),
        }
    )


@router.get(
    "/noodverboden",
    summary="Emergency prohibitions",
    description="All of them, with status: onbevestigd, onbevestigd-te-laat (over 24 h), bevestigd, opgeheven.",
)
def list_emergency(_: Reader, session: SessionDep, na: NumberCursor = None, limit: Limit = 100) -> EmergencyPage:
    rows, volgende = cut(service.list_emergency(session, after=na, limit=limit), limit, lambda p: p.id or 0)
    return EmergencyPage(items=[_emergency_out(p) for p in rows], volgende=volgende)


@router.post(
    "/noodverboden",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an emergency prohibition",
    description="Takes effect at once, on top of the active version; a second privacy officer must confirm it.",
)
def issue_emergency(
    body: EmergencyIn, caller: MemberOfficerDep, session: SessionDep, runtime: RuntimeDep
) -> EmergencyOut:
    prohibition = service.issue_emergency(
        session,
        runtime,
        officer_of(caller),
        categorieen=body.categorieen,
        ontvangers=body.ontvangers,
        reden=body.reden,
        now=utcnow(),
    )
    return _emergency_out(prohibition)


@router.post(
    "/noodverboden/{noodverbodId}/bevestiging",
    summary="Confirm an emergency prohibition",
    description="By a second privacy officer.",
)
def confirm_emergency(
    noodverbod_id: Annotated[int, id_path("noodverbodId")], caller: MemberOfficerDep, session: SessionDep
) -> EmergencyOut:
    return _emergency_out(service.confirm_emergency(session, officer_of(caller), noodverbod_id, utcnow()))


@router.post(
    "/noodverboden/{noodverbodId}/opheffing",
    summary="Lift an emergency prohibition",
    description="By another privacy officer than the one who issued it.",
)
def lift_emergency(
    noodverbod_id: Annotated[int, id_path("noodverbodId")], caller: MemberOfficerDep, session: SessionDep
) -> EmergencyOut:
    return _emergency_out(service.lift_emergency(session, officer_of(caller), noodverbod_id, utcnow()))
