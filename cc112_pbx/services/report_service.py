"""Reports through the API: the audit log and the service level of a time window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cc112_pbx.services.access import STAFF, Principal, require
from cc112_pbx.services.api_errors import FieldProblem, Invalid
from cc112_pbx.services.incident_service import parse_page, parse_time
from cc112_pbx.services.plain import plain
from cc112_pbx.services.ports import AuditStore, CallbackStore, CallHistoryStore, Clock

THRESHOLDS = (10, 15, 20)  # seconds: "answered within"
MAX_WINDOW = timedelta(days=31)


def service_level(calls: list[Any]) -> dict[str, Any]:
    """Shares are of all calls in the window (abandoned ones count against it)."""
    total = len(calls)
    answered = [c for c in calls if c.connected_at is not None]
    waits = [(c.connected_at - c.arrived_at).total_seconds() for c in answered]
    outcomes: dict[str, int] = {}
    for call in calls:
        key = str(call.outcome) if call.outcome is not None else "in_progress"
        outcomes[key] = outcomes.get(key, 0) + 1
    within = {f"{t}s": sum(1 for w in waits if w <= t) for t in THRESHOLDS}
    return {
        "calls": total, "answered": len(answered), "abandoned": outcomes.get("abandoned", 0),
        "dropped": outcomes.get("dropped", 0), "outcomes": outcomes,
        "answered_within": within,
        "service_level": {k: (n / total if total else None) for k, n in within.items()},
        "average_wait_s": round(sum(waits) / len(waits), 3) if waits else None,
        "longest_wait_s": round(max(waits), 3) if waits else None,
    }


class ReportService:
    def __init__(self, audit: AuditStore, calls: CallHistoryStore, callbacks: CallbackStore, clock: Clock) -> None:
        self.audit = audit
        self.calls = calls
        self.callbacks = callbacks
        self.clock = clock
        # issue 17: per agency, dispatches and their average response times in the window
        self.dispatch_summary: Callable[[Principal, datetime, datetime], Awaitable[dict[str, Any]]] | None = None

    async def audit_log(self, principal: Principal, query: Mapping[str, str]) -> list[dict[str, Any]]:
        require(principal, STAFF)
        problems: list[FieldProblem] = []
        limit, _ = parse_page(query, problems, default=100)
        if problems:
            raise Invalid(problems)
        rows = await self.audit.recent(limit, action=query.get("action") or None, actor=query.get("actor") or None)
        return [plain(r) for r in rows]

    async def service_level(self, principal: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        require(principal, STAFF)
        problems: list[FieldProblem] = []
        now = self.clock.wall()
        start = parse_time("from", query.get("from"), problems)
        end = parse_time("to", query.get("to"), problems)
        if problems:
            raise Invalid(problems)
        end = end or now
        start = start or end - timedelta(hours=24)
        if not start < end:
            problems.append(FieldProblem("from", "must be before 'to'"))
        elif end - start > MAX_WINDOW:
            problems.append(FieldProblem("to", f"the window may be at most {MAX_WINDOW.days} days"))
        if problems:
            raise Invalid(problems)
        calls = list(await self.calls.inbound_between(start, end))
        result = {"from": start.isoformat(), "to": end.isoformat(), **service_level(calls),
                  "callbacks_by_outcome": dict(await self.callbacks.outcome_counts())}
        if self.dispatch_summary is not None:
            result["dispatch"] = await self.dispatch_summary(principal, start, end)
        return result
