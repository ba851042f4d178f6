"""The demo's live output: one line per thing a supervisor would want to see, as it happens."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

_SEAT_WORDS = {
    "available": "available", "offered": "ringing", "on_call": "on a call", "wrap_up": "wrap-up",
    "paused": "paused", "logged_out": "logged out",
    "unreachable": "phone busy or offline: not rung",
}


class LivePrinter:
    """A `Notifier` listener: one plain line per event to `out`, or to `sink` (the wallboard's log)."""

    def __init__(self, out: TextIO | None = None, start: float | None = None,
                 sink: Callable[[str], None] | None = None) -> None:
        self.out = out or sys.stdout
        self.sink = sink
        self.start = time.monotonic() if start is None else start
        self.numbers: dict[str, int] = {}

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["kind"]
        method = getattr(self, f"_{kind}", None)
        if method is not None:
            method(event)

    def _line(self, who: str, text: str) -> None:
        line = f"{time.monotonic() - self.start:7.2f}s  {who:<9} {text}"
        if self.sink is not None:
            self.sink(line)
        else:
            print(line, file=self.out, flush=True)

    def _call(self, event: dict[str, Any]) -> str:
        return f"call #{self.numbers.get(event['call_id'], '?')}"

    def _call_arrived(self, e: dict[str, Any]) -> None:
        self.numbers[e["call_id"]] = len(self.numbers) + 1
        caller = e["caller"] or "no number (SIM-less phone)"
        hint = f", {e['category']}" if e.get("category") else ""
        self._line(self._call(e), f"arrives from {caller}, dialled {e['dialled']}{hint}")
        if e["no_callback"]:
            self._line(self._call(e), "cannot be called back: call taker asks for the location first")

    def _incident_opened(self, e: dict[str, Any]) -> None:
        self._line(self._call(e), f"incident #{e['incident_id']} opened")

    def _recording_started(self, e: dict[str, Any]) -> None:
        self._line(self._call(e), f"recording to {e['path']}")

    def _seat_ringing(self, e: dict[str, Any]) -> None:
        self._line(self._call(e), f"ringing {e['seat']}")

    def _call_connected(self, e: dict[str, Any]) -> None:
        self._line(self._call(e), f"connected to {e['seat']}")

    def _call_ended(self, e: dict[str, Any]) -> None:
        how = {"answered": f"answered by {e['seat']}", "dropped": "the line dropped mid-report",
               "abandoned": "abandoned: caller gave up", "failed": "not connected"}.get(e["outcome"], e["outcome"])
        self._line(self._call(e), f"ended, {how} after waiting {e['waited']:.1f}s")

    def _callback_scheduled(self, e: dict[str, Any]) -> None:
        if e["dialable"]:
            self._line(self._call(e), f"{e['reason']}: will be called back on {e['number']}")
        else:
            self._line(self._call(e), f"{e['reason']}: no number to call back, on the supervisor's list")

    def _callback_attempt(self, e: dict[str, Any]) -> None:
        number = self.numbers.get(e["callback_of"], "?")
        self.numbers[e["call_id"]] = number  # the attempt's own lines name the call it is for
        self._line(f"call #{number}", f"callback attempt {e['attempt']}: a call taker first, then {e['number']}")

    def _callback_outcome(self, e: dict[str, Any]) -> None:
        again = " (will try again)" if e.get("next_due_at") else ""
        self._line(self._call(e), f"callback attempt {e['attempt']}: {e['outcome'].replace('_', ' ')}{again}")

    def _callback_cancelled(self, e: dict[str, Any]) -> None:
        self._line(f"call #{self.numbers.get(e['callback_of'], '?')}", f"callback cancelled: {e['reason']}")

    def _seat_state(self, e: dict[str, Any]) -> None:
        old, new = e["old"], e["new"]
        if new in ("offered", "on_call"):
            return  # already told by the call's lines
        reason = f" ({e['reason']})" if e.get("reason") else ""
        if new == "wrap_up" and e.get("reason"):
            reason = f", then paused ({e['reason']})"  # a pause asked for during the call
        text = f"{_SEAT_WORDS.get(new, new)}{reason}"
        if old == "logged_out":
            text = f"logged in, {text}"
        self._line(e["seat"], text)

    def _seat_auto_paused(self, e: dict[str, Any]) -> None:
        self._line(e["seat"], f"auto-paused after {e['missed']} unanswered calls in a row")

    def _silent_call(self, e: dict[str, Any]) -> None:
        self._line(self._call(e), "caller pressed 5 5: silent emergency call")

    # issue 19: the handset's AML position, a call tagged by its call taker
    def _aml_location(self, e: dict[str, Any]) -> None:
        where = e.get("location") or {}
        if e.get("call_id") in self.numbers:
            accuracy, method = where.get("accuracy_m", 0), where.get("method", "?")
            self._line(self._call(e), f"AML position on incident #{e['incident_id']}: ± {accuracy:.0f} m ({method})")

    def _call_tagged(self, e: dict[str, Any]) -> None:
        flagged = f"; {e['prank_flag']['pranks']} pranks: number flagged" if e.get("prank_flag") else ""
        self._line(self._call(e), f"tagged {e['tag']} by {e['actor']}{flagged}")
