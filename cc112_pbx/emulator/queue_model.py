"""The queue's state, as app_queue keeps it: members, waiting callers, statistics. No I/O.

Field lists are those Asterisk 22.10.1 sends (ami-01..04 traces): `member_fields` for the
QueueMember* events, `status_item` for QueueStatus's QueueMember list items.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

Pairs = list[tuple[str, str]]

# AST_DEVICE_* numbers, as the `Status:` of queue members.
DEVICE_STATUS = {
    "UNKNOWN": 0,
    "NOT_INUSE": 1,
    "INUSE": 2,
    "BUSY": 3,
    "INVALID": 4,
    "UNAVAILABLE": 5,
    "RINGING": 6,
    "RINGINUSE": 7,
    "ONHOLD": 8,
}
AVAILABLE_STATUSES = (DEVICE_STATUS["UNKNOWN"], DEVICE_STATUS["NOT_INUSE"])


@dataclass(eq=False)
class QueueMember:
    interface: str
    name: str
    state_interface: str
    penalty: int = 0
    paused: bool = False
    paused_reason: str = ""
    dynamic: bool = True
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = field(default_factory=lambda: int(time.time()))
    in_call: bool = False
    status: int = DEVICE_STATUS["NOT_INUSE"]
    ringinuse: bool = False
    wrapuptime: int = 0
    ringing: bool = False  # a call from this queue is ringing it now

    def member_fields(self, queue: str) -> Pairs:
        """Body of QueueMemberStatus / Added / Removed / Pause / Penalty."""
        return [
            ("Queue", queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            ("StateInterface", self.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", str(int(self.in_call))),
            ("Status", str(self.status)),
            ("Paused", str(int(self.paused))),
            ("PausedReason", self.paused_reason),
            ("Ringinuse", str(int(self.ringinuse))),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    def status_item(self, queue: str) -> Pairs:
        """Body of a QueueStatus `QueueMember` item (its `Name`/`Location` naming differs)."""
        return [
            ("Queue", queue),
            ("Name", self.name),
            ("Location", self.interface),
            ("StateInterface", self.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", str(int(self.in_call))),
            ("Status", str(self.status)),
            ("Paused", str(int(self.paused))),
            ("PausedReason", self.paused_reason),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    @property
    def membership(self) -> str:
        return "dynamic" if self.dynamic else "static"

    @property
    def logged_in(self) -> bool:
        return self.status not in (DEVICE_STATUS["UNAVAILABLE"], DEVICE_STATUS["INVALID"])

    def can_ring(self, ringinuse: bool) -> bool:
        if self.paused or self.ringing:
            return False
        if ringinuse or self.ringinuse:
            return self.logged_in
        return self.status in AVAILABLE_STATUSES and not self.in_call


@dataclass(eq=False)
class QueueEntry:
    """A caller waiting in the queue."""

    channel_id: str
    joined: float  # monotonic
    joined_wall: float
    original_position: int


@dataclass(eq=False)
class CallQueue:
    name: str
    strategy: str = "ringall"
    timeout: float = 15
    retry: float = 5
    ringinuse: bool = False
    joinempty: bool = True
    maxlen: int = 0
    servicelevel: int = 0
    weight: int = 0
    members: dict[str, QueueMember] = field(default_factory=dict)
    entries: list[QueueEntry] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0
    completed_in_sl: int = 0
    abandoned_in_sl: int = 0
    holdtime: int = 0
    talktime: int = 0

    def position_of(self, channel_id: str) -> int:
        for index, entry in enumerate(self.entries, start=1):
            if entry.channel_id == channel_id:
                return index
        return 0

    def ringable_members(self) -> list[QueueMember]:
        return [m for m in self.members.values() if m.can_ring(self.ringinuse)]

    def record_completed(self, hold: int, talk: int) -> None:
        self.completed += 1
        if hold <= self.servicelevel or self.servicelevel == 0:
            self.completed_in_sl += 1
        # app_queue's exponential averages (weight 1/4 of the new value)
        self.holdtime = (self.holdtime * 3 + hold) // 4
        self.talktime = (self.talktime * 3 + talk) // 4

    def record_abandoned(self, hold: int) -> None:
        self.abandoned += 1
        if hold <= self.servicelevel or self.servicelevel == 0:
            self.abandoned_in_sl += 1

    def params_item(self) -> Pairs:
        done = self.completed
        sl = 100.0 * self.completed_in_sl / done if done else 0.0
        both = self.completed + self.abandoned
        sl2 = 100.0 * (self.completed_in_sl + self.abandoned_in_sl) / both if both else 0.0
        return [
            ("Queue", self.name),
            ("Max", str(self.maxlen)),
            ("Strategy", self.strategy),
            ("Calls", str(len(self.entries))),
            ("Holdtime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", str(self.servicelevel)),
            ("ServicelevelPerf", f"{sl:.1f}"),
            ("ServicelevelPerf2", f"{sl2:.1f}"),
            ("Weight", str(self.weight)),
        ]

    def summary_item(self, now: float) -> Pairs:
        logged_in = [m for m in self.members.values() if m.logged_in]
        available = [m for m in logged_in if m.status in AVAILABLE_STATUSES and not m.paused]
        longest = max((int(now - e.joined) for e in self.entries), default=0)
        return [
            ("Queue", self.name),
            ("LoggedIn", str(len(logged_in))),
            ("Available", str(len(available))),
            ("Callers", str(len(self.entries))),
            ("HoldTime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("LongestHoldTime", str(longest)),
        ]
