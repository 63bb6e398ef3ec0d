"""Notices the hub sends on behalf of a partner (the ZVH telling the table a casus was scaled down, or telling a
partner the ZVH asked about a person it knows), and stopberichten (a recipient told to stop processing what it
received, because what the disclosure relied on ended): delivered, retried and acknowledged like any melding.

A notice travels as a melding of its sender, with a berichttype of the hub's own (not the convenant's), so the
envelope, the outbox, the inbox and acknowledgements need nothing new; a stopbericht belongs to the melding of the
delivery it concerns. Their content holds ids and codes only."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlmodel import Session

from hub.delivery.models import Levering, Soort, Status
from hub.kit.canonical import canonical_json
from hub.meldingen.models import Melding
from hub.pseudonym.vault import Vault


def notice(
    session: Session,
    vault: Vault,
    *,
    afzender: str,
    ontvanger: str,
    soort: Soort,
    doel: str,
    inhoud: dict[str, Any],
    now: datetime,
) -> Levering:
    """One notice from `afzender` to `ontvanger`, in the outbox at once (spoed: it is short and time-bound)."""
    melding_id, levering_id = secrets.token_hex(16), secrets.token_hex(16)
    view = canonical_json(inhoud)
    digest = "sha256:" + hashlib.sha256(view).hexdigest()
    session.add(
        Melding(
            id=melding_id,
            verstrekker=afzender,
            berichttype=str(soort),
            berichttype_versie=1,
            spoed=True,
            request_digest=digest,
            status_code=201,
            receipt={"bericht": str(soort), "leveringId": levering_id},
            ontvangen_op=now,
        )
    )
    session.flush()
    sealed = vault.seal_bytes(view, f"levering:{levering_id}")
    levering = Levering(
        id=levering_id,
        soort=soort,
        melding_id=melding_id,
        ontvanger=ontvanger,
        doel=doel,
        besluit="bericht",
        prioriteit=1,
        status=Status.WACHTEND,
        volgende_poging=now,
        toestemmingen=[],
        inhoud_digest=digest,
        kek_id=sealed.kek_id,
        wrapped_key=sealed.wrapped_key,
        payload=sealed.sealed,
        aangemaakt_op=now,
    )
    session.add(levering)
    session.flush()
    return levering


def stopbericht(vault: Vault, levering: Levering, inhoud: dict[str, Any], now: datetime) -> Levering:
    """A delivery of its own to the recipient of `levering`, about it: stop processing what came with it (`inhoud`
    says why). Not yet added to the session."""
    notice_id = secrets.token_hex(16)
    view = canonical_json({"betreftLevering": levering.id, "betreftMelding": levering.melding_id, **inhoud})
    sealed = vault.seal_bytes(view, f"levering:{notice_id}")
    return Levering(
        id=notice_id,
        soort=Soort.STOPBERICHT,
        melding_id=levering.melding_id,
        ontvanger=levering.ontvanger,
        doel=levering.doel,
        besluit="stop",
        prioriteit=1,
        status=Status.WACHTEND,
        volgende_poging=now,
        toestemmingen=[],
        inhoud_digest="sha256:" + hashlib.sha256(view).hexdigest(),
        kek_id=sealed.kek_id,
        wrapped_key=sealed.wrapped_key,
        payload=sealed.sealed,
        aangemaakt_op=now,
    )
