"""Entries of the verstrekkingenlog in plain Dutch, for reviewers: what happened, between whom, why, and what was
held back for which reason. Names no person: entries hold none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.kit.clock import NL

REDENEN = {
    "geen-regel": "geen regel staat het toe",
    "verbod": "een verbod in het convenant",
    "toestemming-ontbreekt": "de toestemming ontbreekt",
    "regel-verlopen": "de regel is verlopen",
    "regel-nog-niet-geldig": "de regel geldt nog niet",
    "geen-deelnemer": "geen deelnemer van het convenant",
    "buiten-werkgebied": "buiten het werkgebied van de ontvanger",
    "gemeente-onbekend": "de gemeente is onbekend",
    "noodverbod": "een noodverbod",
    "geen-casus": "de regel geldt alleen binnen een casus",
    "buiten-casusfase": "de casus is niet in de fase waarvoor de regel geldt",
    "niet-aan-tafel": "de ontvanger zit niet aan tafel bij de casus",
    "geen-top-x": "de casus heeft geen geldige Top X-status",
    "casus-afgeschaald": "de casus is afgeschaald",
    "monitoring-verlopen": "de monitoringstermijn is verstreken",
}
BESLUITEN = {"permit": "verstrekt", "partial": "deels verstrekt", "deny": "geweigerd"}
SOORTEN = {
    "verstrekking": "Verstrekking",
    "ontvangst": "Ontvangstbevestiging",
    "intrekking": "Intrekking",
    "heridentificatie": "Heridentificatie",
    "limiet": "Grens bereikt",
    "vergetelheid": "Vergetelheid",
    "raadpleging": "Raadpleging",
    "casus": "Casus",
    "bekendheid": "Bekendheid",
}
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def moment(tijdstip: str) -> str:
    local = datetime.fromisoformat(tijdstip.replace("Z", "+00:00")).astimezone(NL)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"


def reden(code: str) -> str:
    return REDENEN.get(code.split(":", 1)[0], code)


def beschrijving(entry: dict[str, Any]) -> str:  # noqa: PLR0911 - one sentence per kind of entry
    """One entry in a sentence."""
    soort = str(entry.get("soort", ""))
    if soort == "verstrekking":
        disclosed = ", ".join(c["categorie"] for c in entry.get("categorieen_verstrekt", []))
        withheld = "; ".join(
            f"{c['categorie']} ({reden(c['reden'])})" for c in entry.get("categorieen_achtergehouden", [])
        )
        head = (
            f"{entry['verstrekker']} aan {entry['ontvanger']}, doel {entry['doel']}, "
            f"bericht {entry.get('berichttype', 'onbekend')}: {BESLUITEN.get(entry['besluit'], entry['besluit'])}"
        )
        parts = [head + (f" ({disclosed})" if disclosed else "")]
        if withheld:
            parts.append(f"achtergehouden: {withheld}")
        if entry.get("regels"):
            parts.append(f"regel {', '.join(entry['regels'])}")
        return "; ".join(parts) + "."
    if soort == "ontvangst":
        return f"{entry.get('ontvanger', 'de ontvanger')} bevestigde de ontvangst van een levering."
    if soort == "intrekking":
        return _withdrawal(entry)
    if soort == "heridentificatie":
        return _reidentification(entry)
    if soort == "casus":
        details = f" ({entry['details']})" if entry.get("details") else ""
        return f"Casus {entry.get('casus_id')}: {entry.get('handeling')}{details}, door {entry.get('door')}."
    if soort == "bekendheid":
        return _bekendheid(entry)
    if soort == "limiet":
        return (
            f"{entry.get('door', '')} van {entry.get('partner', '')} liep tegen de grens {entry.get('limiet', '')} "
            f"({entry.get('grens', '')}) aan: geweigerd."
        )
    if soort == "vergetelheid":
        if entry.get("reden") == "bewaartermijn-verstreken":
            return "Een betrokkene is vergeten: alle bewaartermijnen waren verstreken."
        return f"Een betrokkene is vergeten (verzoek {entry.get('verzoek_id', '')})."
    if soort == "raadpleging":
        count = len(entry.get("posities", []))
        noun = "vastlegging" if count == 1 else "vastleggingen"
        return f"{entry.get('lezer', '')} las {count} {noun} (reden: {entry.get('reden', '')})."
    return f"{SOORTEN.get(soort, soort)}."


def _withdrawal(entry: dict[str, Any]) -> str:
    """A delivery withdrawn: why, and what came of it."""
    if entry.get("reden") == "top-x-vervallen":
        return (
            f"Top X-status van casus {entry.get('casus_id')} vervallen: {entry.get('gevolg', '')} "
            f"({entry.get('ontvanger', '')})."
        )
    if entry.get("reden") == "betrokkene-vergeten":
        gevolg, ontvanger = entry.get("gevolg", ""), entry.get("ontvanger", "")
        return f"Levering ingetrokken, de betrokkene is vergeten: {gevolg} ({ontvanger})."
    if entry.get("reden") == "ophaaltermijn-verstreken":
        return (
            f"Levering niet opgehaald binnen de ophaaltermijn ({entry.get('ophaaltermijn', '')}): "
            f"{entry.get('gevolg', '')} ({entry.get('ontvanger', '')})."
        )
    return f"Toestemming ingetrokken: {entry.get('gevolg', '')} ({entry.get('ontvanger', '')})."


def _reidentification(entry: dict[str, Any]) -> str:
    """A step of a re-identification (an entry without `stap` is from before steps were recorded: a reveal)."""
    doel, domein = entry.get("doel", ""), entry.get("pseudoniem_domein", "")
    stap = entry.get("stap", "getoond")
    if stap == "geweigerd":
        return (
            f"Heridentificatie voor doel {doel} (pseudoniem van {domein}) geweigerd aan "
            f"{entry.get('geweigerd_voor', '')} van {entry.get('organisatie', '')}: {entry.get('reden', '')}."
        )
    if stap == "aangevraagd":
        door = entry.get("aangevraagd_door", "")
        return f"Heridentificatie voor doel {doel} (pseudoniem van {domein}) aangevraagd door {door}."
    done = "goedgekeurd" if stap == "goedgekeurd" else "getoond aan de aanvrager"
    return (
        f"Heridentificatie voor doel {doel} (pseudoniem van {domein}), aangevraagd door "
        f"{entry.get('aangevraagd_door', '')}, goedgekeurd door {entry.get('goedgekeurd_door', '')}: {done}."
    )


def _bekendheid(entry: dict[str, Any]) -> str:
    partner, handeling = entry.get("partner", ""), entry.get("handeling", "")
    if handeling == "vraag":
        uitkomst = "bekend" if entry.get("uitkomst") == "bekend" else "niet bekend"
        return f"Bekendheidscheck in casus {entry.get('casus_id')} van {entry.get('zvh')}: {partner} {uitkomst}."
    if handeling == "bekend-bij-vraag":
        casus = entry.get("casus_id")
        return f"{entry.get('zvh')} vroeg in casus {casus} wie de betrokkene kent: {partner} kent hem of haar."
    woorden = {"gemeld": "meldde", "verlengd": "verlengde", "ingetrokken": "trok in"}
    return (
        f"{partner} {woorden.get(handeling, handeling)} dat het de betrokkene kent (signaal {entry.get('signaal_id')})."
    )
