"""The agencies a 112 incident is handed to, their units and officers, and which agencies suit a
category (issue 17). Standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cc112_pbx.domain.categories import Category, parse_category


class AgencyKind(StrEnum):
    POLICE = "police"  # Polrestabes, Polsek
    FIRE = "fire"  # Damkar
    HEALTH = "health"  # Dinkes, ambulance 118, PSC 119, hospitals
    DISASTER = "disaster"  # BPBD
    SAR = "sar"  # Basarnas
    ELECTRICITY = "electricity"  # PLN
    WATER = "water"  # PDAM
    INTERNET = "internet"  # APJII
    VOLUNTEER = "volunteer"  # community volunteer teams
    OTHER = "other"


class OfficerKind(StrEnum):
    OFFICER = "officer"  # one person
    UNIT = "unit"  # a vehicle with its crew (an ambulance, a fire engine)
    TEAM = "team"  # a volunteer team


# what each kind of agency handles when its own list says nothing
DEFAULT_CATEGORIES: dict[AgencyKind, tuple[Category, ...]] = {
    AgencyKind.POLICE: (Category.POLICE, Category.TRAFFIC, Category.PUBLIC_ORDER),
    AgencyKind.FIRE: (Category.FIRE, Category.SEARCH_AND_RESCUE),
    AgencyKind.HEALTH: (Category.MEDICAL,),
    AgencyKind.DISASTER: (Category.DISASTER,),
    AgencyKind.SAR: (Category.SEARCH_AND_RESCUE, Category.DISASTER),
    AgencyKind.ELECTRICITY: (Category.ELECTRICITY,),
    AgencyKind.WATER: (Category.WATER,),
    AgencyKind.INTERNET: (),
    AgencyKind.VOLUNTEER: (),
    AgencyKind.OTHER: (),
}


@dataclass(frozen=True, slots=True)
class AgencyProfile:
    """What the suggestion needs of an agency."""

    id: int
    kind: AgencyKind
    categories: tuple[Category, ...] = ()
    active: bool = True
    name: str = ""
    tags: tuple[str, ...] = field(default=())


def suggested_agencies(category: Category | str | None, agencies: Iterable[AgencyProfile]) -> list[AgencyProfile]:
    """Active agencies that handle the category: those listing it first (in the order given), then
    those whose kind handles it by default; volunteers last. None or `other`: no suggestion."""
    if category is None:
        return []
    category = Category(category)
    listed: list[AgencyProfile] = []
    by_kind: list[AgencyProfile] = []
    for agency in agencies:
        if not agency.active:
            continue
        if category in agency.categories:
            listed.append(agency)
        elif not agency.categories and category in DEFAULT_CATEGORIES[agency.kind]:
            by_kind.append(agency)
    ordered = listed + by_kind
    return sorted(ordered, key=lambda a: a.kind is AgencyKind.VOLUNTEER)  # stable: volunteers after the rest


def categories_of(values: Sequence[str]) -> tuple[Category, ...]:
    """Parse a list of category names (raises ValueError naming the first unknown one)."""
    return tuple(dict.fromkeys(parse_category(v) for v in values))
