"""Cedar policies generated from a compiled convenant, for an independent cross-check of the decision table.

Cedar is never on the request path: the test suite and the benchmark ask cedarpy the same questions as the
table, over the whole finite request space, and demand the same answers.

The model: principal `Schakel::Partner::"<verstrekker>"`, action `Schakel::Action::"verstrek"`, resource
`Schakel::Gegeven::"<categorie>"` or, for one consent item of a category, `Schakel::Gegeven::"<categorie>/<item>"`;
context `{ontvanger, doel, berichttype, datum (day ordinal), toestemmingen (set of strings), heeft_casus, casus_fase,
casus_type, aan_tafel (the recipient is at the casus's table), top_x}`. A rule bound to a casus adds its conditions
on those; a casus that has ended is refused before the table is asked (as the werkgebied is), so not here.
Each rule becomes a `permit`, each prohibition a `forbid` (which Cedar lets win over any permit, as we do).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.policy.deciding.engine import CasusEis, CompiledPolicy, RegelInstantie


def _quote(value: str) -> str:
    return json.dumps(value)


def _resource(name: str) -> str:
    return f"Schakel::Gegeven::{_quote(name)}"


def resources(policy: CompiledPolicy, categorie: str) -> list[str]:
    """The category itself and each of its consent items, as Cedar resource ids."""
    return [categorie, *(f"{categorie}/{item}" for item in sorted(policy.categorie_items.get(categorie, ())))]


def _dates(van: int | None, tot: int | None) -> str:
    parts = []
    if van is not None:
        parts.append(f"context.datum >= {van}")
    if tot is not None:
        parts.append(f"context.datum <= {tot}")
    return " && ".join(parts)


def _permit(regel: RegelInstantie, resource_ids: list[str], extra: str = "") -> str:
    listed = ", ".join(_resource(r) for r in resource_ids)
    conditions = [
        f"[{listed}].contains(resource)",
        f"context.ontvanger == {_quote(regel.ontvanger)}",
        f"context.doel == {_quote(regel.doel)}",
        f"context.berichttype == {_quote(regel.berichttype)}",
        _dates(regel.van, regel.tot),
    ]
    if extra:
        conditions.append(extra)
    if regel.casus is not None:
        conditions.append(_casus(regel.casus))
    return (
        f"@id({_quote(f'{regel.id} {regel.verstrekker}>{regel.ontvanger} {regel.berichttype} {resource_ids[0]}')})\n"
        f"permit (principal == Schakel::Partner::{_quote(regel.verstrekker)}, "
        f'action == Schakel::Action::"verstrek", resource)\n'
        f"when {{ {' && '.join(c for c in conditions if c)} }};"
    )


def _casus(eis: CasusEis) -> str:
    parts = ["context.heeft_casus", f"[{', '.join(_quote(f) for f in sorted(eis.fasen))}].contains(context.casus_fase)"]
    if eis.typen:
        parts.append(f"[{', '.join(_quote(t) for t in sorted(eis.typen))}].contains(context.casus_type)")
    if eis.aan_tafel:
        parts.append("context.aan_tafel")
    if eis.top_x:
        parts.append("context.top_x")
    return " && ".join(parts)


def to_cedar(policy: CompiledPolicy) -> str:
    """The whole convenant (including emergency prohibitions compiled into it) as Cedar policies."""
    statements: list[str] = []
    for regel in policy.regels:
        if not regel.toestemming:
            ids = [r for c in sorted(regel.categorieen) for r in resources(policy, c)]
            statements.append(_permit(regel, ids))
            continue
        for categorie in sorted(regel.categorieen):
            statements.append(_permit(regel, [categorie], f"context.toestemmingen.contains({_quote(categorie)})"))
            for item_id in resources(policy, categorie)[1:]:
                consent = (
                    f"(context.toestemmingen.contains({_quote(categorie)}) || "
                    f"context.toestemmingen.contains({_quote(item_id)}))"
                )
                statements.append(_permit(regel, [item_id], consent))
    for verbod in _prohibitions(policy):
        statements.append(verbod)
    return "\n\n".join(statements) + "\n"


def _prohibitions(policy: CompiledPolicy) -> Iterable[str]:
    verboden = [*policy.source.verboden.verboden, *policy.noodverboden]
    for verbod in verboden:
        takers = [p for p in policy.deelnemers if policy.verbod_geldt(verbod, p)]
        if not takers:
            continue
        ids = [r for c in sorted(verbod.categorieen) for r in resources(policy, c)]
        conditions = [
            f"[{', '.join(_resource(r) for r in ids)}].contains(resource)",
            f"[{', '.join(_quote(t) for t in takers)}].contains(context.ontvanger)",
        ]
        dates = _dates(
            verbod.geldig_van.toordinal() if verbod.geldig_van else None,
            verbod.geldig_tot.toordinal() if verbod.geldig_tot else None,
        )
        if dates:
            conditions.append(dates)
        yield (
            f"@id({_quote(verbod.id)})\n"
            'forbid (principal, action == Schakel::Action::"verstrek", resource)\n'
            f"when {{ {' && '.join(conditions)} }};"
        )


@dataclass(frozen=True, slots=True)
class Vraag:
    """One point of the request space: may `verstrekker` give `resource` to `ontvanger` for this doel and date?"""

    verstrekker: str
    ontvanger: str
    doel: str
    berichttype: str
    resource: str
    datum: date
    toestemmingen: frozenset[str]
    casus: tuple[str, str, bool, bool] | None = None
    """(fase, type, recipient at the table, Top X in force), or None for a melding outside a casus."""

    def cedar_request(self) -> dict[str, Any]:
        return {
            "principal": f"Schakel::Partner::{_quote(self.verstrekker)}",
            "action": 'Schakel::Action::"verstrek"',
            "resource": _resource(self.resource),
            "context": {
                "ontvanger": self.ontvanger,
                "doel": self.doel,
                "berichttype": self.berichttype,
                "datum": self.datum.toordinal(),
                "toestemmingen": sorted(self.toestemmingen),
                "heeft_casus": self.casus is not None,
                "casus_fase": self.casus[0] if self.casus else "",
                "casus_type": self.casus[1] if self.casus else "",
                "aan_tafel": self.casus[2] if self.casus else False,
                "top_x": self.casus[3] if self.casus else False,
            },
        }
