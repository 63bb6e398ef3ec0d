"""Who receives a melding: the recipients its sender names, or else the convenant's routing table.

The routing table is read from the rules in force: every recipient that some rule lets this verstrekker give
this berichttype to, with that rule's doel (the joint screening of a police zorgmelding goes to Veilig Thuis, the
ZVH, AMW and CJG at once). A named recipient without such a rule is still decided for, and refused with the
reason, so the sender learns why and the refusal is on the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.errors import Unprocessable
from hub.policy.engine import CompiledPolicy


@dataclass(frozen=True, slots=True)
class Route:
    ontvanger: str
    doel: str


def routing_table(policy: CompiledPolicy, verstrekker: str, berichttype: str, day: date) -> dict[str, str]:
    """ontvanger -> doel for every rule in force from `verstrekker` for `berichttype` (first doel by name)."""
    ordinal = day.toordinal()
    table: dict[str, str] = {}
    for regel in sorted(policy.regels, key=lambda r: (r.ontvanger, r.doel)):
        if regel.verstrekker == verstrekker and regel.berichttype == berichttype and regel.geldig(ordinal):
            table.setdefault(regel.ontvanger, regel.doel)
    return table


def route(
    policy: CompiledPolicy,
    verstrekker: str,
    berichttype: str,
    day: date,
    *,
    named: tuple[str, ...] | None,
    doel: str | None,
) -> list[Route]:
    table = routing_table(policy, verstrekker, berichttype, day)
    if doel is not None:
        table = {ontvanger: d for ontvanger, d in table.items() if d == doel}
    if named is None:
        return [Route(ontvanger, d) for ontvanger, d in sorted(table.items())]
    routes = []
    for ontvanger in dict.fromkeys(named):
        chosen = doel or table.get(ontvanger) or next(iter(sorted(set(table.values()))), None)
        if chosen is None:
            raise Unprocessable(
                f"no rule names a doel for {berichttype} from {verstrekker}; give `doel`", code="doel-unknown"
            )
        routes.append(Route(ontvanger, chosen))
    return routes
