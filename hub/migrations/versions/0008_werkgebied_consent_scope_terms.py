"""Werkgebied per partner, consent with provenance and scope, the terms of a delivery, stopberichten.

A partner's werkgebied starts empty: until an operator sets it (`schakel partner werkgebied`), the partner
receives nothing that is bound to a werkgebied (fail closed). Consents recorded before this revision name no
recipients and no doel, so no decision relies on them any more: record them again with their scope.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:00:39.309784
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): the generation's triggers on partner and toestemming stay in place.
    with op.batch_alter_table('levering', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('soort', sa.String(length=16), nullable=False, server_default='melding'))
        batch_op.add_column(sa.Column('voorwaarden', sa.JSON(), nullable=True))

    with op.batch_alter_table('partner', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('werkgebied', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('toestemming', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('referentie', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('ontvangers', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('doel', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('geldig_van', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('geldig_tot', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('toestemming', schema=None) as batch_op:
        batch_op.drop_column('geldig_tot')
        batch_op.drop_column('geldig_van')
        batch_op.drop_column('doel')
        batch_op.drop_column('ontvangers')
        batch_op.drop_column('referentie')

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('werkgebied')

    with op.batch_alter_table('levering', schema=None) as batch_op:
        batch_op.drop_column('voorwaarden')
        batch_op.drop_column('soort')
