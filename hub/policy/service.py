"""The convenant's lifecycle: propose, approve with four eyes, activate at a date; emergency prohibitions.

Who may do what (the endpoints check the role; this module checks the people):
- any privacy officer proposes a version;
- a *different* privacy officer approves it; when the convenant asks for it, one of a verstrekker whose
  permissions the change affects;
- an approved version becomes active at its moment and stays in the history when a later one takes over;
- one privacy officer issues an emergency prohibition, which takes effect at once; a second confirms it, and
  only another than the issuer can lift it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from hub import refusals
from hub.audit import service as audit
from hub.errors import Unprocessable
from hub.kit.canonical import content_hash
from hub.policy import repository
from hub.policy.analysis.diff import affected_on_any_date
from hub.policy.analysis.validate import Bevinding, Niveau, findings_from_format_error, has_errors, validate
from hub.policy.convenant.format import FormatError, PolicySource, parse_source, source_to_data
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.models import EmergencyProhibition, PolicyVersion
from hub.policy.runtime import CONFIRM_WITHIN, PolicyRuntime, emergency_code

HASH_DOMAIN = "schakel-beleid-v1"
_CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Officer:
    """The privacy officer acting: their principal and the partner they work for."""

    principal_id: str
    partner_id: str


def check_member_officer(session: Session, runtime: PolicyRuntime, partner_id: str, now: datetime) -> None:
    """A privacy officer acts only for a deelnemer of the active convenant (anyone while none is active yet, so
    that the first convenant can be proposed and approved). The API and the pages both ask this."""
    policy = runtime.active(session, now)
    if policy is not None and partner_id not in policy.deelnemers:
        raise refusals.GeenDeelnemer(
            f"{partner_id} is not a deelnemer of the active convenant, so its privacy officers may not act here"
        )


class PolicyInvalid(Unprocessable):
    """The convenant version does not validate; the findings say where and why."""

    code = "policy-invalid"

    def __init__(self, findings: list[Bevinding]) -> None:
        self.findings = findings
        errors = [str(f) for f in findings if f.niveau == "fout"]
        super().__init__("the convenant has errors: " + " | ".join(errors[:20]))


class VersionStatus(StrEnum):
    CONCEPT = "concept"
    GEPLAND = "gepland"
    ACTIEF = "actief"
    VERVANGEN = "vervangen"


def check_source(raw: dict[str, Any]) -> tuple[PolicySource, list[Bevinding]]:
    """Parse and validate a convenant given as data. Raises PolicyInvalid on any error."""
    try:
        source = parse_source(raw)
    except FormatError as exc:
        raise PolicyInvalid(findings_from_format_error(exc)) from None
    findings = validate(source)
    if has_errors(findings):
        raise PolicyInvalid(findings)
    return source, findings


def propose(
    session: Session, officer: Officer, raw: dict[str, Any], toelichting: str, now: datetime
) -> tuple[PolicyVersion, list[Bevinding]]:
    source, findings = check_source(raw)
    data = source_to_data(source)
    digest = content_hash(HASH_DOMAIN, data)
    existing = repository.version_by_hash(session, digest)
    if existing is not None:
        raise refusals.PolicyExists(f"this exact convenant is version {existing.id} already")
    version = PolicyVersion(
        convenant=source.convenant.convenant,
        label=source.convenant.versie,
        content_hash=digest,
        source=data,
        toelichting=toelichting,
        proposed_by=officer.principal_id,
        proposed_at=now,
    )
    repository.add(session, version)
    warnings = [str(f) for f in findings if f.niveau is Niveau.WAARSCHUWING]
    _audit(
        session,
        officer,
        "policy.proposed",
        version,
        {"contentHash": digest, "label": version.label, **({"waarschuwingen": warnings} if warnings else {})},
    )
    return version, findings


def get_version(session: Session, version_id: int) -> PolicyVersion:
    version = repository.get_version(session, version_id)
    if version is None:
        raise refusals.PolicyVersionNotFound(f"there is no convenant version {version_id}")
    return version


def list_versions(session: Session, *, after: int | None = None, limit: int | None = None) -> Sequence[PolicyVersion]:
    return repository.list_versions(session, after=after, limit=limit)


def status(version: PolicyVersion, active: PolicyVersion | None, now: datetime) -> VersionStatus:
    if version.approved_at is None or version.active_from is None:
        return VersionStatus.CONCEPT
    if active is not None and version.id == active.id:
        return VersionStatus.ACTIEF
    if version.active_from > now:
        return VersionStatus.GEPLAND
    return VersionStatus.VERVANGEN


def approve(
    session: Session,
    runtime: PolicyRuntime,
    officer: Officer,
    version_id: int,
    *,
    active_from: datetime | None,
    now: datetime,
    warnings_seen: bool = False,
) -> PolicyVersion:
    """Approve a proposed version (four eyes). A version with warnings (such as grondslagen a lawyer has not
    confirmed yet) is approved only when the approving officer says they read them (`warnings_seen`); the admin
    audit trail then records the warnings and that both officers saw them: the proposer was shown them when
    proposing, the approver confirmed them here."""
    version = get_version(session, version_id)
    if version.approved_at is not None:
        raise refusals.PolicyApprovedAlready(f"version {version_id} is approved already")
    if version.proposed_by == officer.principal_id:
        raise refusals.FourEyesRequired("four eyes: a different privacy officer than the proposer must approve")
    proposed = runtime.compile(version)
    if proposed.source.convenant.goedkeuring.fg_van_betrokken_verstrekker:
        current = repository.active_version(session, now)
        before = runtime.compile(current) if current is not None else None
        affected = affected_on_any_date(before, proposed)
        if affected and officer.partner_id not in affected:
            raise refusals.ApproverNotAffected(
                "this convenant requires approval by a privacy officer of a verstrekker the change affects: "
                + ", ".join(sorted(affected))
            )
    warnings = [str(f) for f in validate(proposed.source) if f.niveau is Niveau.WAARSCHUWING]
    if warnings and not warnings_seen:
        raise refusals.WaarschuwingenNietBevestigd(
            f"version {version_id} has {len(warnings)} warnings (e.g. article references a lawyer has not confirmed "
            f"yet); read them (GET /api/v1/beleid/versies/{version_id}/validatie) and approve with "
            "`waarschuwingenGezien: true`"
        )
    moment = _not_in_the_past(active_from or now, now)
    version.approved_by, version.approved_at, version.active_from = officer.principal_id, now, moment
    repository.add(session, version)
    details: dict[str, Any] = {"activeFrom": moment.isoformat()}
    if warnings:
        details |= {"waarschuwingen": warnings, "waarschuwingenGezienDoor": [version.proposed_by, officer.principal_id]}
    _audit(session, officer, "policy.approved", version, details)
    return version


def schedule(
    session: Session, officer: Officer, version_id: int, active_from: datetime, now: datetime
) -> PolicyVersion:
    """Move the activation moment of an approved version that is not active yet."""
    version = get_version(session, version_id)
    if version.approved_at is None:
        raise refusals.PolicyNotApproved(f"version {version_id} is not approved yet")
    if version.active_from is not None and version.active_from <= now:
        raise refusals.PolicyAlreadyActive(f"version {version_id} is active or was already")
    version.active_from = _not_in_the_past(active_from, now)
    repository.add(session, version)
    _audit(session, officer, "policy.scheduled", version, {"activeFrom": version.active_from.isoformat()})
    return version


def _not_in_the_past(moment: datetime, now: datetime) -> datetime:
    if moment < now - _CLOCK_SKEW:
        raise refusals.PolicyDatePast("actiefVanaf lies in the past; a version cannot be made active retroactively")
    return max(moment, now)


def _audit(session: Session, officer: Officer, action: str, version: PolicyVersion, details: dict[str, Any]) -> None:
    audit.record(
        session,
        actor=officer.principal_id,
        action=action,
        target_type="policy_version",
        target_id=str(version.id),
        details=details,
    )


# Emergency prohibitions


def issue_emergency(
    session: Session,
    runtime: PolicyRuntime,
    officer: Officer,
    *,
    categorieen: list[str],
    ontvangers: list[str],
    reden: str,
    now: datetime,
) -> EmergencyProhibition:
    current = repository.active_version(session, now)
    if current is not None:
        _check_codes(runtime.compile(current), categorieen, ontvangers)
    prohibition = EmergencyProhibition(
        categorieen=sorted(set(categorieen)),
        ontvangers=sorted(set(ontvangers)),
        reden=reden,
        issued_by=officer.principal_id,
        issued_at=now,
    )
    repository.add(session, prohibition)
    _audit_emergency(session, officer, "policy.emergency_issued", prohibition)
    return prohibition


def _check_codes(policy: CompiledPolicy, categorieen: list[str], ontvangers: list[str]) -> None:
    known_categories = {c.code for c in policy.source.vocabulaires.categorieen}
    known_takers = set(policy.deelnemers) | {s.code for s in policy.source.vocabulaires.soorten} | {"*"}
    unknown = sorted(set(categorieen) - known_categories) + sorted(set(ontvangers) - known_takers)
    if unknown:
        raise refusals.EmergencyCodesUnknown(f"unknown codes: {', '.join(unknown)}")


def get_emergency(session: Session, prohibition_id: int) -> EmergencyProhibition:
    prohibition = repository.get_emergency(session, prohibition_id)
    if prohibition is None:
        raise refusals.EmergencyNotFound(f"there is no emergency prohibition {prohibition_id}")
    return prohibition


def confirm_emergency(session: Session, officer: Officer, prohibition_id: int, now: datetime) -> EmergencyProhibition:
    prohibition = get_emergency(session, prohibition_id)
    if prohibition.issued_by == officer.principal_id:
        raise refusals.FourEyesRequired("a second privacy officer must confirm an emergency prohibition")
    if prohibition.confirmed_at is not None or prohibition.lifted_at is not None:
        raise refusals.EmergencySettled("this emergency prohibition was confirmed or lifted already")
    prohibition.confirmed_by, prohibition.confirmed_at = officer.principal_id, now
    repository.add(session, prohibition)
    _audit_emergency(session, officer, "policy.emergency_confirmed", prohibition)
    return prohibition


def lift_emergency(session: Session, officer: Officer, prohibition_id: int, now: datetime) -> EmergencyProhibition:
    prohibition = get_emergency(session, prohibition_id)
    if prohibition.issued_by == officer.principal_id:
        raise refusals.FourEyesRequired("another privacy officer than the issuer must lift it")
    if prohibition.lifted_at is not None:
        raise refusals.EmergencySettled("this emergency prohibition was lifted already")
    prohibition.lifted_by, prohibition.lifted_at = officer.principal_id, now
    repository.add(session, prohibition)
    _audit_emergency(session, officer, "policy.emergency_lifted", prohibition)
    return prohibition


def list_emergency(
    session: Session, *, after: int | None = None, limit: int | None = None
) -> Sequence[EmergencyProhibition]:
    return repository.list_emergency(session, after=after, limit=limit)


def emergency_status(prohibition: EmergencyProhibition, now: datetime) -> str:
    if prohibition.lifted_at is not None:
        return "opgeheven"
    if prohibition.confirmed_at is not None:
        return "bevestigd"
    if now - prohibition.issued_at > CONFIRM_WITHIN:
        return "onbevestigd-te-laat"
    return "onbevestigd"


def _audit_emergency(session: Session, officer: Officer, action: str, prohibition: EmergencyProhibition) -> None:
    audit.record(
        session,
        actor=officer.principal_id,
        action=action,
        target_type="emergency_prohibition",
        target_id=emergency_code(prohibition),
        details={"categorieen": prohibition.categorieen, "ontvangers": prohibition.ontvangers},
    )
