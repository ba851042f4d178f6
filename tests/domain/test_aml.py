"""AML messages (ETSI TS 103 625): every field checked, every problem named at once, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.domain.aml import AmlLimits, InvalidAml, PositioningMethod, parse_fields, parse_sms, split_sms

NOW = datetime(2026, 3, 1, 9, 30, 30, tzinfo=UTC)
TOP = "20260301093015"
SMS = ('A"ML=1;lt=-6.98123;lg=+110.40912;rd=12;top=20260301093015;lc=68;pm=G;si=510100000000000;'
       "ei=355458061005220;mcc=510;mnc=10;ml=124")


def form(**changes: str | None) -> dict[str, str]:
    fields = {"v": "1", "thisMsgNum": "2", "msisdn": "081234567890", "lt": "-6.98123", "lg": "110.40912",
              "rd": "12.5", "top": TOP, "lc": "68", "pm": "W", "si": "510100000000000", "ei": "355458061005220",
              "mcc": "510", "mnc": "10", "ml": "150"}
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def errors_of(fields: dict[str, str], **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidAml) as caught:
        parse_fields(fields, NOW, **kwargs)
    return {e.field: e.message for e in caught.value.errors}


def test_an_https_form_gives_the_position_and_the_number_in_e164():
    message = parse_fields(form(), NOW)
    assert message.number == "+6281234567890"
    assert (message.latitude, message.longitude, message.radius_m) == (-6.98123, 110.40912, 12.5)
    assert message.positioned_at == datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    assert (message.confidence, message.method, message.message_number) == (68, PositioningMethod.WIFI, 2)
    assert message.dedupe_key == "+6281234567890#2"
    assert message.location()["source"] == "aml"


@pytest.mark.parametrize("raw", ["+6281234567890", "6281234567890", "081234567890", "+62 812-3456-7890"])
def test_the_number_is_normalised_from_indonesian_forms(raw):
    assert parse_fields(form(msisdn=raw), NOW).number == "+6281234567890"


def test_the_els_device_number_field_is_accepted_for_the_number():
    assert parse_fields(form(msisdn=None, device_number="+6281234567890"), NOW).number == "+6281234567890"


def test_an_sms_text_gives_the_same_position_with_the_originator_as_number():
    message = parse_sms(SMS, NOW, originator="0812 3456 7890")
    assert message.number == "+6281234567890"
    assert (message.latitude, message.longitude, message.radius_m, message.method) == (
        -6.98123, 110.40912, 12.0, PositioningMethod.GNSS)
    assert message.message_number is None
    assert message.dedupe_key == "+6281234567890@20260301093015"


def test_an_sms_may_carry_the_number_itself():
    assert parse_sms(SMS + ";msisdn=6281234567890", NOW).number == "+6281234567890"


def test_every_bad_field_is_named_at_once():
    errors = errors_of(form(lt="-91", lg="181.5", rd="-3", lc="101", pm="X", thisMsgNum="two", v="2",
                            mcc="51", ei="12"))
    assert set(errors) == {"lt", "lg", "rd", "lc", "pm", "thisMsgNum", "v", "mcc", "ei"}
    assert "between -90 and 90" in errors["lt"]


def test_missing_fields_are_each_required():
    errors = errors_of({"v": "1"})
    assert {"thisMsgNum", "msisdn", "lt", "lg", "rd", "top", "lc", "pm"} <= set(errors)
    assert all(errors[name] == "required" for name in ("lt", "lg", "top"))


def test_a_time_of_positioning_in_the_future_or_too_old_is_refused():
    future = (NOW + timedelta(minutes=10)).strftime("%Y%m%d%H%M%S")
    old = (NOW - timedelta(hours=2)).strftime("%Y%m%d%H%M%S")
    assert "future" in errors_of(form(top=future))["top"]
    assert "older" in errors_of(form(top=old))["top"]
    assert "yyyyMMddHHmmss" in errors_of(form(top="2026-03-01T09:30"))["top"]
    skewed = (NOW + timedelta(seconds=30)).strftime("%Y%m%d%H%M%S")
    assert parse_fields(form(top=skewed), NOW).positioned_at > NOW


def test_a_radius_beyond_the_limit_and_no_position_are_refused():
    assert "metres" in errors_of(form(rd="250000"))["rd"]
    assert "metres" in errors_of(form(rd="900"), limits=AmlLimits(max_radius_m=500))["rd"]
    errors = errors_of(form(rd="N", pm="N"))
    assert "no position" in errors["pm"] and "N" in errors["rd"]


def test_a_number_that_cannot_be_called_back_is_refused():
    assert "telephone number" in errors_of(form(msisdn="anonymous"))["msisdn"]


@pytest.mark.parametrize("text,field", [
    ("hello", 'A"ML'), ('A"ML=1;lt', "text"), ('A"ML=1;lt=1;lt=2', "lt"), ("A" * 3000, "text")])
def test_an_sms_that_is_not_aml_is_refused_naming_the_problem(text, field):
    with pytest.raises(InvalidAml) as caught:
        split_sms(text)
    assert field in {e.field for e in caught.value.errors}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["v", "thisMsgNum", "msisdn", "lt", "lg", "rd", "top", "lc", "pm", "si", "ei",
                                        "mcc", "mnc", "ml", "x"]), st.text(max_size=24)))
def test_the_form_parser_never_crashes(fields):
    try:
        message = parse_fields(fields, NOW)
    except InvalidAml as exc:
        assert exc.errors and all(e.field and e.message for e in exc.errors)
    else:
        assert -90 <= message.latitude <= 90 and -180 <= message.longitude <= 180 and message.radius_m >= 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.text(max_size=20)))
def test_the_sms_parser_never_crashes(text, originator):
    try:
        parse_sms('A"ML=1;' + text, NOW, originator=originator)
        parse_sms(text, NOW, originator=originator)
    except InvalidAml as exc:
        assert exc.errors
