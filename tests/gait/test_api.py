"""The researcher's API: gait.analyse, gait.analyse_many, gait.read_session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _pipeline_doubles import SESSION, CrossingDetector

import gait
from gait.errors import SessionFormatError
from gait.io import write_session
from gait.pipeline import STEP_COLUMNS, STEP_FIELDS


@pytest.fixture
def session_csv(tmp_path: Path) -> Path:
    return write_session(tmp_path / "walk.csv", SESSION.samples, SESSION.meta)


def test_analyse_a_session_object() -> None:
    result = gait.analyse(SESSION, detector=CrossingDetector())
    assert isinstance(result, gait.Analysis)
    assert isinstance(result.summary, gait.SessionSummary)
    assert isinstance(result.steps, pd.DataFrame)
    assert list(result.steps.columns) == list(STEP_COLUMNS)
    assert result.session is SESSION
    assert len(result.steps) == len(result.records) == len(result.step_table) == 47
    assert result.summary.n_steps == 47


def test_analyse_a_path_matches_the_session(session_csv: Path) -> None:
    from_file = gait.analyse(session_csv, detector=CrossingDetector())
    direct = gait.analyse(SESSION, detector=CrossingDetector())
    assert from_file.file == str(session_csv)
    np.testing.assert_allclose(from_file.steps["t_s"], direct.steps["t_s"], atol=1e-6)
    assert from_file.summary.n_strides == direct.summary.n_strides
    assert from_file.summary.cadence_spm == pytest.approx(direct.summary.cadence_spm, rel=1e-6)
    # str paths work too
    assert len(gait.analyse(str(session_csv), detector=CrossingDetector()).steps) == 47


def test_placement_override(session_csv: Path) -> None:
    for source in (SESSION, session_csv):
        result = gait.analyse(source, detector=CrossingDetector(), placement="right_ankle")
        assert result.summary.placement == "right_ankle"
        assert result.steps.loc[result.steps["instrumented"], "foot"].eq("right").all()
    assert SESSION.meta.placement == "left_ankle"  # the given session is not changed


def test_to_dict_is_the_json_session_entry() -> None:
    entry = gait.analyse(SESSION, detector=CrossingDetector()).to_dict()
    assert list(entry) == ["file", "summary", "steps"]
    assert json.loads(json.dumps(entry)) == entry
    assert set(STEP_FIELDS) <= set(entry["steps"][0])


def test_analyse_many(session_csv: Path, tmp_path: Path) -> None:
    second = write_session(tmp_path / "again.csv", SESSION.samples, SESSION.meta)
    results = gait.analyse_many([session_csv, second], detector=CrossingDetector())
    assert [r.file for r in results] == [str(session_csv), str(second)]
    assert results[0].summary == results[1].summary


def test_read_session_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(SessionFormatError, match=r"nope\.csv"):
        gait.read_session(tmp_path / "nope.csv")
    assert gait.read_session(
        write_session(tmp_path / "w.csv", SESSION.samples, SESSION.meta)
    ).samples.has_gyro


def test_import_gait_is_light() -> None:
    code = (
        "import sys, gait; "
        "heavy = [m for m in ('pandas', 'sklearn', 'numba', 'scipy', 'typer', 'rich') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
