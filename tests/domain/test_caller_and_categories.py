"""Who is calling and what they dialled: no-callback flags and legacy category hints."""

from __future__ import annotations

import pytest

from cc112_pbx.domain.caller import CallerKind, callback_number, classify_caller
from cc112_pbx.domain.categories import (
    EMERGENCY_NUMBERS,
    LABELS,
    Category,
    category_for_dialled,
    is_emergency_number,
    label,
    parse_category,
)


@pytest.mark.parametrize("number", [None, "", "   "])
def test_sim_less_phone_without_a_number_is_a_no_callback_caller(number):
    kind = classify_caller(number)
    assert kind is CallerKind.NONE
    assert kind.no_callback


@pytest.mark.parametrize(
    "number",
    [
        "anonymous",
        "Anonymous",
        "restricted",
        "unknown",
        "Unavailable",
        "PRIVATE",
        "withheld",
        "sip:anonymous@anonymous.invalid",
    ],
)
def test_withheld_number_is_an_anonymous_no_callback_caller(number):
    kind = classify_caller(number)
    assert kind is CallerKind.ANONYMOUS
    assert kind.no_callback


@pytest.mark.parametrize(
    "number", ["112", "seat01", "12345", "+0812345678", "0012345678901", "08-abc", "99999999999999999"]
)
def test_number_that_cannot_be_rung_back_is_unroutable(number):
    kind = classify_caller(number)
    assert kind is CallerKind.UNROUTABLE
    assert kind.no_callback


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("081234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(024) 355 1234", "+62243551234"),
        ("+442079460000", "+442079460000"),
        ("tel:+6281234567890", "+6281234567890"),
    ],
)
def test_indonesian_and_e164_numbers_are_normal_and_normalised_for_the_callback(number, e164):
    kind = classify_caller(number)
    assert kind is CallerKind.NORMAL
    assert not kind.no_callback
    assert callback_number(number) == e164


def test_no_callback_number_for_callers_without_one():
    assert callback_number(None) is None
    assert callback_number("anonymous") is None


@pytest.mark.parametrize(
    ("dialled", "category"),
    [
        ("110", Category.POLICE),
        ("113", Category.FIRE),
        ("115", Category.SEARCH_AND_RESCUE),
        ("118", Category.MEDICAL),
        ("119", Category.MEDICAL),
        ("123", Category.ELECTRICITY),
        ("112", None),
        (None, None),
        ("999", None),
    ],
)
def test_legacy_number_dialled_pre_tags_the_incident_category(dialled, category):
    assert category_for_dialled(dialled) == category


def test_the_line_answers_112_and_every_legacy_number_only():
    assert sorted(EMERGENCY_NUMBERS) == ["110", "112", "113", "115", "118", "119", "123"]
    assert is_emergency_number("112") and not is_emergency_number("911") and not is_emergency_number(None)


def test_ambulance_and_health_are_one_medical_category():
    assert category_for_dialled("118") is category_for_dialled("119") is Category.MEDICAL
    assert parse_category("ambulance") is parse_category("health") is Category.MEDICAL


@pytest.mark.parametrize(
    ("stored", "category"),
    [("sar", Category.SEARCH_AND_RESCUE), ("information", Category.OTHER), (" Fire ", Category.FIRE),
     ("public_order", Category.PUBLIC_ORDER), (Category.WATER, Category.WATER)],
)
def test_names_from_before_the_merge_and_todays_values_are_read(stored, category):
    assert parse_category(stored) is category


def test_an_unknown_category_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"unknown category 'aliens'.*police, fire, medical"):
        parse_category("aliens")


def test_every_category_has_an_indonesian_and_an_english_label():
    for language in ("id", "en"):
        assert set(LABELS[language]) == set(Category)
    assert label(Category.MEDICAL) == "Ambulans / Kesehatan"
    assert label(Category.FIRE, "en") == "Fire"
    assert label(Category.FIRE, "jv") == "Pemadam Kebakaran"
