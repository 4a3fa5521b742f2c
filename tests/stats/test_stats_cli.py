"""``openproms psychometrics`` and ``openproms analyse funnel`` on real CSV files,
good and bad; figures pinned to R (psych_reference.json, funnel_reference.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openproms.cli import main as openproms

DATA = Path(__file__).parent / "data"
PSYCH: dict[str, Any] = json.loads((DATA / "psych_reference.json").read_text("utf-8"))
FUNNEL: dict[str, Any] = json.loads((DATA / "funnel_reference.json").read_text("utf-8"))
BFI = str(DATA / "bfi_ac.csv")
CHICKS = str(DATA / "chickweight.csv")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = openproms(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------ psychometrics


def test_psychometrics_json_prints_the_agreed_keys_with_psych_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _run(
        [
            "psychometrics",
            BFI,
            "--items",
            "A1,A2,A3,A4,A5",
            "--reverse",
            "A1",
            "--min",
            "1",
            "--max",
            "6",
            "--json",
        ],
        capsys,
    )
    assert (status, err) == (0, "")
    result = json.loads(out)
    ref = PSYCH["agreeableness"]
    assert {"n", "alpha", "alpha_ci", "omega_total", "items"} <= set(result)
    assert result["n"] == ref["n"]
    assert result["alpha"] == pytest.approx(ref["alpha"], abs=1e-12)
    assert result["alpha_ci"] == pytest.approx(ref["alpha_ci"], abs=1e-12)
    assert result["omega_total"] == pytest.approx(ref["omega_total"], abs=1e-6)
    assert [set(i) for i in result["items"]] == [
        {
            "item",
            "mean",
            "sd",
            "corrected_item_total",
            "alpha_if_dropped",
            "floor",
            "ceiling",
            "missing",
        }
    ] * 5
    assert [i["item"] for i in result["items"]] == ref["items"]
    for key, ref_key in [
        ("mean", "mean"),
        ("sd", "sd"),
        ("corrected_item_total", "r_drop"),
        ("alpha_if_dropped", "alpha_if_dropped"),
        ("floor", "floor"),
        ("ceiling", "ceiling"),
    ]:
        assert [i[key] for i in result["items"]] == pytest.approx(
            ref[ref_key], abs=1e-12
        )
    assert [i["missing"] for i in result["items"]] == ref["missing"]
    assert result["rows"] == 2800 and result["excluded"] == 91


def test_psychometrics_prints_a_table_without_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _run(
        [
            "psychometrics",
            BFI,
            "--items",
            "C1,C2,C3,C4,C5",
            "--reverse",
            "C4,C5",
            "--min",
            "1",
            "--max",
            "6",
        ],
        capsys,
    )
    assert (status, err) == (0, "")
    assert "Items: C1, C2, C3, C4, C5 (C4, C5 reversed)" in out
    assert "People: 2707 of 2800 rows answered every item (93 left out)" in out
    assert "Cronbach's alpha: 0.73 (95% CI 0.71 to 0.75, Feldt)" in out
    header = next(line for line in out.splitlines() if line.startswith("ITEM"))
    assert header.split("  ")[0] == "ITEM" and "ALPHA IF DROPPED" in header
    assert "Warnings" not in out


def test_psychometrics_without_a_range_has_no_floor_or_ceiling(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(
        [
            "psychometrics",
            str(DATA / "attitude.csv"),
            "--items",
            "rating,raises",
            "--json",
        ],
        capsys,
    )
    assert status == 0
    result = json.loads(out)
    assert result["items"][0]["floor"] is None and result["floor"] is None
    assert any("Only 30 people" in w for w in result["warnings"])


def test_the_console_script_runs_psychometrics(tmp_path: Path) -> None:
    src = _write(tmp_path, "a,b,c\n1,2,1\n2,2,3\n3,4,3\n4,4,5\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openproms.cli",
            "psychometrics",
            src,
            "--items",
            "a,b,c",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n"] == 4


@pytest.mark.parametrize(
    ("csv_text", "options", "message"),
    [
        ("a,b\n1,2\n", ["--items", "a,c"], "has no column 'c' (its columns are: a, b)"),
        (
            "a,b\n1,2\n2,x\n3,3\n",
            ["--items", "a,b"],
            "row 2 (line 3 of the file), column 'b': 'x' is not a number",
        ),
        (
            "a,b\n1,2\n2,NA\n3,3\n",
            ["--items", "a,b"],
            "'NA' is not a number (leave the cell empty when there is no answer)",
        ),
        (
            "a,b\n1,2\n2,7\n3,3\n",
            ["--items", "a,b", "--min", "1", "--max", "5"],
            "row 2 (line 3 of the file), column 'b': 7 is outside --min 1 to --max 5",
        ),
        (
            "a,b\n1,2\n2,\n3,3\n",
            ["--items", "a,b"],
            "only 2 of 3 rows answer every item in --items; at least 3 are needed",
        ),
        ("a,b\n1,2\n", ["--items", "a"], "--items needs at least two columns"),
        ("a,b\n1,2\n", ["--items", "a,b,a"], "--items names 'a' more than once"),
        ("a,b\n1,2\n", ["--items", "a,b", "--reverse", "b"], "--reverse needs --min"),
        ("a,b\n1,2\n", ["--items", "a,b", "--reverse", "c"], "'c', which is not in"),
        ("a,b\n1,2\n", ["--items", "a,b", "--min", "1"], "give both --min and --max"),
        ("a,b\n1,2\n1,2,3\n", ["--items", "a,b"], "row 2 (line 3 of the file) has 3"),
        ("a,a,b\n1,2,3\n", ["--items", "a,b"], "more than one column named 'a'"),
        ("", ["--items", "a,b"], "is empty"),
    ],
)
def test_psychometrics_bad_input_names_the_problem_and_prints_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    csv_text: str,
    options: list[str],
    message: str,
) -> None:
    status, out, err = _run(
        ["psychometrics", _write(tmp_path, csv_text), *options], capsys
    )
    assert status == 2
    assert out == ""
    assert err.startswith("openproms psychometrics: ")
    assert message in err


def test_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(
        ["psychometrics", "/no/such/file.csv", "--items", "a,b"], capsys
    )
    assert (status, out) == (2, "")
    assert "no such file: /no/such/file.csv" in err


# ------------------------------------------------------------------ funnel


def _groups(out: str) -> list[dict[str, Any]]:
    result = json.loads(out)
    assert isinstance(result, list)
    return result


@pytest.mark.parametrize(
    ("options", "reference"),
    [
        ([], FUNNEL["chickweight_unadjusted"]),
        (["--baseline", "day0"], FUNNEL["chickweight_baseline"]["groups"]),
    ],
)
def test_funnel_json_prints_each_group_as_r_computes_it(
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    reference: list[dict[str, Any]],
) -> None:
    status, out, err = _run(
        [
            "analyse",
            "funnel",
            CHICKS,
            "--group",
            "diet",
            "--value",
            "day21",
            *options,
            "--json",
        ],
        capsys,
    )
    assert (status, err) == (0, "")
    groups = _groups(out)
    assert [set(g) for g in groups] == [
        {
            "group",
            "n",
            "mean",
            "expected",
            "lower95",
            "upper95",
            "lower998",
            "upper998",
            "outlier",
        }
    ] * 4
    for g, ref in zip(groups, reference, strict=True):
        assert (g["group"], g["n"]) == (ref["group"], ref["n"])
        for key in ("mean", "expected", "lower95", "upper95", "lower998", "upper998"):
            assert g[key] == pytest.approx(ref[key], abs=1e-9)
        beyond = (
            "high"
            if g["mean"] > g["upper998"]
            else "low"
            if g["mean"] < g["lower998"]
            else None
        )
        assert g["outlier"] == beyond


def test_funnel_table_and_left_out_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(
        tmp_path,
        "service,before,after\nA,20,12\nA,18,10\nA,25,14\nB,10,9\nB,12,11\n"
        "B,,8\n,15,5\nC,16,6\nC,14,4\nC,22,9\n",
    )
    status, out, err = _run(
        [
            "analyse",
            "funnel",
            src,
            "--group",
            "service",
            "--value",
            "after",
            "--baseline",
            "before",
        ],
        capsys,
    )
    assert status == 0
    assert err == (
        "left out 2 of 10 rows with an empty group, value or baseline "
        "(service, after, before): rows 6, 7\n"
    )
    assert out.startswith("after by service: 8 people in 3 groups, adjusted for before")
    assert out.splitlines()[3].split() == [
        "GROUP",
        "N",
        "MEAN",
        "95%",
        "LIMITS",
        "99.8%",
        "LIMITS",
        "OUTLIER",
    ]


@pytest.mark.parametrize(
    ("csv_text", "options", "message"),
    [
        ("g,v\nA,1\n", ["--group", "grp", "--value", "v"], "has no column 'grp'"),
        (
            "g,v,b\nA,1,2\nB,two,3\nA,4,5\n",
            ["--group", "g", "--value", "v"],
            "row 2 (line 3 of the file), column 'v': 'two' is not a number",
        ),
        (
            "g,v,b\nA,1,2\nB,2,inf\nA,4,5\n",
            ["--group", "g", "--value", "v", "--baseline", "b"],
            "column 'b': 'inf' is not a number (leave the cell empty when there is "
            "no baseline)",
        ),
        (
            "g,v,b\nA,1,2\nB,2,\n",
            ["--group", "g", "--value", "v", "--baseline", "b"],
            "only 1 of 2 rows have a group, a value and a baseline; at least 3",
        ),
        ("g,v\nA,1\n", ["--group", "g", "--value", "g"], "'g' is given for more"),
    ],
)
def test_funnel_bad_input_names_the_problem_and_prints_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    csv_text: str,
    options: list[str],
    message: str,
) -> None:
    status, out, err = _run(
        ["analyse", "funnel", _write(tmp_path, csv_text), *options], capsys
    )
    assert status == 2
    assert out == ""
    assert err.startswith("openproms analyse funnel: ")
    assert message in err


def test_unknown_options_exit_non_zero_with_usage_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        openproms(["analyse", "funnel", CHICKS, "--group", "diet"])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--value" in captured.err
