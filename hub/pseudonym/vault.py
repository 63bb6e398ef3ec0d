"""The identity vault: the only place a person's identity exists, and only sealed.

Each person gets a random 256-bit data key; their identity (as the source gave it) is sealed with AES-256-GCM
under that key, bound to the person's id; the data key is wrapped by the vault's key-encryption key. Forgetting
a person destroys the wrapped key and the sealed identity (crypto-shredding): what refers to them stays, but
can no longer be opened.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hub import refusals
from hub.errors import Conflict
from hub.pseudonym import repository
from hub.pseudonym.identity import Identiteit, normalise
from hub.pseudonym.scheme import LOG_DOMAIN, HmacPseudonyms, parse_pseudonym


class KeyEncryptionKey(Protocol):
    """Wraps and unwraps data keys. A file in the embedded default; a KMS or HSM behind the same three members."""

    key_id: str

    def wrap(self, data_key: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class OpgegevenIdentiteit:
    """A person as the source system gave them (the spelling a permitted recipient sees)."""

    bsn: str | None = None
    voornamen: str | None = None
    tussenvoegsel: str | None = None
    achternaam: str | None = None
    geboortedatum: date | None = None

    def normalised(self) -> Identiteit:
        return normalise(
            bsn=self.bsn,
            voornamen=self.voornamen,
            tussenvoegsel=self.tussenvoegsel,
            achternaam=self.achternaam,
            geboortedatum=self.geboortedatum,
        )

    def plain(self) -> dict[str, str]:
        """The given fields (dates as ISO text), the absent ones left out: what is sealed."""
        data = {
            "bsn": self.bsn,
            "voornamen": self.voornamen,
            "tussenvoegsel": self.tussenvoegsel,
            "achternaam": self.achternaam,
            "geboortedatum": None if self.geboortedatum is None else self.geboortedatum.isoformat(),
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True, slots=True)
class Sealed:
    """Content sealed with AES-256-GCM under a data key, and that key wrapped by the vault's KEK."""

    kek_id: str
    wrapped_key: bytes
    sealed: bytes


@dataclass(frozen=True, slots=True)
class PreparedPerson:
    """A person made ready for the writer in the producer's own thread: their log-domain pseudonyms under every key
    version (the active one first), and the sealed row to store should the vault not know them yet."""

    log_pseudonyms: tuple[str, ...]
    row: dict[str, Any]


class Insert(Protocol):
    """Inserts rows into a table, now or with the rest of a group commit (`hub.ledger.sequencer.Rows.add`)."""

    def __call__(
        self, table: Table, rows: list[dict[str, Any]], *, ignore_conflict: tuple[str, ...] | None = None
    ) -> None: ...


_PENDING = "schakel.vault.pending"


class Erased(Conflict):
    """The person was erased: the hub can no longer say who they are."""

    code = "person-erased"


class Vault:
    def __init__(self, pseudonyms: HmacPseudonyms, kek: KeyEncryptionKey) -> None:
        self.pseudonyms = pseudonyms
        self._kek = kek

    def seal(self, session: Session, given: OpgegevenIdentiteit, now: datetime) -> str:
        """The person's vault id: found by their log-domain pseudonym, or created with a fresh data key (one person;
        the meldingen flow seals many at once with `prepare` and `seal_prepared`)."""
        return self.seal_prepared(session, [self.prepare(given, given.normalised(), now)], _insert_now(session))[0]

    def prepare(self, given: OpgegevenIdentiteit, identity: Identiteit, now: datetime) -> PreparedPerson:
        """Everything `seal_prepared` needs but the lookup: the sealing is done here, off the writer's thread (and
        thrown away if the vault knows the person already)."""
        person_id = secrets.token_hex(16)
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(data_key).encrypt(nonce, _encode(given), person_id.encode("ascii"))
        row = {
            "id": person_id,
            "log_pseudonym": None,  # set below
            "kek_id": self._kek.key_id,
            "wrapped_key": self._kek.wrap(data_key),
            "sealed_identity": sealed,
            "created_at": now,
            "erased_at": None,
        }
        pseudonyms = self._log_pseudonyms_active_first(identity)
        row["log_pseudonym"] = pseudonyms[0]
        return PreparedPerson(pseudonyms, row)

    def seal_prepared(
        self, session: Session, persons: Sequence[PreparedPerson], insert: Insert, known: dict[str, str] | None = None
    ) -> list[str]:
        """The vault ids of prepared persons, in order: found by a log pseudonym (re-keyed to the active version if
        found under an older one) or new. `known`: what `lookup_keys` found, looked up for a whole group commit at
        once (else one lookup here). New persons go to `insert` (the group's batch), and are remembered for the
        rest of the transaction, as are re-keyed ones, so a later unit of the group finds them too."""
        connection = session.connection()
        pending: dict[str, str] = session.info.setdefault(_PENDING, {})
        if known is None:
            wanted = {p for person in persons for p in person.log_pseudonyms if p not in pending}
            known = repository.ids_by_log_pseudonym(connection, wanted)
        found = {**known, **pending}
        ids, new = [], []
        for person in persons:
            person_id = _recognise(connection, person.log_pseudonyms, found, pending)
            if person_id is None:
                person_id = person.row["id"]
                new.append(person.row)
                found[person.log_pseudonyms[0]] = pending[person.log_pseudonyms[0]] = person_id
            ids.append(person_id)
        if new:
            insert(repository.PERSONS, new)
        return ids

    @staticmethod
    def lookup_keys(persons: Sequence[PreparedPerson]) -> frozenset[str]:
        """What `seal_prepared` looks up for these persons (with `repository.ids_by_log_pseudonym`)."""
        return frozenset(p for person in persons for p in person.log_pseudonyms)

    def record_issued_many(self, issued: Sequence[tuple[str, str, str]], now: datetime, insert: Insert) -> None:
        """`record_issued` for (person id, pseudonym, domain) triples, handed to `insert` as one batch. One issued
        before stays (it was issued to the same person and domain: it is derived from them)."""
        if issued:
            rows = [{"pseudonym": p, "person_id": i, "domain": d, "created_at": now} for i, p, d in issued]
            insert(repository.ISSUED, rows, ignore_conflict=("pseudonym",))

    def find(self, session: Session, given: OpgegevenIdentiteit) -> str | None:
        """The vault id of a person, if the vault knows them (and they were not forgotten)."""
        pseudonyms = self._log_pseudonyms_active_first(given.normalised())
        connection = session.connection()
        pending: dict[str, str] = session.info.setdefault(_PENDING, {})
        found = {**repository.ids_by_log_pseudonym(connection, set(pseudonyms)), **pending}
        return _recognise(connection, pseudonyms, found, pending)

    def _log_pseudonyms_active_first(self, identity: Identiteit) -> tuple[str, ...]:
        # The active key version first, then the others newest first: a person found under an older one is
        # re-keyed to the active version, so a pseudonym key rotation never splits one person in two.
        active = self.pseudonyms.pseudonymise(identity, LOG_DOMAIN)
        return (active, *(p for p in self.log_pseudonyms(identity) if p != active))

    def log_pseudonyms(self, identity: Identiteit) -> list[str]:
        """The person's log-domain pseudonym under every key version: what ledger entries about them commit to."""
        return [self.pseudonyms.pseudonymise(identity, LOG_DOMAIN, v) for v in self.pseudonyms.versions_newest_first]

    def log_pseudonym(self, session: Session, person_id: str) -> str:
        """The person's log-domain pseudonym: what ledger entries about them commit to."""
        person = repository.person(session, person_id)
        if person is None:
            raise refusals.PersonNotFound("no such person in the vault")
        if person.log_pseudonym is None:
            raise Erased("this person was forgotten; nothing new can be recorded about them")
        return person.log_pseudonym

    def open(self, session: Session, person_id: str) -> OpgegevenIdentiteit:
        """Unseal a person's identity. Only for a permitted recipient or an approved re-identification."""
        person = repository.person(session, person_id)
        if person is None:
            raise refusals.PersonNotFound("no such person in the vault")
        if person.wrapped_key is None or person.sealed_identity is None:
            raise Erased("this person was forgotten; their identity can no longer be opened")
        data_key = self._kek.unwrap(person.wrapped_key)
        sealed = person.sealed_identity
        plain = AESGCM(data_key).decrypt(sealed[:12], sealed[12:], person_id.encode("ascii"))
        return _decode(plain)

    def record_issued(self, session: Session, person_id: str, pseudonym: str, domain: str, now: datetime) -> None:
        """Note that `domain` received this pseudonym for the person (so it can be re-identified with four eyes)."""
        self.record_issued_many([(person_id, pseudonym, domain)], now, _insert_now(session))

    def seal_bytes(self, data: bytes, context: str) -> Sealed:
        """Seal content in transit (a melding, a recipient's view) under a fresh data key, bound to `context`."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(data_key).encrypt(nonce, data, context.encode("ascii"))
        return Sealed(self._kek.key_id, self._kek.wrap(data_key), sealed)

    def open_bytes(self, wrapped_key: bytes, sealed: bytes, context: str) -> bytes:
        data_key = self._kek.unwrap(wrapped_key)
        return AESGCM(data_key).decrypt(sealed[:12], sealed[12:], context.encode("ascii"))

    def pseudonym_for(self, session: Session, person_id: str, domain: str, now: datetime) -> str:
        """The person's pseudonym in a recipient's domain (stable there, unlinkable elsewhere), on record."""
        pseudonym = self.pseudonyms.pseudonymise(self.open(session, person_id).normalised(), domain)
        self.record_issued(session, person_id, pseudonym, domain, now)
        return pseudonym

    def translations(self, session: Session, domain: str, now: datetime) -> Iterator[tuple[str, str]]:
        """After a key rotation: (old, new) for every pseudonym issued to `domain` under an older key version.

        The new pseudonyms are recorded as issued; forgotten persons are skipped (nothing can be computed for them).
        """
        for issued in repository.issued_in_domain(session, domain):
            if parse_pseudonym(issued.pseudonym).version == self.pseudonyms.active_version:
                continue
            try:
                new = self.pseudonym_for(session, issued.person_id, domain, now)
            except Erased:
                continue
            yield issued.pseudonym, new

    def forget(self, session: Session, person_id: str, now: datetime) -> None:
        """Crypto-shredding: destroy the person's wrapped data key, sealed identity and log pseudonym."""
        person = repository.person(session, person_id)
        if person is None:
            raise refusals.PersonNotFound("no such person in the vault")
        pending: dict[str, str] = session.info.get(_PENDING, {})
        for pseudonym in [p for p, i in pending.items() if i == person_id]:
            del pending[pseudonym]  # recognised earlier in this transaction: no more
        person.wrapped_key, person.sealed_identity, person.log_pseudonym = None, None, None
        person.erased_at = now
        repository.add(session, person)


def _encode(given: OpgegevenIdentiteit) -> bytes:
    return orjson.dumps(given.plain())


def _decode(plain: bytes) -> OpgegevenIdentiteit:
    data = orjson.loads(plain)
    if "geboortedatum" in data:
        data["geboortedatum"] = date.fromisoformat(data["geboortedatum"])
    return OpgegevenIdentiteit(**data)


def _recognise(
    connection: Connection, pseudonyms: Sequence[str], found: dict[str, str], pending: dict[str, str]
) -> str | None:
    """The vault id under the first of `pseudonyms` (active version first) that `found` knows, re-keyed to the
    active version if it was found under an older one (and remembered so for the rest of the transaction)."""
    hit = next(((p, found[p]) for p in pseudonyms if p in found), None)
    if hit is None:
        return None
    pseudonym, person_id = hit
    if pseudonym != pseudonyms[0]:
        repository.rekey(connection, person_id, pseudonyms[0])
        found[pseudonyms[0]] = pending[pseudonyms[0]] = person_id
    return person_id


def _insert_now(session: Session) -> Insert:
    """An `Insert` that writes at once, in the session's transaction (outside a group commit)."""

    def insert(table: Table, rows: list[dict[str, Any]], *, ignore_conflict: tuple[str, ...] | None = None) -> None:
        statement = table.insert()
        if ignore_conflict:
            dialect = session.connection().dialect.name
            module = postgresql if dialect == "postgresql" else sqlite
            statement = module.insert(table).on_conflict_do_nothing(index_elements=list(ignore_conflict))
        session.connection().execute(statement, rows)

    return insert
