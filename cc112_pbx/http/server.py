"""The API's aiohttp application and its server.

    server = ApiServer(api_services, host="127.0.0.1", port=8112)
    await server.start()      # server.url -> "http://127.0.0.1:8112" (port 0: a free one)
    await server.stop()       # closes WebSockets and waits for requests in flight

Binds 127.0.0.1 unless `[http] host` says otherwise. aiohttp's access log is off: a request's
Authorization header or a token in a query never reaches a log line.
"""

from __future__ import annotations

from typing import Any

import structlog
from aiohttp import web

from cc112_pbx.http.auth import AUTH_KEY, auth_middleware
from cc112_pbx.http.errors import error_middleware
from cc112_pbx.http.leadership import leader_middleware
from cc112_pbx.http.metrics import METRICS, Metrics
from cc112_pbx.http.openapi import all_routes
from cc112_pbx.http.routes_console import CONSOLE, ConsoleConfig, security_headers
from cc112_pbx.http.routing import SERVICES
from cc112_pbx.services.api import ApiServices

log = structlog.get_logger("cc112.http")

MAX_BODY = 1024 * 1024
SHUTDOWN_TIMEOUT = 2.0


def build_app(api: ApiServices, console: Any | None = None) -> web.Application:
    """`console`: the `[http]` settings (the console's language, time zone, map tiles); defaults without."""
    app = web.Application(middlewares=[security_headers, error_middleware, auth_middleware, leader_middleware],
                          client_max_size=MAX_BODY)
    app[SERVICES] = api
    app[AUTH_KEY] = api.auth
    app[METRICS] = Metrics(api)
    app[CONSOLE] = ConsoleConfig.of(console)
    for route in all_routes():
        app.router.add_route(route.method, route.match or route.path, route.handler)
    return app


class ApiServer:
    def __init__(self, api: ApiServices, *, host: str = "127.0.0.1", port: int = 8112,
                 console: Any | None = None) -> None:
        self.api = api
        self.host = host
        self.port = port
        self.console = console
        self.app = build_app(api, console)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Listen; after a `stop()` it listens again on the same port (the event stream resumes)."""
        self.api.events.start()  # idempotent; `stop()` closed it
        if self.app.frozen:  # an aiohttp application runs once: build a fresh one on the same services
            self.app = build_app(self.api, self.console)
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT,
                               handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        sockets = getattr(site._server, "sockets", None) or ()  # the port chosen when 0 was asked
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("api_listening", url=self.url)

    async def stop(self) -> None:
        self.api.close()  # event-stream subscribers are told to go
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            log.info("api_stopped")
