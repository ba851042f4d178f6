"""An active/standby pair (issue 21): both controllers answer the API, only the leader writes.

A request that may write (any method but GET, HEAD, OPTIONS) reaching the standby, or a former
leader, is refused with 503 `not_leader` and the leader's API URL in `error.leader` (when the
leadership row names one): the client retries there. A write that slips past (the leader lost its
lock during the request) is refused by the database's fence with the same answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cc112_pbx.http.routing import services
from cc112_pbx.services.api_errors import NotLeader

READS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_ACTING = frozenset({"standby", "lost"})


@web.middleware
async def leader_middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                            ) -> web.StreamResponse:
    leadership = services(request).leadership
    if request.method not in READS and leadership is not None:
        ha = leadership()
        if ha.get("role") in NOT_ACTING:
            leader = ha.get("leader")
            raise NotLeader(leader if isinstance(leader, str) and leader else None)
    return await handler(request)
