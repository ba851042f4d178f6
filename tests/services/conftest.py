"""Fixtures of the services' unit tests: a controller wired with fakes (`fakes.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.services.fakes import Pbx, build_pbx


@pytest.fixture
async def pbx() -> AsyncIterator[Pbx]:
    """The controller with two configured seats (seat01, seat02), both logged out."""
    pbx = await build_pbx()
    yield pbx
    await pbx.close()


@pytest.fixture
async def staffed(pbx: Pbx) -> Pbx:
    """The same with seat01 then seat02 logged in (seat01 is offered first)."""
    await pbx.log_in("seat01", "seat02")
    return pbx
