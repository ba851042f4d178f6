"""The demo's live terminal wallboard (rich): what a supervisor's wall screen shows, redrawn a
few times a second while the demo runs.

- the queue: callers waiting, how long, and their flags (no number / SIM-less, withheld,
  repeat caller, prank, silent, AML position, a callback attempt);
- the seats and their states (ringing, on a call, wrap-up, paused, logged out...);
- the figures: calls in, answered within 10/15/20 s, abandoned, dropped, callbacks by outcome;
- panels other demo parts plug in (`CountsPanel`): dispatches by status and QC samples are
  counted from the notices by default, read defensively (see docs/contracts.md, "Demo");
- the latest events: the demo's live lines (`LivePrinter`), newest last.

`WallboardState` is a `Notifier` listener (never blocks, never raises); `Wallboard.render()`
reads it and a snapshot of the controller (`LiveControl.snapshot()`: the API's `/api/live`)
and returns a rich renderable. `show()` keeps it on screen; it is only used when standard
output is a terminal (otherwise the demo prints plain lines, with no escape codes).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

SERVICE_LEVELS = (10, 15, 20)
LOG_LINES = 8
QUEUE_ROWS = 12  # waiting callers shown; the rest are counted
REFRESH = 0.25  # seconds between redraws
NARROW = 100  # columns: a narrower terminal gets the blocks one under the other

SEAT_STYLE = {"available": ("available", "green"), "offered": ("ringing", "bold yellow"),
              "on_call": ("on a call", "bold cyan"), "wrap_up": ("wrap-up", "blue"),
              "paused": ("paused", "magenta"), "logged_out": ("logged out", "dim"),
              "unreachable": ("unreachable", "red")}
FLAG_STYLE = {"no number": "bold red", "withheld": "red", "repeat": "yellow", "PRANK?": "bold magenta",
              "silent": "bold red", "AML": "green", "callback": "cyan"}


# The board in Indonesian (`--lang id`): English text as written in the code -> Bahasa Indonesia.
WORDS_ID = {
    "demo wallboard": "papan pantau demo", "latest events": "kejadian terbaru", "(nothing yet)": "(belum ada)",
    "calls": "panggilan", "calls in": "panggilan masuk", "waiting now (longest {s} s)": "menunggu (terlama {s} dtk)",
    "ringing a seat": "berdering di meja", "talking to a call taker": "berbicara dengan petugas",
    "answered": "dijawab", "answered within {s} s ({n})": "dijawab dalam {s} dtk ({n})",
    "abandoned: gave up waiting": "ditinggalkan: penelepon menyerah",
    "dropped mid-report (of the answered)": "terputus saat melapor (dari yang dijawab)",
    "call": "panggilan", "caller": "penelepon", "waiting": "menunggu", "flags": "tanda",
    "... and {n} more": "... dan {n} lagi", "no caller waiting": "tidak ada penelepon menunggu",
    "queue: {n} waiting": "antrean: {n} menunggu",
    "seats": "meja", "seat": "meja", "state": "status", "for": "selama", "done": "selesai",
    "available": "tersedia", "ringing": "berdering", "on a call": "sedang melayani", "wrap-up": "penyelesaian",
    "paused": "jeda", "logged out": "keluar", "unreachable": "tak terjangkau", "auto-paused": "jeda otomatis",
    "break": "istirahat", "no number": "tanpa nomor", "withheld": "nomor disembunyikan", "repeat": "berulang",
    "PRANK?": "ISENG?", "silent": "diam", "callback": "telepon balik",
    "Callbacks": "Telepon balik", "scheduled": "dijadwalkan", "connected": "tersambung",
    "no answer": "tidak diangkat", "busy": "sibuk", "failed": "gagal",
    "cancelled (called again)": "dibatalkan (menelepon lagi)",
    "no number: supervisor's list": "tanpa nomor: daftar supervisor",
    "Dispatches by status": "Pengerahan per status", "no dispatch yet": "belum ada pengerahan",
    "QC samples": "Sampel QC", "no sample drawn yet": "belum ada sampel", "none yet": "belum ada",
}


@dataclass(frozen=True, slots=True)
class CountsPanel:
    """One block of the board: a title and counts read each time it is drawn (name -> number).

    `empty` is shown while there is nothing to count."""

    title: str
    counts: Callable[[], Mapping[str, object]]
    empty: str = "none yet"


class LatestStatus:
    """The latest status of each thing told about in notices whose kind starts with `prefix`
    ("dispatch", "qc"), keyed by the first of `id_keys` present; counts by status. Read
    defensively: a notice without an id or a status is ignored."""

    def __init__(self, prefix: str, id_keys: tuple[str, ...], status_keys: tuple[str, ...] = ("status", "new"),
                 default_status: str | None = None) -> None:
        self.prefix = prefix
        self.id_keys = id_keys
        self.status_keys = status_keys
        self.default_status = default_status
        self.latest: dict[str, str] = {}

    def __call__(self, notice: Mapping[str, Any]) -> None:
        if not str(notice.get("kind", "")).startswith(self.prefix):
            return
        ident = next((v for v in (_dig(notice, k) for k in self.id_keys) if v is not None), None)
        status = next((v for v in (_dig(notice, k) for k in self.status_keys) if v), self.default_status)
        if ident is not None and status is not None:
            self.latest[str(ident)] = str(status)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.latest.values()).items()))


def _dig(item: Mapping[str, Any], path: str) -> Any:
    """`item["a"]["b"]` for "a.b"; None where any step is missing or not a mapping."""
    value: Any = item
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def has_flag(item: Mapping[str, Any], name: str) -> bool:
    """`name` set on a notice or a snapshot item in any of the shapes it may come in: `name`,
    `name_flag`, `name_suspect`, `name_flagged` true, or `name` among `flags` / `tags`."""
    if any(item.get(key) for key in (name, f"{name}_flag", f"{name}_suspect", f"{name}_flagged")):
        return True
    return any(name in (item.get(key) or ()) for key in ("flags", "tags"))


class WallboardState:
    """Counts kept from the notices, and the latest log lines (`log_line` is a `LivePrinter` sink)."""

    def __init__(self, log_lines: int = LOG_LINES) -> None:
        self.inbound: set[str] = set()  # citizen calls (not callback attempts)
        self.answered = 0
        self.answered_within = dict.fromkeys(SERVICE_LEVELS, 0)
        self.ended: Counter[str] = Counter()
        self.callback_outcomes: Counter[str] = Counter()
        self.callbacks_scheduled = 0
        self.no_number_list = 0
        self.callbacks_cancelled = 0
        self.silent: set[str] = set()
        self.prank: set[str] = set()
        self.log: deque[str] = deque(maxlen=log_lines)

    def log_line(self, line: str) -> None:
        self.log.append(line)

    def __call__(self, notice: Mapping[str, Any]) -> None:
        kind, call_id = notice.get("kind"), notice.get("call_id")
        if kind == "call_arrived":
            self.inbound.add(call_id)
        if call_id is not None and has_flag(notice, "prank"):
            self.prank.add(call_id)
        if kind == "call_tagged" and call_id is not None:  # the call taker's one-key tag (issue 19)
            tag = notice.get("tag")
            if tag in ("prank", "abusive"):
                self.prank.add(call_id)
            elif tag == "silent":
                self.silent.add(call_id)
        elif kind in ("silent_call", "caller_silent") and call_id is not None:
            self.silent.add(call_id)
        elif kind == "call_connected" and call_id in self.inbound:
            self.answered += 1
            waited = notice.get("waited")
            for s in SERVICE_LEVELS:
                if waited is not None and waited <= s:
                    self.answered_within[s] += 1
        elif kind == "call_ended" and call_id in self.inbound:
            self.ended[str(notice.get("outcome"))] += 1
        elif kind == "callback_scheduled":
            if notice.get("dialable"):
                self.callbacks_scheduled += 1
            else:
                self.no_number_list += 1
        elif kind == "callback_outcome" and notice.get("outcome"):
            self.callback_outcomes[str(notice["outcome"])] += 1
        elif kind == "callback_cancelled":
            self.callbacks_cancelled += 1

    def flags(self, item: Mapping[str, Any]) -> list[str]:
        """The flags of a call in the controller's snapshot (`call_details`) and the notices."""
        flags = []
        kind = item.get("caller_kind")
        if kind == "none":
            flags.append("no number")
        elif kind == "anonymous":
            flags.append("withheld")
        if item.get("repeat_of") is not None:
            flags.append("repeat")
        if item.get("call_id") in self.prank or has_flag(item, "prank"):
            flags.append("PRANK?")
        if item.get("call_id") in self.silent or has_flag(item, "silent"):
            flags.append("silent")
        if item.get("location"):
            flags.append("AML")
        if item.get("callback_leg"):
            flags.append("callback")
        return flags

    def callback_counts(self) -> dict[str, int]:
        counts = {"scheduled": self.callbacks_scheduled,
                  **{k.replace("_", " "): n for k, n in sorted(self.callback_outcomes.items())}}
        if self.callbacks_cancelled:
            counts["cancelled (called again)"] = self.callbacks_cancelled
        counts["no number: supervisor's list"] = self.no_number_list
        return counts


class Wallboard:
    def __init__(self, state: WallboardState, snapshot: Callable[[], Mapping[str, Any]], *,
                 numbers: Mapping[str, int] | None = None, title: str = "Call Center 112 Kota Semarang",
                 subtitle: str = "", clock: Callable[[], float] = time.monotonic, language: str = "en") -> None:
        self.state = state
        self.words = WORDS_ID if language == "id" else {}  # English as written; Indonesian from WORDS_ID
        self.snapshot = snapshot  # `LiveControl.snapshot()`
        self.numbers = numbers if numbers is not None else {}  # call id -> the demo's call number
        self.title = title
        self.subtitle = subtitle
        self.clock = clock
        self.start = clock()
        self.panels: list[CountsPanel] = [CountsPanel("Callbacks", state.callback_counts)]

    def add_panel(self, panel: CountsPanel) -> None:
        self.panels.append(panel)

    def t(self, text: str) -> str:
        """`text` in the board's language (as written when there is no translation)."""
        return self.words.get(text, text)

    def render(self, width: int | None = None) -> RenderableType:
        """The board; below `NARROW` columns its blocks are stacked instead of side by side."""
        snap = self.snapshot()
        t = self.t
        header = Text.assemble((f" {self.title} ", "bold white on red"), f"  {t('demo wallboard')}  ",
                               (f"t = {self.clock() - self.start:6.1f} s", "bold"))
        if self.subtitle:
            header.append(f"   {self.subtitle}", style="dim")
        log = Panel(Text("\n".join(self.state.log) or t("(nothing yet)"), no_wrap=True, overflow="ellipsis"),
                    title=t("latest events"), title_align="left", border_style="dim")
        panels = [self._panel(p) for p in self.panels]
        if width is not None and width < NARROW:
            row = Table.grid(expand=True, padding=(0, 1))
            for _ in panels:
                row.add_column(ratio=1)
            row.add_row(*panels)
            return Group(header, self._figures(snap), self._queue(snap), self._seats(snap), row, log)
        top = Table.grid(expand=True, padding=(0, 1))
        top.add_column(ratio=5)
        top.add_column(ratio=6)
        top.add_row(self._figures(snap), self._queue(snap))
        middle = Table.grid(expand=True, padding=(0, 1))
        middle.add_column(ratio=5)
        middle.add_column(ratio=6)
        middle.add_row(self._seats(snap), Group(*panels))
        return Group(header, top, middle, log)

    def _number(self, call_id: str | None) -> str:
        return f"#{self.numbers[call_id]}" if call_id in self.numbers else "#?"

    def _figures(self, snap: Mapping[str, Any]) -> Panel:
        st, t = self.state, self.t
        decided = st.answered + st.ended["abandoned"]  # answered or gave up: the service level's base
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", justify="right")
        table.add_column()
        table.add_row(str(len(st.inbound)), t("calls in"))
        table.add_row(str(len(snap.get("waiting", ()))),
                      t("waiting now (longest {s} s)").format(s=f"{snap.get('longest_wait_s', 0):.1f}"))
        table.add_row(str(len(snap.get("ringing", ()))), t("ringing a seat"))
        table.add_row(str(len(snap.get("connected", ()))), t("talking to a call taker"))
        table.add_row(str(st.answered), t("answered"))
        for s in SERVICE_LEVELS:
            n = st.answered_within[s]
            share = f"{n / decided:.0%}" if decided else "-"
            table.add_row(share, t("answered within {s} s ({n})").format(s=s, n=n))
        table.add_row(str(st.ended["abandoned"]), t("abandoned: gave up waiting"))
        table.add_row(str(st.ended["dropped"]), t("dropped mid-report (of the answered)"))
        return Panel(table, title=t("calls"), title_align="left", border_style="cyan")

    def _queue(self, snap: Mapping[str, Any]) -> Panel:
        t = self.t
        waiting = list(snap.get("waiting", ()))
        table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
        table.add_column(t("call"))
        table.add_column(t("caller"), overflow="ellipsis", no_wrap=True)
        table.add_column(t("waiting"), justify="right")
        table.add_column(t("flags"))
        for item in waiting[:QUEUE_ROWS]:
            flags = Text(" ").join(Text(t(f), style=FLAG_STYLE.get(f, "")) for f in self.state.flags(item))
            wait = item.get("waiting_s") or 0.0
            style = "bold red" if wait >= 20 else ("yellow" if wait >= 10 else "")
            table.add_row(self._number(item.get("call_id")), item.get("caller") or "-",
                          Text(f"{wait:.1f} s", style=style), flags)
        if len(waiting) > QUEUE_ROWS:
            table.add_row("", t("... and {n} more").format(n=len(waiting) - QUEUE_ROWS), "", "")
        body: RenderableType = table if waiting else Text(t("no caller waiting"), style="green")
        return Panel(body, title=t("queue: {n} waiting").format(n=len(waiting)), title_align="left",
                     border_style="red" if waiting else "green")

    def _seats(self, snap: Mapping[str, Any]) -> Panel:
        t = self.t
        table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
        table.add_column(t("seat"), no_wrap=True)
        table.add_column(t("state"), no_wrap=True, min_width=11, overflow="ellipsis")
        table.add_column(t("for"), justify="right", no_wrap=True)
        table.add_column(t("call"), no_wrap=True)
        table.add_column(t("done"), justify="right", no_wrap=True)
        for seat in snap.get("seats", ()):
            status = seat.get("status", "")
            word, style = SEAT_STYLE.get(status, (status, ""))
            if status == "paused" and seat.get("pause_reason") == "missed_offers":
                word = "auto-paused"  # it let the phone ring out too often
            elif status == "paused" and seat.get("pause_reason"):
                word = f"{t('paused')} ({t(str(seat['pause_reason']).replace('_', ' '))})"
            if status == "available" and seat.get("reachable") is False:
                word, style = "unreachable", "red"
            since = seat.get("state_s")
            table.add_row(seat.get("seat", "?"), Text(t(word), style=style),
                          f"{since:.0f} s" if since is not None else "",
                          self._number(seat["call_id"]) if seat.get("call_id") else "",
                          str(seat.get("answered", "")))
        return Panel(table, title=t("seats"), title_align="left", border_style="blue")

    def _panel(self, panel: CountsPanel) -> Panel:
        try:
            counts = dict(panel.counts())
        except Exception as exc:  # a panel plugged in by another demo part must not stop the board
            counts = {f"unavailable: {exc!r}": ""}
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", justify="right")
        table.add_column()
        for name, value in counts.items():
            table.add_row(str(value), self.t(str(name)))
        body: RenderableType = table if counts else Text(self.t(panel.empty), style="dim")
        return Panel(body, title=self.t(panel.title), title_align="left", border_style="magenta")


def default_panels(subscribe: Callable[[Callable[[dict[str, Any]], None]], object]) -> list[CountsPanel]:
    """Dispatches by status and QC samples, counted from whatever notices the controller publishes
    (`dispatch*` with `dispatch.id`/`dispatch_id`/`id` and `status` or `dispatch.status`; `qc*` with
    `sample.id`/`sample_id`/`id`). A demo part with better figures adds its own `CountsPanel`
    instead (`Wallboard.add_panel`)."""
    dispatches = LatestStatus("dispatch", ("dispatch.id", "dispatch_id", "id"),
                              ("status", "dispatch.status", "new"))
    samples = LatestStatus("qc", ("sample.id", "sample_id", "id"), ("status", "sample.status"),
                           default_status="drawn")
    subscribe(dispatches)
    subscribe(samples)
    return [CountsPanel("Dispatches by status", dispatches.counts, "no dispatch yet"),
            CountsPanel("QC samples", samples.counts, "no sample drawn yet")]


@contextlib.asynccontextmanager
async def show(board: Wallboard, console: Console | None = None,
               refresh: float = REFRESH) -> AsyncIterator[Live]:
    """Keep `board` on the terminal, redrawn every `refresh` seconds from this event loop (rich's
    own refresh thread would read the controller's state from another thread). The last frame
    stays on screen when the block ends."""
    with Live(console=console, auto_refresh=False, transient=False, redirect_stdout=False,
              redirect_stderr=False) as live:
        live.update(board.render(live.console.width), refresh=True)

        async def redraw() -> None:
            while True:
                await asyncio.sleep(refresh)
                live.update(board.render(live.console.width), refresh=True)

        task = asyncio.get_running_loop().create_task(redraw())
        try:
            yield live
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            live.update(board.render(live.console.width), refresh=True)
