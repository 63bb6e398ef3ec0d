"""Alembic environment: runs on the connection `hub.db.Database` hands over, or on SCHAKEL_DATABASE_URL."""

from __future__ import annotations

from typing import Any, Literal

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
        compare_server_default=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_db_engine(get_settings().effective_database_url)
    with engine.begin() as own_connection:
        _run(own_connection)
    engine.dispose()
