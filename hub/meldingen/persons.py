"""The persons in a melding: found, normalised and pseudonymised at intake; given each recipient's pseudonym.

A person is an element of one of the berichttype's person lists (`personen[]`, `adressen[].bewoners[]`). Each
must be identifiable (a valid BSN, or name and date of birth); a melding with a person who is not is refused with
a 422 that says where, never what.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.meldingen.berichttypes import PSEUDONIEM
from hub.pseudonym.identity import Identiteit
from hub.pseudonym.scheme import LOG_DOMAIN, HmacPseudonyms
from hub.pseudonym.vault import OpgegevenIdentiteit
from hub.refusals import IdentityRefused

Path = tuple[tuple[str, int], ...]
"""Where a person stands: (list name, index) from the top, e.g. (("adressen", 1), ("bewoners", 0))."""


@dataclass(frozen=True, slots=True)
class Persoon:
    path: Path
    gegeven: OpgegevenIdentiteit
    identiteit: Identiteit
    rol: str
    log_pseudonym: str

    @property
    def where(self) -> str:
        return "inhoud." + ".".join(f"{name}[{index}]" for name, index in self.path)


def _elements(value: Any, lists: Sequence[str], path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    name, rest = lists[0], lists[1:]
    items = value.get(name) if isinstance(value, dict) else None
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        here = (*path, (name, index))
        if rest:
            yield from _elements(item, rest, here)
        else:
            yield here, item


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def find_persons(
    payload: dict[str, Any], person_lists: Sequence[tuple[str, ...]], scheme: HmacPseudonyms
) -> list[Persoon]:
    persons = []
    for lists in person_lists:
        for path, element in _elements(payload, lists, ()):
            born = _text(element.get("geboortedatum"))
            gegeven = OpgegevenIdentiteit(
                bsn=_text(element.get("bsn")),
                voornamen=_text(element.get("voornamen")),
                tussenvoegsel=_text(element.get("tussenvoegsel")),
                achternaam=_text(element.get("achternaam")),
                geboortedatum=date.fromisoformat(born) if born else None,  # validated as a date already
            )
            where = "inhoud." + ".".join(f"{name}[{index}]" for name, index in path)
            try:
                identiteit = gegeven.normalised()
            except IdentityRefused as exc:
                raise type(exc)(f"{where}: {exc.detail}") from None
            rol = element.get("rol") if isinstance(element.get("rol"), str) else "betrokkene"
            persons.append(Persoon(path, gegeven, identiteit, str(rol), scheme.pseudonymise(identiteit, LOG_DOMAIN)))
    return persons


def with_pseudonyms(payload: dict[str, Any], persons: Sequence[Persoon], pseudonyms: Sequence[str]) -> dict[str, Any]:
    """A copy of the melding with each person's pseudonym for one recipient in their element (the rest shared)."""
    copy = dict(payload)
    copied: set[object] = set()  # each list and element on the way is copied once, then changed in place
    for person, pseudonym in zip(persons, pseudonyms, strict=True):
        container: dict[str, Any] = copy
        for depth, (name, index) in enumerate(person.path):
            list_key, element_key = (person.path[:depth], name), person.path[: depth + 1]
            if list_key not in copied:
                container[name] = list(container[name])
                copied.add(list_key)
            if element_key not in copied:
                container[name][index] = dict(container[name][index])
                copied.add(element_key)
            container = container[name][index]
        container[PSEUDONIEM] = pseudonym
    return copy
