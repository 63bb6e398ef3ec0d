"""The identity vault, the pseudonyms issued to recipients, and four-eyes privacy requests.

The vault holds identities only sealed (AES-256-GCM under per-person keys wrapped by the key-encryption key);
no column holds a BSN or a name in the clear.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:57:08.494882
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('privacy_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('soort', sa.String(length=20), nullable=False),
    sa.Column('pseudonym', sa.String(length=128), nullable=True),
    sa.Column('person_id', sa.String(length=32), nullable=True),
    sa.Column('doel', sa.String(length=64), nullable=True),
    sa.Column('motivering', sa.String(length=1000), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_request'))
    )
    op.create_table('vault_person',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('log_pseudonym', sa.String(length=128), nullable=True),
    sa.Column('kek_id', sa.String(length=32), nullable=True),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_identity', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vault_person')),
    sa.UniqueConstraint('log_pseudonym', name=op.f('uq_vault_person_log_pseudonym'))
    )
    op.create_table('issued_pseudonym',
    sa.Column('pseudonym', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('domain', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['vault_person.id'], name=op.f('fk_issued_pseudonym_person_id_vault_person')),
    sa.PrimaryKeyConstraint('pseudonym', name=op.f('pk_issued_pseudonym'))
    )
    with op.batch_alter_table('issued_pseudonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_pseudonym_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('issued_pseudonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_pseudonym_person_id'))

    op.drop_table('issued_pseudonym')
    op.drop_table('vault_person')
    op.drop_table('privacy_request')
