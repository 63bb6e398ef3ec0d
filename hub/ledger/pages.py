"""The verstrekkingenlog's pages: entries with filters and paging, one entry with its inclusion proof (checked by
the hub, downloadable), and the newest checkpoint with how to verify the log offline. Every read of entries is
itself recorded in the log, as through the API."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from connectors.tlog import TlogError, leaf_hash, verify_inclusion
from hub import refusals
from hub.db import SessionDep, writes
from hub.kit.api import MAX_NUMBER
from hub.kit.clock import dutch_date, utcnow
from hub.ledger import reading, repository
from hub.ledger.endpoints import LogOriginDep, day_start
from hub.ledger.entries import Context
from hub.ledger.repository import Filter
from hub.ledger.service import full_note
from hub.ledger.wording import BESLUITEN, SOORTEN, beschrijving, moment
from hub.state import state_of
from hub.web.dependencies import ReviewerPage
from hub.web.render import page
from hub.web.service import Person

router = APIRouter(prefix="/verstrekkingenlog", include_in_schema=False)

PAGE_SIZE = 50
_CODE = r"^[a-z0-9-]*$"


def page_context(request: Request, person: Person) -> Context:
    """The trace context of this page request and a digest naming the person's session and this request."""
    trace_id, span_id = getattr(request.state, "trace", (None, None))
    digest = person.caller(span_id or "").token_digest
    return Context(trace_id=trace_id, span_id=span_id, verzoek_digest=f"sha256:{digest}")


def _row(positie: int, raw: bytes) -> dict[str, Any]:
    entry = orjson.loads(raw)
    return {
        "positie": positie,
        "moment": moment(entry["tijdstip"]) if "tijdstip" in entry else "",
        "soort": SOORTEN.get(entry.get("soort", ""), entry.get("soort", "")),
        "besluit": entry.get("besluit"),
        "tekst": beschrijving(entry),
    }


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


Code = Annotated[str, Query(max_length=64, pattern=_CODE)]


@router.get("")
@writes
def entries(
    request: Request,
    person: ReviewerPage,
    session: SessionDep,
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
    verstrekker: Code = "",
    ontvanger: Code = "",
    doel: Code = "",
    berichttype: Code = "",
    besluit: Annotated[str, Query(pattern="^(|permit|partial|deny)$")] = "",
    na: Annotated[int | None, Query(ge=-1, le=MAX_NUMBER)] = None,
) -> Response:
    today = dutch_date(utcnow())
    start = _day(van) or today - timedelta(days=30)
    end = _day(tot) or today
    where = Filter(
        doel=doel or None,
        besluit=besluit or None,
        van=day_start(start),
        tot=day_start(end + timedelta(days=1)),
        verstrekker=verstrekker or None,
        ontvanger=ontvanger or None,
        berichttype=berichttype or None,
        soort="verstrekking" if besluit else None,
    )
    found = reading.read_page(
        session,
        where,
        after=na,
        limit=PAGE_SIZE,
        reader=person.principal_id,
        context=page_context(request, person),
        now=utcnow(),
    )
    filters = {
        "van": start.isoformat(),
        "tot": end.isoformat(),
        "verstrekker": verstrekker,
        "ontvanger": ontvanger,
        "doel": doel,
        "berichttype": berichttype,
        "besluit": besluit,
    }
    context = {
        "regels": [_row(p, raw) for p, raw in found.items],
        "filters": filters,
        "volgende": found.volgende,
        "besluiten": BESLUITEN,
        "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
    }
    return page(request, "ledger/vastleggingen.html", context)


def _proof(session: SessionDep, found: reading.Proven) -> dict[str, Any]:
    """The proof as a reviewer downloads it, and whether it holds against the signed checkpoint."""
    if found.proof is None or found.checkpoint is None:
        return {"geldig": None}
    try:
        verify_inclusion(
            leaf_hash(found.entry), found.positie, found.checkpoint.size, found.proof.hashes, found.checkpoint.root
        )
        holds = True
    except TlogError:
        holds = False
    cosignatures = repository.cosignatures(session, [found.checkpoint.id or 0]).get(found.checkpoint.id or 0, [])
    return {
        "geldig": holds,
        "positie": found.positie,
        "grootte": found.checkpoint.size,
        "entry": base64.b64encode(found.entry).decode("ascii"),
        "leafHash": base64.b64encode(leaf_hash(found.entry)).decode("ascii"),
        "hashes": [base64.b64encode(h).decode("ascii") for h in found.proof.hashes],
        "root": base64.b64encode(found.checkpoint.root).decode("ascii"),
        "checkpoint": full_note(found.checkpoint, cosignatures),
    }


@router.get("/{positie:int}")
@writes
def entry(request: Request, positie: int, person: ReviewerPage, session: SessionDep) -> Response:
    found = reading.read_entry(
        session, _position(positie), reader=person.principal_id, context=page_context(request, person), now=utcnow()
    )
    data = orjson.loads(found.entry)
    context = {
        "positie": positie,
        "tekst": beschrijving(data),
        "moment": moment(data["tijdstip"]) if "tijdstip" in data else "",
        "velden": json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True),
        "bewijs": _proof(session, found),
    }
    return page(request, "ledger/vastlegging.html", context)


@router.get("/{positie:int}/bewijs.json")
@writes
def proof_download(request: Request, positie: int, person: ReviewerPage, session: SessionDep) -> Response:
    found = reading.read_entry(
        session, _position(positie), reader=person.principal_id, context=page_context(request, person), now=utcnow()
    )
    headers = {"Content-Disposition": f'attachment; filename="bewijs-{positie}.json"'}
    return JSONResponse(_proof(session, found), headers=headers)


def _position(value: int) -> int:
    if not 0 <= value <= MAX_NUMBER:
        raise refusals.EntryNotFound("deze positie bestaat niet in de verstrekkingenlog")
    return value


@router.get("/controlepunt")
@writes
def checkpoint(request: Request, _: ReviewerPage, session: SessionDep, origin: LogOriginDep) -> Response:
    latest = repository.latest_checkpoint(session)
    cosignatures = repository.cosignatures(session, [latest.id or 0]).get(latest.id or 0, []) if latest else []
    context = {
        "origin": origin,
        "grootte": repository.size(session.connection()),
        "checkpoint": latest,
        "note": full_note(latest, cosignatures) if latest else "",
        "getuigen": [c.getuige for c in cosignatures],
        "publieke_url": state_of(request.app).settings.public_url,
    }
    return page(request, "ledger/controlepunt.html", context)
