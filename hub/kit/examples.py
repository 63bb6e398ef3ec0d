"""An example for every request body and for the main responses of the API, by schema name: what a generated
client shows its user, and what an integrator copies. Invented people only (BSNs that pass the 11-proef); a test
holds every example valid against its model."""

from __future__ import annotations

from typing import Any

_REDEN = "Besproken in de wekelijkse triage"
_IDENTITEIT = {"bsn": "762621606"}

# fmt: off
EXAMPLES: dict[str, dict[str, Any]] = {
    # Requests.
    "MeldingIn": {
        "berichttype": "e33-verward-gedrag",
        "doel": "screening-verward-gedrag",
        "spoed": False,
        "inhoud": {
            "incident": {"datum": "2026-11-02", "gemeentecode": "GM0935", "e_code": "E33"},
            "personen": [{"rol": "betrokkene", "bsn": "762621606", "achternaam": "Verzonnen"}],
        },
    },
    "OntvangstbevestigingIn": {
        "inhoudDigest": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    },
    "PartnerCreate": {
        "id": "ggz-limburg", "naam": "GGZ Limburg", "soort": "ggz", "oin": "00000099000000000501",
        "deliveryMode": "webhook", "webhookUrl": "https://ggz-limburg.example/schakel", "werkgebied": ["GM0935"],
    },
    "PartnerUpdate": {"werkgebied": ["GM0935", "GM0917"]},
    "PrincipalCreate": {
        "id": "ggz-limburg-systeem", "partnerId": "ggz-limburg", "soort": "systeem", "roles": ["partner"]
    },
    "PrincipalUpdate": {"roles": ["partner", "dpia_reviewer"]},
    "KeyCreate": {
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    },
    "ProposalIn": {
        "bron": {"convenant": {"convenant": "zuid-limburg", "naam": "Convenant ZVH Zuid-Limburg"}},
        "toelichting": "Veilig Thuis krijgt het adres bij een huisverbod (R-VT-004).",
    },
    "ApprovalIn": {"actiefVanaf": "2027-01-01T00:00:00+01:00", "waarschuwingenGezien": True},
    "ScheduleIn": {"actiefVanaf": "2027-01-01T00:00:00+01:00"},
    "SimulationIn": {
        "versie": 2,
        "verkeer": [
            {"verstrekker": "politie-limburg", "ontvanger": "via-zuid-limburg", "doel": "screening-verward-gedrag",
             "berichttype": "e33-verward-gedrag", "categorieen": ["identificatie", "incident"],
             "datum": "2026-03-02", "toestemmingen": []},
        ],
    },
    "DecisionIn": {
        "verstrekker": "politie-limburg", "ontvanger": "via-zuid-limburg", "doel": "screening-verward-gedrag",
        "berichttype": "e33-verward-gedrag", "categorieen": ["identificatie", "gezondheid"], "gemeente": "GM0935",
    },
    "EmergencyIn": {
        "categorieen": ["gezondheid"], "ontvangers": ["woningcorporatie"],
        "reden": "Lek gemeld bij een ontvanger; uitgezocht wordt wat er gebeurde.",
    },
    "HeridentificatieIn": {
        "pseudoniem": "p1.via-zuid-limburg.Qm9ndXMgcHNldWRvbmlt", "doel": "screening-verward-gedrag",
        "motivering": "Klacht 2026-014 van de betrokkene over een verstrekking",
    },
    "VergetelheidIn": {**_IDENTITEIT, "motivering": "Verzoek tot wissing AVG art. 17, kenmerk 2026-211"},
    "InzageverzoekIn": {**_IDENTITEIT, "motivering": "Inzageverzoek 2026-117"},
    "ToestemmingIn": {
        **_IDENTITEIT, "item": "basisvoorwaarden", "referentie": "TV-2026-0042", "ontvangers": ["zvh"],
        "doel": "nazorg-ex-gedetineerden", "geldigTot": "2027-06-30",
    },
    "CasusIn": {"type": "pga", "reden": "Aanmelding politie, week 49"},
    "FaseIn": {"naar": "triage", "reden": _REDEN},
    "WeegtafelIn": {"datum": "2026-12-01", "aanwezig": ["politie-limburg", "reclassering-limburg"], "reden": _REDEN},
    "DeelnemerIn": {"partner": "veilig-thuis-zuid-limburg", "reden": "Veilig Thuis kent het gezin"},
    "RedenIn": {"reden": "Heeft geen rol meer in het plan van aanpak"},
    "MeldingKoppeling": {"meldingId": "5f0c1e2d3b4a59687766554433221100", "reden": "De aanmelding"},
    "PersoonIn": {**_IDENTITEIT, "reden": "De betrokkene van de aanmelding"},
    "InformerenIn": {
        "besluit": "niet-geinformeerd", "grond": "d", "herbeoordeling": "2027-03-01",
        "reden": "Lopend opsporingsonderzoek",
    },
    "BekendIn": {**_IDENTITEIT, "tot": "2027-06-30"},
    # The main responses.
    "Ontvangstbewijs": {
        "meldingId": "5f0c1e2d3b4a59687766554433221100", "ontvangenOp": "2026-12-01T09:30:00Z",
        "berichttype": "e33-verward-gedrag", "doel": "screening-verward-gedrag", "gemeente": "GM0935", "casus": None,
        "spoed": False,
        "ontvangers": [
            {"partner": "via-zuid-limburg", "doel": "screening-verward-gedrag", "besluit": "partial",
             "verstrekt": ["identificatie", "incident"],
             "achtergehouden": [{"categorie": "strafrechtelijk", "reden": "geen-regel", "verwijzing": None}],
             "leveringId": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
        ],
        "posities": [1041, 1042],
    },
    "CasusDetail": {
        "id": 12, "type": "pga", "fase": "triage", "zvh": "zvh-zuid-limburg", "geopendDoor": "zvh-zuid-limburg-regie",
        "geopendOp": "2026-12-01T09:00:00Z", "geslotenOp": None, "topXTot": None, "monitoringTot": None,
        "deelnemers": [{"partnerId": "veilig-thuis-zuid-limburg", "sinds": "2026-12-01T09:05:00Z", "tot": None}],
        "meldingen": ["5f0c1e2d3b4a59687766554433221100"], "personen": 1, "informering": None,
        "geschiedenis": [
            {"soort": "geopend", "door": "zvh-zuid-limburg-regie", "op": "2026-12-01T09:00:00Z",
             "reden": "Aanmelding politie, week 49", "details": "pga", "positie": 1050},
        ],
    },
    "CallerOut": {
        "partnerId": "politie-limburg", "principalId": "politie-limburg-systeem", "roles": ["partner"],
        "kid": "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    },
}
# fmt: on
