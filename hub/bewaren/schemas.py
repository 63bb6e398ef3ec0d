"""Response models of the retention outlook. Counts per day, never who."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from hub.kit.api import ApiModel


class PerDag(ApiModel):
    datum: date = Field(description="The day it goes (the day after its last day).")
    aantal: int


class VooruitblikOut(ApiModel):
    van: date
    tot: date
    personen: list[PerDag] = Field(description="Persons whose every term ends: crypto-shredded that day.")
    signalen: list[PerDag] = Field(description="Bekend signals that end.")
    casusreferenties: list[PerDag] = Field(description="Closed casussen whose references to persons and meldingen go.")
    top_x_herkwalificaties: list[PerDag] = Field(description="Top X statuses to requalify by this day (their last).")
    monitoring_einden: list[PerDag] = Field(description="Huisverbod monitorings that end (their last day).")
