"""Alembic environment: runs on the connection `hub.db.Database` hands over, or on SCHAKEL_DATABASE_URL."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel.sql.sqltypes import AutoString

from hub.config import get_settings
from hub.db import create_db_engine
from hub.kit.tables import UTCDateTime
from hub.models import metadata

config = context.config


def _render_item(kind: str, item: Any, _: AutogenContext) -> str | Literal[False]:
    # Migrations must not depend on application types: render them as the plain SQLAlchemy types they store.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        compare_type=True,
        compare_server_default=_compare_server_default,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _compare_server_default(
    _context: object,
    _inspected_column: sa.Column[Any],
    metadata_column: sa.Column[Any],
    inspected_default: str | None,
    _metadata_default: object,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic's own comparison, except for JSON columns: PostgreSQL's `json` has no equality operator, so a
    JSON default is compared as text here (the value a new row gets, e.g. `[]`)."""
    if isinstance(metadata_column.type, sa.JSON):
        wanted = (rendered_metadata_default or "").strip("'")
        found = (inspected_default or "").split("::")[0].strip("'")
        return wanted != found
    return None


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_db_engine(get_settings().effective_database_url)
    with engine.begin() as own_connection:
        _run(own_connection)
    engine.dispose()
