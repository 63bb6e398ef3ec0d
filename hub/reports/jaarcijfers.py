"""The annual figures a Zorg- en Veiligheidshuis publishes: per gemeente and quarter, the meldingen, the casussen
and the unique persons per theme, from the hub's own records and without any identity.

- A melding counts in the quarter (Dutch time) the hub accepted it, for the gemeente it concerns (`onbekend` when
  it does not say) and under the doel it was sent for (its theme). Refused meldingen and the hub's own notices
  (afschaling, bekendheidsvraag) do not count.
- A casus counts in the quarter it was opened, for the gemeente of the first melding linked to it, under its type.
- Persons are counted once per row, by pseudonym: a melding's persons by the log pseudonyms of its ledger entries
  (folded onto the vault's id, so a key rotation does not count anyone twice), a casus's persons by the vault's id.
  A person the hub has forgotten (every term ended) can no longer be counted; draw the figures up soon after the
  year ends, well within the bewaartermijnen.

Who sees which figures is `hub/casus/access.py`'s to say: a ZVH's own readers see its werkgebied's meldingen and its
own casussen in full; anyone else sees the figures of the whole hub with small cells suppressed (`afgeschermd`).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from hub.casus import access
from hub.casus.models import Casus, CasusMelding, CasusPersoon
from hub.delivery.models import Soort as LeveringSoort
from hub.kit.clock import NL
from hub.ledger import repository as ledger_repository
from hub.meldingen.models import Melding
from hub.partners import service as partners
from hub.pseudonym import repository as vault_repository

ONBEKEND = "onbekend"
"""The gemeente of a melding that does not say, or of a casus without meldingen."""

NOTICES = frozenset(str(s) for s in LeveringSoort if s != LeveringSoort.MELDING)
"""The hub's own berichttypes: notices, not meldingen."""

_BATCH = 2000


KLEIN = 5
"""A figure beyond one's own organisation below this (and above zero) is suppressed: it could point at a person."""


@dataclass(frozen=True, slots=True)
class Rij:
    """One figure: `kwartaal` None is the whole year, `thema` None every theme, `gemeente` None every gemeente.
    `aantal` and `personen` None: suppressed (small, or one that would give a small one away)."""

    gemeente: str | None
    kwartaal: int | None
    thema: str | None
    aantal: int | None
    personen: int | None


@dataclass(frozen=True, slots=True)
class Jaarcijfers:
    jaar: int
    meldingen: list[Rij]
    casussen: list[Rij]
    afgeschermd: bool = False
    """Small cells are suppressed: the figures are beyond the reader's own organisation."""


@dataclass(frozen=True, slots=True)
class _Item:
    gemeente: str
    kwartaal: int
    thema: str
    personen: frozenset[str]


def jaarcijfers(session: Session, jaar: int, *, gemeenten: frozenset[str] | None, zvh: str | None) -> Jaarcijfers:
    """The figures of `jaar`. `gemeenten`: only meldingen about these (a procesregisseur: their ZVH's werkgebied);
    `zvh`: only the casussen of this ZVH. None: all."""
    start = datetime(jaar, 1, 1, tzinfo=NL)
    end = datetime(jaar + 1, 1, 1, tzinfo=NL)
    meldingen = (m for m in _meldingen(session, start, end) if gemeenten is None or m.gemeente in gemeenten)
    return Jaarcijfers(jaar, _rows(meldingen), _rows(_casussen(session, start, end, zvh)))


def voor(session: Session, jaar: int, reader: access.Reader) -> Jaarcijfers:
    """The figures `reader` may see: a ZVH's own readers those of its werkgebied and its own casussen in full;
    anyone else the whole hub's, small cells suppressed."""
    zvh = access.own_zvh(session, reader)
    if zvh is not None:
        werkgebied = frozenset(partners.get_partner(session, zvh).werkgebied)
        return jaarcijfers(session, jaar, gemeenten=werkgebied, zvh=zvh)
    everything = jaarcijfers(session, jaar, gemeenten=None, zvh=None)
    return Jaarcijfers(jaar, suppressed(everything.meldingen), suppressed(everything.casussen), afgeschermd=True)


_Key = tuple[str | None, int | None, str | None]


def suppressed(rows: list[Rij]) -> list[Rij]:
    """`rows` with every small cell suppressed, and as many more as it takes that none can be worked out from the
    totals: in every sum the rows make (the quarters of a gemeente's theme, the themes of a gemeente, the
    gemeenten of a theme, the year's total) either nothing is suppressed or at least two figures are; where only
    one would be, the smallest other is suppressed too."""
    cells = {(r.gemeente, r.kwartaal, r.thema): r for r in rows}
    hidden = {key for key, r in cells.items() if 0 < (r.aantal or 0) < KLEIN or 0 < (r.personen or 0) < KLEIN}
    sums: dict[_Key, list[_Key]] = defaultdict(list)
    for gemeente, kwartaal, thema in cells:
        if gemeente is not None and kwartaal is not None:
            sums[(gemeente, None, thema)].append((gemeente, kwartaal, thema))
        elif gemeente is not None and thema is not None:
            sums[(gemeente, None, None)].append((gemeente, None, thema))
            sums[(None, None, thema)].append((gemeente, None, thema))
        elif gemeente is not None:
            sums[(None, None, None)].append((gemeente, None, None))
        elif thema is not None:
            sums[(None, None, None)].append((None, None, thema))
    changed = True
    while changed:
        changed = False
        for total, parts in sums.items():
            figures = [total, *parts]
            if sum(key in hidden for key in figures) != 1:
                continue
            shown = sorted((key for key in parts if key not in hidden), key=lambda k: cells[k].aantal or 0)
            hidden.add(shown[0] if shown else total)
            changed = True
    return [Rij(r.gemeente, r.kwartaal, r.thema, None, None) if key in hidden else r for key, r in cells.items()]


def _quarter(moment: datetime) -> int:
    return (moment.astimezone(NL).month - 1) // 3 + 1


def _meldingen(session: Session, start: datetime, end: datetime) -> Iterator[_Item]:
    query = (
        select(Melding.id, Melding.ontvangen_op, Melding.receipt)
        .where(Melding.status_code == 201, col(Melding.ontvangen_op) >= start, col(Melding.ontvangen_op) < end)
        .where(col(Melding.berichttype).not_in(NOTICES))
        .order_by(col(Melding.ontvangen_op))
    )
    connection = session.connection()
    # Streamed, a batch at a time: a year's receipts need not fit in memory.
    for batch in session.execute(query.execution_options(yield_per=_BATCH)).partitions():
        positions = [int(p) for _, _, receipt in batch for p in receipt.get("posities", [])]
        subjects = ledger_repository.subjects_at(connection, positions)
        persons = vault_repository.ids_by_log_pseudonym(connection, set(subjects.values()))
        for _, ontvangen_op, receipt in batch:
            found = {subjects[int(p)] for p in receipt.get("posities", []) if int(p) in subjects}
            yield _Item(
                gemeente=receipt.get("gemeente") or ONBEKEND,
                kwartaal=_quarter(ontvangen_op),
                thema=str(receipt.get("doel") or ONBEKEND),
                personen=frozenset(persons.get(p, p) for p in found),
            )


def _casussen(session: Session, start: datetime, end: datetime, zvh: str | None) -> Iterator[_Item]:
    query = select(Casus).where(col(Casus.geopend_op) >= start, col(Casus.geopend_op) < end)
    if zvh is not None:
        query = query.where(Casus.zvh == zvh)
    found = session.exec(query.order_by(col(Casus.id))).all()
    ids = [c.id or 0 for c in found]
    persons: dict[int, set[str]] = defaultdict(set)
    gemeente: dict[int, str] = {}
    for offset in range(0, len(ids), _BATCH):
        chunk = ids[offset : offset + _BATCH]
        for casus_id, person_id in session.exec(
            select(CasusPersoon.casus_id, CasusPersoon.person_id).where(col(CasusPersoon.casus_id).in_(chunk))
        ):
            persons[casus_id].add(person_id)
        linked = session.exec(
            select(CasusMelding.casus_id, Melding.receipt)
            .join(Melding, col(Melding.id) == col(CasusMelding.melding_id))
            .where(col(CasusMelding.casus_id).in_(chunk))
            .order_by(col(CasusMelding.id))
        )
        for casus_id, receipt in linked:
            if casus_id not in gemeente and receipt.get("gemeente"):
                gemeente[casus_id] = str(receipt["gemeente"])
    for casus_ in found:
        cid = casus_.id or 0
        yield _Item(gemeente.get(cid, ONBEKEND), _quarter(casus_.geopend_op), str(casus_.type), frozenset(persons[cid]))


def _rows(items: Iterable[_Item]) -> list[Rij]:
    """Per gemeente: per quarter and theme, per theme over the year, and over the year in all; then every gemeente
    together over the year. Persons are unique within each row (not summed)."""
    groups: dict[tuple[str | None, int | None, str | None], tuple[int, set[str]]] = {}

    def add(key: tuple[str | None, int | None, str | None], item: _Item) -> None:
        count, persons = groups.get(key, (0, set()))
        groups[key] = (count + 1, persons | item.personen)

    for item in items:
        add((item.gemeente, item.kwartaal, item.thema), item)
        add((item.gemeente, None, item.thema), item)
        add((item.gemeente, None, None), item)
        add((None, None, item.thema), item)
        add((None, None, None), item)

    def order(key: tuple[str | None, int | None, str | None]) -> tuple[Any, ...]:
        gemeente, kwartaal, thema = key
        return (gemeente is None, gemeente or "", kwartaal is None, kwartaal or 0, thema is None, thema or "")

    return [Rij(g, k, t, n, len(p)) for (g, k, t), (n, p) in sorted(groups.items(), key=lambda kv: order(kv[0]))]


CSV_KOP = ("tabel", "gemeente", "kwartaal", "thema", "aantal", "personen")


def as_csv(cijfers: Jaarcijfers) -> str:
    """One table: `tabel` is meldingen or casussen; `alle` and `jaar` stand for the totals, `afgeschermd` for a
    suppressed figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_KOP)
    for tabel, rows in (("meldingen", cijfers.meldingen), ("casussen", cijfers.casussen)):
        for row in rows:
            writer.writerow(
                (
                    tabel,
                    row.gemeente or "alle",
                    row.kwartaal or "jaar",
                    row.thema or "alle",
                    _figure(row.aantal),
                    _figure(row.personen),
                )
            )
    return out.getvalue()


def _figure(value: int | None) -> str:
    return "afgeschermd" if value is None else str(value)
