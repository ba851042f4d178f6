import subprocess
import sys
from pathlib import Path

import pytest

from cc112_pbx.cli.main import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "config" / "cc112.toml"


def test_config_check_of_the_example_prints_ok_and_a_summary(capsys):
    assert main(["config", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ok"
    assert any(line.startswith("seats: 4: seat01") for line in out)
    assert any("password not set" in line for line in out)


def test_config_check_of_a_broken_copy_prints_the_errors_and_exits_2(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    text = EXAMPLE.read_text().replace("ring_timeout = 15", "ring_timeout = -3")
    broken.write_text(text.replace('strategy = "longest_idle"', 'strategy = "loudest"'))
    assert main(["config", "check", str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "queue.ring_timeout: must be greater than 0 (got -3)" in captured.err
    assert "queue.strategy: must be one of" in captured.err
    assert str(broken) in captured.err


def test_config_check_never_prints_a_secret(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CC112_ASTERISK_ARI_PASSWORD", "do-not-print-me")
    assert main(["config", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "do-not-print-me" not in out
    assert "password set (from CC112_ASTERISK_ARI_PASSWORD)" in out


def test_config_show_uses_the_given_file(capsys):
    assert main(["config", "show", "--config", str(EXAMPLE)]) == 0
    assert "queue: longest_idle" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["config", "--help"], ["config", "check", "--help"]])
def test_config_commands_have_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage: cc112 config" in capsys.readouterr().out


def test_installed_cc112_command_checks_a_broken_file_with_exit_code_2(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[seats]]\nid = 'a'\nname = 'A'\ndial_string = 'PJSIP/a'\n" * 2)
    result = subprocess.run(
        [sys.executable, "-m", "cc112_pbx", "config", "check", str(broken)],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )
    assert result.returncode == 2
    assert "seats[1].id: duplicate seat id 'a'" in result.stderr
