"""The verstrekkingenlog's entry of one disclosure: what the policy decided for one recipient, written as the ledger's
`verstrekking` entry. The melding's domain makes it; the ledger only writes entries down (it knows no decisions)."""

from __future__ import annotations

from hub.ledger.entries import Betrokkene, Context, Entry, Soort
from hub.policy.deciding.decision import Besluit


def verstrekking(
    *,
    context: Context,
    betrokkene: Betrokkene | None,
    rol: str | None,
    verstrekker: str,
    ontvanger: str,
    berichttype: str,
    melding_id: str,
    besluit: Besluit,
    levering_id: str | None,
    inhoud_digest: str | None,
    gemeente: str | None = None,
    casus: tuple[int, str] | None = None,
) -> Entry:
    """The entry of one disclosure (or refusal) of one melding to one recipient, for one person in it (or, for a
    melding about nobody in particular, for the melding as a whole). `casus`: the casus it was sent in, and its
    stage then."""
    withheld = [
        {
            "categorie": categorie,
            "reden": str(reden.reden),
            **({"verwijzing": reden.verwijzing} if reden.verwijzing else {}),
            **({"items": sorted(reden.items)} if reden.items else {}),
        }
        for categorie, reden in sorted(besluit.achtergehouden.items())
    ]
    disclosed = [
        {"categorie": categorie, "regel": g.regel, **({"items": sorted(g.items)} if g.items is not None else {})}
        for categorie, g in sorted(besluit.verstrekt.items())
    ]
    data = {
        **context.fields(),
        "verwerkingsactiviteit_id": besluit.verwerkingsactiviteit,
        "verstrekker": verstrekker,
        "ontvanger": ontvanger,
        "doel": besluit.doel,
        "berichttype": berichttype,
        "gemeente": gemeente,
        "casus_id": casus[0] if casus else None,
        "casusfase": casus[1] if casus else None,
        "melding_id": melding_id,
        "rol": rol,
        "besluit": str(besluit.uitkomst),
        "grondslagen": list(besluit.grondslagen),
        "regels": list(besluit.regels),
        "bewaartermijnen": sorted({g.bewaartermijn for g in besluit.verstrekt.values()}),
        "beleid_hash": besluit.beleid_hash,
        "beleid": besluit.beleid_label,
        "categorieen_verstrekt": disclosed,
        "categorieen_achtergehouden": withheld,
        **({"levering_id": levering_id} if levering_id else {}),
        **({"inhoud_digest": inhoud_digest} if inhoud_digest else {}),
    }
    return Entry(
        Soort.VERSTREKKING,
        {k: v for k, v in data.items() if v is not None},
        betrokkene,
        verstrekker=verstrekker,
        ontvanger=ontvanger,
        doel=besluit.doel,
        besluit=str(besluit.uitkomst),
        categorieen=tuple(sorted({*besluit.verstrekt, *besluit.achtergehouden})),
        berichttype=berichttype,
    )
