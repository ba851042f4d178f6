"""Scenarios: who calls, how the seats' softphones behave, what the trunk's citizens do.

A scenario file (TOML or JSON) for `cc112 emulator --scenario FILE`:

    [[seats]]                      # softphones PJSIP/<id>; overrides --seats for the same id
    id = "seat01"
    registered = true              # false: endpoint exists, no contact (originate fails)
    answer_after = 0.5             # seconds of ringing before answering
    actions = ["never", "answer"]  # per call: answer | auto | busy | reject | never (last repeats)
    talk_time = 30                 # optional: the call taker hangs up after this long
    qualify_delay = 12.7           # optional: qualify on; device UNAVAILABLE until this long after registering
    register_after = 2.0           # optional: registers this long after start (starts unregistered)
    dial_on_start = "*11"          # optional: dials this feature code at start, before registering
    busy_at = 1                    # optional: device_state_busy_at (BUSY when in a call)
    callerid = "Meja 1 <seat01>"   # optional: the phone's caller id

    [[callers]]                    # citizens calling in, placed when the emulator starts
    number = "+6281234567890"      # omit or "" for no caller id; "anonymous" for withheld
    dialled = "112"                # 112 110 113 115 118 119 123
    delay = 1.0                    # seconds after start
    patience = 20                  # hangs up if no call taker answered within this long
    talk_time = 10                 # hangs up after talking this long
    dtmf = "1"                     # pressed once connected

    [[citizens]]                   # reached through the trunk (callbacks)
    number = "+6281234567890"
    action = "answer"              # answer | busy | never
    answer_after = 1.0

Tests build the same thing in Python: `Scenario(seats=[SeatBehaviour(...)], callers=[...])`.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .parties import CallerBehaviour, CitizenBehaviour, SeatBehaviour


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the entry and the problem."""


@dataclass(frozen=True, slots=True)
class Scenario:
    seats: tuple[SeatBehaviour, ...] = ()
    callers: tuple[CallerBehaviour, ...] = ()
    citizens: tuple[CitizenBehaviour, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        unknown = set(data) - {"seats", "callers", "citizens"}
        if unknown:
            raise ScenarioError(f"unknown scenario section(s): {', '.join(sorted(unknown))}")
        seats = tuple(_build(SeatBehaviour, item, f"seats[{i}]", rename={"id": "seat"})
                      for i, item in enumerate(data.get("seats", [])))
        callers = tuple(_build(CallerBehaviour, item, f"callers[{i}]")
                        for i, item in enumerate(data.get("callers", [])))
        citizens = tuple(_build(CitizenBehaviour, item, f"citizens[{i}]")
                         for i, item in enumerate(data.get("citizens", [])))
        return cls(seats, callers, citizens)


def _build(kind: type, item: Any, where: str, rename: dict[str, str] | None = None) -> Any:
    if not isinstance(item, dict):
        raise ScenarioError(f"{where}: expected a table, got {type(item).__name__}")
    values = {(rename or {}).get(k, k): v for k, v in item.items()}
    known = {f.name for f in fields(kind)}
    unknown = set(values) - known
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if "actions" in values:
        values["actions"] = tuple(values["actions"])
    try:
        return kind(**values)
    except (TypeError, ValueError) as err:
        raise ScenarioError(f"{where}: {err}") from err


def load_scenario(path: Path) -> Scenario:
    """Read a `.toml` or `.json` scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot read scenario {path}: {err}") from err
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise ScenarioError(f"{path}: {err}") from err
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the top level must be a table")
    return Scenario.from_dict(data)
