"""Foundation: partner registry, principals and their keys, the admin audit trail and the replay store.

The admin audit trail is append-only in the database itself: UPDATE and DELETE raise.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 10:58:45.846260
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=128), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit_event'))
    )
    with op.batch_alter_table('admin_audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_audit_event_target_id'), ['target_id'], unique=False)

    op.create_table('partner',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('soort', sa.String(length=40), nullable=False),
    sa.Column('oin', sa.String(length=20), nullable=False),
    sa.Column('delivery_mode', sa.String(length=16), nullable=False),
    sa.Column('webhook_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('oin', name=op.f('uq_partner_oin'))
    )
    op.create_table('used_token',
    sa.Column('issuer', sa.String(length=64), nullable=False),
    sa.Column('jti', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('issuer', 'jti', name=op.f('pk_used_token'))
    )
    with op.batch_alter_table('used_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_token_expires_at'), ['expires_at'], unique=False)

    op.create_table('principal',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=False),
    sa.Column('soort', sa.String(length=16), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_principal_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_principal'))
    )
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_principal_partner_id'), ['partner_id'], unique=False)

    op.create_table('principal_key',
    sa.Column('kid', sa.String(length=128), nullable=False),
    sa.Column('principal_id', sa.String(length=64), nullable=False),
    sa.Column('thumbprint', sa.String(length=64), nullable=False),
    sa.Column('algorithm', sa.String(length=16), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['principal_id'], ['principal.id'], name=op.f('fk_principal_key_principal_id_principal')),
    sa.PrimaryKeyConstraint('kid', name=op.f('pk_principal_key')),
    sa.UniqueConstraint('thumbprint', name=op.f('uq_principal_key_thumbprint'))
    )
    with op.batch_alter_table('principal_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_principal_key_principal_id'), ['principal_id'], unique=False)

    _make_append_only("admin_audit_event")


def downgrade() -> None:
    _drop_append_only("admin_audit_event")
    with op.batch_alter_table('principal_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_principal_key_principal_id'))

    op.drop_table('principal_key')
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_principal_partner_id'))

    op.drop_table('principal')
    with op.batch_alter_table('used_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_token_expires_at'))

    op.drop_table('used_token')
    op.drop_table('partner')
    with op.batch_alter_table('admin_audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_audit_event_target_id'))
        batch_op.drop_index(batch_op.f('ix_admin_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_admin_audit_event_action'))

    op.drop_table('admin_audit_event')


def _make_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION schakel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION schakel_refuse_change()"
    )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
