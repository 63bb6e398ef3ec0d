"""Every refusal the hub gives, one class per code: its status, its title and, in its docstring, what it means.

Domain code raises these (`raise refusals.CasusNotFound(f"there is no casus {casus_id}")`), never a bare status
class with a code: a code has one status everywhere. A few live beside the code that raises them (the page's
`SignInRequired`, `CsrfRefused`, ...); `every_refusal()` finds them all, and a test walks each code against the
OpenAPI document, docs/api.md and the Dutch sentences of the pages. `scripts/refusals` prints the table of
docs/api.md. The codes are stable: clients branch on them.
"""

from __future__ import annotations

from hub.errors import (
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    SchakelError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthenticated,
    Unprocessable,
)

# Refusals raised at one place in the domains.


class ApproverNotAffected(Forbidden):
    """This convenant requires approval by a privacy officer of a verstrekker the change affects."""

    code = "approver-not-affected"


class BekendZonderRelatie(Forbidden):
    """Your organisation neither sent nor received a melding about this person, so it may not register that it
    knows them (unless the convenant accepts a reference to your own file: `bekend_met_referentie`)."""

    code = "bekend-zonder-relatie"


class BuitenEigenWerkgebied(Forbidden):
    """The melding concerns gemeente …, which is outside your werkgebied (the registry's and the convenant's): a
    sender speaks only for the gemeenten it serves."""

    code = "buiten-eigen-werkgebied"


class FourEyesRequired(Forbidden):
    """Four eyes: a different privacy officer than the proposer must approve."""

    code = "four-eyes-required"


class GeenDeelnemer(Forbidden):
    """… is not a deelnemer of the active convenant."""

    code = "geen-deelnemer"


class GeenOntvanger(Forbidden):
    """The convenant names no recipient for … from … for doel … whose werkgebied covers gemeente …"""

    code = "geen-ontvanger"


class GeenPasskey(Forbidden):
    """Hiervoor is een passkey nodig en u heeft er geen: vraag de beheerder om een inschrijflink."""

    code = "geen-passkey"


class GeenZvh(Forbidden):
    """Only a procesregisseur of a Zorg- en Veiligheidshuis runs a casus."""

    code = "geen-zvh"


class GoedkeurderNietAangewezen(Forbidden):
    """The convenant does not name your organisation to approve a re-identification under doel …; an officer of the
    organisation that asked never approves its own request (convenant.yaml, heridentificatie)."""

    code = "goedkeurder-niet-aangewezen"


class HeridentificatieNietHouder(Forbidden):
    """Only a privacy officer of the organisation the hub gave this pseudonym to may ask who is behind it."""

    code = "heridentificatie-niet-houder"


class HeridentificatieNietToegestaan(Forbidden):
    """The convenant allows no re-identification under doel … (convenant.yaml, heridentificatie)."""

    code = "heridentificatie-niet-toegestaan"


class HeridentificatieZonderVerstrekking(Forbidden):
    """The verstrekkingenlog shows no disclosure about this person to your organisation under doel …: a
    re-identification is asked only for a doel under which the holder received data about the person."""

    code = "heridentificatie-zonder-verstrekking"


class MeldingGeweigerd(Forbidden):
    """No recipient may receive this melding (melding …; the refusals are on the verstrekkingenlog): …"""

    code = "melding-geweigerd"


class NietAanTafel(Forbidden):
    """You are not at the table of casus …, or there is no such casus: only the ZVH that runs a casus and its
    participants send meldingen in it."""

    code = "niet-aan-tafel"


class NotTheRequester(Forbidden):
    """Only the privacy officer who asked may see the identity."""

    code = "not-the-requester"


class RoleMissing(Forbidden):
    """This needs one of the roles: …"""

    code = "role-missing"


class ToestemmingNietBevoegd(Forbidden):
    """The convenant does not entitle … to record a consent for …: only the partner that holds the betrokkene's signed
    statement for it may (convenant.yaml, toestemmingen)."""

    code = "toestemming-niet-bevoegd"


class BetrokkeneUnknown(NotFound):
    """The hub holds no such person."""

    code = "betrokkene-unknown"


class BevestigingNietGevonden(NotFound):
    """Deze bevestiging bestaat niet."""

    code = "bevestiging-niet-gevonden"


class CasusNotFound(NotFound):
    """There is no casus …"""

    code = "casus-not-found"


class DeelnemerNietAanwezig(NotFound):
    """… is not at the table of casus …"""

    code = "deelnemer-niet-aanwezig"


class EmergencyNotFound(NotFound):
    """There is no emergency prohibition …"""

    code = "emergency-not-found"


class EntryNotFound(NotFound):
    """Deze positie bestaat niet in de verstrekkingenlog."""

    code = "entry-not-found"


class KeyNotFound(NotFound):
    """Principal … has no key …"""

    code = "key-not-found"


class LeveringNotFound(NotFound):
    """There is no such delivery in your inbox."""

    code = "levering-not-found"


class MeldingNotFound(NotFound):
    """There is no such melding."""

    code = "melding-not-found"


class NoActivePolicy(NotFound):
    """No convenant version is active yet."""

    code = "no-active-policy"


class OidcNietIngesteld(NotFound):
    """Aanmelden via een identiteitsprovider is hier niet ingesteld."""

    code = "oidc-niet-ingesteld"


class PartnerNotFound(NotFound):
    """There is no partner …"""

    code = "partner-not-found"


class PasskeyNietGevonden(NotFound):
    """There is no such passkey (to revoke)."""

    code = "passkey-niet-gevonden"


class PersonNotFound(NotFound):
    """No such person in the vault."""

    code = "person-not-found"


class PolicyVersionNotFound(NotFound):
    """Deze versie bestaat niet."""

    code = "policy-version-not-found"


class PrincipalNotFound(NotFound):
    """There is no principal …"""

    code = "principal-not-found"


class PrivacyRequestNotFound(NotFound):
    """There is no … request …"""

    code = "privacy-request-not-found"


class PseudonymUnknown(NotFound):
    """The hub gave your organisation no such pseudonym."""

    code = "pseudonym-unknown"


class SignaalNotFound(NotFound):
    """Your organisation has no such bekend signal."""

    code = "signaal-not-found"


class ToestemmingNotFound(NotFound):
    """Your organisation recorded no consent with this id."""

    code = "toestemming-not-found"


class AndereHandeling(Conflict):
    """De passkey bevestigde een andere handeling dan deze: begin opnieuw."""

    code = "andere-handeling"


class BekendheidscheckBuitenTriage(Conflict):
    """Casus … is in stage …: the bekendheidscheck is asked at triage only."""

    code = "bekendheidscheck-buiten-triage"


class CasusGesloten(Conflict):
    """Casus … is closed."""

    code = "casus-gesloten"


class DeelnemerAlAanwezig(Conflict):
    """… is at the table of casus … already."""

    code = "deelnemer-al-aanwezig"


class InhoudDigestMismatch(Conflict):
    """The digest does not match what the hub delivered; acknowledge what you received, unchanged."""

    code = "inhoud-digest-mismatch"


class EmergencySettled(Conflict):
    """This emergency prohibition was confirmed or lifted already."""

    code = "emergency-settled"


class FaseNietToegestaan(Conflict):
    """Casus … is in stage …; it can move to: …"""

    code = "fase-niet-toegestaan"


class GeenTopXCasus(Conflict):
    """Casus … is not a Top X casus."""

    code = "geen-top-x-casus"


class IdempotencyKeyReused(Conflict):
    """This Idempotency-Key was used for another request body; use a new key for a new melding."""

    code = "idempotency-key-reused"


class InhoudGewijzigd(Conflict):
    """Wat u bevestigde is intussen gewijzigd: lees het opnieuw en bevestig opnieuw."""

    code = "inhoud-gewijzigd"


class KeyInUse(Conflict):
    """This public key is registered already."""

    code = "key-in-use"


class KidInUse(Conflict):
    """A key with this kid is registered already; kids are unique hub-wide."""

    code = "kid-in-use"


class LeveringIngetrokkenHerstart(Conflict):
    """This delivery was withdrawn because what it relied on ended (a consent withdrawn, a Top X status lapsed); its
    content is destroyed and it is never delivered."""

    code = "levering-ingetrokken-herstart"


class LogRolledBack(Conflict):
    """The log was put back behind a checkpoint its witnesses cosigned (a restore from an older backup): the hub signs
    no checkpoint over it. See the health and docs/deployment.md, "Backup en herstel"."""

    code = "log-rolled-back"


class MeldingAlGekoppeld(Conflict):
    """This melding belongs to the casus already."""

    code = "melding-al-gekoppeld"


class NotDead(Conflict):
    """Only a dead letter can be re-driven; this one is …"""

    code = "not-dead"


class OinInUse(Conflict):
    """Another partner has this OIN."""

    code = "oin-in-use"


class PartnerExists(Conflict):
    """Partner … exists already."""

    code = "partner-exists"


class PersoonAlGekoppeld(Conflict):
    """This person belongs to the casus already."""

    code = "persoon-al-gekoppeld"


class PersoonZonderMelding(Conflict):
    """A bekendheidscheck asks only about persons a melding linked to the casus is about: … of the casus's persons
    have none."""

    code = "persoon-zonder-melding"


class PolicyAlreadyActive(Conflict):
    """Version … is active or was already."""

    code = "policy-already-active"


class PolicyApprovedAlready(Conflict):
    """Version … is approved already."""

    code = "policy-approved-already"


class PolicyExists(Conflict):
    """This exact convenant is version … already."""

    code = "policy-exists"


class PolicyNotApproved(Conflict):
    """Version … is not approved yet."""

    code = "policy-not-approved"


class PrincipalExists(Conflict):
    """Principal … exists already."""

    code = "principal-exists"


class PrivacyRequestPending(Conflict):
    """A second privacy officer has not approved this request yet."""

    code = "privacy-request-pending"


class PrivacyRequestSettled(Conflict):
    """This request was approved already."""

    code = "privacy-request-settled"


class ToestemmingIngetrokken(Conflict):
    """This consent was withdrawn already."""

    code = "toestemming-ingetrokken"


class WaarschuwingenNietBevestigd(Conflict):
    """Version … has … warnings (e.g. article references a lawyer has not confirmed yet); read them (GET
    /api/v1/beleid/versies/…/validatie) and approve with `waarschuwingenGezien: true`."""

    code = "waarschuwingen-niet-bevestigd"


class IdentityShown(Gone):
    """The identity was shown once already; ask again if it is needed again."""

    code = "identity-shown"


class LeveringIngetrokken(Gone):
    """This delivery was withdrawn before it was made."""

    code = "levering-ingetrokken"


class LeveringVerwijderd(Gone):
    """This delivery's content has left the hub."""

    code = "levering-verwijderd"


class LinkOngeldig(Gone):
    """Deze inschrijflink is onbekend, al gebruikt of verlopen: vraag de beheerder om een nieuwe."""

    code = "link-ongeldig"


class ArtikelOnbekend(Unprocessable):
    """Informing is under AVG article 13 or 14."""

    code = "artikel-onbekend"


class BekendTeLang(Unprocessable):
    """A bekend signal holds at most … (until …); renew it before it ends if you still work with the person."""

    code = "bekend-te-lang"


class BerichttypeUnknown(Unprocessable):
    """The convenant has no berichttype …"""

    code = "berichttype-unknown"


class DatumInToekomst(Unprocessable):
    """The day they were informed cannot lie in the future."""

    code = "datum-in-toekomst"


class DatumOngeldig(Unprocessable):
    """…: enter a date as dd-mm-jjjj."""

    code = "datum-ongeldig"


class DoelNietInConvenant(Unprocessable):
    """No rule in force lets … send … for doel …; choose one of: …"""

    code = "doel-niet-in-convenant"


class DoelOnbekend(Unprocessable):
    """The convenant has no rule in force for … from …, so no doel to send it for."""

    code = "doel-onbekend"


class DoelVereist(Unprocessable):
    """The convenant has several doelen for … from …; state `doel`, one of: …"""

    code = "doel-vereist"


class EmergencyCodesUnknown(Unprocessable):
    """Unknown codes: …"""

    code = "emergency-codes-unknown"


class GemeentePastNietBijAdres(Unprocessable):
    """The melding names gemeente …, but its address (postcode area …) lies in …"""

    code = "gemeente-past-niet-bij-adres"


class GeenDeelnemers(Unprocessable):
    """No partner sits at the table of this casus yet: add the participants first."""

    code = "geen-deelnemers"


class GeenPersonen(Unprocessable):
    """Link the persons of the casus first: the question is about them."""

    code = "geen-personen"


class HerbeoordelingOngeldig(Unprocessable):
    """The review date must lie after today and no later than … (the convenant's informeren_uitstel, …)."""

    code = "herbeoordeling-ongeldig"


class HuisverbodEindeOnverwacht(Unprocessable):
    """Only a huisverbod-monitoring casus has a huisverbod end."""

    code = "huisverbod-einde-onverwacht"


class HuisverbodEindeTeLaat(Unprocessable):
    """A huisverbod lasts at most 28 days (10, extended to at most 28) from a start that has come: its last day lies
    no later than 28 days from today."""

    code = "huisverbod-einde-te-laat"


class HuisverbodEindeVereist(Unprocessable):
    """A huisverbod-monitoring casus needs the last day of the huisverbod (huisverbodEinde): the monitoring runs until
    the agreed term after it."""

    code = "huisverbod-einde-vereist"


class IdentityRefused(Unprocessable):
    """An identity that cannot be used: the code says why; the detail never repeats the value."""

    code = "identity-refused"


class IdentityIncomplete(IdentityRefused):
    """Without a BSN or a pseudonym, a person needs voornamen, achternaam and geboortedatum."""

    code = "identity-incomplete"


class IdentityInvalid(IdentityRefused):
    """The date of birth is not a possible one."""

    code = "identity-invalid"


class BsnInvalid(IdentityRefused):
    """The BSN does not pass the 11-proef."""

    code = "bsn-invalid"


class InformeringOnvolledig(Unprocessable):
    """Not informed: give `grond` (AVG art. 23 lid 1) and `herbeoordeling`, and no `artikel` or `datum`."""

    code = "informering-onvolledig"


class JwkInvalid(Unprocessable):
    """The JWK says alg … but its key type is …"""

    code = "jwk-invalid"


class MeldingInvalid(Unprocessable):
    """A melding's content does not fit its berichttype (a required field, a type); `detail` names the path."""

    code = "melding-invalid"


class OntvangerOnbekend(Unprocessable):
    """Ontvangers: … is no deelnemer or soort of the convenant."""

    code = "ontvanger-onbekend"


class PeriodInvalid(Unprocessable):
    """`van` must lie before `tot`."""

    code = "period-invalid"


class PolicyDatePast(Unprocessable):
    """ActiefVanaf lies in the past; a version cannot be made active retroactively."""

    code = "policy-date-past"


class PostcodeOnbekend(Unprocessable):
    """The hub's postcode table does not know postcode area …, so it cannot tell whether the address lies in the
    gemeente the melding names."""

    code = "postcode-onbekend"


class ProofOutOfRange(Unprocessable):
    """Entry … is not in a tree of … entries."""

    code = "proof-out-of-range"


class PseudonymInvalid(Unprocessable):
    """Not a Schakel pseudonym (ps1.k<versie>.<domein>.<waarde>)."""

    code = "pseudonym-invalid"


class RedenVereist(Unprocessable):
    """Give a reason of 5 to 1000 characters (no personal data)."""

    code = "reden-vereist"


class TeVeelPersonen(Unprocessable):
    """Casus … has … persons; one bekendheidscheck asks about at most …"""

    code = "te-veel-personen"


class ToestemmingItemUnknown(Unprocessable):
    """… is no category or consent item of the active convenant."""

    code = "toestemming-item-unknown"


class ToestemmingTeLang(Unprocessable):
    """A consent for … may hold at most … from its first day (convenant.yaml, toestemmingen, max_termijn): geldigTot
    … lies beyond …"""

    code = "toestemming-te-lang"


class ToestemmingVoorVerklaring(Unprocessable):
    """A consent cannot apply before the betrokkene signed the statement: geldigVan … lies before verklaardOp …"""

    code = "toestemming-voor-verklaring"


class ToestemmingZonderRegel(Unprocessable):
    """No rule in force lets these recipients receive the item for this doel on consent: the consent could never be
    relied on for them. The detail lists the recipients it can serve."""

    code = "toestemming-zonder-regel"


class TotVerleden(Unprocessable):
    """The end date lies in the past."""

    code = "tot-verleden"


class WebhookUrlInvalid(Unprocessable):
    """WebhookUrl must be an absolute https URL."""

    code = "webhook-url-invalid"


class WebhookUrlMissing(Unprocessable):
    """Delivery mode webhook needs a webhookUrl."""

    code = "webhook-url-missing"


class WebhookUrlUnexpected(Unprocessable):
    """Delivery mode inbox takes no webhookUrl."""

    code = "webhook-url-unexpected"


class WeegtafelVerlopen(Unprocessable):
    """The weegtafel's date lies so far back that its decision has lapsed already (the convenant's
    requalification term): record a current one."""

    code = "weegtafel-verlopen"


class WeegtafelZonderJustitie(Unprocessable):
    """A weegtafel decision needs at least one justitiepartner present (politie, OM, reclassering or DJI)."""

    code = "weegtafel-zonder-justitie"


class AtCap:
    """Mixed into a refusal at a cap the convenant sets: which cap (`limiet`) and the cap in words (`grens`), for
    the ledger's `limiet` entry and the metric."""

    def __init__(self, detail: str, *, limiet: str, grens: str) -> None:
        super().__init__(detail)  # type: ignore[call-arg]  # the SchakelError it is mixed into
        self.limiet, self.grens = limiet, grens


class LijstTeLang(AtCap, Unprocessable):
    """A list holds at most … addresses (convenant.yaml, procesafspraken, lijst_max_adressen): split it."""

    code = "lijst-te-lang"


class LimietBereikt(AtCap, TooManyRequests):
    """A cap of the convenant is reached: … at most … per …; the refusal is on the verstrekkingenlog."""

    code = "limiet-bereikt"


class ConvenantNotActive(ServiceUnavailable):
    """No convenant is active yet."""

    code = "convenant-not-active"


class ConvenantUnreadable(ServiceUnavailable):
    """The convenant version in force cannot be read by this hub: nothing is disclosed until the privacy officers
    approve a version it can read (see the convenant page and `schakel policy migreer`)."""

    code = "convenant-unreadable"


class HubKeysMissing(ServiceUnavailable):
    """The hub has no signing keys yet; run `schakel keys init`."""

    code = "hub-keys-missing"


class LedgerFailed(ServiceUnavailable):
    """The ledger could not store this; nothing stored."""

    code = "ledger-failed"


class LedgerTimeout(ServiceUnavailable):
    """The ledger did not confirm in time; retry with the same Idempotency-Key."""

    code = "ledger-timeout"


class LedgerUnavailable(ServiceUnavailable):
    """The ledger writer is not running; nothing was stored."""

    code = "ledger-unavailable"


class StateChanging(ServiceUnavailable):
    """The registry or the convenant kept changing while this melding was decided; nothing was stored, retry it."""

    code = "state-changing"


class VaultKeysMissing(ServiceUnavailable):
    """The hub has no pseudonym or vault keys; run `schakel keys init`."""

    code = "vault-keys-missing"


# Why a signed token is refused (401): the reasons of `connectors.TokenRejected`, as docs/api.md lists them.

TOKEN_REASONS = {
    "token-missing": "No `Authorization: Bearer` header.",
    "token-oversized": "The token is longer than 8192 bytes.",
    "token-malformed": "Not a compact JWS.",
    "token-type-invalid": "`typ` is missing or not `schakel+jwt`.",
    "algorithm-not-allowed": "`alg` is not `EdDSA` or `ES256`.",
    "algorithm-mismatch": "`alg` differs from the registered key's algorithm.",
    "kid-missing": "No `kid` in the header.",
    "kid-unknown": "No key with this `kid` is registered.",
    "key-revoked": "The key was revoked.",
    "partner-suspended": "The caller's organisation is suspended.",
    "principal-disabled": "This principal is disabled.",
    "signature-invalid": "The signature does not verify with the registered key.",
    "token-expired": "`exp` has passed.",
    "token-not-yet-valid": "`iat` lies in the future.",
    "token-lifetime-too-long": "`exp` is more than 300 s after `iat`.",
    "audience-mismatch": "`aud` is not this hub's public URL.",
    "issuer-mismatch": "`iss` is not the partner that owns the key.",
    "subject-mismatch": "`sub` is not the principal that owns the key.",
    "claim-missing": "A required claim is missing.",
    "claim-invalid": "`iat`/`exp` not whole seconds, or `jti` too long.",
    "method-mismatch": "`htm` is not this request's method.",
    "url-mismatch": "`htu` is not this request's URL.",
    "digest-missing": "A body without `Content-Digest` or without `cdg`.",
    "digest-mismatch": "The body is not the one the token was signed for.",
    "token-replayed": "This token was used before.",
    "token-invalid": "The token cannot be verified.",
}
"""Each reason's meaning; `token_refusal` gives its class."""

_TOKEN_CLASSES: dict[str, type[Unauthenticated]] = {
    reason: type(
        "Token" + "".join(p.capitalize() for p in reason.split("-")),
        (Unauthenticated,),
        {"__doc__": meaning, "code": reason, "__module__": __name__},
    )
    for reason, meaning in TOKEN_REASONS.items()
}


def token_refusal(reason: str) -> type[Unauthenticated]:
    """The 401 class of a token refusal's reason (an unknown reason is a plain `unauthenticated`)."""
    return _TOKEN_CLASSES.get(reason, Unauthenticated)


# Refusals the hub's own machinery gives.


class DatabaseNotWritable(ServiceUnavailable):
    """The database does not take writes (a full disk, read-only, unreachable): nothing can be stored."""

    code = "database-not-writable"


class KeysMissing(ServiceUnavailable):
    """The hub's keys are not loaded (`schakel keys init`)."""

    code = "keys-missing"


NOT_READY: dict[str, type[ServiceUnavailable]] = {c.code: c for c in (DatabaseNotWritable, KeysMissing)}
"""Why the hub is not ready (`hub.ops.service.readiness`), by code."""


def every_refusal() -> list[type[SchakelError]]:
    """Every refusal class the hub has (this catalogue's, the status classes, and those beside their code), once
    all of the hub is imported; sorted by status and code."""
    found: list[type[SchakelError]] = []
    pending: list[type[SchakelError]] = [SchakelError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return sorted(found, key=lambda c: (c.status, c.code))


def markdown_table() -> str:
    """The table of every refusal, as docs/api.md carries it."""
    rows = ["| status | code | meaning |", "|---|---|---|"]
    for kind in every_refusal():
        doc = "A bug on our side; it is logged." if kind is SchakelError else " ".join((kind.__doc__ or "").split())
        rows.append(f"| {kind.status} | `{kind.code}` | {doc} |")
    return "\n".join(rows) + "\n"
