"""A decision in plain words, as a privacy officer or DPIA reviewer reads it."""

from __future__ import annotations

from hub.policy.decision import Besluit, Reden

_OUTCOME = {"permit": "alles verstrekt", "partial": "gedeeltelijk verstrekt", "deny": "niets verstrekt"}
_REASON = {
    Reden.GEEN_REGEL: "geen regel staat dit toe",
    Reden.VERBOD: "verbod {ref}",
    Reden.TOESTEMMING_ONTBREEKT: "toestemming ontbreekt (regel {ref})",
    Reden.REGEL_VERLOPEN: "regel {ref} is verlopen",
    Reden.REGEL_NOG_NIET_GELDIG: "regel {ref} geldt nog niet",
    Reden.GEEN_DEELNEMER: "geen deelnemer aan het convenant",
    Reden.BUITEN_WERKGEBIED: "de gemeente ligt buiten het werkgebied van de ontvanger",
    Reden.GEMEENTE_ONBEKEND: "de melding zegt niet om welke gemeente het gaat",
}


def explain(besluit: Besluit) -> list[str]:
    lines = [
        f"Uitkomst: {_OUTCOME[besluit.uitkomst]} ({besluit.uitkomst}); doel {besluit.doel}"
        + (f", verwerkingsactiviteit {besluit.verwerkingsactiviteit}" if besluit.verwerkingsactiviteit else ""),
        f"Beleid: {besluit.beleid_label}, {besluit.beleid_hash}",
    ]
    for categorie, grant in sorted(besluit.verstrekt.items()):
        scope = f" (alleen {', '.join(sorted(grant.items))}, met toestemming)" if grant.items is not None else ""
        terms = f"regel {grant.regel}, grondslag {grant.grondslag}, bewaartermijn {grant.bewaartermijn}"
        lines.append(f"+ {categorie}{scope}: {terms}")
    for categorie, withheld in sorted(besluit.achtergehouden.items()):
        scope = f" ({', '.join(sorted(withheld.items))})" if withheld.items else ""
        reason = _REASON[withheld.reden].format(ref=withheld.verwijzing or "")
        lines.append(f"- {categorie}{scope}: achtergehouden, {reason}")
    return lines
