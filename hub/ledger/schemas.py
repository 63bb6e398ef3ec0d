"""Response models of the verstrekkingenlog's reading API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hub.kit.api import ApiModel
from hub.kit.paging import Pagina


class EntryOut(ApiModel):
    positie: int = Field(description="The entry's place in the log: its leaf index in the Merkle tree.")
    entry: dict[str, Any] = Field(description="The entry's fields, decoded for reading.")
    bytes: str = Field(description="Base64 of the exact bytes that were hashed: verify with these, not with `entry`.")


class EntryPage(Pagina[EntryOut, int]):
    """Entries in log order; the cursor is a position."""


class CheckpointOut(ApiModel):
    grootte: int = Field(description="The number of entries the checkpoint covers.")
    root: str = Field(description="Base64 of the Merkle root over those entries.")
    note: str = Field(
        description="The C2SP signed note, verifiable with the hub's Ed25519 key, with the witnesses' cosignatures."
    )
    getuigen: list[str] = Field(default_factory=list, description="The witnesses that cosigned it, by name.")
    getekend_op: datetime


class LogOut(ApiModel):
    origin: str = Field(description="The log's name, as it stands in every checkpoint.")
    grootte: int = Field(description="The number of entries now.")
    checkpoint: CheckpointOut | None = Field(description="The newest signed checkpoint.")


class InclusionOut(ApiModel):
    positie: int
    grootte: int = Field(description="The size of the tree (a signed checkpoint's) the proof is for.")
    hashes: list[str] = Field(description="The audit path of RFC 9162 2.1.3, base64, leaf side first.")


class EntryProofOut(EntryOut):
    bewijs: InclusionOut | None = Field(description="Inclusion in the newest checkpoint; null until one covers it.")
    checkpoint: CheckpointOut | None


class ConsistencyOut(ApiModel):
    van: int
    tot: int
    hashes: list[str] = Field(description="The consistency proof of RFC 9162 2.1.4, base64.")
