"""Which doel a melding is for, and who receives it.

The doel is never guessed: it is the one the sender states or, when the convenant in force has exactly one doel
for this verstrekker and berichttype, that one; otherwise the sender is asked to choose (a 422 that lists the
doelen). Every recipient is then decided under that one doel, named recipients too.

Without named recipients, the recipients are every partner that a rule in force names for (verstrekker,
berichttype, doel) and whose werkgebied covers the melding's gemeente: a rule addressed to a soort reaches only
the partners of that soort that serve the gemeente. When the melding does not say which gemeente it concerns, the
rule's recipients are decided all the same, and each is refused with `gemeente-onbekend`, so the receipt and the
ledger say why. A named recipient is always decided (and refused with its reason when it may not receive), so the
sender learns why and the refusal is on the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub import refusals
from hub.policy.deciding.engine import CompiledPolicy


@dataclass(frozen=True, slots=True)
class Route:
    ontvanger: str
    doel: str


def doel_of(
    policy: CompiledPolicy, verstrekker: str, berichttype: str, day: date, stated: str | None, *, named: bool
) -> str:
    """The melding's doel: the stated one, or the only one the convenant has; else a 422 listing the choices.

    A stated doel that no rule in force has for this verstrekker and berichttype is refused too, unless the
    sender names its recipients: those are then decided under it, refused with their reasons, and on the ledger.
    """
    choices = policy.doelen(verstrekker, berichttype, day)
    if stated is not None:
        known = {d.code for d in policy.source.vocabulaires.doelen}
        if stated not in known:
            raise refusals.DoelOnbekend(
                f"the convenant knows no doel {stated!r}; for {berichttype} from {verstrekker} choose one of: "
                f"{', '.join(choices) or 'none (no rule in force)'}"
            )
        if stated not in choices and not named:
            raise refusals.DoelNietInConvenant(
                f"no rule in force lets {verstrekker} send {berichttype} for doel {stated!r}; choose one of: "
                f"{', '.join(choices) or 'none (no rule in force)'}"
            )
        return stated
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise refusals.DoelOnbekend(
            f"the convenant has no rule in force for {berichttype} from {verstrekker}, so no doel to send it for"
        )
    raise refusals.DoelVereist(
        f"the convenant has several doelen for {berichttype} from {verstrekker}; state `doel`, one of: "
        f"{', '.join(choices)}"
    )


def route(
    policy: CompiledPolicy,
    verstrekker: str,
    berichttype: str,
    day: date,
    *,
    named: tuple[str, ...] | None,
    doel: str,
    gemeente: str | None,
) -> list[Route]:
    if named is not None:
        return [Route(ontvanger, doel) for ontvanger in dict.fromkeys(named)]
    return [
        Route(ontvanger, doel)
        for ontvanger in policy.ontvangers(verstrekker, berichttype, doel, day)
        if gemeente is None or policy.werkgebied_reden(ontvanger, gemeente) is None
    ]
