"""The measures / score command line, on real CSV files including odd ones."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from openproms.scoring import default_library, get_measure
from openproms.scoring.cli import main as cli
from openproms.scoring.cli import score_csv

PHQ9_HEADER = "id," + ",".join(f"phq9_{i}" for i in range(1, 10))


def _write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_measures_list_shows_id_title_items_licence_and_wording(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["measures", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "ID",
        "VERSION",
        "TITLE",
        "ITEMS",
        "LICENCE",
        "WORDING",
    ]
    phq9 = next(line for line in out.splitlines() if line.startswith("phq9 "))
    assert "10" in phq9 and "open" in phq9 and "shipped" in phq9
    epds = next(line for line in out.splitlines() if line.startswith("epds "))
    assert "not shipped" in epds


def test_measures_show_prints_items_scales_and_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["measures", "show", "swemwbs"]) == 0
    out = capsys.readouterr().out
    assert "[wording not shipped]" in out
    assert "sum_then_table" in out
    assert "Shah et al. 2018" in out


def test_measures_show_json_prints_the_definition(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["measures", "show", "gad7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "gad7"


def test_unknown_measure_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["measures", "show", "sf36"]) == 2
    assert "no measure 'sf36'" in capsys.readouterr().err
    src = _write(tmp_path, PHQ9_HEADER + "\n")
    assert cli(["score", "--measure", "nope", str(src)]) == 2


def test_score_writes_inputs_plus_scales_bands_and_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(
        tmp_path,
        PHQ9_HEADER
        + "\nA,1,2,3,0,1,2,3,0,1\nB,0,0,0,0,0,0,0,0,0\nC,1,,1,1,1,1,1,1,0\n",
    )
    out = tmp_path / "out.csv"
    assert cli(["score", "--measure", "phq9", str(src), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["phq9_total_score"] for r in rows] == ["13", "0", ""]
    assert [r["phq9_total_band"] for r in rows] == ["Moderate", "None to minimal", ""]
    assert [r["phq9_risk_alerts"] for r in rows] == ["phq9_9", "", ""]
    assert rows[0]["id"] == "A"
    assert "scored 3 rows" in capsys.readouterr().err


def test_invalid_rows_fail_the_run_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nA,1,2,3,0,1,2,3,0,1\nB,1,x,4,0,0,0,0,0,0\n")
    out = tmp_path / "out.csv"
    assert cli(["score", "--measure", "phq9", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 2: phq9_2: 'x' is not a number" in err
    assert (
        "row 2: phq9_3: '4' is not an allowed answer: expected a whole number from 0 to 3"
        in err
    )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left behind


def test_keep_invalid_writes_empty_scores_and_a_reason(tmp_path: Path) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nA,1,2,3,0,1,2,3,0,1\nB,1,x,4,0,0,0,0,0,0\n")
    out = tmp_path / "out.csv"
    assert (
        cli(["score", "--measure", "phq9", str(src), "-o", str(out), "--keep-invalid"])
        == 0
    )
    rows = list(csv.DictReader(out.open()))
    assert rows[1]["phq9_total_score"] == ""
    assert rows[1]["phq9_invalid_reason"] == (
        "phq9_2: 'x' is not a number; phq9_3: '4' is not an allowed answer: "
        "expected a whole number from 0 to 3"
    )
    assert rows[0]["phq9_invalid_reason"] == ""


def test_missing_item_columns_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, "id,phq9_1,phq9_2\nA,1,2\n")
    assert cli(["score", "--measure", "phq9", str(src)]) == 2
    assert "missing columns for PHQ-9 items: phq9_3, phq9_4" in capsys.readouterr().err


def test_an_empty_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, "")
    assert cli(["score", "--measure", "phq9", str(src)]) == 2
    assert "the input is empty" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["score", "--measure", "phq9", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_rows_with_the_wrong_number_of_fields_are_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nA,1,2,3\n")
    assert cli(["score", "--measure", "phq9", str(src)]) == 1
    assert "row 1: has 4 fields; the header has 10" in capsys.readouterr().err


def test_output_to_stdout_and_a_byte_order_mark_is_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bom.csv"
    src.write_text("\ufeffgad2_1,gad2_2\n3,3\n", encoding="utf-8")
    assert cli(["score", "--measure", "gad2", str(src)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "gad2_1,gad2_2,gad2_total_score,gad2_total_reason",
        "3,3,6,",
    ]


def test_chunked_scoring_numbers_rows_across_chunk_boundaries() -> None:
    lines = ["phq2_1,phq2_2"] + ["1,1"] * 7 + ["1,9"] + ["0,0"] * 3
    dst, err = io.StringIO(), io.StringIO()
    n, bad = score_csv(get_measure("phq2"), io.StringIO("\n".join(lines)), dst,
                       keep_invalid=True, err=err, chunk_rows=3)  # fmt: skip
    assert (n, bad) == (11, 1)
    assert err.getvalue() == (
        "row 8: phq2_2: '9' is not an allowed answer: expected a whole number from 0 to 3\n"
    )
    out = list(csv.reader(io.StringIO(dst.getvalue())))
    assert len(out) == 12
    assert out[8][2] == ""
    assert out[11][2] == "0"


def test_prorated_scores_are_written_to_their_decimals(tmp_path: Path) -> None:
    header = ",".join(f"core10_{i}" for i in range(1, 11))
    src = _write(tmp_path, header + "\n3,1,1,2,2,0,3,2,2,\n")
    out = tmp_path / "o.csv"
    assert cli(["score", "--measure", "core10", str(src), "-o", str(out)]) == 0
    row = next(csv.DictReader(out.open()))
    assert (row["core10_clinical_score"], row["core10_clinical_band"]) == (
        "22.2",
        "Moderate to severe",
    )


def test_the_module_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "openproms.scoring.cli", "measures", "list"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert "rand36" in done.stdout


@pytest.mark.parametrize("measure_id", sorted({d.id for d in default_library()}))
def test_every_library_measure_scores_a_csv_named_by_its_item_ids(
    measure_id: str,
) -> None:
    defn = get_measure(measure_id)
    row = [str(min(i.response_set.codes)) for i in defn.items]
    text = ",".join(defn.item_ids) + "\n" + ",".join(row) + "\n"
    dst, err = io.StringIO(), io.StringIO()
    assert score_csv(defn, io.StringIO(text), dst, keep_invalid=False, err=err) == (
        1,
        0,
    )
    header = dst.getvalue().splitlines()[0].split(",")
    assert header[: len(defn.item_ids)] == list(defn.item_ids)
    assert all(f"{measure_id}_{s.id}_score" in header for s in defn.scales)


# --------------------------------------------------- reasons, help and delimiters


def test_a_row_with_a_missing_answer_says_why_its_score_is_empty(
    tmp_path: Path,
) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nA,1,2,3,0,1,2,3,0,1\nC,1,,1,1,1,1,1,1,0\n")
    out = tmp_path / "out.csv"
    assert cli(["score", "--measure", "phq9", str(src), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert rows[1]["phq9_total_score"] == ""
    assert rows[1]["phq9_total_reason"] == (
        "1 of 9 items not answered (phq9_2); all 9 are needed for a score"
    )
    assert rows[0]["phq9_total_reason"] == ""


def test_a_prorated_score_has_no_reason_and_too_many_missing_has_one(
    tmp_path: Path,
) -> None:
    header = ",".join(f"core10_{i}" for i in range(1, 11))
    src = _write(tmp_path, header + "\n3,1,1,2,2,0,3,2,2,\n3,1,1,2,2,0,3,2,,\n")
    out = tmp_path / "o.csv"
    assert cli(["score", "--measure", "core10", str(src), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert (rows[0]["core10_clinical_score"], rows[0]["core10_clinical_reason"]) == (
        "22.2",
        "",
    )
    assert rows[1]["core10_clinical_score"] == ""
    assert rows[1]["core10_clinical_reason"] == (
        "2 of 10 items not answered (core10_9, core10_10); at most 1 may be missing"
    )


def test_a_kept_invalid_row_says_why_per_scale(
    tmp_path: Path,
) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nB,1,x,1,0,0,0,0,0,0\n")
    out = tmp_path / "out.csv"
    args = ["score", "--measure", "phq9", str(src), "-o", str(out), "--keep-invalid"]
    assert cli(args) == 0
    row = next(csv.DictReader(out.open()))
    assert row["phq9_total_score"] == ""
    assert row["phq9_total_reason"] == "invalid row: phq9_2: 'x' is not a number"


def test_score_help_explains_the_measure_id_and_the_column_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        cli(["score", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--measure ID" in text
    assert "the measure's id, as `openproms measures list` shows it" in text
    assert "named by item id" in text and "openproms measures show ID" in text
    for column in (
        "<measure>_<scale>_score",
        "<measure>_<scale>_band",
        "<measure>_<scale>_reason",
        "<measure>_risk_alerts",
        "<measure>_invalid_reason",
    ):
        assert column in text, column


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_a_file_separated_by_something_else_than_commas_is_named_as_such(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    separator: str,
    name: str,
) -> None:
    text = PHQ9_HEADER + "\nA,1,2,3,0,1,2,3,0,1\n"
    src = _write(tmp_path, text.replace(",", separator))
    out = tmp_path / "out.csv"
    assert cli(["score", "--measure", "phq9", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"is {name}-separated" in err
    assert "missing columns" not in err
    assert not out.exists()
    given = "tab" if separator == "\t" else separator
    args = ["score", "--measure", "phq9", str(src), "-o", str(out)]
    assert cli([*args, "--delimiter", given]) == 0
    row = next(csv.DictReader(out.open()))  # the output is always comma-separated
    assert row["phq9_total_score"] == "13"


def test_the_summary_counts_one_row_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, PHQ9_HEADER + "\nA,1,2,3,0,1,2,3,0,1\n")
    assert cli(["score", "--measure", "phq9", str(src), "-o", str(tmp_path / "o")]) == 0
    assert capsys.readouterr().err == "scored 1 row of PHQ-9\n"
    bad = _write(tmp_path, PHQ9_HEADER + "\nB,1,x,1,0,0,0,0,0,0\n", "bad.csv")
    assert cli(["score", "--measure", "phq9", str(bad)]) == 1
    assert "1 of 1 row is invalid; nothing was written" in capsys.readouterr().err
