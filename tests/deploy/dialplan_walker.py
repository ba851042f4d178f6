"""Walk a call through dialplan/extensions_cc112.conf the way Asterisk's PBX core would.

Only what the cc112 dialplan uses: `exten =>`/`same =>` with `n(label)` priorities,
extension patterns, `${VAR}`/`${FUNC(...)}` and `$[...]` expansion (innermost first), and
the applications below. The outcome of Stasis() and Queue() comes from the test, so a
test can play "controller down", "queue timed out", and so on. Anything unknown fails
loudly rather than being skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .asterisk_conf import strip_comment

_EXTEN = re.compile(r"^exten\s*=>\s*(?P<exten>[^,]+),(?P<prio>[^,]+),(?P<app>\w+)(?:\((?P<data>.*)\))?$")
_SAME = re.compile(r"^same\s*=>\s*(?P<prio>[^,]+),(?P<app>\w+)(?:\((?P<data>.*)\))?$")
_INNER = re.compile(r"\$\{([^${}\[\]]*)\}|\$\[([^$\[\]]*)\]")
_PATTERN_CHARS = {"X": "[0-9]", "Z": "[1-9]", "N": "[2-9]", ".": ".+", "!": ".*"}


@dataclass(frozen=True)
class Step:
    label: str | None
    app: str
    data: str


@dataclass
class Dialplan:
    contexts: dict[str, dict[str, list[Step]]]

    @classmethod
    def load(cls, path: Path) -> Dialplan:
        contexts: dict[str, dict[str, list[Step]]] = {}
        context = exten = None
        for raw in _lines(path):
            line = strip_comment(raw)
            if not line or line.startswith("#include"):
                continue
            if line.startswith("["):
                context = line[1:line.index("]")]
                contexts.setdefault(context, {})
                continue
            match = _EXTEN.match(line) or _SAME.match(line)
            if match is None:
                continue  # [general]/[globals] options
            if "exten" in match.groupdict():
                exten = match["exten"].strip()
            assert context is not None and exten is not None, line
            prio = match["prio"].strip()
            label = prio[prio.index("(") + 1:-1] if "(" in prio else None
            contexts[context].setdefault(exten, []).append(Step(label, match["app"], match["data"] or ""))
        return cls(contexts)

    def match(self, context: str, exten: str) -> str | None:
        extens = self.contexts[context]
        if exten in extens:
            return exten
        for name in extens:
            if name.startswith("_") and _pattern(name).fullmatch(exten):
                return name
        return None


def _lines(path: Path) -> Iterator[str]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("#include"):
            yield from _lines(path.parent / raw.split(None, 1)[1].strip())
        else:
            yield raw


def _pattern(name: str) -> re.Pattern[str]:
    out, i, body = [], 0, name[1:]
    while i < len(body):
        ch = body[i]
        if ch == "[":
            end = body.index("]", i)
            out.append("[" + re.sub(r"([#*+\\])", r"\\\1", body[i + 1:end]) + "]")
            i = end + 1
            continue
        out.append(_PATTERN_CHARS.get(ch, re.escape(ch)))
        i += 1
    return re.compile("".join(out))


class Hangup(Exception):
    """The channel is gone: the walk ends."""


@dataclass
class Call:
    """One channel walking the dialplan. Handlers decide what Stasis() and Queue() do."""

    dialplan: Dialplan
    endpoint: str = "telco"
    callerid: str = "081234567890"
    uniqueid: str = "1700000000.42"
    variables: dict[str, str] = field(default_factory=dict)
    stasis: Callable[[list[str]], str] = lambda args: "FAILED"
    queue: Callable[[list[str]], str] = lambda args: "TIMEOUT"
    queue_members: dict[str, dict[str, bool]] = field(default_factory=dict)  # queue -> iface -> paused
    executed: list[tuple[str, str]] = field(default_factory=list)
    ended: str = ""
    answered: bool = False

    def run(self, context: str, exten: str, max_steps: int = 400) -> Call:
        self.context, self.exten, self.index = context, exten, 0
        self.matched = self.dialplan.match(context, exten)
        if self.matched is None:
            self.ended = "no_such_extension"
            return self
        for _ in range(max_steps):
            steps = self.dialplan.contexts[self.context][self.matched]
            if self.index >= len(steps):
                self.ended = "fell_off_the_end"
                return self
            step = steps[self.index]
            self.index += 1
            try:
                self._execute(step.app, step.data)
            except Hangup as exc:
                self.ended = str(exc)
                return self
        self.ended = "still_running"
        return self

    def apps(self, name: str) -> list[str]:
        return [data for app, data in self.executed if app == name]

    # --- applications -------------------------------------------------------------------
    def _execute(self, app: str, raw: str) -> None:
        data = self.expand(raw)
        self.executed.append((app, data))
        handler = getattr(self, f"_app_{app.lower()}", None)
        assert handler is not None, f"the walker does not know {app}({raw})"
        handler(data)

    def _app_noop(self, data: str) -> None:
        pass

    _app_playback = _app_musiconhold = _app_noop

    def _app_answer(self, data: str) -> None:
        self.answered = True

    def _app_hangup(self, data: str) -> None:
        raise Hangup("hangup_app")

    def _app_set(self, data: str) -> None:
        name, _, value = data.partition("=")
        name = name.lstrip("_")
        if name == "CALLERID(num)":
            self.callerid = value
        else:
            self.variables[name] = value

    def _app_goto(self, data: str) -> None:
        parts = [p.strip() for p in data.split(",")]
        if len(parts) == 3:
            self.context = parts.pop(0)
        if len(parts) == 2:
            self.exten = parts.pop(0)
            self.matched = self.dialplan.match(self.context, self.exten)
            assert self.matched is not None, f"Goto to a missing extension {self.context},{self.exten}"
        self.index = self._priority_index(parts[0])

    def _app_gotoif(self, data: str) -> None:
        condition, _, targets = data.partition("?")
        yes, _, no = targets.partition(":")
        target = yes if _truthy(condition) else no
        if target:
            self._app_goto(target)

    def _app_execif(self, data: str) -> None:
        condition, _, call = data.partition("?")
        if _truthy(condition):
            app, _, rest = call.partition("(")
            self.executed.append((app, rest[:-1]))
            getattr(self, f"_app_{app.lower()}")(rest[:-1])

    def _app_mixmonitor(self, data: str) -> None:
        filename = data.split(",")[0]
        self.variables["MIXMONITOR_FILENAME"] = "/var/spool/asterisk/monitor/" + filename

    def _app_stasis(self, data: str) -> None:
        args = data.split(",")
        outcome = self.stasis(args[1:])
        if outcome == "HANGUP":
            raise Hangup("hung_up_in_stasis")
        self.variables["STASISSTATUS"] = outcome

    def _app_queue(self, data: str) -> None:
        outcome = self.queue(data.split(","))
        if outcome in ("ANSWERED", "CALLER_HUNG_UP"):
            raise Hangup(outcome.lower())
        self.variables["QUEUESTATUS"] = outcome

    def _app_dial(self, data: str) -> None:
        raise Hangup("dialled")

    def _app_addqueuemember(self, data: str) -> None:
        queue, iface = data.split(",")[:2]
        self.queue_members.setdefault(queue, {})[iface] = False

    def _app_removequeuemember(self, data: str) -> None:
        queue, iface = data.split(",")[:2]
        self.queue_members.get(queue, {}).pop(iface, None)

    def _app_pausequeuemember(self, data: str) -> None:
        queue, iface = data.split(",")[:2]
        self.queue_members.setdefault(queue, {})[iface] = True

    def _app_unpausequeuemember(self, data: str) -> None:
        queue, iface = data.split(",")[:2]
        self.queue_members.setdefault(queue, {})[iface] = False

    def _priority_index(self, priority: str) -> int:
        steps = self.dialplan.contexts[self.context][self.matched]
        if priority.isdigit():
            return int(priority) - 1
        labels = [i for i, step in enumerate(steps) if step.label == priority]
        assert labels, f"no priority label {priority!r} in {self.context},{self.matched}"
        return labels[0]

    # --- expansion ----------------------------------------------------------------------
    def expand(self, text: str) -> str:
        while (match := _INNER.search(text)) is not None:
            if match.group(1) is not None:
                value = self._lookup(match.group(1))
            else:
                value = _expression(match.group(2))
            text = text[:match.start()] + value + text[match.end():]
        return text

    def _lookup(self, name: str) -> str:
        if "(" in name:
            func, _, args = name.partition("(")
            return self._function(func, args[:-1])
        builtins = {"EXTEN": self.exten, "CONTEXT": self.context, "UNIQUEID": self.uniqueid,
                    "INVALID_EXTEN": self.variables.get("INVALID_EXTEN", "")}
        return builtins.get(name, self.variables.get(name, ""))

    def _function(self, func: str, args: str) -> str:
        if func == "IF":
            condition, _, choices = args.partition("?")
            yes, _, no = choices.partition(":")
            return yes if _truthy(condition) else no
        if func == "CHANNEL":
            return self.endpoint if args == "endpoint" else self.variables.get(f"CHANNEL({args})", "")
        if func == "CALLERID":
            return self.callerid
        if func == "QUEUE_MEMBER":
            queue, option, iface = args.split(",")
            assert option == "paused", option
            return "1" if self.queue_members.get(queue, {}).get(iface) else "0"
        raise AssertionError(f"the walker does not know the function {func}()")


def _truthy(value: str) -> bool:
    return value.strip() not in ("", "0")


def _expression(expr: str) -> str:
    match = re.fullmatch(r"\s*(.*?)\s*(!=|=|\+)\s*(.*?)\s*", expr)
    assert match, f"unsupported expression $[{expr}]"
    left, op, right = (part.strip('"') for part in match.groups())
    if op == "+":
        return str(int(left) + int(right))
    equal = left == right
    return "1" if equal == (op == "=") else "0"
