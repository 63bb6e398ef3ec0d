"""The format each convenant version was approved in, so that it is read under that format forever.

Versions stored before this revision are told by their content: format 1 (until schema 0007) named no werkgebied
per deelnemer and said yes or no for a beroepsgeheim; every later one is format 2. The column never changes after
this (a trigger refuses), as the version's content does not.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _formaat(source: dict[str, Any]) -> int:
    # A copy of hub.policy.convenant.formaat.formaat_van as it stands at this revision: a migration keeps its
    # meaning when the code moves on.
    deelnemers = source.get('convenant', {}).get('deelnemers', [])
    soorten = source.get('vocabulaires', {}).get('soorten', [])
    if any(isinstance(d, dict) and 'werkgebied' not in d for d in deelnemers) or any(
        isinstance(s, dict) and isinstance(s.get('beroepsgeheim'), bool) for s in soorten
    ):
        return 1
    return 2


def upgrade() -> None:
    with op.batch_alter_table('policy_version', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('formaat', sa.Integer(), nullable=False, server_default='2'))
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, source FROM policy_version')).all()
    for version_id, source in rows:
        data = json.loads(source) if isinstance(source, str) else source
        if _formaat(data) != 2:
            bind.execute(
                sa.text('UPDATE policy_version SET formaat = :f WHERE id = :i'), {'f': _formaat(data), 'i': version_id}
            )
    if bind.dialect.name == 'sqlite':
        op.execute(
            'CREATE TRIGGER policy_version_formaat_immutable BEFORE UPDATE OF formaat ON policy_version '
            "BEGIN SELECT RAISE(ABORT, 'policy_version content is immutable'); END"
        )
    else:
        op.execute(
            'CREATE OR REPLACE FUNCTION policy_version_formaat_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
            "IF NEW.formaat IS DISTINCT FROM OLD.formaat THEN RAISE EXCEPTION 'policy_version content is immutable'; "
            'END IF; RETURN NEW; END $$'
        )
        op.execute(
            'CREATE TRIGGER policy_version_formaat_guard BEFORE UPDATE ON policy_version '
            'FOR EACH ROW EXECUTE FUNCTION policy_version_formaat_guard()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS policy_version_formaat_immutable')
    else:
        op.execute('DROP TRIGGER IF EXISTS policy_version_formaat_guard ON policy_version')
        op.execute('DROP FUNCTION IF EXISTS policy_version_formaat_guard()')
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_column('formaat')
