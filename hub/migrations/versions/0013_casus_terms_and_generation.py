"""Casus terms (Top X status, huisverbod monitoring); changes to a casus or its table bump the generation.

Since rules may be bound to a casus, a casus's stage, its participants and its terms decide disclosures: a melding
decided on a casus that changes before it commits is decided again, as for a consent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:32:35.551135
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported: a migration must keep meaning what it meant when it was written.
TRACKED = ('casus', 'casus_deelnemer')
BUMP = 'UPDATE generatie SET waarde = waarde + 1 WHERE id = 1'


def upgrade() -> None:
    with op.batch_alter_table('casus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('top_x_tot', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('monitoring_tot', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        for table in TRACKED:  # generatie_bump() is migration 0007's
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
    else:
        for table in TRACKED:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_generatie_{event}')
    with op.batch_alter_table('casus', schema=None) as batch_op:
        batch_op.drop_column('monitoring_tot')
        batch_op.drop_column('top_x_tot')
