"""Reading a stored convenant version under the format it was approved in, and what today's format asks of it.

A version is stored verbatim (its hash is on the ledger and in every disclosure), so a hub that is upgraded keeps
versions of every earlier format. Each is read with the models of `format.py` under its own format (the validation
context's `formaat`): what an older format did not say keeps the meaning it was approved with where that is safe,
and is read the fail-closed way where it is not. What is safe, per format:

Format 1 (until schema 0007, release 0.1.0):
- no werkgebied per deelnemer: the convenant bound no disclosure to a werkgebied, and still does not (the registry's
  werkgebied narrows only what a convenant binds). That is what the privacy officers approved.
- `beroepsgeheim: true` of a soort named no law and meant "medisch of afgeleid beroepsgeheim". A convenant cannot
  create a secrecy duty, so it is read as none: a verbod for partners without a beroepsgeheim applies to them too
  (e.g. health data is withheld, and the receipt names the verbod) until a new version names the law.
- no `toestemmingen` (who may record a consent): no consent can be recorded, so a rule that needs one discloses
  nothing until a new version says who records it.

The sentences of `aandachtspunten` tell the privacy officers what a version of an older format lacks; the pages and
the health show them, and `schakel policy migreer` proposes a version in today's format.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hub.policy.convenant.format import FORMAAT, FORMATEN, FormatError, PolicySource


class FormaatOnbekend(ValueError):
    """The stored version names a format this hub does not know (a newer hub wrote it)."""


def formaat_van(source: dict[str, Any]) -> int:
    """The format a stored source was written in, told from its content (for versions stored before the format
    was recorded with them): format 1 named no werkgebied and said yes or no for a beroepsgeheim."""
    deelnemers = source.get("convenant", {}).get("deelnemers", [])
    soorten = source.get("vocabulaires", {}).get("soorten", [])
    if any(isinstance(d, dict) and "werkgebied" not in d for d in deelnemers) or any(
        isinstance(s, dict) and isinstance(s.get("beroepsgeheim"), bool) for s in soorten
    ):
        return 1
    return FORMAAT


def lees(source: dict[str, Any], formaat: int) -> PolicySource:
    """The stored source read under `formaat`. Raises FormaatOnbekend, or FormatError where it does not match."""
    if formaat not in FORMATEN:
        raise FormaatOnbekend(f"format {formaat} is unknown to this hub (it knows {', '.join(map(str, FORMATEN))})")
    try:
        return PolicySource.model_validate(source, context={"formaat": formaat})
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in e["loc"]), "", e["msg"]) for e in exc.errors()]
        raise FormatError(problems) from None


def aandachtspunten(source: dict[str, Any], formaat: int) -> tuple[str, ...]:
    """What today's format asks of a stored version of an older format, in Dutch, for the privacy officers; empty
    for a version in today's format."""
    if formaat >= FORMAAT:
        return ()
    punten = [
        (
            f"Deze versie is goedgekeurd in formaat {formaat}; nieuwe versies hebben formaat {FORMAAT}. Stel met de "
            "opdracht schakel policy migreer een nieuwe versie voor en laat die door twee privacy officers goedkeuren."
        )
    ]
    if formaat == 1:
        punten.append(
            "Geen deelnemer heeft een werkgebied: verstrekkingen zijn niet aan een gemeente gebonden, zoals "
            "goedgekeurd. Het nieuwe formaat vraagt per deelnemer de CBS-gemeentecodes van zijn werkgebied en per "
            "berichttype het veld met de gemeente."
        )
    soorten = [s.get("code", "?") for s in source.get("vocabulaires", {}).get("soorten", []) if s.get("beroepsgeheim")]
    if formaat == 1 and soorten:
        punten.append(
            f"Een beroepsgeheim telt alleen met de wet die het oplegt. Formaat 1 noemde geen wet, dus geldt het "
            f"beroepsgeheim van {', '.join(sorted(soorten))} niet: verboden voor partners zonder beroepsgeheim gelden "
            "ook voor hen. Noem in de nieuwe versie per soort de wet en de artikelen."
        )
    if not source.get("convenant", {}).get("toestemmingen"):
        punten.append(
            "Het convenant zegt niet wie een toestemming mag vastleggen, dus kan niemand dat: een regel die "
            "toestemming vraagt, verstrekt niets. Noem in convenant.yaml onder toestemmingen per item wie haar "
            "vastlegt."
        )
    return tuple(punten)
