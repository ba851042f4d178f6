"""Schemathesis over the OpenAPI document against the running API (emulator + controller): no 5xx,
and every status, content type and JSON body as documented. Bounded: a few examples per operation.

The server runs in a thread with its own event loop; schemathesis calls it over loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from cc112_pbx.harness import Switchboard
from cc112_pbx.http.openapi import document

EXAMPLES = 12
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]
# these would end the run's own session (revoke or disable the fuzzer's token)
SKIPPED = {("POST", "/api/logout"), ("DELETE", "/api/tokens/{token_id}"), ("PATCH", "/api/users/{user_id}")}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    loop = asyncio.new_event_loop()
    ready: Future[tuple[str, str]] = Future()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with Switchboard(tmp_path_factory.mktemp("fuzz"), seats=2, api=True) as sb:
                token = await sb.api_token("fuzzer", "admin")
                call = sb.emulator.place_call(number="+6281200000077", talk_time=0.2)
                await sb.controller.request(lambda: sb.controller.seats.login("seat01"))
                await sb.emulator.timeline.wait_for(lambda: call.ended_at is not None, timeout=8)
                await sb.settled()
                ready.set_result((sb.api_url, token))
                await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield ready.result(timeout=30)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=20)
        loop.close()


def _operations():
    schema = schemathesis.openapi.from_dict(document())
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


@pytest.mark.slow
@pytest.mark.parametrize("operation", list(_operations()), ids=lambda op: f"{op.method.upper()} {op.path}")
def test_schemathesis_finds_no_server_error_and_nothing_against_the_document(server, operation):
    base_url, token = server

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:
        case.call_and_validate(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()
