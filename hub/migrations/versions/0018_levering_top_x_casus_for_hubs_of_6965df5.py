"""`levering.top_x_casus` for the hubs that ran 0015 before it had that column.

Commit 6965df5 added migration 0015; a later commit (feca6a5) gave 0015 the column `levering.top_x_casus` and its
index. A hub that upgraded to 0015 in between is at revision 0015 without them, and every delivery then failed
(found by tests/upgrade, which upgrades a database made by 6965df5). This adds them where they are missing and does
nothing elsewhere. A migration that has run anywhere is never changed again: a change is a new migration, like this.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    columns = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('levering')}
    if 'top_x_casus' in columns:
        return
    # Plain ADD COLUMN (no table copy), as in 0015 today.
    with op.batch_alter_table('levering', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('top_x_casus', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True)
        )
        batch_op.create_index(batch_op.f('ix_levering_top_x_casus'), ['top_x_casus'], unique=False)


def downgrade() -> None:
    pass  # the column belongs to 0015 now; its downgrade removes it
