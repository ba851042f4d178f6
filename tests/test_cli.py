import pytest

from cc112_pbx.cli.main import main


def test_cc112_without_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: cc112" in capsys.readouterr().err


def test_cc112_help_lists_itself(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "cc112-pbx" in capsys.readouterr().out
