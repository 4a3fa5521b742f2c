"""``openproms backup`` and ``openproms restore`` on the command line: the passphrase
never comes from an argument, and mistakes get a message and exit status 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openproms.cli import main


def test_a_passphrase_is_not_accepted_as_an_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["backup", "--to", str(tmp_path / "b"), "--passphrase", "secret words"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err and "secret words" in err  # argparse's
    # Given where the variable's name goes, the passphrase is not repeated.
    code = main(
        ["backup", "--to", str(tmp_path / "b"), "--passphrase-env", "secret words"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "not the passphrase itself" in err and "secret words" not in err
    assert os.listdir(tmp_path) == []


def test_a_missing_passphrase_variable_is_named_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.environ.pop("OPENPROMS_TEST_NO_SUCH_VARIABLE", None)
    code = main(
        [
            "backup",
            "--to",
            str(tmp_path / "b"),
            "--passphrase-env",
            "OPENPROMS_TEST_NO_SUCH_VARIABLE",
        ]
    )
    assert code == 1
    assert capsys.readouterr().err == (
        "openproms backup: The environment variable OPENPROMS_TEST_NO_SUCH_VARIABLE "
        "is not set; it should hold the passphrase.\n"
    )
    assert os.listdir(tmp_path) == []


def test_typing_a_passphrase_needs_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pytest's stdin is not a terminal, as under cron or systemd.
    assert main(["backup", "--to", str(tmp_path / "b"), "--encrypt"]) == 1
    assert "use --passphrase-env NAME" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_restoring_something_that_is_not_a_backup_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.endswith("absent is not a folder.\n")
    assert main(["restore", str(tmp_path)]) == 1
    assert "has no manifest.json" in capsys.readouterr().err
