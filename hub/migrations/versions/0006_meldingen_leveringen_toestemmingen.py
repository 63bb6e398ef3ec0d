"""Meldingen, their deliveries (the outbox: sealed views in transit, leases for several workers), and the consent register.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 01:52:49.450985
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('melding',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('verstrekker', sa.String(length=64), nullable=False),
    sa.Column('berichttype', sa.String(length=64), nullable=False),
    sa.Column('berichttype_versie', sa.Integer(), nullable=False),
    sa.Column('spoed', sa.Boolean(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_digest', sa.String(length=80), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.JSON(), nullable=False),
    sa.Column('ontvangen_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kek_id', sa.String(length=32), nullable=True),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_melding')),
    sa.UniqueConstraint('verstrekker', 'idempotency_key', name=op.f('uq_melding_verstrekker_idempotency_key'))
    )
    with op.batch_alter_table('melding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_melding_verstrekker'), ['verstrekker'], unique=False)

    op.create_table('toestemming',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_pseudonym', sa.String(length=128), nullable=False),
    sa.Column('item', sa.String(length=130), nullable=False),
    sa.Column('vastgelegd_door', sa.String(length=64), nullable=False),
    sa.Column('principal_id', sa.String(length=64), nullable=False),
    sa.Column('vastgelegd_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ingetrokken_op', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toestemming'))
    )
    with op.batch_alter_table('toestemming', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_toestemming_log_pseudonym'), ['log_pseudonym'], unique=False)

    op.create_table('levering',
    sa.Column('nr', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('melding_id', sa.String(length=32), nullable=False),
    sa.Column('ontvanger', sa.String(length=64), nullable=False),
    sa.Column('doel', sa.String(length=64), nullable=False),
    sa.Column('besluit', sa.String(length=10), nullable=False),
    sa.Column('prioriteit', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pogingen', sa.Integer(), nullable=False),
    sa.Column('volgende_poging', sa.DateTime(timezone=True), nullable=False),
    sa.Column('geclaimd_tot', sa.DateTime(timezone=True), nullable=True),
    sa.Column('laatste_fout', sa.String(length=64), nullable=True),
    sa.Column('toestemmingen', sa.JSON(), nullable=False),
    sa.Column('inhoud_digest', sa.String(length=80), nullable=False),
    sa.Column('kek_id', sa.String(length=32), nullable=True),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('aangemaakt_op', sa.DateTime(timezone=True), nullable=False),
    sa.Column('afgeleverd_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bevestigd_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dood_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('herstart_op', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verwijderd_op', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['melding_id'], ['melding.id'], name=op.f('fk_levering_melding_id_melding')),
    sa.PrimaryKeyConstraint('nr', name=op.f('pk_levering')),
    sa.UniqueConstraint('id', name=op.f('uq_levering_id'))
    )
    with op.batch_alter_table('levering', schema=None) as batch_op:
        batch_op.create_index('ix_levering_due', ['status', 'volgende_poging'], unique=False)
        batch_op.create_index(batch_op.f('ix_levering_melding_id'), ['melding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_levering_ontvanger'), ['ontvanger'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('levering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_levering_ontvanger'))
        batch_op.drop_index(batch_op.f('ix_levering_melding_id'))
        batch_op.drop_index('ix_levering_due')

    op.drop_table('levering')
    with op.batch_alter_table('toestemming', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_toestemming_log_pseudonym'))

    op.drop_table('toestemming')
    with op.batch_alter_table('melding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_melding_verstrekker'))

    op.drop_table('melding')
