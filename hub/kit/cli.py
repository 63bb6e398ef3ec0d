"""What every `schakel` subcommand shares: the database, the actor for the audit trail, output."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from hub.config import get_settings
from hub.db import Database


@contextmanager
def open_database(*, prepare: bool = True) -> Iterator[Database]:
    """The configured database; with `prepare`, schema checked (SQLite upgraded in place, PostgreSQL at head)."""
    database = Database(get_settings().effective_database_url)
    try:
        if prepare:
            database.prepare()
        yield database
    finally:
        database.dispose()


def cli_actor() -> str:
    """Who the audit trail names for a change made on the command line."""
    return f"cli:{getpass.getuser()}"


def emit(model: BaseModel) -> None:
    print(model.model_dump_json(by_alias=True, indent=2))
