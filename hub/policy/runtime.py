"""The compiled convenant the hub decides with: the active version plus the emergency prohibitions in force.

Compiling takes milliseconds; the result is cached by what it was compiled from, so a request pays two small
queries and a dictionary lookup. A new activation or emergency prohibition is picked up by the next request.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlmodel import Session

from hub import refusals
from hub.db import Database
from hub.kit import generation
from hub.kit.clock import dutch_date
from hub.policy import repository
from hub.policy.convenant.formaat import FormaatOnbekend, lees
from hub.policy.convenant.format import FormatError, PolicySource, Verbod
from hub.policy.deciding.engine import CompiledPolicy
from hub.policy.models import EmergencyProhibition, PolicyVersion

log = structlog.get_logger("hub.policy")

CONFIRM_WITHIN = timedelta(hours=24)
"""An emergency prohibition not confirmed by a second privacy officer within this time is reported."""


def emergency_code(prohibition: EmergencyProhibition) -> str:
    return f"NV-{prohibition.id}"


def as_verbod(prohibition: EmergencyProhibition) -> Verbod:
    return Verbod(
        id=emergency_code(prohibition),
        omschrijving="noodverbod",
        categorieen=list(prohibition.categorieen),
        ontvangers=list(prohibition.ontvangers),
        geldig_van=dutch_date(prohibition.issued_at),
    )


def readable(version: PolicyVersion) -> PolicySource:
    """The version's source read under the format it was approved in; ConvenantUnreadable (503) when this hub
    cannot read it (a newer hub wrote it, or the stored data no longer matches its format)."""
    try:
        return lees(version.source, version.formaat)
    except (FormaatOnbekend, FormatError) as exc:
        log.error(  # noqa: TRY400 - the problem is said; a traceback would print the stored source
            "policy.unreadable", target_id=str(version.id), formaat=version.formaat, problem=str(exc)[:500]
        )
        raise refusals.ConvenantUnreadable(
            f"convenant version {version.id} (format {version.formaat}) cannot be read by this hub: nothing is "
            "disclosed until the privacy officers approve a version it can read"
        ) from None


@dataclass(frozen=True, slots=True)
class Stand:
    """The version in force as the health, the metrics and the pages tell it."""

    versie: int
    formaat: int
    leesbaar: bool
    """False: the hub cannot read it, so nothing is disclosed (every melding is refused `convenant-unreadable`)."""


@dataclass(frozen=True, slots=True)
class _Kept:
    """What decides, as read at one generation: the approved versions and the emergency prohibitions in force."""

    generation: int
    versions: tuple[tuple[datetime, int, str], ...]
    """(active from, id, content hash) of every approved version, the newest activation first."""
    emergency: tuple[EmergencyProhibition, ...]
    werkgebieden: Werkgebieden


Werkgebieden = tuple[tuple[str, tuple[str, ...]], ...]
"""(partner id, gemeentecodes) per registered partner: the registry's half of every recipient's werkgebied."""


class PolicyRuntime:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._compiled: dict[tuple[str, tuple[int, ...], Werkgebieden], CompiledPolicy] = {}
        self._reported: set[int] = set()
        self._kept: _Kept | None = None

    def compile(
        self,
        version: PolicyVersion,
        emergency: Sequence[EmergencyProhibition] = (),
        werkgebieden: Werkgebieden | None = None,
    ) -> CompiledPolicy:
        """The version compiled with the prohibitions in force and the registry's werkgebieden (None: the
        convenant's alone, where no registry is at hand)."""
        key = _key(version.content_hash, emergency, werkgebieden)
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is None:
                if len(self._compiled) > 32:
                    self._compiled.clear()
                compiled = CompiledPolicy(
                    readable(version),
                    content_hash=version.content_hash,
                    label=f"{version.convenant} {version.label} (versie {version.id})",
                    noodverboden=[as_verbod(p) for p in emergency],
                    registry_werkgebieden=(
                        None if werkgebieden is None else {p: frozenset(codes) for p, codes in werkgebieden}
                    ),
                )
                self._compiled[key] = compiled
            return compiled

    def active(self, session: Session, now: datetime) -> CompiledPolicy | None:
        """The active version with the emergency prohibitions in force; None when no version is active yet.

        Every request asks, so it costs two small queries when the table is compiled already; the version's source
        is loaded only to compile it.
        """
        found = repository.active_version_key(session, now)
        if found is None:
            return None
        emergency = repository.list_emergency(session, in_force_only=True)
        werkgebieden = repository.registry_werkgebieden(session)
        self._report_overdue(emergency, now)
        compiled = self._compiled.get(_key(found[1], emergency, werkgebieden))
        if compiled is not None:
            return compiled
        version = repository.get_version(session, found[0])
        return None if version is None else self.compile(version, emergency, werkgebieden)

    def stand(self, session: Session, now: datetime) -> Stand | None:
        """The version in force, its format and whether this hub can read it; None when none is in force."""
        found = repository.active_version_key(session, now)
        if found is None:
            return None
        formaat = repository.formaat_of(session, found[0])
        try:
            self.active(session, now)
        except refusals.ConvenantUnreadable:
            return Stand(found[0], formaat, leesbaar=False)
        return Stand(found[0], formaat, leesbaar=True)

    def kept(self, now: datetime) -> tuple[CompiledPolicy | None, int] | None:
        """(the policy in force at `now`, the generation it was read at) from memory, or None when not kept.

        For the meldingen path, which checks the generation in the transaction that stores its decisions: a new
        activation or emergency prohibition bumps it, so no decision made on an older policy is ever committed.
        A version whose activation time has come is found here without a read (its approval was read already).
        """
        kept = self._kept
        if kept is None:
            return None
        active = next(((i, h) for at, i, h in kept.versions if at <= now), None)
        if active is None:
            return None, kept.generation
        self._report_overdue(kept.emergency, now)
        compiled = self._compiled.get(_key(active[1], kept.emergency, kept.werkgebieden))
        return None if compiled is None else (compiled, kept.generation)

    def load(self, database: Database, now: datetime) -> tuple[CompiledPolicy | None, int]:
        """Read what decides (with its generation, in one transaction), keep it, and answer as `kept` does."""
        with database.unit_of_work(immediate=False) as session:
            current = generation.read(session.connection())
            versions = repository.approved_versions(session)
            emergency = tuple(repository.list_emergency(session, in_force_only=True))
            werkgebieden = repository.registry_werkgebieden(session)
            active = next(((i, h) for at, i, h in versions if at <= now), None)
            compiled = None
            if active is not None:
                compiled = self._compiled.get(_key(active[1], emergency, werkgebieden))
                if compiled is None:
                    version = repository.get_version(session, active[0])
                    compiled = None if version is None else self.compile(version, emergency, werkgebieden)
        self._report_overdue(emergency, now)
        with self._lock:
            self._kept = _Kept(current, tuple(versions), emergency, werkgebieden)
        return compiled, current

    def forget(self) -> None:
        """Drop what is kept (the generation moved on): the next `kept` answers None."""
        with self._lock:
            self._kept = None

    def _report_overdue(self, emergency: Sequence[EmergencyProhibition], now: datetime) -> None:
        for prohibition in emergency:
            overdue = prohibition.confirmed_at is None and now - prohibition.issued_at > CONFIRM_WITHIN
            if overdue and prohibition.id not in self._reported:
                self._reported.add(prohibition.id or 0)  # once per process; `schakel policy noodverboden` lists all
                log.warning("policy.emergency_unconfirmed", target_id=emergency_code(prohibition))


def _key(
    content_hash: str, emergency: Sequence[EmergencyProhibition], werkgebieden: Werkgebieden | None
) -> tuple[str, tuple[int, ...], Werkgebieden]:
    # None (the convenant alone) and a registry are kept apart: a registry of one partner is never `()`.
    return (
        content_hash,
        tuple(sorted(p.id or 0 for p in emergency)),
        werkgebieden if werkgebieden is not None else (("*", ()),),
    )
