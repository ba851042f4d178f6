"""The AMI action table and the helpers every action uses to answer.

Action modules (`ami_actions_*.py`) register handlers with `@action("Name")`; the session
looks them up case-insensitively. Answers are worded as Asterisk 22's manager.c,
app_queue.c and app_mixmonitor.c word them (see the traces in tests/fixtures).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from cc112_pbx.emulator.ami_protocol import AmiMessage

if TYPE_CHECKING:
    from cc112_pbx.emulator.ami_server import AmiServer, AmiSession

Pairs = list[tuple[str, str]]
Handler = Callable[["ActionContext", AmiMessage], Awaitable[None]]

ACTIONS: dict[str, tuple[str, Handler]] = {}


def action(name: str) -> Callable[[Handler], Handler]:
    """Register `handler` for the AMI action `name` (matched without regard to case)."""

    def register(handler: Handler) -> Handler:
        ACTIONS[name.lower()] = (name, handler)
        return handler

    return register


def find_action(name: str) -> Handler | None:
    entry = ACTIONS.get(name.lower())
    return entry[1] if entry else None


def _action_id(m: AmiMessage) -> Pairs:
    action_id = m.get("ActionID")
    return [("ActionID", action_id)] if action_id else []


class ActionContext:
    """What a handler sees: the server's services and one session to answer on."""

    def __init__(self, server: AmiServer, session: AmiSession) -> None:
        self.server = server
        self.session = session

    @property
    def core(self) -> Any:
        return self.server.core

    def send(self, pairs: Iterable[tuple[str, object]]) -> None:
        self.session.send_pairs([(key, str(value)) for key, value in pairs])

    def ack(self, m: AmiMessage, message: str | None = None, extra: Pairs = ()) -> None:
        pairs: Pairs = [("Response", "Success"), *_action_id(m)]
        if message is not None:
            pairs.append(("Message", message))
        self.send([*pairs, *extra])

    def error(self, m: AmiMessage, message: str) -> None:
        self.send([("Response", "Error"), *_action_id(m), ("Message", message)])

    def list_ack(self, m: AmiMessage, message: str) -> None:
        self.send([("Response", "Success"), *_action_id(m), ("EventList", "start"), ("Message", message)])

    def list_item(self, m: AmiMessage, event: str, pairs: Pairs, *, id_last: bool = False) -> None:
        """A list item event; app_queue puts the ActionID last, manager.c and PJSIP right after Event."""
        if id_last:
            self.send([("Event", event), *pairs, *_action_id(m)])
        else:
            self.send([("Event", event), *_action_id(m), *pairs])

    def list_complete(self, m: AmiMessage, event: str, count: int) -> None:
        self.send([("Event", event), *_action_id(m), ("EventList", "Complete"), ("ListItems", str(count))])


def is_true(value: str) -> bool:
    """Asterisk's ast_true: yes, true, y, t, 1, on."""
    return value.strip().lower() in ("yes", "true", "y", "t", "1", "on")
