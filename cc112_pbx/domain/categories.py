"""The emergency numbers the line answers, and the category hint each legacy number carries.

112 is the single emergency number; the legacy numbers still work and pre-tag the incident.
Standard library only.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    POLICE = "police"
    FIRE = "fire"
    SEARCH_AND_RESCUE = "search_and_rescue"
    AMBULANCE = "ambulance"
    HEALTH = "health"
    ELECTRICITY = "electricity"


SINGLE_EMERGENCY_NUMBER = "112"

LEGACY_NUMBERS: dict[str, Category] = {
    "110": Category.POLICE,
    "113": Category.FIRE,
    "115": Category.SEARCH_AND_RESCUE,
    "118": Category.AMBULANCE,
    "119": Category.HEALTH,
    "123": Category.ELECTRICITY,
}

EMERGENCY_NUMBERS: frozenset[str] = frozenset({SINGLE_EMERGENCY_NUMBER, *LEGACY_NUMBERS})


def category_for_dialled(dialled: str | None) -> Category | None:
    """The category hint for the number the citizen dialled; None for 112 and anything else."""
    if dialled is None:
        return None
    return LEGACY_NUMBERS.get(dialled.strip())


def is_emergency_number(dialled: str | None) -> bool:
    return dialled is not None and dialled.strip() in EMERGENCY_NUMBERS
