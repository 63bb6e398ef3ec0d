"""Refusals in plain Dutch for the pages. The API's `detail` is written for integrators (in English); a person on
a page reads the sentence for its `code` here, and the API's detail only where no sentence is written yet."""

from __future__ import annotations

from hub.errors import SchakelError

ZINNEN = {
    "four-eyes-required": "Vier ogen: een andere privacy officer dan de indiener moet dit doen.",
    "approver-not-affected": "Dit convenant vraagt goedkeuring door een privacy officer van een verstrekker die "
    "de wijziging raakt.",
    "policy-approved-already": "Deze versie is al goedgekeurd.",
    "policy-exists": "Precies deze versie van het convenant bestaat al.",
    "policy-date-past": "Een versie kan niet met terugwerkende kracht actief worden: kies vandaag of later.",
    "policy-not-approved": "Deze versie is nog niet goedgekeurd.",
    "policy-already-active": "Deze versie is al actief (of was dat al).",
    "policy-version-not-found": "Deze versie van het convenant bestaat niet.",
    "waarschuwingen-niet-bevestigd": "Deze versie heeft waarschuwingen: lees ze en vink aan dat u ze heeft gelezen.",
    "geen-deelnemer": "Uw organisatie is geen deelnemer van het actieve convenant, dus u kunt dit hier niet doen.",
    "emergency-settled": "Dit noodverbod is al opgeheven.",
    "emergency-codes-unknown": "Een van de categorieën of ontvangers staat niet in het convenant.",
    "emergency-not-found": "Dit noodverbod bestaat niet.",
    "not-dead": "Deze levering is niet (meer) onbestelbaar.",
    "levering-ingetrokken-herstart": "Deze levering is ingetrokken omdat vervallen is waarop zij steunde (een "
    "toestemming, een Top X-status of een plaats aan tafel). De inhoud is vernietigd; zij wordt nooit meer bezorgd.",
    "passkey-niet-gevonden": "Deze passkey bestaat niet (meer).",
    "passkey-onbekend": "Deze passkey is hier niet geregistreerd of is ingetrokken.",
    "ceremonie-verlopen": "Deze aanmelding of bevestiging is onbekend of verlopen: begin opnieuw.",
    "levering-not-found": "Deze levering bestaat niet.",
    "partner-exists": "Er is al een partner met dit id.",
    "oin-in-use": "Dit OIN hoort al bij een andere partner.",
    "principal-exists": "Er is al een principal met dit id.",
    "partner-not-found": "Deze partner bestaat niet.",
    "principal-not-found": "Deze principal bestaat niet.",
    "jwk-invalid": "De sleutel is geen geldige publieke sleutel (Ed25519 of P-256).",
    "kid-in-use": "Er is al een sleutel met dit kenmerk (kid).",
    "key-in-use": "Deze sleutel is al geregistreerd.",
    "key-not-found": "Deze sleutel bestaat niet.",
    "webhook-url-invalid": "De webhook-URL moet met https beginnen (http alleen op deze computer zelf).",
    "webhook-url-missing": "Bij bezorging via een webhook hoort een webhook-URL.",
    "webhook-url-unexpected": "Een webhook-URL hoort alleen bij bezorging via een webhook.",
    "privacy-request-settled": "Dit verzoek is al goedgekeurd.",
    "privacy-request-pending": "Een tweede privacy officer heeft dit verzoek nog niet goedgekeurd.",
    "not-the-requester": "Alleen de privacy officer die het verzoek deed, mag de identiteit zien.",
    "identity-shown": "De identiteit is al een keer getoond; doe zo nodig een nieuw verzoek.",
    "pseudonym-unknown": "Schakel heeft dit pseudoniem nooit uitgegeven.",
    "pseudonym-invalid": "Dit is geen pseudoniem van Schakel.",
    "heridentificatie-niet-houder": "Alleen een privacy officer van de organisatie die dit pseudoniem kreeg, mag "
    "vragen wie erachter zit.",
    "heridentificatie-niet-toegestaan": "Het convenant staat voor dit doel geen heridentificatie toe.",
    "heridentificatie-zonder-verstrekking": "Uw organisatie kreeg voor dit doel geen gegevens over deze persoon: "
    "kies het doel waarvoor u de gegevens ontving.",
    "goedkeurder-niet-aangewezen": "Het convenant wijst uw organisatie niet aan om deze heridentificatie goed te "
    "keuren; de vragende organisatie keurt nooit zelf goed.",
    "betrokkene-unknown": "Schakel kent deze persoon niet (of heeft hem of haar al vergeten).",
    "bsn-invalid": "Dit BSN is ongeldig (het voldoet niet aan de elfproef).",
    "identity-incomplete": "Vul een BSN in, of voornamen, achternaam en geboortedatum.",
    "identity-invalid": "Deze gegevens beschrijven geen persoon die Schakel kan zoeken.",
    "period-invalid": "De begindatum moet voor de einddatum liggen.",
    "convenant-not-active": "Er is nog geen actief convenant.",
    "no-active-policy": "Er is nog geen actief convenant.",
    "vault-keys-missing": "De sleutels van de kluis ontbreken: de beheerder moet `schakel keys init` uitvoeren.",
    "database-unavailable": "De database is even niet bereikbaar; er is niets opgeslagen. Probeer het zo opnieuw.",
    "entry-not-found": "Deze vastlegging bestaat niet.",
    "not-found": "Dit bestaat niet.",
    "fase-niet-toegestaan": "Naar die fase kan deze casus niet: fasen gaan alleen vooruit.",
    "casus-gesloten": "Deze casus is gesloten; er kan niets meer aan veranderen.",
    "casus-not-found": "Deze casus bestaat niet.",
    "geen-zvh": "Alleen een procesregisseur van een Zorg- en Veiligheidshuis voert een casus.",
    "deelnemer-al-aanwezig": "Deze partner zit al aan tafel.",
    "deelnemer-niet-aanwezig": "Deze partner zit niet aan tafel.",
    "melding-al-gekoppeld": "Deze melding hoort al bij de casus.",
    "melding-not-found": "Schakel kent deze melding niet.",
    "persoon-al-gekoppeld": "Deze persoon hoort al bij de casus.",
    "reden-vereist": "Geef een reden (5 tot 1000 tekens, zonder persoonsgegevens).",
    "huisverbod-einde-vereist": "Vul bij monitoring na een huisverbod de laatste dag van het huisverbod in.",
    "huisverbod-einde-onverwacht": "Alleen een casus voor monitoring na een huisverbod heeft een einddatum van het "
    "huisverbod: laat dat veld leeg.",
    "huisverbod-einde-te-laat": "Een huisverbod duurt hoogstens 28 dagen (10, verlengd tot hoogstens 28): de laatste "
    "dag ligt niet later dan 28 dagen na vandaag.",
    "persoon-zonder-melding": "Koppel eerst een melding over elke persoon aan de casus: de bekendheidscheck vraagt "
    "alleen naar personen over wie een melding bij het Zorg- en Veiligheidshuis binnenkwam.",
    "limiet-bereikt": "U heeft een grens uit het convenant bereikt (bijvoorbeeld het aantal bekendheidschecks per "
    "dag). Probeer het later opnieuw, of overleg met de privacy officer als de grens te krap is.",
    "weegtafel-verlopen": "Het besluit van die weegtafel is al verlopen (de termijn voor herkwalificatie uit het "
    "convenant): vul de datum van de laatste weegtafel in.",
    "datum-ongeldig": "Vul een geldige datum in.",
    "datum-in-toekomst": "Die datum ligt in de toekomst.",
    "geen-top-x-casus": "Alleen een Top X-casus komt aan de weegtafel.",
    "weegtafel-zonder-justitie": "Bij een weegtafelbesluit is ten minste één justitiepartner aanwezig (politie, OM, "
    "reclassering of DJI).",
    "bekendheidscheck-buiten-triage": "De bekendheidscheck kan alleen in de fase triage.",
    "geen-personen": "Koppel eerst de personen van de casus: de bekendheidscheck vraagt alleen naar hen.",
    "te-veel-personen": "Deze casus heeft meer personen dan het convenant per bekendheidscheck toestaat.",
    "geen-deelnemers": "Er zit nog geen partner aan tafel om het aan te vragen.",
    "informering-onvolledig": "Vul bij 'geïnformeerd' de datum in; bij 'niet geïnformeerd' de grond en de datum "
    "van herbeoordeling.",
    "artikel-onbekend": "Kies artikel 13 of 14 van de AVG.",
    "herbeoordeling-ongeldig": "De datum van herbeoordeling ligt na vandaag en niet later dan het convenant toestaat.",
}


def zin(exc: SchakelError) -> str:
    """What a person on a page reads for this refusal."""
    return ZINNEN.get(exc.code, exc.detail)
