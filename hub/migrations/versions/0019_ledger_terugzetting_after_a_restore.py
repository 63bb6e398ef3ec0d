"""The log put back behind a checkpoint that was known elsewhere (a restore from an older backup): while a row is
here, the hub signs no checkpoint over the log.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:09:55.666895
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_terugzetting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vastgesteld_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('grootte', sa.BigInteger(), nullable=False),
    sa.Column('bekend', sa.BigInteger(), nullable=False),
    sa.Column('bron', sa.String(length=200), nullable=False),
    sa.Column('reden', sa.String(length=400), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_terugzetting'))
    )


def downgrade() -> None:
    op.drop_table('ledger_terugzetting')
