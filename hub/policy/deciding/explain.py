"""A decision in plain words, as a privacy officer or DPIA reviewer reads it."""

from __future__ import annotations

from hub.policy.deciding.decision import Besluit, Reden

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
    Reden.GEEN_CASUS: "regel {ref} geldt alleen binnen een casus, en de melding noemt er geen",
    Reden.BUITEN_CASUSFASE: "regel {ref} geldt niet in deze fase of bij dit type casus",
    Reden.NIET_AAN_TAFEL: "de ontvanger zit niet aan tafel bij de casus (regel {ref})",
    Reden.GEEN_TOP_X: "regel {ref} vraagt een Top X-status, en die heeft de casus niet (meer)",
    Reden.CASUS_AFGESCHAALD: "de casus is afgeschaald of gesloten",
    Reden.MONITORING_VERLOPEN: "de monitoringstermijn van de casus is verstreken",
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
