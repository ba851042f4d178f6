"""Call tags (issue 19): what a call was, when it was not an emergency, for the centre's reports.

The call taker tags a call prank, abusive, ghost (accidental: a pocket dial, a misdial) or silent
(nobody spoke) in one key press; a ghost call (short, never reached a seat) is tagged by the
system, and so is a call whose caller pressed 5 5 (silent). A number with `flag_after` prank or
abusive calls within `flag_window` seconds is *flagged* on the screen pop and the wallboard. A
flag never blocks anything: a prank caller may one day have a real emergency, so every call is
still queued and answered. Standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any


class CallTag(StrEnum):
    PRANK = "prank"
    ABUSIVE = "abusive"
    GHOST = "ghost"  # accidental: a pocket dial or a misdial
    SILENT = "silent"  # nobody spoke (or the caller pressed 5 5)


NUISANCE = frozenset({CallTag.PRANK, CallTag.ABUSIVE})  # the tags that count towards a number's flag


def parse_tag(text: object) -> CallTag:
    """The tag named by `text`; ValueError otherwise."""
    if not isinstance(text, str) or text not in CallTag.__members__.values():
        raise ValueError(f"one of {', '.join(CallTag)}")
    return CallTag(text)


@dataclass(frozen=True, slots=True)
class PrankPolicy:
    """- `flag_after`: prank/abusive calls from one number within the window that flag it (0: never).
    - `flag_window`: seconds looked back."""

    flag_after: int = 3
    flag_window: float = 7 * 86400.0

    def __post_init__(self) -> None:
        if isinstance(self.flag_after, bool) or not isinstance(self.flag_after, int) or self.flag_after < 0:
            raise ValueError(f"flag_after: a whole number >= 0 (got {self.flag_after!r})")
        if isinstance(self.flag_window, bool) or not isinstance(self.flag_window, (int, float)) \
                or not self.flag_window > 0:
            raise ValueError(f"flag_window: seconds > 0 (got {self.flag_window!r})")

    @classmethod
    def from_settings(cls, incident: object) -> PrankPolicy:
        """From `settings.incident` (`prank_flag_after`, `prank_flag_window`)."""
        return cls(int(incident.prank_flag_after), float(incident.prank_flag_window))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NumberFlag:
    """A number with repeated prank/abusive calls: how many within the window, and the last one."""

    number: str
    pranks: int
    last_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "pranks": self.pranks, "last_at": self.last_at.isoformat()}


class NuisanceNumbers:
    """Per E.164 number, the times of its prank/abusive calls in the window (kept in memory, so a
    call's screen pop is flagged the moment it arrives, with no database read)."""

    def __init__(self, policy: PrankPolicy | None = None) -> None:
        self.policy = policy or PrankPolicy()
        self._times: dict[str, list[datetime]] = {}

    def add(self, number: str | None, at: datetime) -> None:
        if number:
            self._times.setdefault(number, []).append(at)

    def remove(self, number: str | None, at: datetime) -> None:
        times = self._times.get(number or "")
        if times and at in times:
            times.remove(at)

    def flag(self, number: str | None, now: datetime) -> NumberFlag | None:
        """The number's flag now, or None (no number, too few pranks, or flagging off)."""
        if not number or self.policy.flag_after <= 0:
            return None
        since = now - timedelta(seconds=self.policy.flag_window)
        times = [t for t in self._times.get(number, ()) if since <= t <= now]
        self._times[number] = times  # forget the ones out of the window
        if not times:
            del self._times[number]
        if len(times) < self.policy.flag_after:
            return None
        return NumberFlag(number, len(times), max(times))


@dataclass(frozen=True, slots=True)
class TaggedCall:
    """One tag as the reports see it."""

    tag: str
    number: str | None
    at: datetime


def tag_statistics(tags: Iterable[TaggedCall], zone: tzinfo, top: int = 20) -> dict[str, Any]:
    """Counts by tag, by local day and tag, by local hour (0-23) and tag, and the `top` numbers
    (with their counts per tag), in the centre's time zone `zone`."""
    by_tag: Counter[str] = Counter()
    by_day: dict[str, Counter[str]] = {}
    by_hour: list[Counter[str]] = [Counter() for _ in range(24)]
    by_number: dict[str, Counter[str]] = {}
    for item in tags:
        local = item.at.astimezone(zone)
        by_tag[item.tag] += 1
        by_day.setdefault(local.date().isoformat(), Counter())[item.tag] += 1
        by_hour[local.hour][item.tag] += 1
        if item.number:
            by_number.setdefault(item.number, Counter())[item.tag] += 1
    numbers = sorted(by_number.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:top]
    return {
        "total": sum(by_tag.values()),
        "by_tag": {tag.value: by_tag.get(tag.value, 0) for tag in CallTag},
        "by_day": [{"day": day, "total": sum(c.values()), **{t.value: c.get(t.value, 0) for t in CallTag}}
                   for day, c in sorted(by_day.items())],
        "by_hour": [{"hour": hour, "total": sum(c.values()), **{t.value: c.get(t.value, 0) for t in CallTag}}
                    for hour, c in enumerate(by_hour)],
        "by_number": [{"number": number, "total": sum(c.values()), **{t.value: c.get(t.value, 0) for t in CallTag}}
                      for number, c in numbers],
    }
