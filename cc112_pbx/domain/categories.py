"""The one category vocabulary of an incident, and the hint each legacy number carries.

112 is the single emergency number; the legacy numbers still work and pre-tag the incident.
Ambulance (118) and health (119) are one category, `medical`: the call taker cannot tell them
apart on the phone and the same dispatch desk serves both. Older stored names (`sar`,
`ambulance`, `health`, `information`) are read with `parse_category`, so rows and clients from
before the merge keep working. Standard library only.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    POLICE = "police"
    FIRE = "fire"
    MEDICAL = "medical"  # ambulance and health (118, 119)
    SEARCH_AND_RESCUE = "search_and_rescue"
    DISASTER = "disaster"
    ELECTRICITY = "electricity"
    WATER = "water"
    TRAFFIC = "traffic"
    PUBLIC_ORDER = "public_order"
    OTHER = "other"  # information requests and anything else


# What the call taker and the supervisor see, per language (the prompts' languages: id, en).
LABELS: dict[str, dict[Category, str]] = {
    "id": {
        Category.POLICE: "Polisi",
        Category.FIRE: "Pemadam Kebakaran",
        Category.MEDICAL: "Ambulans / Kesehatan",
        Category.SEARCH_AND_RESCUE: "Pencarian dan Pertolongan (SAR)",
        Category.DISASTER: "Bencana",
        Category.ELECTRICITY: "Listrik (PLN)",
        Category.WATER: "Air (PDAM)",
        Category.TRAFFIC: "Lalu Lintas",
        Category.PUBLIC_ORDER: "Ketertiban Umum",
        Category.OTHER: "Informasi / Lainnya",
    },
    "en": {
        Category.POLICE: "Police",
        Category.FIRE: "Fire",
        Category.MEDICAL: "Ambulance / Health",
        Category.SEARCH_AND_RESCUE: "Search and rescue",
        Category.DISASTER: "Disaster",
        Category.ELECTRICITY: "Electricity",
        Category.WATER: "Water",
        Category.TRAFFIC: "Traffic",
        Category.PUBLIC_ORDER: "Public order",
        Category.OTHER: "Information / other",
    },
}
DEFAULT_LANGUAGE = "id"

# Names used before the vocabulary was unified (stored rows, older clients) -> today's category.
LEGACY_NAMES: dict[str, Category] = {
    "sar": Category.SEARCH_AND_RESCUE,
    "ambulance": Category.MEDICAL,
    "health": Category.MEDICAL,
    "information": Category.OTHER,
}

SINGLE_EMERGENCY_NUMBER = "112"

LEGACY_NUMBERS: dict[str, Category] = {
    "110": Category.POLICE,
    "113": Category.FIRE,
    "115": Category.SEARCH_AND_RESCUE,
    "118": Category.MEDICAL,
    "119": Category.MEDICAL,
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


def parse_category(value: str | Category) -> Category:
    """A category from its value or a legacy name (`"ambulance"` -> medical); ValueError otherwise."""
    if isinstance(value, Category):
        return value
    text = value.strip().lower()
    if text in LEGACY_NAMES:
        return LEGACY_NAMES[text]
    try:
        return Category(text)
    except ValueError:
        allowed = ", ".join(c.value for c in Category)
        raise ValueError(f"unknown category {value!r} (one of: {allowed})") from None


def label(category: Category, language: str = DEFAULT_LANGUAGE) -> str:
    """The category's label in `language` ("id" or "en"); Indonesian for any other language."""
    return LABELS.get(language, LABELS[DEFAULT_LANGUAGE])[category]
