"""HTTP routes of the verstrekkingenlog: entries for reviewers, checkpoints and proofs for anyone who verifies."""

from __future__ import annotations

import base64
from datetime import date, datetime, time
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, status
from sqlmodel import Session

from hub.auth.dependencies import CallerDep, require_roles
from hub.auth.service import Caller
from hub.db import SessionDep, writes
from hub.kit.api import MAX_NUMBER, Day, PositionPath
from hub.kit.clock import NL, utcnow
from hub.kit.openapi import API_PREFIX
from hub.ledger import reading, repository, service
from hub.ledger.entries import Context
from hub.ledger.models import LedgerCheckpoint
from hub.ledger.repository import Filter
from hub.ledger.schemas import CheckpointOut, ConsistencyOut, EntryOut, EntryPage, EntryProofOut, InclusionOut, LogOut
from hub.ledger.service import Proof, full_note
from hub.partners.models import Role
from hub.state import StateDep

router = APIRouter(prefix=API_PREFIX, tags=["verstrekkingenlog"])

Reviewer = Annotated[Caller, Depends(require_roles(Role.PRIVACY_OFFICER, Role.DPIA_REVIEWER))]


def ledger_context(request: Request, caller: CallerDep) -> Context:
    """The trace context of this request and the digest of the caller's signed token, for the entries it causes."""
    trace_id, span_id = getattr(request.state, "trace", (None, None))
    return Context(trace_id=trace_id, span_id=span_id, verzoek_digest=f"sha256:{caller.token_digest}")


ContextDep = Annotated[Context, Depends(ledger_context)]


def _log_origin(state: StateDep, session: SessionDep) -> str:
    settings = state.settings
    return service.log_origin(session, settings.log_origin, settings.public_url)


LogOriginDep = Annotated[str, Depends(_log_origin)]
"""The log's permanent name, as its first checkpoint (or, before one exists, the settings) has it."""


def day_start(day: date | None) -> datetime | None:
    """The first instant of a Dutch calendar day (periods in the API are Dutch dates)."""
    return None if day is None else datetime.combine(day, time.min, tzinfo=NL)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _entry(positie: int, raw: bytes) -> dict[str, object]:
    return {"positie": positie, "entry": orjson.loads(raw), "bytes": _b64(raw)}


def checkpoint_out(session: Session, checkpoint: LedgerCheckpoint) -> CheckpointOut:
    """The checkpoint with every witness cosignature it has, after the hub's own signature."""
    cosignatures = repository.cosignatures(session, [checkpoint.id or 0]).get(checkpoint.id or 0, [])
    return CheckpointOut(
        grootte=checkpoint.size,
        root=_b64(checkpoint.root),
        note=full_note(checkpoint, cosignatures),
        getuigen=[row.getuige for row in cosignatures],
        getekend_op=checkpoint.signed_at,
    )


def inclusion_out(proof: Proof) -> InclusionOut:
    return InclusionOut(positie=proof.index, grootte=proof.size, hashes=[_b64(h) for h in proof.hashes])


@router.get(
    "/verstrekkingen",
    summary="Entries of the verstrekkingenlog",
    description=(
        "Filter by partner (as verstrekker or ontvanger), verstrekker, ontvanger, berichttype, doel, categorie, "
        "besluit, soort and period (Dutch dates, `tot` exclusive); oldest first, paged by `na`. The read itself is "
        "recorded in the log."
    ),
)
@writes
def list_entries(
    *,
    caller: Reviewer,
    context: ContextDep,
    session: SessionDep,
    partner: Annotated[str | None, Query(max_length=64)] = None,
    verstrekker: Annotated[str | None, Query(max_length=64)] = None,
    ontvanger: Annotated[str | None, Query(max_length=64)] = None,
    berichttype: Annotated[str | None, Query(max_length=64)] = None,
    doel: Annotated[str | None, Query(max_length=64)] = None,
    categorie: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
    besluit: Annotated[Literal["permit", "partial", "deny"] | None, Query()] = None,
    soort: Annotated[str | None, Query(max_length=20)] = None,
    van: Annotated[Day | None, Query(description="From this day (inclusive).")] = None,
    tot: Annotated[Day | None, Query(description="Up to this day (exclusive).")] = None,
    na: Annotated[int | None, Query(ge=-1, description="Entries after this position.", le=MAX_NUMBER)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EntryPage:
    where = Filter(
        partner, doel, categorie, besluit, soort, day_start(van), day_start(tot), verstrekker, ontvanger, berichttype
    )
    page = reading.read_page(
        session, where, after=na, limit=limit, reader=caller.principal_id, context=context, now=utcnow()
    )
    return EntryPage(items=[EntryOut.model_validate(_entry(p, raw)) for p, raw in page.items], volgende=page.volgende)


@router.get(
    "/verstrekkingen/{positie}",
    summary="One entry with its inclusion proof",
    description="The entry's exact bytes and its audit path in the newest signed checkpoint. The read is recorded.",
)
@writes
def get_entry(positie: PositionPath, caller: Reviewer, context: ContextDep, session: SessionDep) -> EntryProofOut:
    found = reading.read_entry(session, positie, reader=caller.principal_id, context=context, now=utcnow())
    return EntryProofOut.model_validate(
        {
            **_entry(found.positie, found.entry),
            "bewijs": inclusion_out(found.proof) if found.proof else None,
            "checkpoint": checkpoint_out(session, found.checkpoint) if found.checkpoint else None,
        }
    )


@router.get(
    "/verstrekkingenlog",
    summary="The log's size and newest checkpoint",
    description="Any principal may read it: keep the checkpoint, and ask for a consistency proof next time.",
)
def log_state(_: CallerDep, origin: LogOriginDep, session: SessionDep) -> LogOut:
    latest = repository.latest_checkpoint(session)
    return LogOut(
        origin=origin,
        grootte=repository.size(session.connection()),
        checkpoint=checkpoint_out(session, latest) if latest else None,
    )


@router.post(
    "/verstrekkingenlog/checkpoints",
    status_code=status.HTTP_201_CREATED,
    summary="Sign a checkpoint now",
    description="Operators: sign the log's size and root with the hub's active Ed25519 key (none new if unchanged).",
)
def sign_checkpoint(
    _: Annotated[Caller, Depends(require_roles(Role.OPERATOR))],
    state: StateDep,
    origin: LogOriginDep,
    session: SessionDep,
) -> CheckpointOut:
    keyring = state.keyring
    return checkpoint_out(session, service.sign_checkpoint(session, origin, keyring.ed25519_key(), utcnow()))


@router.get(
    "/verstrekkingenlog/consistentiebewijs",
    summary="A consistency proof between two sizes",
    description="Proves that the log of size `tot` extends the one of size `van` you kept: nothing altered or removed.",
)
def consistency(
    _: CallerDep,
    session: SessionDep,
    van: Annotated[int, Query(ge=0, le=MAX_NUMBER)],
    tot: Annotated[int, Query(ge=0, le=MAX_NUMBER)],
) -> ConsistencyOut:
    hashes = service.consistency_proof(session.connection(), van, tot)
    return ConsistencyOut(van=van, tot=tot, hashes=[_b64(h) for h in hashes])
