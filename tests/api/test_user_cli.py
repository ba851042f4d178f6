"""`cc112 user add|list|disable` and `cc112 token issue|revoke` against a database file."""

from __future__ import annotations

import io

import pytest

from cc112_pbx.cli.main import main
from cc112_pbx.storage import Database


async def _user_for(url: str, token: str):
    async with Database(url) as db:
        return await db.api_users.user_for_token(token)


@pytest.fixture
def url(tmp_path):
    return f"sqlite+aiosqlite:///{tmp_path}/cc112.sqlite3"


def test_users_and_tokens_from_the_command_line(url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("kata-sandi-panjang\n"))
    assert main(["user", "add", "sari", "--role", "calltaker", "--seat", "seat01", "--password-stdin",
                 "--url", url]) == 0
    assert "user sari (call_taker, seat seat01) created" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "x", "--role", "calltaker", "--password-stdin", "--url", url]) == 1
    err = capsys.readouterr().err
    assert "password: must be at least 8" in err and "seat: a call taker needs their seat" in err
    assert main(["token", "issue", "sari", "--ttl", "2h", "--url", url]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) > 30 and "shown once" in err and token not in err
    assert main(["user", "list", "--url", url]) == 0
    assert "sari" in capsys.readouterr().out
    import asyncio

    assert asyncio.run(_user_for(url, token)).username == "sari"
    assert main(["token", "revoke", "1", "--url", url]) == 0
    assert asyncio.run(_user_for(url, token)) is None
    assert main(["user", "disable", "sari", "--url", url]) == 0
    assert main(["token", "issue", "nobody", "--url", url]) == 1
