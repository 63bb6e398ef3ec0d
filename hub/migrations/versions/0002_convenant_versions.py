"""Convenant versions and emergency prohibitions.

A version's content and authorship never change and rows are never deleted; approval (and confirmation or
lifting of an emergency prohibition) happens once. Triggers enforce this in the database itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 11:27:12.032236
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('emergency_prohibition',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('categorieen', sa.JSON(), nullable=False),
    sa.Column('ontvangers', sa.JSON(), nullable=False),
    sa.Column('reden', sa.String(length=500), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=64), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_prohibition'))
    )
    op.create_table('policy_version',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('convenant', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=80), nullable=False),
    sa.Column('source', sa.JSON(), nullable=False),
    sa.Column('toelichting', sa.String(length=2000), nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active_from', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_policy_version_content_hash'))
    )
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_version_active_from'), ['active_from'], unique=False)

    _guard(
        "policy_version",
        immutable=["convenant", "label", "content_hash", "source", "toelichting", "proposed_by", "proposed_at"],
        once=["approved_by", "approved_at"],
    )
    _guard(
        "emergency_prohibition",
        immutable=["categorieen", "ontvangers", "reden", "issued_by", "issued_at"],
        once=["confirmed_by", "confirmed_at", "lifted_by", "lifted_at"],
    )


def downgrade() -> None:
    _drop_guard("emergency_prohibition")
    _drop_guard("policy_version")
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_version_active_from'))

    op.drop_table('policy_version')
    op.drop_table('emergency_prohibition')


def _guard(table: str, *, immutable: list[str], once: list[str]) -> None:
    """Refuse DELETE, any change of `immutable` columns, and a second change of `once` columns."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OF {', '.join(immutable)} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} content is immutable'); END"
        )
        for column in once:
            op.execute(
                f"CREATE TRIGGER {table}_{column}_once BEFORE UPDATE OF {column} ON {table} "
                f"WHEN OLD.{column} IS NOT NULL "
                f"BEGIN SELECT RAISE(ABORT, '{table}.{column} is set once'); END"
            )
        return
    changed = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in immutable)
    reset = " OR ".join(f"(OLD.{c} IS NOT NULL AND NEW.{c}::text IS DISTINCT FROM OLD.{c}::text)" for c in once)
    op.execute(
        f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{table} rows are never deleted'; END IF; "
        f"IF {changed} THEN RAISE EXCEPTION '{table} content is immutable'; END IF; "
        f"IF {reset} THEN RAISE EXCEPTION '{table}: a set-once column changed'; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION schakel_refuse_change()"
    )


def _drop_guard(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("no_delete", "immutable", "approved_by_once", "approved_at_once", "confirmed_by_once",
                     "confirmed_at_once", "lifted_by_once", "lifted_at_once"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")
