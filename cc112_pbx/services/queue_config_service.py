"""The queue configuration through the API: validated field by field (every problem at once),
stored as a new version (author, time), audit-logged, and applied to the running ACD core from
its very next decision. A refused change leaves the version in force untouched.

At start (`adopt`): with no stored version, the settings file's values become version 1
(author "settings"); when the newest version came from the file and the file changed since, the
file's values become a new version; a version saved by an admin through the API stays in force
across restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import structlog

from cc112_pbx.domain.acd import STRATEGY_NAMES
from cc112_pbx.services.access import ADMIN_ONLY, STAFF, Principal, require
from cc112_pbx.services.api_errors import FieldProblem, Invalid, NotFound
from cc112_pbx.services.ports import AuditStore, Clock, QueueConfigStore

log = structlog.get_logger("cc112.queue_config")

FROM_SETTINGS = "settings"
LIMITS: dict[str, tuple[float, float, bool]] = {  # name: (minimum, maximum, integer only)
    "ring_timeout": (1, 600, False),
    "wrapup_time": (0, 3600, False),
    "auto_pause_after_missed": (0, 100, True),
    "overflow_after": (0, 3600, False),
    # the callback policy (`domain.callbacks.CallbackPolicy`), versioned with the queue
    "callback_first_delay": (0, 3600, False),
    "callback_max_attempts": (0, 20, True),
    "callback_retry_interval": (1, 86400, False),
    "callback_ring_timeout": (1, 300, False),
    "callback_seat_cap": (0, 100, True),
}
BOOLEANS = ("callback_enabled",)
FIELDS = ("strategy", *LIMITS, *BOOLEANS)
CALLBACK_FIELDS = tuple(name for name in FIELDS if name.startswith("callback_"))
REQUIRED = tuple(name for name in FIELDS if name not in CALLBACK_FIELDS)  # older versions lack the callback's


class LiveQueue(Protocol):
    def queue_fields(self) -> dict[str, Any]: ...

    async def apply_queue(self, fields: Mapping[str, Any]) -> None: ...


def validate(values: Mapping[str, Any], *, complete: bool) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The values as the core wants them, and every problem (unknown, missing, wrong type, range)."""
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}
    if not isinstance(values, Mapping):
        return {}, [FieldProblem("body", "must be a JSON object")]
    for name in values:
        if name not in FIELDS:
            problems.append(FieldProblem(str(name), f"not a queue setting (known: {', '.join(FIELDS)})"))
    if complete:
        problems += [FieldProblem(name, "is required") for name in REQUIRED if name not in values]
    for name in BOOLEANS:
        if name in values:
            if isinstance(values[name], bool):
                clean[name] = values[name]
            else:
                problems.append(FieldProblem(name, "must be true or false"))
    if "strategy" in values:
        strategy = values["strategy"]
        if strategy not in STRATEGY_NAMES:
            problems.append(FieldProblem("strategy", f"must be one of {', '.join(STRATEGY_NAMES)}"))
        else:
            clean["strategy"] = strategy
    for name, (low, high, integer) in LIMITS.items():
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            problems.append(FieldProblem(name, "must be a number"))
        elif integer and int(value) != value:
            problems.append(FieldProblem(name, "must be a whole number"))
        elif not low <= value <= high:
            problems.append(FieldProblem(name, f"must be between {low:g} and {high:g}"))
        else:
            clean[name] = int(value) if integer else float(value)
    return clean, problems


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"from": old.get(name), "to": new.get(name)}
            for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)}


def version_dict(version: Any) -> dict[str, Any]:
    return {"version": version.version, "settings": dict(version.settings), "author": version.author,
            "created_at": version.created_at.isoformat()}


class QueueConfigService:
    def __init__(self, store: QueueConfigStore, audit: AuditStore, live: LiveQueue, clock: Clock) -> None:
        self.store = store
        self.audit = audit
        self.live = live
        self.clock = clock

    async def adopt(self, from_settings: Mapping[str, Any]) -> dict[str, Any]:
        """At start: decide the version in force (see the module's doc) and apply it."""
        file_values = {name: from_settings[name] for name in FIELDS if name in from_settings}
        current = await self.store.current()
        if current is None or (current.author == FROM_SETTINGS and dict(current.settings) != file_values):
            current = await self.store.save(file_values, FROM_SETTINGS, self.clock.wall())
        # a version saved before the callback policy was versioned takes the file's policy
        values, problems = validate({**file_values, **current.settings}, complete=True)
        if problems:  # a stored version the core cannot take (should not happen): keep the file's
            log.error("stored_queue_config_unusable", version=current.version, problems=[str(p) for p in problems])
            values = file_values
        if values != self.live.queue_fields():
            await self.live.apply_queue(values)
            log.info("queue_config_from_database", version=current.version, author=current.author)
        return version_dict(current)

    async def current(self, principal: Principal) -> dict[str, Any]:
        require(principal, STAFF)
        version = await self.store.current()
        if version is None:  # the database was not ready at start: what the core uses
            return {"version": 0, "settings": self.live.queue_fields(), "author": FROM_SETTINGS, "created_at": None}
        return version_dict(version)

    async def change(self, principal: Principal, values: Mapping[str, Any], *, complete: bool) -> dict[str, Any]:
        """PUT (`complete`: every field) or PATCH (only the fields given)."""
        require(principal, ADMIN_ONLY)
        clean, problems = validate(values, complete=complete)
        if not problems and not clean:
            problems = [FieldProblem("body", "no queue setting given")]
        if problems:
            raise Invalid(problems, "invalid queue configuration; nothing was changed",
                          message_id="konfigurasi antrean tidak valid; tidak ada yang diubah")
        current = await self.store.current()
        old = dict(current.settings) if current is not None else self.live.queue_fields()
        new = {**old, **clean}
        at = self.clock.wall()
        version = await self.store.save(new, principal.username, at)
        await self.live.apply_queue({name: new[name] for name in FIELDS if name in new})
        changes = diff(old, new)
        await self.audit.record(principal.username, "queue_config.saved",
                                {"version": version.version, "changes": changes}, at=at)
        log.info("queue_config_changed", version=version.version, author=principal.username,
                 changed=sorted(changes))
        return version_dict(version)

    async def history(self, principal: Principal, limit: int = 20) -> list[dict[str, Any]]:
        require(principal, STAFF)
        return [version_dict(v) for v in await self.store.history(limit)]

    async def diff(self, principal: Principal, old: int, new: int) -> dict[str, Any]:
        require(principal, STAFF)
        versions = [await self.store.get(old), await self.store.get(new)]
        missing = [FieldProblem(name, f"version {n} does not exist")
                   for name, n, v in zip(("from", "to"), (old, new), versions, strict=True) if v is None]
        if missing:
            raise NotFound("no such queue configuration version", message_id="versi konfigurasi tidak ada",
                           fields=missing)
        return {"from": old, "to": new, "changes": diff(versions[0].settings, versions[1].settings)}
