"""``openproms fhir questionnaire`` and ``openproms fhir score``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openproms.cli import main
from openproms.fhir import validation_issues
from tests.fhir.helpers import (
    FIXTURES,
    LHC_QUESTIONNAIRE,
    LHC_RESPONSE,
    SDC_RESPONSE,
)


def test_questionnaire_prints_a_valid_questionnaire(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fhir", "questionnaire", "phq9", "--version", "1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["url"] == "https://openproms.org/fhir/Questionnaire/phq9"
    assert validation_issues(printed) == []


def test_questionnaire_for_a_licensed_measure_has_no_wording(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fhir", "questionnaire", "eq5d5l"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert all("text" not in i for i in printed["item"])
    assert "EuroQol" in printed["copyright"]


def test_an_unknown_measure_exits_2_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fhir", "questionnaire", "phq99"]) == 2
    assert "no measure 'phq99'" in capsys.readouterr().err


def test_score_prints_10_for_the_sdc_example_and_warns_about_its_13(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fhir", "score", str(FIXTURES / SDC_RESPONSE)]) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed["measure"] == "phq9@1"
    assert printed["scores"]["total"]["value"] == 10
    assert printed["scores"]["total"]["band"] == "Moderate"
    assert "13" not in json.dumps(printed["scores"])
    assert "PHQ-9 total as 13" in captured.err
    assert printed["issues"][0]["severity"] == "warning"


def test_score_with_the_questionnaire_given(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "fhir",
            "score",
            str(FIXTURES / LHC_RESPONSE),
            "--questionnaire",
            str(FIXTURES / LHC_QUESTIONNAIRE),
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["scores"]["total"]["value"] == 8


def test_score_exits_1_naming_the_defect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fhir", "score", str(FIXTURES / LHC_RESPONSE)]) == 1
    captured = capsys.readouterr()
    assert "cannot be scored" in captured.err
    assert "does not name the Questionnaire it answers" in captured.err
    assert json.loads(captured.out)["resourceType"] == "OperationOutcome"


def test_score_exits_2_for_a_file_that_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "qr.json"
    bad.write_text("not json")
    assert main(["fhir", "score", str(bad)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert main(["fhir", "score", str(tmp_path / "missing.json")]) == 2
    assert "cannot read the response" in capsys.readouterr().err


def test_the_openproms_command_lists_fhir(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "fhir" in capsys.readouterr().out
