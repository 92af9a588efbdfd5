"""Cohorts (gait.cohort, ``gait analyse --workers/--scheduler/--report``): outputs, the cohort
table, resuming, a bad file in the batch, a real Dask LocalCluster and an existing scheduler, and
no Dask import on the single-machine path.

Data: copies of the bundled demo session (datasets/sample) under several names, analysed by the
real detector, plus one broken file.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import gait
import gait.cohort as cohort
from gait.cli import app
from gait.datasets import sample_dir

DEMO = sample_dir() / "demo.csv"
GAIT = str(Path(sys.executable).with_name("gait"))
NAMES = ("a", "b", "c")
runner = CliRunner()


@pytest.fixture(scope="module")
def demo() -> gait.Analysis:
    if not DEMO.is_file():
        pytest.skip(f"the bundled demo session {DEMO} is missing")
    from gait.cohort import analyse_file

    return analyse_file(str(DEMO))


@pytest.fixture
def cohort_in(tmp_path: Path, demo: gait.Analysis) -> Path:
    """Three sessions (copies of the demo) and a broken one."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(DEMO, folder / f"{name}.csv")
        shutil.copy(DEMO.with_suffix(".json"), folder / f"{name}.json")
    (folder / "broken.csv").write_text("t_s,acc_x,acc_y,acc_z\n0,1,2\n")
    return folder


def _steps_t(path: Path) -> list[float]:
    with path.open() as f:
        return [float(r["t_s"]) for r in csv.DictReader(f)]


def test_serial_cohort_writes_outputs_table_and_resumes(
    cohort_in: Path, tmp_path: Path, demo: gait.Analysis
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    jobs = cohort.make_jobs(sorted(cohort_in.glob("*.csv")), out, report=False)
    seen: list[str] = []
    run = cohort.run_cohort(jobs, on_result=lambda row: seen.append(row["stem"]))
    assert sorted(seen) == ["a", "b", "broken", "c"]
    assert (run.n_skipped, run.n_failed) == (0, 1)
    table = run.table()
    assert list(table.columns) == list(cohort.SUMMARY_COLUMNS)
    assert table["stem"].tolist() == ["a", "b", "broken", "c"]  # input order
    ok = table[table.status == "ok"]
    assert (ok["n_steps"] == demo.summary.n_steps).all()
    assert ok["cadence_spm"].tolist() == pytest.approx([demo.summary.cadence_spm] * 3)
    bad = table[table.status == "error"].iloc[0]
    assert "broken.csv" in bad["error"] and pd.isna(bad["n_steps"])
    for name in NAMES:
        assert _steps_t(out / f"{name}{cohort.STEPS_SUFFIX}") == [r["t_s"] for r in demo.records]
        summary = json.loads((out / f"{name}{cohort.SUMMARY_SUFFIX}").read_text())
        assert summary["n_steps"] == demo.summary.n_steps
        assert summary["start_time_utc"] == demo.session.meta.start_time_utc
    # written through temporary names: none left behind
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))

    # a rerun skips complete sessions (and reads their rows back), redoes the rest
    (out / f"b{cohort.SUMMARY_SUFFIX}").unlink()
    mtime_a = (out / f"a{cohort.STEPS_SUFFIX}").stat().st_mtime_ns
    again = cohort.run_cohort(jobs)
    assert again.n_skipped == 2 and again.n_failed == 1
    assert (out / f"a{cohort.STEPS_SUFFIX}").stat().st_mtime_ns == mtime_a
    assert (out / f"b{cohort.SUMMARY_SUFFIX}").is_file()
    pd.testing.assert_frame_equal(again.table(), table)
    assert cohort.run_cohort(jobs, overwrite=True).n_skipped == 0
    # a damaged summary (e.g. edited by hand) makes its session run again
    (out / f"c{cohort.SUMMARY_SUFFIX}").write_text("{not json")
    redone = cohort.run_cohort(jobs)
    assert redone.n_skipped == 2
    assert json.loads((out / f"c{cohort.SUMMARY_SUFFIX}").read_text())["n_steps"] > 0


def test_a_session_is_complete_only_with_all_its_outputs(tmp_path: Path) -> None:
    job = cohort.SessionJob(str(tmp_path / "x.csv"), str(tmp_path), report=True)
    assert not cohort.is_complete(job)
    for role, path in job.outputs().items():
        assert not cohort.is_complete(job), role
        path.write_text("{}")
    assert cohort.is_complete(job)
    assert list(job.outputs())[-1] == "summary_json"  # written last


def test_same_stem_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(gait.errors.GaitError, match="would both write"):
        cohort.make_jobs([tmp_path / "a.csv", tmp_path / "sub" / "a.csv.gz"], tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers 0"),
        (["--workers", "2", "--scheduler", "tcp://x:1"], "give only one"),
        (["--report"], "--report writes files"),
        (["--workers", "2"], "--workers writes files"),
    ],
)
def test_cohort_option_errors_are_one_line(args: list[str], message: str, demo) -> None:
    out = [] if "--report" in args or args == ["--workers", "2"] else ["--out", "unused"]
    result = runner.invoke(app, ["analyse", str(DEMO), *out, *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def _dask_modules_after(args: list[str]) -> list[str]:
    """Modules of Dask's cluster machinery (``distributed``, ``dask.distributed``) loaded after
    running ``gait <args>`` in a fresh interpreter.

    Plain ``dask``/``dask.array`` are not counted: loading the shipped classifier models (skops)
    walks scikit-learn's estimators, whose array-API shim imports ``dask.array`` whenever Dask is
    installed; that import is not made by the cohort code and is reported to the lead.
    """
    code = (
        "import sys\n"
        "from gait.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'distributed'\n"
        "             or m.startswith('dask.distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_single_machine_path_does_not_import_dask(demo, tmp_path: Path) -> None:
    assert _dask_modules_after(["analyse", str(DEMO), "--format", "json", "-q"]) == []
    out = str(tmp_path / "out")
    assert _dask_modules_after(["analyse", str(DEMO), "--out", out, "--report", "-q"]) == []
    assert (tmp_path / "out" / f"demo{cohort.REPORT_SUFFIX}").is_file()
    # and the cohort module itself does not import Dask until a cluster is asked for
    code = (
        "import sys, gait.cohort, gait.report, gait.cli._cohort\n"
        "print(sorted(m for m in sys.modules if 'dask' in m or 'distributed' in m))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]


def test_local_cluster_runs_the_cohort_and_a_rerun_resumes(cohort_in: Path, tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra: gait[dask]")
    out = tmp_path / "out"
    cmd = [GAIT, "analyse", str(cohort_in), "--out", str(out), "--workers", "2", "--report",
           "--format", "json", "-q"]  # fmt: skip
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=280)
    demo = cohort.analyse_file(str(cohort_in / "a.csv"))  # what this process finds
    # the broken file is named, the others analysed, the exit code says a session failed
    assert first.returncode == 2, first.stderr[-2000:]
    assert "broken.csv" in first.stderr and "Traceback" not in first.stderr
    assert "LocalCluster of 2 worker(s)" in first.stderr
    sessions = json.loads(first.stdout)["sessions"]
    assert [s["stem"] for s in sessions] == ["a", "b", "broken", "c"]
    table = pd.read_parquet(out / cohort.COHORT_SUMMARY_PARQUET)
    assert len(table) == 4 and (table.status == "ok").sum() == 3
    assert table.loc[table.status == "ok", "n_steps"].tolist() == [demo.summary.n_steps] * 3
    assert pd.read_csv(out / cohort.COHORT_SUMMARY_CSV)["stem"].tolist() == table.stem.tolist()
    for name in NAMES:
        assert _steps_t(out / f"{name}{cohort.STEPS_SUFFIX}") == [r["t_s"] for r in demo.records]
        assert (out / f"{name}{cohort.REPORT_SUFFIX}").stat().st_size > 10_000
    assert (out / cohort.COHORT_REPORT).is_file()

    # resume: only the session whose outputs are incomplete (and the failed one) run again
    (out / f"c{cohort.REPORT_SUFFIX}").unlink()
    kept = (out / f"a{cohort.SUMMARY_SUFFIX}").stat().st_mtime_ns
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=280)
    assert second.returncode == 2
    assert "2 session(s) already complete" in second.stderr
    assert (out / f"a{cohort.SUMMARY_SUFFIX}").stat().st_mtime_ns == kept
    assert (out / f"c{cohort.REPORT_SUFFIX}").is_file()
    assert json.loads(second.stdout)["sessions"] == sessions


def test_an_existing_scheduler_runs_the_cohort(cohort_in: Path, tmp_path: Path, demo) -> None:
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra: gait[dask]")
    from dask.distributed import LocalCluster

    (cohort_in / "broken.csv").unlink()
    out = tmp_path / "out"
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        result = runner.invoke(
            app,
            ["analyse", str(cohort_in), "--out", str(out), "--scheduler",
             cluster.scheduler_address, "--format", "csv", "-q"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"the Dask cluster at {cluster.scheduler_address}" in result.output
    rows = pd.read_parquet(out / cohort.COHORT_SUMMARY_PARQUET)
    assert rows["stem"].tolist() == list(NAMES)
    assert (rows["n_steps"] == demo.summary.n_steps).all()


def test_an_unreachable_scheduler_is_one_error_line(
    demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.distributed", reason="Dask is an optional extra: gait[dask]")
    monkeypatch.setattr(cohort, "SCHEDULER_TIMEOUT_S", 1.0)
    result = runner.invoke(
        app,
        ["analyse", str(DEMO), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == 2
    assert "cannot reach a Dask scheduler" in result.output
    assert "Traceback" not in result.output
