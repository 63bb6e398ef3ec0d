"""Operational logging: structlog, JSON in production, console in development.

Logs are not the ledger and never replace it. They must never carry personal data, tokens or keys, so the
pipeline fails closed: only fields on `SAFE_FIELDS` pass with their value; any other field is kept by name
with its value withheld, so a developer sees at once that a new field needs review. Every value that passes
is still scrubbed for things shaped like a BSN, a JWT or a PEM key.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from hub.config import LogFormat

WITHHELD = "[withheld]"

SAFE_FIELDS: frozenset[str] = frozenset(
    {
        # structlog's own
        "event",
        "level",
        "timestamp",
        "logger",
        # request correlation (W3C trace context)
        "trace_id",
        "span_id",
        # HTTP, by route template (never the raw path or query string)
        "method",
        "route",
        "status",
        "duration_ms",
        # who called, as registry ids (organisations and systems, not data subjects)
        "partner_id",
        "principal_id",
        "kid",
        "role",
        "actor",
        "action",
        "target_type",
        "target_id",
        # outcomes and reasons
        "reason",
        "error_type",
        "where",
        "count",
        "version",
        "revision",
        "database",
        "environment",
        "host",
        "port",
        "problems",
        "attempts",
        "units",
    }
)

# Keys that structlog's stdlib bridge uses internally and removes before rendering.
_STRUCTLOG_META = frozenset({"_record", "_from_structlog"})

# A BSN stands on its own (not inside a hex id); 8 digits too, since leading zeros are sometimes dropped.
_BSN_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{8,9}(?![0-9A-Za-z])")
_JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_PEM_LIKE = re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.DOTALL)
_BEARER = re.compile(r"(?i)bearer\s+\S+")


def scrub(text: str) -> str:
    """Replace anything in `text` that looks like a BSN, a token or a key."""
    text = _PEM_LIKE.sub("[key]", text)
    text = _JWT_LIKE.sub("[token]", text)
    text = _BEARER.sub("Bearer [token]", text)
    return _BSN_LIKE.sub("[number]", text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return scrub(str(value))


def redact_personal_data(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: keep safe fields (scrubbed), withhold the value of every other field."""
    for key in list(event_dict):
        if key in _STRUCTLOG_META:
            continue
        if key in SAFE_FIELDS:
            event_dict[key] = _scrub_value(event_dict[key])
        else:
            event_dict[key] = WITHHELD
    return event_dict


def _drop_exception_text(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # Exception messages can echo SQL parameters or request bodies. Keep the type, drop the text.
    exc_info = event_dict.pop("exc_info", None)
    event_dict.pop("exception", None)
    if exc_info:
        exc = exc_info[1] if isinstance(exc_info, tuple) else sys.exc_info()[1]
        if exc is not None:
            event_dict["error_type"] = type(exc).__name__
    return event_dict


def _processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_exception_text,
        redact_personal_data,
    ]


def configure_logging(log_format: LogFormat, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (uvicorn, sqlalchemy, alembic) through one safe pipeline."""
    renderer: Processor
    if log_format is LogFormat.JSON:
        renderer = structlog.processors.JSONRenderer(sort_keys=True)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)

    shared = _processors()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared, processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "alembic", "sqlalchemy", "httpx"):
        third_party = logging.getLogger(name)
        third_party.handlers[:] = []
        third_party.propagate = True
    # uvicorn's access log prints raw paths and query strings; the hub logs requests itself, by route.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
