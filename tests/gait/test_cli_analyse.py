"""`gait analyse` on real walking data: JSON/CSV/table output, --out, folders, the installed script.

Data: the bundled sample sessions (datasets/sample) when present, else two IPOL foot recordings
from the shared folder written as session CSVs; without either the tests skip.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _design import SUMMARY_KEYS
from typer.testing import CliRunner

import gait
from gait.cli import app
from gait.cli._common import to_json
from gait.cli.analyse import CSV_COLUMNS, out_paths
from gait.datasets import sample_dir
from gait.pipeline import STEP_COLUMNS, STEP_FIELDS

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("GAIT_SHARED_DIR", REPO.parent / "shared"))
IPOL = SHARED / "datasets" / "ipol_healthy"

runner = CliRunner()


def _sample_sessions() -> list[Path]:
    d = sample_dir()
    if not d.is_dir():
        return []
    return sorted(p for p in d.glob("*.csv") if not p.name.endswith((".labels.csv", ".steps.csv")))


@pytest.fixture(scope="module")
def walk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two walking sessions (with sidecars) and a labels file to be skipped."""
    out = tmp_path_factory.mktemp("walks")
    sessions = _sample_sessions()
    if sessions:
        for p in sessions[:2]:
            for f in p.parent.glob(p.stem + ".*"):
                shutil.copy(f, out / f.name)
    elif IPOL.is_dir():
        from gait.datasets import load_ipol_foot
        from gait.io import write_session

        for foot in ("left", "right"):
            s = load_ipol_foot(IPOL, "1-1", foot).session
            write_session(out / f"ipol-1-1-{foot}.csv", s.samples, s.meta)
    else:
        pytest.skip(f"no walking data: neither {sample_dir()} nor {IPOL} exists")
    (out / "whatever.labels.csv").write_text("t_start_s,t_end_s,direction,strike\n")
    (out / "whatever.steps.csv").write_text("t_s,foot,direction,strike\n")
    return out


def sessions_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.csv") if not p.name.endswith(("labels.csv", "s.csv")))


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_json_is_one_document_with_the_public_shape(walk_dir: Path) -> None:
    files = sessions_in(walk_dir)
    result = invoke("analyse", "--format", "json", *files)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # stdout holds exactly one JSON document
    assert list(doc) == ["sessions"]
    assert [s["file"] for s in doc["sessions"]] == [str(f) for f in files]
    for entry in doc["sessions"]:
        assert set(entry) == {"file", "summary", "steps"}
        assert set(entry["summary"]) == SUMMARY_KEYS
        steps = entry["steps"]
        assert len(steps) == entry["summary"]["n_steps"] > 10
        for step in steps:
            assert list(step)[: len(STEP_FIELDS)] == list(STEP_FIELDS)
            assert step["foot"] in ("left", "right")
            assert isinstance(step["t_s"], float)
        times = [s["t_s"] for s in steps]
        assert times == sorted(times)
        assert sum(s["instrumented"] for s in steps) == entry["summary"]["n_strides"]
    # progress, notes and warnings went to stderr, not stdout
    assert "note:" in result.stderr or "warning:" in result.stderr or result.stderr == ""


def test_json_matches_the_python_api(walk_dir: Path) -> None:
    f = sessions_in(walk_dir)[0]
    doc = json.loads(invoke("analyse", "-f", "json", f).stdout)
    # the API's dict as JSON: NaN as null, floats with 12 significant digits
    assert doc["sessions"][0] == json.loads(to_json(gait.analyse(f).to_dict()))


def test_csv_has_one_row_per_step_and_a_file_column(walk_dir: Path) -> None:
    files = sessions_in(walk_dir)
    result = invoke("analyse", "--format", "csv", *files)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    per_file = {str(f): gait.analyse(f).summary.n_steps for f in files}
    for f, n in per_file.items():
        assert sum(r["file"] == f for r in rows) == n
    assert {r["foot"] for r in rows} <= {"left", "right"}
    # a label or an empty cell for an unknown one, never the text "None"
    assert {r["direction"] for r in rows} <= {"", "forward", "backward"}


def test_table_for_people(walk_dir: Path) -> None:
    f = sessions_in(walk_dir)[0]
    result = invoke("analyse", f)
    assert result.exit_code == 0, result.stderr
    for text in (f.name, "cadence (steps/min)", "walking bouts", "steps (", "t_s", "foot"):
        assert text in result.stdout
    summary = gait.analyse(f).summary
    assert f"{summary.cadence_spm:.1f}" in result.stdout


def test_out_writes_steps_and_summary(walk_dir: Path, tmp_path: Path) -> None:
    files = sessions_in(walk_dir)
    out = tmp_path / "results"
    result = invoke("analyse", "--format", "json", "--out", out, *files)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    for f, entry in zip(files, doc["sessions"], strict=True):
        steps_file, summary_file = out_paths(out, f)
        assert steps_file.name == f"{f.stem}.gait-steps.csv"  # never an input's name
        assert summary_file.name == f"{f.stem}.gait-summary.json"
        rows = list(csv.DictReader(steps_file.open()))
        # the same columns, in the same order, as --format csv (without its 'file')
        assert list(rows[0]) == list(CSV_COLUMNS[1:])
        assert set(rows[0]) == set(STEP_COLUMNS)
        assert len(rows) == len(entry["steps"])
        assert float(rows[-1]["t_s"]) == pytest.approx(entry["steps"][-1]["t_s"])
        saved = json.loads(summary_file.read_text())
        assert saved.pop("file") == str(f)
        assert saved == entry["summary"]


def test_folder_skips_companion_files(walk_dir: Path) -> None:
    result = invoke("analyse", "--format", "json", walk_dir)
    assert result.exit_code == 0, result.stderr
    names = [Path(s["file"]).name for s in json.loads(result.stdout)["sessions"]]
    assert names == [f.name for f in sessions_in(walk_dir)]
    assert not any(n.endswith(("labels.csv", "steps.csv")) for n in names)


def test_placement_option_overrides_the_sidecar(walk_dir: Path) -> None:
    f = sessions_in(walk_dir)[0]
    placement = gait.read_session(f).meta.placement
    flipped = "right_ankle" if placement is None or placement.startswith("left") else "left_ankle"
    doc = json.loads(invoke("analyse", "-f", "json", "--placement", flipped, f).stdout)
    entry = doc["sessions"][0]
    assert entry["summary"]["placement"] == flipped
    own = {s["foot"] for s in entry["steps"] if s["instrumented"]}
    assert own == {flipped.split("_")[0]}


def test_many_files_show_progress_without_touching_stdout(walk_dir: Path) -> None:
    files = sessions_in(walk_dir)
    result = invoke("analyse", "--format", "json", *files, *files, *files)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["sessions"]) == len(set(files))  # duplicates once


GAIT = Path(sys.executable).with_name("gait")


@pytest.mark.skipif(not GAIT.exists(), reason=f"{GAIT} not installed (pip install -e .)")
def test_installed_script(walk_dir: Path, tmp_path: Path) -> None:
    f = sessions_in(walk_dir)[0]
    ok = subprocess.run(
        [GAIT, "analyse", "--format", "json", f], capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["sessions"][0]["summary"]["n_steps"] > 10

    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n0.01,0,zero,9.8\n0.02,0,0,9.8\n")
    fail = subprocess.run([GAIT, "analyse", bad], capture_output=True, text=True, timeout=120)
    assert fail.returncode == 2
    assert fail.stdout == ""
    assert "Traceback" not in fail.stderr
    assert fail.stderr.startswith("error: ") and str(bad) in fail.stderr
    assert "line 3" in fail.stderr and "acc_y" in fail.stderr

    helped = subprocess.run([GAIT, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "analyse" in helped.stdout
