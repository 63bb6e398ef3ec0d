"""Verstrekkingenlog: entries indexed for reviewers, stored tree nodes, and the betrokkene side table.

Tree nodes make roots and proofs O(log n); they are append-only like the entries, and the nodes of entries
written before this revision are computed here. The side table holds the openings of betrokkene commitments,
which erasure deletes. On PostgreSQL, UPDATE, DELETE and TRUNCATE of the append-only tables are also revoked
from PUBLIC (run the hub as a role that does not own them, and the grants hold as well as the triggers).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 01:01:14.217882
"""

from __future__ import annotations

from collections.abc import Sequence

import hashlib

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_betrokkene',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('log_pseudonym', sa.String(length=128), nullable=False),
    sa.Column('salt', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_betrokkene'))
    )
    with op.batch_alter_table('ledger_betrokkene', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_betrokkene_log_pseudonym'), ['log_pseudonym'], unique=False)

    op.create_table('ledger_node',
    sa.Column('node', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('node', name=op.f('pk_ledger_node'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('soort', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('verstrekker', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('ontvanger', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('doel', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('besluit', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('categorieen', sa.String(length=400), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entry_ontvanger'), ['ontvanger'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_verstrekker'), ['verstrekker'], unique=False)

    _backfill_nodes()
    _make_append_only("ledger_node")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entry, ledger_node, ledger_checkpoint FROM PUBLIC")


def downgrade() -> None:
    _drop_append_only("ledger_node")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_verstrekker'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_ontvanger'))
        batch_op.drop_column('categorieen')
        batch_op.drop_column('besluit')
        batch_op.drop_column('doel')
        batch_op.drop_column('ontvanger')
        batch_op.drop_column('verstrekker')
        batch_op.drop_column('soort')

    op.drop_table('ledger_node')
    with op.batch_alter_table('ledger_betrokkene', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_betrokkene_log_pseudonym'))

    op.drop_table('ledger_betrokkene')


def _backfill_nodes() -> None:
    """Every perfect subtree over the entries already stored, leaves included (RFC 9162 interior hash
    0x01 || left || right), keyed level * 2**40 + index."""
    bind = op.get_bind()
    level = [bytes(row[0]) for row in bind.execute(sa.text("SELECT leaf_hash FROM ledger_entry ORDER BY seq"))]
    height = 0
    while level:
        bind.execute(
            sa.text("INSERT INTO ledger_node (node, hash) VALUES (:node, :hash)"),
            [{"node": (height << 40) | i, "hash": h} for i, h in enumerate(level)],
        )
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        height += 1


def _make_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
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
