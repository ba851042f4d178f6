"""Officers' positions as phones send them (issue 17): OsmAnd / Traccar Client and OwnTracks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cc112_pbx.domain.positions import InvalidPosition, parse_osmand, parse_owntracks, parse_traccar_json

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def fields_of(exc: pytest.ExceptionInfo[InvalidPosition]) -> list[str]:
    return [e.field for e in exc.value.errors]


def test_osmand_fields_with_unix_seconds_and_knots():
    report = parse_osmand({"id": "pol-01", "lat": "-6.99", "lon": "110.42", "timestamp": str(int(NOW.timestamp())),
                           "speed": "10", "bearing": "90", "altitude": "5", "accuracy": "8", "batt": "77"}, NOW)
    assert (report.device_id, report.lat, report.lon, report.at) == ("pol-01", -6.99, 110.42, NOW)
    assert report.speed_kmh == 18.52 and report.bearing == 90 and report.battery == 77 and report.source == "osmand"


def test_osmand_iso_time_and_no_time_means_now():
    assert parse_osmand({"id": "a", "lat": 1, "lon": 2, "timestamp": "2026-12-06T07:59:00Z"}, NOW).at == \
        NOW - timedelta(minutes=1)
    assert parse_osmand({"id": "a", "lat": 1, "lon": 2}, NOW).at == NOW


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidPosition) as exc:
        parse_osmand({"id": "", "lat": "91", "lon": "nan", "timestamp": "yesterday", "batt": "120"}, NOW)
    assert fields_of(exc) == ["id", "lat", "lon", "timestamp", "batt"]


@pytest.mark.parametrize("offset,ok", [(timedelta(seconds=100), True), (timedelta(seconds=200), False),
                                       (-timedelta(hours=23), True), (-timedelta(days=2), False)])
def test_far_future_and_absurdly_old_fixes_are_refused(offset, ok):
    raw = {"id": "a", "lat": 1, "lon": 2, "timestamp": (NOW + offset).timestamp()}
    if ok:
        parse_osmand(raw, NOW)
    else:
        with pytest.raises(InvalidPosition) as exc:
            parse_osmand(raw, NOW)
        assert fields_of(exc) == ["timestamp"]


def test_traccar_client_json_in_metres_per_second_and_battery_fraction():
    body = {"device_id": "amb-2", "location": {"timestamp": "2026-12-06T08:00:00.000Z", "coords": {
        "latitude": -6.98, "longitude": 110.41, "speed": 10, "heading": 180, "accuracy": 5, "altitude": 3},
        "battery": {"level": 0.5, "is_charging": False}}}
    report = parse_traccar_json(body, NOW)
    assert report.device_id == "amb-2" and report.speed_kmh == 36.0 and report.battery == 50.0
    with pytest.raises(InvalidPosition) as exc:
        parse_traccar_json({"device_id": "x", "location": {"coords": {"latitude": "x"}}}, NOW)
    assert fields_of(exc) == ["location.coords.latitude", "location.coords.longitude", "location.timestamp"]


def test_owntracks_location():
    report = parse_owntracks({"_type": "location", "lat": -6.99, "lon": 110.42, "tst": int(NOW.timestamp()),
                              "acc": 10, "vel": 40, "cog": 270, "batt": 55, "tid": "P1"}, "pol-01", NOW)
    assert report.source == "owntracks" and report.speed_kmh == 40 and report.accuracy_m == 10
    with pytest.raises(InvalidPosition) as exc:
        parse_owntracks({"_type": "location", "lat": -6.99, "lon": 181, "tst": "soon"}, "pol-01", NOW)
    assert fields_of(exc) == ["lon", "tst"]
