"""Verstrekkingenlog: entries indexed by berichttype too, so reviewers filter on it as on verstrekker and ontvanger.

The column repeats the entry's own `berichttype` (it is not hashed: the entry bytes are what counts). Existing
entries get it from their bytes; for that one statement the append-only trigger is lifted and put back, in the
same transaction.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:35:18.503974
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('berichttype', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entry_berichttype'), ['berichttype'], unique=False)
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
        op.execute(
            "UPDATE ledger_entry SET berichttype = json_extract(CAST(entry AS TEXT), '$.berichttype') "
            "WHERE soort = 'verstrekking'"
        )
        op.execute(
            "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry "
            "BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END"
        )
        return
    op.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
    op.execute(
        "UPDATE ledger_entry SET berichttype = convert_from(entry, 'UTF8')::json ->> 'berichttype' "
        "WHERE soort = 'verstrekking'"
    )
    op.execute("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only")


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_berichttype'))
        batch_op.drop_column('berichttype')
