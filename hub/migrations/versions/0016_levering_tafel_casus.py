"""The casus at whose table a delivery's recipient had to sit: when the recipient leaves the table, the deliveries
that relied on its seat are withdrawn (withheld if not made yet; a stopbericht where they were).

Deliveries made before this revision name no casus: their disclosure is on the ledger as it was, and leaving a table
withdraws only what is stored from now on.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy), as in 0008 and 0015.
    with op.batch_alter_table('levering', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('tafel_casus', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True)
        )
        batch_op.create_index(batch_op.f('ix_levering_tafel_casus'), ['tafel_casus'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('levering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_levering_tafel_casus'))
        batch_op.drop_column('tafel_casus')
