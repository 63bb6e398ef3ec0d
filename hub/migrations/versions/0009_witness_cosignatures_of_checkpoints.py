"""Witness cosignatures of checkpoints (C2SP tlog-cosignature), kept beside the hub's own immutable notes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 07:47:50.013221
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_cosignature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('getuige', sa.String(length=200), nullable=False),
    sa.Column('regel', sa.String(length=400), nullable=False),
    sa.Column('tijdstip', sa.BigInteger(), nullable=False),
    sa.Column('ontvangen_op', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['ledger_checkpoint.id'], name=op.f('fk_ledger_cosignature_checkpoint_id_ledger_checkpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_cosignature')),
    sa.UniqueConstraint('checkpoint_id', 'getuige', name=op.f('uq_ledger_cosignature_checkpoint_id_getuige'))
    )
    with op.batch_alter_table('ledger_cosignature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_cosignature_checkpoint_id'), ['checkpoint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_cosignature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_cosignature_checkpoint_id'))

    op.drop_table('ledger_cosignature')
