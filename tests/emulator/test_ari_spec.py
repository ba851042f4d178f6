"""The emulator's ARI responses and events validate against the official ARI spec's models.

Reads the spec from ../shared/ari-api-docs (never copied into the repo); skips visibly without it.
Validation is strict: required properties present, no property the model does not define,
primitive types checked, nested models and lists followed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cc112_pbx.emulator.server import Emulator, EmulatorConfig
from tests.emulator.conformance.ari_replay import AriReplay, load_trace
from tests.emulator.test_ari_conformance import REPLAY_ENDPOINTS, TRACES, hooks_for

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = REPO / ".." / "shared" / "ari-api-docs"
PRIMITIVES = {"string": str, "int": int, "long": int, "double": (int, float), "boolean": bool,
              "Date": str, "object": dict}


def load_spec() -> tuple[dict[str, Any], list[tuple[str, re.Pattern[str], int, str]]]:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"ARI spec not found at {SPEC_DIR} (../shared/ari-api-docs): cannot validate models")
    models: dict[str, Any] = {}
    operations: list[tuple[str, re.Pattern[str], int, str]] = []
    for path in sorted(SPEC_DIR.glob("*.json")):
        doc = json.loads(path.read_text())
        models.update(doc.get("models", {}))
        for api in doc.get("apis", []):
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", api["path"])
            literal = sum(1 for part in api["path"].split("/") if part and not part.startswith("{"))
            for op in api.get("operations", []):
                operations.append((op["httpMethod"], re.compile(pattern + r"\Z"), literal, op["responseClass"]))
    return models, operations


def properties(models: dict[str, Any], name: str) -> dict[str, Any]:
    """A model's properties including its bases (Event, Message) for event subtypes."""
    props = dict(models[name].get("properties", {}))
    for base, model in models.items():
        if name in model.get("subTypes", []):
            props.update(properties(models, base))
    return props


def validate(value: Any, kind: str, models: dict[str, Any], where: str) -> list[str]:
    if kind.startswith("List[") and kind.endswith("]"):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [e for i, item in enumerate(value) for e in validate(item, kind[5:-1], models, f"{where}[{i}]")]
    if kind in PRIMITIVES:
        ok = isinstance(value, PRIMITIVES[kind]) and not (kind in ("int", "long") and isinstance(value, bool))
        return [] if ok else [f"{where}: expected {kind}, got {value!r}"]
    if kind not in models:
        return [f"{where}: unknown model {kind}"]
    if not isinstance(value, dict):
        return [f"{where}: expected {kind} object, got {value!r}"]
    props = properties(models, kind)
    problems = [f"{where}: {kind} has no property {key!r}" for key in value if key not in props]
    for key, spec in props.items():
        if key not in value:
            if spec.get("required"):
                problems.append(f"{where}: {kind} lacks required {key!r}")
            continue
        problems.extend(validate(value[key], spec["type"], models, f"{where}.{key}"))
    return problems


def response_class(operations: list[tuple[str, re.Pattern[str], int, str]], method: str, path: str) -> str | None:
    matches = [(literal, cls) for m, regex, literal, cls in operations if m == method and regex.match(path)]
    return max(matches)[1] if matches else None


@pytest.mark.parametrize("trace_name", ["ari-01-bridge-record-seat.jsonl", "ari-04-originate-failures.jsonl",
                                        "ari-10-holding-bridge-announcer.jsonl",
                                        "ari-12-device-and-contact-state.jsonl"])
async def test_emulator_rest_bodies_and_events_validate_against_the_spec(trace_name: str, tmp_path: Path):
    models, operations = load_spec()
    config = EmulatorConfig(recordings_dir=tmp_path, trunk=None, extra_endpoints=REPLAY_ENDPOINTS,
                            sound_seconds=0.05, missing_sounds=frozenset({"no-such-sound-file"}))
    async with Emulator(config) as emu:
        replay = AriReplay(emu.ari_url, load_trace(TRACES / trace_name), user="cc112", password="cc112secret",
                           hooks=hooks_for(trace_name, emu), sync_timeout=1.5)
        await replay.run()
    problems: list[str] = []
    checked = 0
    for exchange in replay.exchanges:
        kind = response_class(operations, exchange.method, exchange.path)
        if exchange.status >= 300 or kind in (None, "void", "binary") or exchange.body is None:
            continue
        checked += 1
        problems.extend(validate(exchange.body, kind, models, f"{exchange.method} {exchange.path}"))
    for log in replay.logs.values():
        for event in log.events:
            checked += 1
            problems.extend(validate(event, event["type"], models, f"event {event['type']}"))
    assert checked > 5
    assert not problems, "\n".join(problems)


def test_validator_rejects_a_channel_missing_fields_and_with_extra_ones():
    models, _ = load_spec()
    bad = {"id": "1.1", "name": "PJSIP/x-1", "state": "Up", "surprise": 1}
    problems = validate(bad, "Channel", models, "channel")
    assert any("surprise" in p for p in problems)
    assert any("lacks required 'caller'" in p for p in problems)
