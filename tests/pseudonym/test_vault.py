"""The identity vault on both databases: sealed identities, per-domain pseudonyms on record, crypto-shredding,
and no BSN or name in the clear anywhere in the database or the logs."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.engine import make_url

from hub.db import Database
from hub.pseudonym.secrets import PrivacySecrets
from hub.pseudonym.vault import Erased, OpgegevenIdentiteit, Vault
from tests.pseudonym.test_identity_and_scheme import _with_check_digit

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SURNAMES = ["Verzonnen", "Bedacht", "Denkbeeld", "Voorbeeld", "Fictief", "Verzinsel", "Gefingeerd", "Proefpersoon"]


@pytest.fixture
def vault(keys_dir: Path) -> Vault:
    secrets = PrivacySecrets(keys_dir)
    return Vault(secrets.pseudonyms(), secrets.kek())


def planted(count: int) -> list[OpgegevenIdentiteit]:
    """Invented people with valid-looking BSNs and recognisable invented names."""
    people: list[OpgegevenIdentiteit] = []
    head = 31_415_926
    while len(people) < count:
        head += 7
        bsn = _with_check_digit(head)
        if bsn is None:
            continue
        n = len(people)
        people.append(
            OpgegevenIdentiteit(
                bsn=bsn,
                voornamen=f"Plantje{n:03d}",
                achternaam=f"{SURNAMES[n % len(SURNAMES)]}-Zaadje{n:03d}",
                geboortedatum=date(1950 + n % 60, 1 + n % 12, 1 + n % 28),
            )
        )
    return people


def everything_stored(database: Database) -> bytes:
    """Every byte the database holds: the SQLite files (WAL included), or every PostgreSQL row as text."""
    if database.backend == "sqlite":
        path = Path(make_url(database.url).database or "")
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks: list[bytes] = []
    with database.engine.connect() as connection:
        for table in sa.inspect(database.engine).get_table_names():
            rows = connection.execute(sa.text(f'SELECT row_to_json(t)::text FROM "{table}" t')).scalars()  # noqa: S608 - names from the schema
            chunks.extend(row.encode() for row in rows)
    return b"\n".join(chunks)


class TestVault:
    def test_seal_find_open(self, database: Database, vault: Vault) -> None:
        teun = OpgegevenIdentiteit(
            voornamen="Teun", tussenvoegsel="van", achternaam="Verzonnen", geboortedatum=date(1987, 4, 12)
        )
        with database.unit_of_work() as session:
            person = vault.seal(session, teun, NOW)
            same = OpgegevenIdentiteit(voornamen="TEUN", achternaam="van Verzonnen", geboortedatum=date(1987, 4, 12))
            assert vault.seal(session, same, NOW) == person
            assert vault.find(session, same) == person
            assert vault.open(session, person) == teun  # the spelling the source gave

    def test_a_recipient_gets_its_own_stable_pseudonym_on_record(self, database: Database, vault: Vault) -> None:
        with database.unit_of_work() as session:
            person = vault.seal(session, OpgegevenIdentiteit(bsn="762621606"), NOW)
            via = vault.pseudonym_for(session, person, "via-zuid-limburg", NOW)
            assert via == vault.pseudonym_for(session, person, "via-zuid-limburg", NOW)
            assert via != vault.pseudonym_for(session, person, "veilig-thuis-zuid-limburg", NOW)
            issued = session.execute(sa.text("SELECT count(*) FROM issued_pseudonym")).scalar()
        assert issued == 2

    def test_forgetting_destroys_the_key_and_the_person_can_no_longer_be_opened(
        self, database: Database, vault: Vault
    ) -> None:
        bram = OpgegevenIdentiteit(bsn="402015447")
        with database.unit_of_work() as session:
            person = vault.seal(session, bram, NOW)
            vault.forget(session, person, NOW)
        with database.unit_of_work() as session:
            with pytest.raises(Erased):
                vault.open(session, person)
            assert vault.find(session, bram) is None
            row = session.execute(
                sa.text(
                    "SELECT wrapped_key, sealed_identity, log_pseudonym, erased_at FROM vault_person WHERE id = :id"
                ),
                {"id": person},
            ).one()
            assert row[:3] == (None, None, None)
            assert row[3] is not None
            assert vault.seal(session, bram, NOW) != person, "a forgotten person comes back as a new one"

    def test_a_person_forgotten_within_a_transaction_is_not_recognised_in_it(
        self, database: Database, vault: Vault
    ) -> None:
        bram = OpgegevenIdentiteit(bsn="402015447")
        with database.unit_of_work() as session:
            person = vault.seal(session, bram, NOW)
            assert vault.find(session, bram) == person
            vault.forget(session, person, NOW)
            assert vault.find(session, bram) is None
            assert vault.seal(session, bram, NOW) != person, "a forgotten person comes back as a new one"

    def test_a_sealed_identity_is_bound_to_its_person(self, database: Database, vault: Vault) -> None:
        with database.unit_of_work() as session:
            a = vault.seal(session, OpgegevenIdentiteit(bsn="762621606"), NOW)
            b = vault.seal(session, OpgegevenIdentiteit(bsn="118784481"), NOW)
            sealed_b = session.execute(
                sa.text("SELECT sealed_identity FROM vault_person WHERE id = :id"), {"id": b}
            ).scalar()
            key_b = session.execute(sa.text("SELECT wrapped_key FROM vault_person WHERE id = :id"), {"id": b}).scalar()
            session.execute(
                sa.text("UPDATE vault_person SET sealed_identity = :s, wrapped_key = :k WHERE id = :id"),
                {"s": sealed_b, "k": key_b, "id": a},
            )
            with pytest.raises(InvalidTag):  # the sealed identity names its person id as associated data
                vault.open(session, a)


class TestNoPlainIdentifiers:
    def test_planted_bsns_and_names_are_nowhere_in_the_database_or_the_logs(
        self, database: Database, vault: Vault, captured_logs: io.StringIO
    ) -> None:
        people = planted(60)
        with database.unit_of_work() as session:
            for person in people:
                person_id = vault.seal(session, person, NOW)
                for domain in ("via-zuid-limburg", "veilig-thuis-zuid-limburg"):
                    vault.pseudonym_for(session, person_id, domain, NOW)
        stored = everything_stored(database)
        logs = captured_logs.getvalue().encode()
        assert len(stored) > 10_000, "the search must have read the stored data"
        for person in people:
            for needle in (person.bsn, person.voornamen, person.achternaam, "Zaadje"):
                assert needle is not None
                assert needle.encode() not in stored, f"{needle} found in the database"
                assert needle.encode() not in logs, f"{needle} found in the logs"
        assert json.dumps("Plantje000").encode() not in stored
