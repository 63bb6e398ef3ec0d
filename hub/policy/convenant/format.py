"""The convenant's source format: what privacy officers write, as YAML files in one directory.

    convenant.yaml        the convenant itself: participants (partner -> soort) and the approval rule
    vocabulaires.yaml     soorten, doelen, gegevenscategorieen, grondslagen
    berichttypes.yaml     every field of every berichttype, mapped to a gegevenscategorie
    verboden.yaml         prohibitions that override every rule
    regels/*.yaml         the sharing rules, one file per verstrekker

These models are the format's definition: the JSON Schema published for editors is generated from them
(`schakel policy schema`), and loading a directory validates every file against them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

FORMAAT = 2
"""The format every new version is written in. A stored version is read under the format it was approved in
(`PolicyVersion.formaat`), verbatim, forever: its hash is on the ledger and in every disclosure.

1. Until schema 0007 (release 0.1.0): no werkgebied per deelnemer, and `beroepsgeheim` of a soort a yes or no.
2. Since schema 0008: every deelnemer names its werkgebied; a beroepsgeheim names the law that imposes it.
   (Fields added since with a default, such as `procesafspraken` and `casus`, left the format at 2: a version
   without them reads as it did.)
"""

FORMATEN = (1, 2)


def formaat_of(info: ValidationInfo) -> int:
    """The format a model is being read under: the validation context's `formaat`, else today's."""
    context = info.context
    formaat = context.get("formaat", FORMAAT) if isinstance(context, dict) else FORMAAT
    return int(formaat)


CODE = r"^[a-z0-9][a-z0-9_-]*$"
RULE_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


def _check_duration(value: str, what: str) -> str:
    match = DURATION.fullmatch(value)
    if match is None or not any(match.groups()):
        raise ValueError(f"{what} must be an ISO 8601 duration of years, months and days, e.g. P1Y")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


GEMEENTECODE = r"^GM[0-9]{4}$"
"""A CBS gemeentecode, e.g. `GM0935` (Maastricht)."""


class Beroepsgeheim(Strict):
    """A professional secrecy duty, and the law that imposes it. A convenant cannot create one: the partners can
    agree on what they share, not on who is bound by a statutory duty of confidentiality."""

    wet: str = Field(min_length=3, description="The law that imposes the duty, e.g. `Wet BIG` or `Jeugdwet`.")
    artikelen: list[str] = Field(min_length=1)
    te_bevestigen: bool = Field(default=False, description="The article references still need a lawyer's check.")

    @field_validator("wet")
    @classmethod
    def _statutory(cls, wet: str) -> str:
        if re.search(r"convenant|afgeleid|derived", wet, re.IGNORECASE):
            raise ValueError(
                "a convenant cannot create a professional secrecy duty: name the law that imposes it, or leave "
                "beroepsgeheim out (special data then needs a rule whose grondslag covers it)"
            )
        return wet


class Soort(Strict):
    code: str = Field(pattern=CODE)
    omschrijving: str
    beroepsgeheim: Beroepsgeheim | None = Field(
        default=None, description="The statutory professional secrecy duty of this kind of organisation, if any."
    )

    @field_validator("beroepsgeheim", mode="before")
    @classmethod
    def _yes_or_no(cls, value: object, info: ValidationInfo) -> object:
        # Format 1 said only yes or no, and meant "medisch of afgeleid beroepsgeheim": a convenant cannot create a
        # secrecy duty, and a yes names no law, so it is read as none (fail closed: the verboden for partners
        # without one apply). `hub/policy/convenant/formaat.py` tells the privacy officers to name the law.
        if isinstance(value, bool) and formaat_of(info) == 1:
            return None
        return value


class Verwerkingsactiviteit(Strict):
    id: str = Field(description="The id in the register of processing activities, e.g. `VA-ZVH-001`.")
    versie: int = Field(ge=1)


CasusFase = Literal["aanmelding", "triage", "plan-van-aanpak"]
"""The stages of a casus in which something may be disclosed (afschaling and gesloten end every disclosure)."""
CasusTypeCode = Literal["pga", "top-x", "huisverbod-monitoring", "nazorg", "radicalisering"]


class Doel(Strict):
    code: str = Field(pattern=CODE)
    omschrijving: str
    verwerkingsactiviteit: Verwerkingsactiviteit
    casusfasen: list[CasusFase] = Field(
        default_factory=list,
        description=(
            "The stages of a casus this doel serves (e.g. `[plan-van-aanpak]` for a casusoverleg). A rule for this "
            "doel that is bound to a casus may name only these stages."
        ),
    )
    vertrouwelijk: bool = Field(default=False, description="Disclosures for this doel are held back from inzage.")
    ophaaltermijn: str | None = Field(
        default=None,
        description=(
            "How long a delivery under this doel waits to be collected and acknowledged before its content is "
            "destroyed and the verstrekker is told (ISO 8601); none: `procesafspraken.ophaaltermijn`."
        ),
    )

    @field_validator("ophaaltermijn")
    @classmethod
    def _term(cls, value: str | None) -> str | None:
        return None if value is None else _check_duration(value, "a collection term")


class Categorie(Strict):
    code: str = Field(pattern=CODE)
    omschrijving: str
    bijzonder: Literal["art9", "art10"] | None = Field(
        default=None, description="art9: special category (AVG art. 9); art10: criminal data (AVG art. 10)."
    )


class Grondslag(Strict):
    code: str = Field(pattern=CODE)
    omschrijving: str
    wet: str
    artikelen: list[str] = Field(min_length=1)
    dekt: list[Literal["art9", "art10"]] = Field(
        default_factory=list, description="Which special kinds of data this ground allows (art. 9, art. 10)."
    )
    te_bevestigen: bool = Field(default=False, description="The article references still need a lawyer's check.")


class Vocabulaires(Strict):
    soorten: list[Soort]
    doelen: list[Doel]
    categorieen: list[Categorie]
    grondslagen: list[Grondslag]


class Deelnemer(Strict):
    partner: str = Field(pattern=CODE)
    soort: str = Field(pattern=CODE)
    werkgebied: Annotated[
        list[str] | None,
        WithJsonSchema({"type": "array", "items": {"type": "string", "pattern": GEMEENTECODE}, "minItems": 1}),
    ] = Field(
        description="The CBS gemeentecodes (e.g. `GM0935`) this partner serves: it receives meldingen about them only."
    )
    """None only in a version of format 1, which bound no disclosure to a werkgebied."""

    @model_validator(mode="before")
    @classmethod
    def _unbound(cls, data: object, info: ValidationInfo) -> object:
        if formaat_of(info) == 1 and isinstance(data, dict) and "werkgebied" not in data:
            return {**data, "werkgebied": None}
        return data

    @field_validator("werkgebied")
    @classmethod
    def _codes(cls, werkgebied: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if werkgebied is None:
            if formaat_of(info) == 1:
                return None
            raise ValueError("name the CBS gemeentecodes this partner serves, e.g. [GM0935]")
        if not werkgebied:
            raise ValueError("a werkgebied names at least one CBS gemeentecode")
        for code in werkgebied:
            if not re.fullmatch(GEMEENTECODE, code):
                raise ValueError(f"{code!r} is not a CBS gemeentecode of the form GM0935")
        return werkgebied


class Toestemmingsbevoegdheid(Strict):
    """Who may record a consent for an item: the partner that holds the betrokkene's signed statement for it."""

    item: str = Field(
        pattern=r"^[a-z0-9-]+(/[a-z0-9_-]+)?$",
        description="A category (`basisvoorwaarden`) or one item of it (`basisvoorwaarden/huisvesting`).",
    )
    vastleggers: list[str] = Field(min_length=1, description="Partner ids or soorten that may record it.")
    max_termijn: str = Field(
        default="P1Y",
        description=(
            "The longest a consent for it may hold from its first day (ISO 8601); a consent recorded without an end "
            "holds this long, one asked for longer is refused."
        ),
    )

    @field_validator("max_termijn")
    @classmethod
    def _term(cls, value: str) -> str:
        return _check_duration(value, "a consent's longest term")


class Heridentificatie(Strict):
    """For which doelen the holder of a pseudonym may ask who is behind it, and whose privacy officer approves."""

    doelen: list[str] = Field(
        min_length=1,
        description=(
            "Doel codes. The holder's privacy officer may ask only under a doel of these for which the holder "
            "received data about the person (the ledger shows the disclosure)."
        ),
    )
    goedkeurders: list[str] = Field(
        min_length=1,
        description=(
            "Whose privacy officer may approve: partner ids, soorten, or `verstrekker` (a partner that disclosed "
            "data about the person to the holder under that doel). Never an officer of the holder itself."
        ),
    )


class Goedkeuring(Strict):
    fg_van_betrokken_verstrekker: bool = Field(
        default=False,
        description="The approving privacy officer must belong to a verstrekker whose permissions the change affects.",
    )


class Limiet(Strict):
    """At most `aantal` in any `per` (an ISO 8601 duration, e.g. `P1M`)."""

    aantal: int = Field(ge=1, le=100_000)
    per: str = Field(description="The period (ISO 8601), counted back from now.")

    @field_validator("per")
    @classmethod
    def _period(cls, value: str) -> str:
        return _check_duration(value, "a period")


def _confidential_by_default() -> list[CasusTypeCode]:
    """The casusoverleg radicalisering is confidential wherever a convenant says nothing else."""
    return ["radicalisering"]


class Procesafspraken(Strict):
    """What the partners agreed on the ZVH's process: terms the hub enforces for every casus."""

    top_x_herkwalificatie: str = Field(
        default="P6M",
        description="How long a weegtafel decision for Top X holds before it must be requalified (ISO 8601).",
    )
    huisverbod_monitoring: str = Field(
        default="P1Y", description="How long after a huisverbod ends its monitoring casus may run (ISO 8601)."
    )
    bekend_max_termijn: str = Field(
        default="P1Y",
        description="The longest a partner's `bekend` signal for a person holds before it must be renewed (ISO 8601).",
    )
    casus_bewaartermijn: str = Field(
        default="P2Y",
        description="How long after its afschaling or closure a casus keeps its references to persons and meldingen.",
    )
    bekendheidscheck_max_personen: int = Field(
        default=6, ge=1, le=20, description="The most persons one bekendheidscheck may ask about (one casus's)."
    )
    bekend_limiet: Limiet = Field(
        default=Limiet(aantal=100, per="P1M"),
        description="How many new `bekend` signals one partner may register in a period (renewals do not count).",
    )
    bekend_met_referentie: list[str] = Field(
        default_factory=list,
        description=(
            "Partner ids or soorten that may register a `bekend` signal about a person they neither sent nor received "
            "a melding about, by giving a reference to their own file (`referentie`), e.g. Veilig Thuis for its own "
            "clients. Any other partner registers only about a person it sent or received a melding about."
        ),
    )
    bekendheidschecks_per_dag: int = Field(
        default=20, ge=1, le=1000, description="How many bekendheidschecks one procesregisseur may ask in a day."
    )
    lijst_limiet: Limiet = Field(
        default=Limiet(aantal=4, per="P1M"),
        description="How many lists (a berichttype with `lijst`, e.g. the BKR's) one sender may send in a period.",
    )
    lijst_max_adressen: int = Field(
        default=500,
        ge=1,
        le=500,
        description=(
            "The most addresses one list may hold (so at most `lijst_limiet.aantal` times this per period); never "
            "more than 500, the most elements of any list of a melding."
        ),
    )
    ophaaltermijn: str = Field(
        default="P14D",
        description=(
            "How long a delivery waits to be collected and acknowledged before its content is destroyed and the "
            "verstrekker and the operators are told (ISO 8601); a doel may set its own."
        ),
    )
    vertrouwelijke_casustypen: list[CasusTypeCode] = Field(
        default_factory=_confidential_by_default,
        description=(
            "Kinds of casus that are confidential: an inzage letter names such a casus (or anything of it) only once "
            "a decision to inform its persons is recorded. A casus in which data was shared under a confidential "
            "doel is confidential too."
        ),
    )
    informeren_uitstel: str = Field(
        default="P6M",
        description=(
            "The longest a decision not to inform a casus's persons (AVG art. 23) holds before it must be reviewed "
            "(ISO 8601)."
        ),
    )

    @field_validator(
        "top_x_herkwalificatie",
        "huisverbod_monitoring",
        "bekend_max_termijn",
        "casus_bewaartermijn",
        "informeren_uitstel",
        "ophaaltermijn",
    )
    @classmethod
    def _duration(cls, value: str) -> str:
        return _check_duration(value, "a term")


class Convenant(Strict):
    convenant: str = Field(pattern=CODE)
    naam: str
    versie: str
    goedkeuring: Goedkeuring = Goedkeuring()
    procesafspraken: Procesafspraken = Procesafspraken()
    deelnemers: list[Deelnemer] = Field(min_length=1)
    toestemmingen: list[Toestemmingsbevoegdheid] = Field(
        default_factory=list,
        description="Per consent item, who may record it; a consent for an item not listed here cannot be recorded.",
    )
    heridentificatie: list[Heridentificatie] = Field(
        default_factory=list,
        description=(
            "Under which doelen a pseudonym may be re-identified, and who approves; without an entry for a doel, "
            "no pseudonym is ever re-identified under it."
        ),
    )


class Veld(Strict):
    categorie: str = Field(pattern=CODE)
    item: str | None = Field(
        default=None, pattern=CODE, description="A consent item within the category, e.g. `huisvesting`."
    )


MAX_VRIJE_TEKST = 2000
"""The longest any text field of a melding may be."""


class VrijeTekst(Strict):
    """A free-text field: what it may hold besides its own category, and how long it may be."""

    kan_bevatten: list[str] = Field(
        default_factory=list,
        description=(
            "Categories the text may hold besides the field's own (e.g. `[strafrechtelijk]` for a police "
            "`omschrijving`): the field reaches only a recipient allowed every one of them."
        ),
    )
    max_lengte: int = Field(default=1000, ge=1, le=MAX_VRIJE_TEKST, description="The most characters it may hold.")


class Berichttype(Strict):
    code: str = Field(pattern=CODE)
    versie: int = Field(ge=1)
    omschrijving: str
    velden: dict[str, str | Veld] = Field(
        min_length=1,
        description="Field path -> category. Paths are dotted; `[]` marks a list, e.g. `personen[].adres.postcode`.",
    )
    verplicht: list[str] = Field(
        default_factory=list,
        description=(
            "Paths that must be present: a field (`incident.datum`) or a list that must hold at least one element "
            "(`personen[]`). A field inside a list is required in every element (`personen[].rol`)."
        ),
    )
    gemeente: str | None = Field(
        default=None,
        description=(
            "The field that holds the CBS gemeentecode of the gemeente the melding concerns (of residence, or of the "
            "incident), outside any list. Without it no werkgebied-bound recipient can be reached."
        ),
    )
    postcode: str | None = Field(
        default=None,
        description=(
            "The field with the postcode of the address the gemeentecode describes (it may be inside a list, e.g. "
            "`adressen[].postcode`: then every address). Each must lie in that gemeente by the hub's postcode table; "
            "leave it out where the gemeente is another place's (the incident's, not the residence's)."
        ),
    )
    lijst: str | None = Field(
        default=None,
        description=(
            "For a list of addresses (e.g. `adressen[]`): the list. Such meldingen are capped per sender and period, "
            "and in length (`procesafspraken.lijst_limiet`, `lijst_max_adressen`)."
        ),
    )
    vrije_tekst: dict[str, VrijeTekst] = Field(
        default_factory=dict,
        description=(
            "Its free-text fields (paths of `velden`), each with the categories it may hold besides its own and its "
            "longest length."
        ),
    )

    @field_validator("velden")
    @classmethod
    def _paths(cls, velden: dict[str, str | Veld]) -> dict[str, str | Veld]:
        for path in velden:
            if not re.fullmatch(r"[a-z][a-z0-9_]*(\[\])?(\.[a-z][a-z0-9_]*(\[\])?)*", path):
                raise ValueError(f"field path {path!r} is not of the form a.b[].c")
        return velden

    @model_validator(mode="after")
    def _declared(self) -> Berichttype:
        lists = {path[: i + 2] for path in self.velden for i in range(len(path)) if path[i : i + 2] == "[]"}
        for path in self.verplicht:
            if path not in self.velden and path not in lists:
                raise ValueError(f"verplicht names {path!r}, which is neither a field nor a list of this berichttype")
        if self.gemeente is not None and (self.gemeente not in self.velden or "[]" in self.gemeente):
            raise ValueError(f"gemeente names {self.gemeente!r}: it must be a field of this berichttype outside a list")
        if self.postcode is not None and (self.gemeente is None or self.postcode not in self.velden):
            raise ValueError(
                f"postcode names {self.postcode!r}: it must be a field of this berichttype, and gemeente must be set"
            )
        if self.lijst is not None and (not self.lijst.endswith("[]") or self.lijst not in lists):
            raise ValueError(f"lijst names {self.lijst!r}: it must be a list of this berichttype, e.g. adressen[]")
        for path in self.vrije_tekst:
            if path not in self.velden:
                raise ValueError(f"vrije_tekst names {path!r}, which is not a field of this berichttype")
        return self


class Berichttypes(Strict):
    berichttypes: list[Berichttype]


class CasusVoorwaarde(Strict):
    """The rule applies only to a melding sent within a casus that stands as this says."""

    fasen: list[CasusFase] = Field(min_length=1, description="The stages the casus must be in.")
    typen: list[CasusTypeCode] = Field(
        default_factory=list, description="The kinds of casus it applies to; empty for every kind."
    )
    aan_tafel: bool = Field(
        default=True,
        description="The recipient must be at the table of the casus (a participant, or the ZVH that runs it).",
    )
    top_x: bool = Field(
        default=False, description="The casus must hold Top X status from a weegtafel decision that has not lapsed."
    )


class Voorwaarden(Strict):
    toestemming: bool = Field(
        default=False,
        description="Each category of this rule needs the betrokkene's consent (per item where fields have one).",
    )
    casus: CasusVoorwaarde | None = Field(
        default=None,
        description=(
            "The rule applies only within a casus: in these stages (and kinds), to a recipient at its table. A "
            "melding then names its casus."
        ),
    )


class Regel(Strict):
    id: str = Field(pattern=RULE_ID, description="Stable id, e.g. `R-POL-001`.")
    ontvanger: str = Field(pattern=CODE, description="A partner id or a soort.")
    doel: str = Field(pattern=CODE)
    berichttypes: list[str] = Field(min_length=1)
    categorieen: list[str] = Field(min_length=1)
    grondslag: str = Field(pattern=CODE)
    artikel: str = Field(description="The convenant article this rule implements.")
    artikel_te_bevestigen: bool = False
    bewaartermijn: str = Field(description="ISO 8601 duration, e.g. `P1Y` or `P6M`.")
    geldig_van: date
    geldig_tot: date | None = Field(default=None, description="Last day on which the rule applies.")
    voorwaarden: Voorwaarden = Voorwaarden()

    @field_validator("bewaartermijn")
    @classmethod
    def _duration(cls, value: str) -> str:
        return _check_duration(value, "bewaartermijn")


class Regels(Strict):
    verstrekker: str = Field(pattern=CODE, description="A partner id or a soort.")
    regels: list[Regel] = Field(min_length=1)


class Verbod(Strict):
    id: str = Field(pattern=RULE_ID, description="Stable id, e.g. `V-01`.")
    omschrijving: str
    categorieen: list[str] = Field(min_length=1)
    ontvangers: list[str] = Field(
        default_factory=lambda: ["*"], description="Partner ids or soorten it applies to; `*` for everyone."
    )
    behalve: list[str] = Field(default_factory=list, description="Partner ids or soorten it never applies to.")
    alleen_zonder_beroepsgeheim: bool = Field(
        default=False, description="Applies only to recipients whose soort has no professional secrecy duty."
    )
    geldig_van: date | None = None
    geldig_tot: date | None = None


class Verboden(Strict):
    verboden: list[Verbod] = Field(default_factory=list)


class PolicySource(Strict):
    """A whole convenant, as loaded from its directory (or received by the API)."""

    convenant: Convenant
    vocabulaires: Vocabulaires
    berichttypes: Berichttypes
    verboden: Verboden
    regels: dict[str, Regels] = Field(description="File name under regels/ -> its rules.")


class FormatError(Exception):
    """A file does not match the format. `problems` are (file, location, message) triples."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {loc}: {msg}" for f, loc, msg in problems))


_FILES: dict[str, type[Strict]] = {
    "convenant": Convenant,
    "vocabulaires": Vocabulaires,
    "berichttypes": Berichttypes,
    "verboden": Verboden,
}


def load_directory(directory: Path) -> PolicySource:
    """Read and check every file of a convenant directory. Raises FormatError naming each file and place."""
    raw: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    for name in _FILES:
        raw[name] = _read_yaml(directory / f"{name}.yaml", problems)
    regels: dict[str, Any] = {}
    for path in sorted((directory / "regels").glob("*.yaml")):
        regels[path.name] = _read_yaml(path, problems)
    if not regels:
        problems.append(("regels/", "", "no rule files: add regels/<verstrekker>.yaml"))
    raw["regels"] = regels
    if problems:
        raise FormatError(problems)
    return parse_source(raw)


def parse_source(raw: dict[str, Any]) -> PolicySource:
    """Check a convenant given as data (the API's form: one object per file). Raises FormatError."""
    problems: list[tuple[str, str, str]] = []
    for name, model in _FILES.items():
        _collect(model, raw.get(name), f"{name}.yaml", problems)
    rules = raw.get("regels")
    if not isinstance(rules, dict) or not rules:
        problems.append(("regels/", "", "no rule files: add regels/<verstrekker>.yaml"))
    else:
        for file_name, content in rules.items():
            _collect(Regels, content, f"regels/{file_name}", problems)
    if problems:
        raise FormatError(problems)
    return PolicySource.model_validate(raw)


def source_to_data(source: PolicySource) -> dict[str, Any]:
    """The source as plain JSON data (dates as ISO strings): what is hashed, stored and diffed."""
    data: dict[str, Any] = source.model_dump(mode="json", exclude_defaults=False)
    return data


def write_directory(directory: Path, data: dict[str, Any]) -> None:
    """A convenant given as data written as its directory of YAML files (the reverse of `load_directory`)."""
    (directory / "regels").mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        _write_yaml(directory / f"{name}.yaml", data[name])
    for file_name, rules in sorted(data["regels"].items()):
        _write_yaml(directory / "regels" / file_name, rules)


def _write_yaml(path: Path, content: Any) -> None:
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def _read_yaml(path: Path, problems: list[tuple[str, str, str]]) -> Any:
    label = path.name if path.parent.name != "regels" else f"regels/{path.name}"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append((label, "", "the file is missing"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problems.append((label, where, "not valid YAML"))
    return None


def _collect(model: type[Strict], content: Any, label: str, problems: list[tuple[str, str, str]]) -> None:
    try:
        model.model_validate(content)
    except ValidationError as exc:
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            problems.append((label, location, error["msg"]))


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each kind of file, for editors (`# yaml-language-server: $schema=...`)."""
    schemas = {name: model.model_json_schema() for name, model in _FILES.items()}
    schemas["regels"] = Regels.model_json_schema()
    return schemas


def raw_from_files(files: dict[str, bytes]) -> dict[str, Any]:
    """A convenant given as uploaded files (name -> bytes), in the API's form. `convenant.yaml`,
    `vocabulaires.yaml`, `berichttypes.yaml` and `verboden.yaml` by name; every other `.yaml` file is a rule file
    (as under `regels/`). Raises FormatError naming each file that is missing or not YAML."""
    raw: dict[str, Any] = {}
    regels: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    for name, content in sorted(files.items()):
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem = base.removesuffix(".yaml").removesuffix(".yml")
        if stem == base:
            continue  # not YAML: a README or the like travels along with a directory; it is not part of the convenant
        label = base if stem in _FILES else f"regels/{base}"
        try:
            data = yaml.safe_load(content.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append((label, "", "not UTF-8 text"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append((label, f"line {mark.line + 1}" if mark is not None else "", "not valid YAML"))
            continue
        if stem in _FILES:
            raw[stem] = data
        else:
            regels[base] = data
    for name in _FILES:
        if name not in raw and not any(f[0] == f"{name}.yaml" for f in problems):
            problems.append((f"{name}.yaml", "", "the file is missing"))
    if problems:
        raise FormatError(problems)
    raw["regels"] = regels
    return raw


def add_duration(day: date, duration: str) -> date:
    """`day` plus an ISO 8601 duration of years, months and days (a month's end stays within the month: 31
    January plus P1M is 28 or 29 February)."""
    match = DURATION.fullmatch(duration)
    if match is None:
        raise ValueError(f"{duration!r} is not an ISO 8601 duration of years, months and days")
    years, months, days = (int(g) if g else 0 for g in match.groups())
    month_index = day.month - 1 + months + 12 * years
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last)) + timedelta(days=days)
