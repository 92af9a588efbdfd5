"""``gait evaluate``: scoring an analysis against per-contact truth, and the command on the
bundled labelled test sessions (datasets/labelled/test).

The scoring is checked on truth built from the detector's own output (perfect), then with
contacts moved, removed, added and relabelled, so every expected count follows from the edit.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import gait
from gait.cli import app
from gait.cli.evaluate import evaluate_analysis, find_truth_sessions
from gait.labels import StepLabel

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "datasets" / "labelled" / "test"
DEMO = REPO / "datasets" / "sample" / "demo.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo() -> gait.Analysis:
    if not DEMO.is_file():
        pytest.skip(f"the bundled demo session {DEMO} is missing")
    return gait.analyse(DEMO)


def _truth(analysis: gait.Analysis) -> list[StepLabel]:
    """Truth equal to the detections (feet as the records say)."""
    return [StepLabel(r["t_s"], r["foot"], None, None) for r in analysis.records]


def test_perfect_truth_scores_one(demo: gait.Analysis) -> None:
    ev = evaluate_analysis(demo, _truth(demo))
    d = ev.to_dict()
    n = len(demo.records)
    assert d["contacts"] == {"n_true": n, "n_detected": n, "n_matched": n,
                             "precision": 1.0, "recall": 1.0, "f1": 1.0}  # fmt: skip
    n_own = sum(r["instrumented"] for r in demo.records)
    assert d["instrumented_foot"]["n_matched"] == n_own
    assert d["timing_ms"]["p95_abs"] == 0.0
    assert d["direction"] == {"accuracy": None, "n_compared": 0}


def test_moved_missing_extra_and_wrong_foot_contacts(demo: gait.Analysis) -> None:
    truth = _truth(demo)
    tol = 0.1
    # 10 contacts moved by 40 ms (still matched), 5 removed (false positives), 3 added far
    # from any detection (misses), 4 given to the wrong foot (one miss + one false positive)
    moved = set(range(10, 20))
    removed = set(range(30, 35))
    wrong_foot = set(range(50, 54))
    edited = []
    for i, s in enumerate(truth):
        if i in removed:
            continue
        t = s.t_s + 0.04 if i in moved else s.t_s
        foot = {"left": "right", "right": "left"}[s.foot] if i in wrong_foot else s.foot
        edited.append(StepLabel(t, foot, None, None))
    t_end = float(demo.session.samples.t_s[-1])
    edited += [StepLabel(t_end + k, "left", None, None) for k in range(3)]
    ev = evaluate_analysis(demo, edited, tolerance_s=tol)
    n = len(truth)
    tp = n - len(removed) - len(wrong_foot)
    assert ev.contacts.n_true_positive == tp
    assert ev.contacts.n_false_positive == n - tp
    assert ev.contacts.n_false_negative == len(edited) - tp
    errors = np.sort(ev.contacts.timing_error_ms)
    assert np.count_nonzero(np.isclose(errors, -40.0)) == len(moved)
    assert np.count_nonzero(errors == 0) == tp - len(moved)
    # a tolerance below the shift drops the moved contacts too
    tight = evaluate_analysis(demo, edited, tolerance_s=0.02)
    assert tight.contacts.n_true_positive == tp - len(moved)


def test_direction_and_strike_accuracy_over_known_labels(demo: gait.Analysis) -> None:
    recs = [
        r | {"direction": "forward" if i % 2 else "backward", "strike": "heel" if i < 20 else None}
        for i, r in enumerate(demo.records)
    ]
    labelled = dataclasses.replace(demo, records=recs)
    truth = [
        StepLabel(r["t_s"], r["foot"], "forward", "heel" if i % 4 else "forefoot")
        for i, r in enumerate(demo.records)
    ]
    d = evaluate_analysis(labelled, truth).to_dict()
    n = len(recs)
    assert d["direction"]["n_compared"] == n
    assert d["direction"]["accuracy"] == pytest.approx(sum(i % 2 for i in range(n)) / n)
    assert d["strike"]["n_compared"] == 20
    assert d["strike"]["accuracy"] == pytest.approx(sum(1 for i in range(20) if i % 4) / 20)


def _labelled_files() -> list[Path]:
    if not LABELLED.is_dir():
        pytest.skip(f"no labelled test sessions in {LABELLED}")
    return sorted(p for p in LABELLED.glob("*.csv.gz"))


def _n_truth(session: Path) -> int:
    truth = session.with_name(session.name.replace(".csv.gz", ".steps.csv"))
    with truth.open() as f:
        return sum(1 for _ in csv.DictReader(f))


def test_evaluate_labelled_folder_json() -> None:
    files = _labelled_files()
    result = runner.invoke(app, ["evaluate", str(LABELLED), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["file"] for s in doc["sessions"]] == [str(p) for p in files]
    for s, p in zip(doc["sessions"], files, strict=True):
        c = s["contacts"]
        assert c["n_true"] == _n_truth(p)
        assert 0 <= c["n_matched"] <= min(c["n_true"], c["n_detected"])
        if c["n_matched"]:
            p_, r_ = c["precision"], c["recall"]
            assert c["f1"] == pytest.approx(2 * p_ * r_ / (p_ + r_), abs=1e-5)
            assert s["timing_ms"]["p95_abs"] <= 100.0  # within the tolerance
    total = doc["total"]["contacts"]
    assert total["n_true"] == sum(_n_truth(p) for p in files)
    assert total["n_matched"] == sum(s["contacts"]["n_matched"] for s in doc["sessions"])


def test_evaluate_table_names_each_session() -> None:
    files = _labelled_files()
    result = runner.invoke(app, ["evaluate", *map(str, files[:2])], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for p in files[:2]:
        assert p.name.removesuffix(".csv.gz") in result.stdout
    assert "all" in result.stdout


def test_evaluate_user_errors(tmp_path: Path) -> None:
    if not DEMO.is_file():
        pytest.skip("no demo session")
    alone = tmp_path / "alone.csv"
    shutil.copy(DEMO, alone)
    result = runner.invoke(app, ["evaluate", str(alone)])
    assert result.exit_code == 2
    assert "no ground truth alone.steps.csv" in result.output
    assert "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["evaluate", str(empty)])
    assert result.exit_code == 2 and "no labelled sessions" in result.output
    # a damaged truth file: named with its line, the other sessions still scored
    for f in DEMO.parent.glob("demo.*"):
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(DEMO, tmp_path / "bad.csv")
    (tmp_path / "bad.steps.csv").write_text("t_s,foot,direction,strike\n1.0,middle,,\n")
    result = runner.invoke(app, ["evaluate", str(tmp_path / "bad.csv"), str(tmp_path / "demo.csv"),
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 2
    assert "bad.steps.csv, line 2, column 'foot'" in result.output
    assert '"file"' in result.stdout and "demo.csv" in result.stdout


def test_find_truth_sessions_skips_analysis_results(tmp_path: Path) -> None:
    if not DEMO.is_file():
        pytest.skip("no demo session")
    for f in DEMO.parent.glob("demo.*"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "demo.gait-steps.csv").write_text("t_s\n")
    assert find_truth_sessions([tmp_path]) == [tmp_path / "demo.csv"]
