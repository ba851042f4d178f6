"""dialplan/extensions_cc112.conf: calls walked through it, its summary, and asterisklint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cc112_pbx.deploy.modules import module_names

from .dialplan_walker import Call, Dialplan

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "dialplan" / "extensions.conf"
DIALPLAN_FILE = REPO / "dialplan" / "extensions_cc112.conf"
EMERGENCY_NUMBERS = ("112", "110", "113", "115", "118", "119", "123")
ASTERISKLINT = Path(sys.executable).parent / "asterisklint"
DIALPLAN = Dialplan.load(ENTRY)
SAMPLE_DIALLED = {"_X": "5", "_X.": "0241234567", "_+X.": "+6224123", "_[A-Za-z#*].": "abc"}
QUEUE_OUTCOMES = ("TIMEOUT", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL", "FULL", "CONTINUE")


def citizen(exten: str, stasis: str = "FAILED", queue=("ANSWERED",), **kwargs) -> Call:
    """A call from the trunk to `exten`; Stasis() answers `stasis`, Queue() each outcome in turn."""
    outcomes = iter(queue)
    seen: list[list[str]] = []

    def on_stasis(args: list[str]) -> str:
        seen.append(args)
        return stasis

    call = Call(DIALPLAN, stasis=on_stasis, queue=lambda args: next(outcomes, "CALLER_HUNG_UP"), **kwargs)
    call.stasis_args = seen
    return call.run("cc112-inbound", exten)


def seat(exten: str, endpoint: str = "seat02", stasis: str = "SUCCESS", **kwargs) -> Call:
    seen: list[list[str]] = []

    def on_stasis(args: list[str]) -> str:
        seen.append(args)
        return stasis

    call = Call(DIALPLAN, endpoint=endpoint, stasis=on_stasis, **kwargs)
    call.stasis_args = seen
    return call.run("cc112-seats", exten)


@pytest.mark.parametrize("number", EMERGENCY_NUMBERS)
def test_each_emergency_number_enters_the_controller_with_its_own_number(number):
    call = citizen(number, stasis="HANGUP")
    assert call.stasis_args == [["inbound", number]]
    assert call.apps("Stasis") == [f"cc112,inbound,{number}"]
    assert call.variables["CC112_DIALLED"] == number
    assert call.variables["CHANNEL(language)"] == "id"


@pytest.mark.parametrize("dialled", ["0241234567", "+622476900112", "7", "s", "emergency"])
def test_any_other_number_on_the_emergency_trunk_is_treated_as_112(dialled):
    call = citizen(dialled, stasis="HANGUP")
    assert call.stasis_args == [["inbound", "112"]]
    assert call.variables["CC112_DIALLED"] == dialled


def test_controller_down_caller_is_answered_recorded_then_queued():
    call = citizen("112", stasis="FAILED", queue=("ANSWERED",))
    order = [app for app, _ in call.executed if app in ("Answer", "MixMonitor", "Queue")]
    assert order == ["Answer", "MixMonitor", "Queue"]
    assert call.apps("MixMonitor") == ["cc112/1700000000.42.wav"]
    assert call.variables["CC112_RECORDING"] == "cc112/1700000000.42.wav"
    assert call.variables["CC112_FALLBACK"] == "1"
    queue, *_rest, timeout = call.apps("Queue")[0].split(",")
    assert queue == "cc112-fallback" and int(timeout) >= 300
    assert call.ended == "answered"


def test_a_queue_timeout_sends_the_caller_back_into_the_queue():
    call = citizen("112", stasis="FAILED", queue=("TIMEOUT", "TIMEOUT", "JOINEMPTY", "ANSWERED"))
    assert len(call.apps("Queue")) == 4
    assert call.apps("Hangup") == []
    assert call.variables["CC112_QUEUE_ROUNDS"] == "4"
    assert len(call.apps("MixMonitor")) == 1, "one recording for the whole call"


def test_controller_handing_the_call_back_sends_it_to_the_fallback_queue_without_a_second_recording():
    call = citizen("113", stasis="SUCCESS", queue=("ANSWERED",),
                   variables={"MIXMONITOR_FILENAME": "/var/spool/asterisk/monitor/cc112/call-7.wav"})
    assert call.apps("Queue")[0].startswith("cc112-fallback,")
    assert call.apps("MixMonitor") == []
    assert "CC112_RECORDING" not in call.variables


def test_the_watchdog_continue_target_queues_the_caller():
    call = Call(DIALPLAN, queue=lambda args: "ANSWERED").run("cc112-inbound", "fallback")
    assert call.apps("Queue") and call.answered and call.ended == "answered"


@settings(max_examples=60, deadline=None)
@given(
    number=st.sampled_from([*EMERGENCY_NUMBERS, "0241234567", "s"]),
    stasis=st.sampled_from(["FAILED", "SUCCESS"]),
    outcomes=st.lists(st.sampled_from(QUEUE_OUTCOMES), min_size=1, max_size=8),
)
def test_a_citizen_is_never_hung_up_on_before_being_offered_to_a_seat(number, stasis, outcomes):
    call = citizen(number, stasis=stasis, queue=outcomes)
    assert call.apps("Hangup") == []
    assert call.ended == "caller_hung_up", "the caller stays queued until they give up or a seat answers"
    assert len(call.apps("Queue")) == len(outcomes) + 1


@pytest.mark.parametrize("code", ["*11", "*12", "*13"])
def test_seat_feature_codes_enter_the_controller_with_the_seat_identity(code):
    call = seat(code, endpoint="seat02", stasis="SUCCESS")
    assert call.stasis_args == [["feature", "seat02", code]]
    assert call.queue_members == {}, "the controller owns the queue while it is connected"


def test_feature_codes_with_the_controller_down_manage_the_fallback_queue():
    members: dict = {}
    login = seat("*11", stasis="FAILED", queue_members=members)
    assert members == {"cc112-fallback": {"PJSIP/seat02": False}}
    assert "cc112/logged-in" in login.apps("Playback")
    pause = seat("*13", stasis="FAILED", queue_members=members)
    assert members["cc112-fallback"]["PJSIP/seat02"] is True and "cc112/paused" in pause.apps("Playback")
    unpause = seat("*13", stasis="FAILED", queue_members=members)
    assert members["cc112-fallback"]["PJSIP/seat02"] is False and "cc112/unpaused" in unpause.apps("Playback")
    logout = seat("*12", stasis="FAILED", queue_members=members)
    assert members == {"cc112-fallback": {}} and "cc112/logged-out" in logout.apps("Playback")


def test_a_seat_dialling_112_makes_a_test_call_through_the_citizen_path():
    call = seat("112", endpoint="seat01", stasis="HANGUP")
    assert call.stasis_args == [["inbound", "112"]]
    assert call.variables["CC112_ORIGIN"] == "seat"


def test_a_callback_goes_out_through_the_telco_trunk_with_the_chosen_caller_id():
    call = Call(DIALPLAN, variables={"CC112_CALLERID": "112"}).run("cc112-outbound", "081234567890")
    assert call.apps("Dial") == ["PJSIP/081234567890@telco,60"]
    assert call.callerid == "112"


def _summary() -> list[tuple[str, list[str], dict[str, str]]]:
    rows = []
    for line in DIALPLAN_FILE.read_text().splitlines():
        if line.startswith("; cc112-summary:"):
            context, *facts = line.split(":", 1)[1].split()
            pairs = dict(fact.split("=", 1) for fact in facts)
            rows.append((context, pairs.pop("exten").split(","), pairs))
    return rows


def test_the_summary_lists_exactly_the_extensions_of_each_context():
    listed: dict[str, set[str]] = {}
    for context, extens, _facts in _summary():
        listed.setdefault(context, set()).update(extens)
    actual = {name: set(extens) for name, extens in DIALPLAN.contexts.items() if name.startswith("cc112-")}
    assert listed == actual


def test_the_summary_states_the_stasis_arguments_each_extension_really_uses():
    checked = 0
    for context, extens, facts in _summary():
        if facts.get("stasis", "none") == "none":
            continue
        for exten in extens:
            dialled = SAMPLE_DIALLED.get(exten, exten)
            call = Call(DIALPLAN, endpoint="seat07", stasis=lambda args: "HANGUP").run(context, dialled)
            expected = facts["stasis"].replace("${EXTEN}", dialled).replace("${CHANNEL(endpoint)}", "seat07")
            assert call.apps("Stasis") == [f"cc112,{expected}"], (context, exten)
            checked += 1
    assert checked >= 10


def test_every_prompt_the_dialplan_plays_exists_in_both_languages():
    played = set(re.findall(r"Playback\((?:en/)?cc112/([\w-]+)\)", DIALPLAN_FILE.read_text()))
    assert {"greeting", "still-holding", "logged-in", "logged-out", "paused", "unpaused"} <= played
    for name in played:
        for lang in ("id", "en"):
            assert (REPO / "sounds" / lang / f"{name}.wav").is_file(), f"sounds/{lang}/{name}.wav"


def test_dialplan_passes_asterisklint():
    result = subprocess.run([str(ASTERISKLINT), "dialplan-check", str(ENTRY)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""


def test_every_module_the_dialplan_uses_is_required_in_modules_conf():
    result = subprocess.run([str(ASTERISKLINT), "modules-show", str(ENTRY)], capture_output=True, text=True,
                            timeout=60, check=True)
    used = set(re.findall(r"^load => (\w+)\.so$", result.stdout, re.MULTILINE))
    assert "app_stasis" in used
    assert used <= set(module_names())
