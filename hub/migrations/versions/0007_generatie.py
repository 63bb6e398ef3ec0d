"""The generation of what decides (registry, convenant, consents), bumped by triggers on every change to it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:17:59.615792
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported: a migration must keep meaning what it meant when it was written.
TRACKED = ('partner', 'principal', 'principal_key', 'policy_version', 'emergency_prohibition', 'toestemming')
BUMP = 'UPDATE generatie SET waarde = waarde + 1 WHERE id = 1'


def upgrade() -> None:
    op.create_table('generatie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('waarde', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generatie'))
    )
    op.execute('INSERT INTO generatie (id, waarde) VALUES (1, 0)')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION generatie_bump() RETURNS trigger LANGUAGE plpgsql AS '
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TRACKED:
            op.execute(
                f'CREATE TRIGGER {table}_generatie AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} '
                'FOR EACH STATEMENT EXECUTE FUNCTION generatie_bump()'
            )
    else:
        for table in TRACKED:
            for event in ('INSERT', 'UPDATE', 'DELETE'):
                op.execute(
                    f'CREATE TRIGGER {table}_generatie_{event.lower()} AFTER {event} ON {table} '
                    f'BEGIN {BUMP}; END'
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in TRACKED:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_generatie ON {table}')
        op.execute('DROP FUNCTION IF EXISTS generatie_bump()')
    else:
        for table in TRACKED:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_generatie_{event}')
    op.drop_table('generatie')
