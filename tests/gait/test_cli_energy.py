"""``gait analyse`` with the energy stage (issue 21): speed and kcal per step, the stride table in
``--out`` (CSV, and Parquet with ``--parquet``), ``--height-m``, and a missing mass said once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gait.cli import app
from gait.energy import STRIDE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"
runner = CliRunner()


def test_out_writes_the_stride_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["analyse", str(DEMO), "--out", str(out), "--parquet", "-q", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    steps = doc["sessions"][0]["steps"]
    assert sum(s["speed_m_s"] is not None for s in steps) >= 0.9 * len(steps)
    assert all(s["kcal"] > 0 for s in steps if s["speed_m_s"] is not None)  # the sidecar's mass
    strides = pd.read_csv(out / "demo.gait-strides.csv")
    assert list(strides.columns) == list(STRIDE_COLUMNS)
    assert len(strides) > 50
    # the demo walks at 0.6-1.4 m/s (a turn on the spot gives a few short strides)
    assert strides.walking_speed_mps.between(0.2, 3.0).mean() > 0.95
    assert 0.8 < strides.walking_speed_mps.median() < 1.6
    parquet = pd.read_parquet(out / "demo.gait-strides.parquet")
    assert list(parquet.columns) == list(strides.columns) and len(parquet) == len(strides)
    numbers = [c for c in STRIDE_COLUMNS if c not in ("gait", "direction", "strike", "method")]
    assert np.allclose(
        parquet[numbers].to_numpy(float), strides[numbers].to_numpy(float), equal_nan=True
    )
    assert list(parquet.gait) == list(strides.gait)
    summary = json.loads((out / "demo.gait-summary.json").read_text())
    assert summary["kcal_gross"] > 0 and summary["distance_m"] > 0
    assert isinstance(summary["direction_bouts"], list) and summary["direction_bouts"]


def test_a_missing_mass_is_said_once_and_kcal_stay_empty(tmp_path: Path) -> None:
    for name in ("a", "b"):
        shutil.copy(DEMO, tmp_path / f"{name}.csv")  # no sidecar: no mass
    result = runner.invoke(
        app,
        ["analyse", str(tmp_path), "-f", "json", "--placement", "right_ankle", "--height-m", "1.8"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("no body mass") == 1
    for session in json.loads(result.stdout)["sessions"]:
        assert all(s["kcal"] is None for s in session["steps"])
        assert any(s["speed_m_s"] is not None for s in session["steps"])
        assert session["summary"]["kcal_gross"] is None


def test_mass_option_fills_kcal_and_height_is_checked(tmp_path: Path) -> None:
    shutil.copy(DEMO, tmp_path / "x.csv")
    light = runner.invoke(
        app, ["analyse", str(tmp_path / "x.csv"), "-f", "json", "--mass-kg", "50", "-q"]
    )
    heavy = runner.invoke(
        app, ["analyse", str(tmp_path / "x.csv"), "-f", "json", "--mass-kg", "100", "-q"]
    )
    k_light = json.loads(light.stdout)["sessions"][0]["summary"]["kcal_gross"]
    k_heavy = json.loads(heavy.stdout)["sessions"][0]["summary"]["kcal_gross"]
    assert k_heavy == pytest.approx(2 * k_light, rel=1e-9)  # kcal/min = MET x 3.5 x kg / 200
    bad = runner.invoke(app, ["analyse", str(tmp_path / "x.csv"), "--height-m", "17"])
    assert bad.exit_code == 2 and "--height-m" in bad.stderr and "Traceback" not in bad.stderr
