"""The day the betrokkene signed a consent's statement: a consent never applies before it (issue 23, finding 6).
Consents recorded before have none (null).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:29:44.354231
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the generation's triggers on toestemming stay in place, as in 0008.
    with op.batch_alter_table('toestemming', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('verklaard_op', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('toestemming', schema=None) as batch_op:
        batch_op.drop_column('verklaard_op')
