"""The baseline: the ACD core's decision made the way Asterisk's app_queue makes it.

Deliberately naive, and written only for the benchmark. On every event it re-sorts every
waiting caller, and for each of them walks every member, computes a metric per member
(app_queue's `calc_metric`: for longest-idle the time of the member's last call) and sorts
the members by it, then takes the best free one. Lookups are linear scans of the lists, as
app_queue walks its member container and its caller list.

It makes the same choices as `Acd` for the events the benchmark feeds (arrivals, answers,
hang-ups of either side, ring and wrap-up timers; longest-idle, no auto-pause, no overflow
seats): `acd_bench` checks that on every run, so the comparison is honest. Other events raise
`TypeError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cc112_pbx.domain.acd import (
    AcdCommand,
    CallArrived,
    CallerHungUp,
    CancelOffer,
    CancelTimer,
    ConnectCall,
    HangUpCaller,
    Offer,
    OfferAnswered,
    OfferCall,
    QueueConfig,
    RingTimer,
    SeatHungUp,
    SeatLoggedIn,
    StartTimer,
    TimerFired,
    WrapupTimer,
)


@dataclass(slots=True)
class NaiveMember:
    seat_id: str
    position: int
    logged_in: bool = False
    status: str = "free"  # free | ringing | incall | wrapup
    last_call: float = 0.0
    call_id: str | None = None
    wrapup_round: int = 0


@dataclass(slots=True)
class NaiveCaller:
    call_id: str
    priority: int
    arrived_at: float
    sequence: int
    status: str = "waiting"  # waiting | offered | connected
    seat_id: str | None = None
    offer_id: str | None = None
    last_missed: str | None = None


class NaiveAcd:
    """`handle(event, now) -> list[AcdCommand]`, like `Acd`, without its data structures."""

    def __init__(self, config: QueueConfig) -> None:
        if config.strategy != "longest_idle" or config.auto_pause_after_missed or any(
                s.overflow for s in config.seats):
            raise ValueError("the naive baseline only does longest_idle, no auto-pause, no overflow seats")
        self.config = config
        self.members = [NaiveMember(s.seat_id, i) for i, s in enumerate(config.seats)]
        self.callers: list[NaiveCaller] = []
        self._arrivals = 0
        self._offers = 0

    def handle(self, event: object, now: float) -> list[AcdCommand]:
        out: list[AcdCommand] = []
        if isinstance(event, CallArrived):
            self._arrivals += 1
            self.callers.append(NaiveCaller(event.call_id, event.priority, now, self._arrivals))
        elif isinstance(event, SeatLoggedIn):
            member = self._member(event.seat_id)
            member.logged_in, member.last_call = True, now
        elif isinstance(event, CallerHungUp):
            self._caller_hung_up(event.call_id, now, out)
        elif isinstance(event, SeatHungUp):
            caller = self._caller(event.call_id)
            if caller is not None and caller.status == "connected":
                out.append(HangUpCaller(caller.call_id))
                self._end_conversation(caller, now, out)
        elif isinstance(event, OfferAnswered):
            self._answered(event.offer, out)
        elif isinstance(event, TimerFired):
            self._timer(event.key, out)
        else:
            raise TypeError(f"the naive baseline does not handle {type(event).__name__}")
        self._distribute(now, out)
        return out

    # --- the decision, app_queue style ---------------------------------------------------

    def _distribute(self, now: float, out: list[AcdCommand]) -> None:
        queue = sorted(self.callers, key=lambda c: (-c.priority, c.arrived_at, c.sequence))
        for caller in queue:
            if caller.status != "waiting":
                continue
            scored = sorted(((self._metric(m), m.position, m) for m in self.members), key=lambda t: t[:2])
            free = [m for _, _, m in scored if m.logged_in and m.status == "free"]
            if len(free) > 1:
                free = [m for m in free if m.seat_id != caller.last_missed]
            if free:
                self._offer(caller, free[0], now, out)

    @staticmethod
    def _metric(member: NaiveMember) -> float:
        """app_queue's calc_metric for a least-recent strategy: when the member last took a call."""
        return member.last_call

    def _offer(self, caller: NaiveCaller, member: NaiveMember, now: float, out: list[AcdCommand]) -> None:
        self._offers += 1
        offer = Offer(f"{caller.call_id}/{self._offers}", caller.call_id, member.seat_id)
        caller.status, caller.seat_id, caller.offer_id = "offered", member.seat_id, offer.offer_id
        member.status, member.call_id = "ringing", caller.call_id
        out.append(OfferCall(offer, timeout=self.config.ring_timeout))
        out.append(StartTimer(RingTimer(offer.offer_id), at=now + self.config.ring_timeout))

    # --- events ------------------------------------------------------------------------------

    def _caller_hung_up(self, call_id: str, now: float, out: list[AcdCommand]) -> None:
        caller = self._caller(call_id)
        if caller is None:
            return
        if caller.status == "connected":
            self._end_conversation(caller, now, out)
            return
        if caller.status == "offered":
            out.append(CancelOffer(Offer(caller.offer_id or "", caller.call_id, caller.seat_id or "")))
            out.append(CancelTimer(RingTimer(caller.offer_id or "")))
            self._free(self._member(caller.seat_id or ""))
        self.callers.remove(caller)

    def _answered(self, offer: Offer, out: list[AcdCommand]) -> None:
        caller = next((c for c in self.callers if c.status == "offered" and c.offer_id == offer.offer_id), None)
        if caller is None:
            out.append(CancelOffer(offer))
            return
        out.append(CancelTimer(RingTimer(offer.offer_id)))
        caller.status = "connected"
        self._member(offer.seat_id).status = "incall"
        out.append(ConnectCall(offer))

    def _timer(self, key: object, out: list[AcdCommand]) -> None:
        if isinstance(key, RingTimer):
            caller = next((c for c in self.callers if c.status == "offered" and c.offer_id == key.offer_id), None)
            if caller is None:
                return
            out.append(CancelOffer(Offer(key.offer_id, caller.call_id, caller.seat_id or "")))
            caller.last_missed = caller.seat_id
            self._free(self._member(caller.seat_id or ""))
        elif isinstance(key, WrapupTimer):
            member = self._member(key.seat_id)
            if member.status == "wrapup" and member.wrapup_round == key.round:
                member.status = "free"
        else:
            raise TypeError(f"the naive baseline does not handle timer {key!r}")

    def _end_conversation(self, caller: NaiveCaller, now: float, out: list[AcdCommand]) -> None:
        member = self._member(caller.seat_id or "")
        member.call_id, member.last_call = None, now
        if member.logged_in and self.config.wrapup_time > 0:
            member.status, member.wrapup_round = "wrapup", member.wrapup_round + 1
            out.append(StartTimer(WrapupTimer(member.seat_id, member.wrapup_round), at=now + self.config.wrapup_time))
        else:
            member.status = "free"
        self.callers.remove(caller)

    def _free(self, member: NaiveMember) -> None:
        for caller in self.callers:
            if caller.call_id == member.call_id and caller.status == "offered":
                caller.status, caller.seat_id, caller.offer_id = "waiting", None, None
        member.status, member.call_id = "free", None

    def _member(self, seat_id: str) -> NaiveMember:
        for member in self.members:
            if member.seat_id == seat_id:
                return member
        raise ValueError(f"unknown seat {seat_id!r}")

    def _caller(self, call_id: str) -> NaiveCaller | None:
        for caller in self.callers:
            if caller.call_id == call_id:
                return caller
        return None
