"""Adapters: partners' own export formats turned into meldingen. The formats are specified in docs/connectors.md.

- `politie_e33`: the police's E33 export, CSV (`;`, UTF-8, a header row), one row per person per incident;
  the rows of one `registratienummer` make one melding.
- `dji_detentie`: DJI's detentiemeldingen, JSON lines, one detainee per line, with the informatieblad.
- `bkr_adressen`: BKR's list of addresses with payment arrears, CSV, one row per arrear; one melding per
  gemeente (the BKR holds addresses, not residents: no BSN, no names).

Each melding says which gemeente it concerns, as a CBS gemeentecode: the police's incident gemeente (the export's
`gemeentecode` column, or its `gemeente` name looked up in `GEMEENTECODES`), the DJI's gemeente of inschrijving
(`gemeentecode_inschrijving`), the BKR's `gemeentecode` per row (or its `woonplaats` looked up). Where an adapter
derives the code from a name instead of reading it, it says so (`notes`; `schakel-connector` prints them). The hub
reaches only recipients whose werkgebied covers it, takes it only from a sender whose werkgebied covers it, and
checks it against the address where the berichttype declares one.

Each returns the meldingen as the hub takes them (`berichttype`, `inhoud`); values are passed on as written,
and the hub validates them. Empty cells are left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

Melding = dict[str, Any]

GEMEENTECODES: dict[str, str] = {
    "maastricht": "GM0935", "heerlen": "GM0917", "kerkrade": "GM0928", "sittard-geleen": "GM1883",
    "landgraaf": "GM0882", "brunssum": "GM0899", "beekdaelen": "GM1954", "simpelveld": "GM0965",
    "voerendaal": "GM0986", "gulpen-wittem": "GM1729", "vaals": "GM0981", "eijsden-margraten": "GM1903",
    "valkenburg aan de geul": "GM0994", "meerssen": "GM0938", "beek": "GM0888", "stein": "GM0971",
}  # fmt: skip
"""CBS gemeentecodes of the gemeenten of Zuid-Limburg, by name (lower case), for exports that give a name."""


class AdapterError(ValueError):
    """A file is not in the adapter's format; the message names the line and column, never a value."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file, delimiter=";")
        for number, row in enumerate(reader, start=2):
            yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _some(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in ("", None, {})}


def _yes(value: str, where: str) -> bool | None:
    if value == "":
        return None
    if value.lower() in ("ja", "j", "true", "1"):
        return True
    if value.lower() in ("nee", "n", "false", "0"):
        return False
    raise AdapterError(f"{where}: expected ja or nee")


def _count(value: str, where: str) -> int | None:
    if value == "":
        return None
    if not value.isdigit():
        raise AdapterError(f"{where}: expected a whole number")
    return int(value)


def _address(row: dict[str, str]) -> dict[str, Any]:
    return _some(
        straat=row.get("straat"),
        huisnummer=row.get("huisnummer"),
        postcode=row.get("postcode"),
        woonplaats=row.get("woonplaats"),
    )


def _person(row: dict[str, str], rol: str) -> dict[str, Any]:
    return _some(
        rol=rol,
        bsn=row.get("bsn"),
        voornamen=row.get("voornamen"),
        tussenvoegsel=row.get("tussenvoegsel"),
        achternaam=row.get("achternaam"),
        geboortedatum=row.get("geboortedatum"),
        adres=_address(row),
    )


E33_COLUMNS = (
    "registratienummer",
    "datum",
    "tijd",
    "gemeente",
    "gemeentecode",
    "omschrijving",
    "rol",
    "bsn",
    "voornamen",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "geslacht",
    "straat",
    "huisnummer",
    "postcode",
    "woonplaats",
    "telefoon",
    "gedragsobservaties",
    "middelengebruik",
    "bekend_bij_hulpverlening",
    "antecedenten",
    "wapenbezit",
    "agressie_richting_hulpverleners",
    "melder_naam",
    "melder_telefoon",
    "melder_eenheid",
)


def _gemeente(row: dict[str, str], column: str, where: str, notes: list[str] | None) -> str | None:
    """The row's `gemeentecode`, or the code of the gemeente named in `column` (a note says it was derived)."""
    if row.get("gemeentecode"):
        return row["gemeentecode"]
    code = GEMEENTECODES.get(row.get(column, "").lower())
    if code is not None and notes is not None:
        notes.append(f"{where}: gemeentecode {code} derived from column {column}, not given")
    return code


def politie_e33(path: Path, notes: list[str] | None = None) -> list[Melding]:
    meldingen: dict[str, Melding] = {}
    for number, row in _rows(path):
        missing = [c for c in ("registratienummer", "datum") if not row.get(c)]
        if missing:
            raise AdapterError(f"line {number}: column {missing[0]} is empty")
        melding = meldingen.setdefault(
            row["registratienummer"],
            {
                "berichttype": "e33-verward-gedrag",
                "inhoud": {
                    "incident": _some(
                        datum=row["datum"],
                        tijd=row.get("tijd"),
                        gemeente=row.get("gemeente"),
                        gemeentecode=_gemeente(row, "gemeente", f"line {number}", notes),
                        e_code="E33",
                        omschrijving=row.get("omschrijving"),
                        registratienummer=row["registratienummer"],
                    ),
                    "personen": [],
                    "melder": _some(
                        naam=row.get("melder_naam"),
                        telefoon=row.get("melder_telefoon"),
                        eenheid=row.get("melder_eenheid"),
                    ),
                },
            },
        )
        person = _person(row, row.get("rol") or "betrokkene")
        person.update(
            _some(
                geslacht=row.get("geslacht"),
                telefoon=row.get("telefoon"),
                gedragsobservaties=row.get("gedragsobservaties"),
                middelengebruik=row.get("middelengebruik"),
                bekend_bij_hulpverlening=row.get("bekend_bij_hulpverlening"),
                antecedenten=row.get("antecedenten"),
                wapenbezit=_yes(row.get("wapenbezit", ""), f"line {number}, column wapenbezit"),
                agressie_richting_hulpverleners=row.get("agressie_richting_hulpverleners"),
            )
        )
        melding["inhoud"]["personen"].append(person)
    return list(meldingen.values())


def dji_detentie(path: Path, notes: list[str] | None = None) -> list[Melding]:  # noqa: ARG001 - the gemeente is given

    meldingen = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise AdapterError(f"line {number}: not a JSON object") from None
        if not isinstance(record, dict) or record.get("soort") not in ("begin", "einde"):
            raise AdapterError(f"line {number}: `soort` must be begin or einde")
        gedetineerde = record.get("gedetineerde") or {}
        meldingen.append(
            {
                "berichttype": "detentiemelding",
                "inhoud": _some(
                    detentie=_some(
                        soort_melding=record["soort"],
                        datum=record.get("datum"),
                        inrichting=record.get("inrichting"),
                        verwachte_einddatum=record.get("verwachte_einddatum"),
                        titel=record.get("titel"),
                    ),
                    inschrijving=_some(gemeentecode=record.get("gemeentecode_inschrijving")),
                    personen=[_person({**gedetineerde, **(gedetineerde.get("adres") or {})}, "gedetineerde")],
                    informatieblad=record.get("informatieblad") or {},
                    casemanager=record.get("casemanager") or {},
                ),
            }
        )
    return meldingen


def bkr_adressen(path: Path, notes: list[str] | None = None) -> list[Melding]:
    per_gemeente: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
    peildatum = ""
    for number, row in _rows(path):
        peildatum = peildatum or row.get("peildatum", "")
        key = (row.get("postcode", ""), row.get("huisnummer", ""), row.get("straat", ""))
        if not all(key):
            raise AdapterError(f"line {number}: an address needs straat, huisnummer and postcode")
        gemeente = _gemeente(row, "woonplaats", f"line {number}", notes) or ""
        if not gemeente:
            raise AdapterError(f"line {number}: column gemeentecode is empty and woonplaats is no known gemeente")
        addresses = per_gemeente.setdefault(gemeente, {})
        address = addresses.setdefault(key, {**_address(row), "achterstanden": []})
        address["achterstanden"].append(
            _some(
                soort=row.get("soort_achterstand"),
                maanden=_count(row.get("maanden", ""), f"line {number}, column maanden"),
                bedrag_euro=_count(row.get("bedrag_euro", ""), f"line {number}, column bedrag_euro"),
            )
        )
    return [
        {
            "berichttype": "betalingsachterstand",
            "inhoud": {"gemeentecode": gemeente, "peildatum": peildatum, "adressen": list(addresses.values())},
        }
        for gemeente, addresses in sorted(per_gemeente.items())
    ]


class Adapter(Protocol):
    """Reads an export file into meldingen; where it derives a melding's gemeentecode from a name in the file instead
    of reading it, it says so in `notes` (the line and the column)."""

    def __call__(self, path: Path, notes: list[str] | None = None) -> list[Melding]: ...


ADAPTERS: dict[str, Adapter] = {"e33": politie_e33, "dji": dji_detentie, "bkr": bkr_adressen}
