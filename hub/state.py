"""What the app factory builds, as one typed object: handlers reach it through `StateDep`, never `app.state`.

`create_app` makes the parts that need no database; the lifespan adds the database, the sequencer and the
authenticator when the hub starts (reading one before then is a bug, and says so), and the background workers of
`schakel serve`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

from fastapi import Depends, FastAPI, Request

if TYPE_CHECKING:  # types only: the domains import this module, so it imports none of them at run time
    from hub.auth.service import Authenticator
    from hub.config import Settings
    from hub.db import Database
    from hub.delivery.worker import DeliveryWorker
    from hub.keys.keyring import HubKeyring
    from hub.keys.service import PublishedKeys
    from hub.ledger.sequencer import Sequencer
    from hub.meldingen.postcodes import Postcodes
    from hub.meldingen.service import Schemas
    from hub.ops.metrics import Metrics
    from hub.policy.runtime import PolicyRuntime
    from hub.pseudonym.vault import Vault
    from hub.web.oidc import Provider


class NotStarted(RuntimeError):
    """A part the lifespan makes was read before the hub started: a bug, never a user's mistake."""


@dataclass(slots=True)
class HubState:
    settings: Settings
    metrics: Metrics
    keyring: HubKeyring
    published_keys: PublishedKeys
    policy_runtime: PolicyRuntime
    vault: Vault | None
    """None when the privacy keys are missing (`schakel keys init`): the hub serves, but takes no melding."""
    schemas: Schemas
    postcodes: Postcodes
    """The PC4 table a melding's gemeentecode must fit (`SCHAKEL_POSTCODES_FILE`, read at start)."""
    oidc: Provider | None
    """None when sign-in with OpenID Connect is not configured."""
    started_database: Database | None = None
    started_sequencer: Sequencer | None = None
    started_authenticator: Authenticator | None = None
    delivery_worker: DeliveryWorker | None = None
    """The delivery worker of this process, if it delivers in-process (a melding wakes it)."""
    background: list[Any] | None = None
    """Everything running in this process's background (the delivery worker, retention, checkpoints): `stop()`."""

    def require_vault(self) -> Vault:
        """The vault, which this hub has unless its privacy keys are missing (`schakel keys init`)."""
        return _started(self.vault, "vault (its privacy keys are missing: schakel keys init)")

    @property
    def database(self) -> Database:
        return _started(self.started_database, "database")

    @property
    def sequencer(self) -> Sequencer:
        return _started(self.started_sequencer, "sequencer")

    @property
    def authenticator(self) -> Authenticator:
        return _started(self.started_authenticator, "authenticator")


_Part = TypeVar("_Part")


def _started(part: _Part | None, name: str) -> _Part:
    if part is None:
        raise NotStarted(f"the hub's {name} is made when the hub starts (the lifespan), and it has not")
    return part


def state_of(app: FastAPI) -> HubState:
    """The hub's state, for the factory, the tests and the tools (a handler uses `StateDep`)."""
    return cast("HubState", app.state.hub)


def hub_state(request: Request) -> HubState:
    return state_of(request.app)


StateDep = Annotated[HubState, Depends(hub_state)]
