"""The generation: one number that changes with every change to what the hub decides with.

Database triggers (migration 0007) bump it in the same transaction as any insert, update or delete of a partner,
principal, key, convenant version, emergency prohibition or consent, whichever code path or process made it. So
a process may keep these in memory, tagged with the generation it read them at, and a write that relied on them
checks in its own transaction that the generation is unchanged: if it is, nothing it relied on changed before the
commit; if not, the work is redone on fresh state. A revocation or an emergency prohibition applies to every
melding committed after it, with no cache lifetime to wait for.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlmodel import Field, Session, SQLModel


class Generatie(SQLModel, table=True):
    """One row (id 1): the generation of what decides: the registry, the convenant, the consents."""

    __tablename__ = "generatie"

    id: int = Field(primary_key=True)
    waarde: int = Field(default=0)


TRACKED = (
    "partner",
    "principal",
    "principal_key",
    "policy_version",
    "emergency_prohibition",
    "toestemming",
    "casus",
    "casus_deelnemer",
)
"""The tables whose every change bumps the generation (migrations 0007 and 0013). Consents too: a melding decided
on a consent that is withdrawn before it commits is decided again, so a withdrawal never misses a delivery that
relied on it; and a casus and its table, on which rules bound to a casus rely."""


class Stale(Exception):
    """What a unit relied on changed before it could commit: redo it on fresh state."""


def read(connection: Connection) -> int:
    """The generation as this transaction sees it."""
    return int(connection.exec_driver_sql("SELECT waarde FROM generatie WHERE id = 1").scalar_one())


def hold(session: Session) -> int:
    """The generation, held where it is until this transaction ends; read once per transaction.

    SQLite: a writer holds the database's write lock, so no change can commit before this transaction does.
    PostgreSQL: `FOR SHARE` makes a concurrent change (the trigger's update of this row) wait for this commit.

    Lock order: a group commit holds this row first and then takes the ledger's head; a change to what decides
    takes this row (by its trigger) before it appends to the ledger, if it does (a consent withdrawal). Keep it so:
    the other order could deadlock on PostgreSQL.
    """
    found = session.info.get(_INFO_KEY)
    if found is None:
        connection = session.connection()
        lock = " FOR SHARE" if connection.dialect.name == "postgresql" else ""
        found = session.info[_INFO_KEY] = int(
            connection.exec_driver_sql(f"SELECT waarde FROM generatie WHERE id = 1{lock}").scalar_one()  # noqa: S608 - fixed text
        )
    return int(found)


def check(session: Session, expected: int) -> None:
    """Raise `Stale` unless the generation is still `expected`, holding it there until this transaction ends."""
    if hold(session) != expected:
        raise Stale


_INFO_KEY = "schakel.generatie"
