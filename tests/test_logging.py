import io
import json
import logging

import pytest

from cc112_pbx.logs import bind_call, bound_call, configure_logging, get_logger, resolve_format
from cc112_pbx.settings import Secret


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_auto_format_is_json_lines_when_not_a_terminal():
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("auto", FakeTerminal()) == "console"
    assert resolve_format("json", FakeTerminal()) == "json"


def test_unknown_format_or_level_is_refused():
    with pytest.raises(ValueError, match="log format"):
        resolve_format("xml", io.StringIO())
    with pytest.raises(ValueError, match="log level"):
        configure_logging("loud", "json", io.StringIO())


def test_bound_call_keys_appear_on_each_json_line():
    out = io.StringIO()
    configure_logging("info", "json", out)
    log = bind_call(
        get_logger("cc112.test"), call_id="c-1", channel="1795938506.1", seat="seat01", incident_id=7
    )
    log.info("call_answered", answered_after_s=3)
    [line] = lines(out)
    assert line["event"] == "call_answered"
    assert line["level"] == "info"
    assert (line["call_id"], line["channel"], line["seat"], line["incident_id"]) == (
        "c-1", "1795938506.1", "seat01", 7)
    assert line["answered_after_s"] == 3
    assert line["timestamp"].endswith("Z")


def test_bind_call_leaves_out_keys_not_given():
    out = io.StringIO()
    configure_logging("info", "json", out)
    bind_call(get_logger(), call_id="c-2").info("call_queued")
    assert "seat" not in lines(out)[0]


def test_bound_call_context_applies_to_every_logger_inside_the_block():
    out = io.StringIO()
    configure_logging("info", "json", out)
    with bound_call(call_id="c-3", incident_id=9):
        get_logger("a").info("inside")
    get_logger("a").info("outside")
    inside, outside = lines(out)
    assert inside["call_id"] == "c-3" and inside["incident_id"] == 9
    assert "call_id" not in outside


def test_level_filters_lines_below_it():
    out = io.StringIO()
    configure_logging("warning", "json", out)
    get_logger().info("quiet")
    get_logger().warning("loud")
    assert [line["event"] for line in lines(out)] == ["loud"]


def test_secrets_are_masked_in_log_lines():
    out = io.StringIO()
    configure_logging("info", "json", out)
    get_logger().info("connecting", password=Secret("hunter2"))
    assert "hunter2" not in out.getvalue()
    assert lines(out)[0]["password"] == "**********"


def test_standard_library_loggers_share_the_renderer():
    out = io.StringIO()
    configure_logging("info", "json", out)
    logging.getLogger("alembic.runtime.migration").info("Running upgrade %s", "0001")
    [line] = lines(out)
    assert line["event"] == "Running upgrade 0001"
    assert line["logger"] == "alembic.runtime.migration"


def test_console_renderer_on_a_terminal():
    out = FakeTerminal()
    assert configure_logging("info", "auto", out) == "console"
    bind_call(get_logger(), seat="seat02").info("seat_paused")
    text = out.getvalue()
    assert "seat_paused" in text and "seat=seat02" in text
    assert not text.startswith("{")


def test_settings_give_level_and_format_unless_the_command_line_says_otherwise():
    from cc112_pbx.logs import configure_from_settings
    from cc112_pbx.settings import LoggingSettings

    section = LoggingSettings(level="warning", format="console")
    out = io.StringIO()
    assert configure_from_settings(section, None, "auto", out) == "console"
    get_logger().info("filtered_by_settings")
    get_logger().warning("shown")
    assert "filtered_by_settings" not in out.getvalue() and "shown" in out.getvalue()
    out = io.StringIO()
    assert configure_from_settings(section, "debug", "json", out) == "json"
    get_logger().debug("debug_from_cli")
    assert lines(out)[0]["event"] == "debug_from_cli"
