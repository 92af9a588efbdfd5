"""``gait.analyse`` on a pandas DataFrame, and absolute times from the sidecar's start_time_utc.

Data: the bundled demo session (datasets/sample), read as a file and as DataFrames built from
the same samples; the analyses must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gait
from gait.datasets import sample_dir
from gait.errors import SessionFormatError

DEMO = sample_dir() / "demo.csv"


@pytest.fixture(scope="module")
def from_file() -> gait.Analysis:
    if not DEMO.is_file():
        pytest.skip(f"the bundled demo session {DEMO} is missing")
    return gait.analyse(DEMO)


@pytest.fixture(scope="module")
def frame(from_file: gait.Analysis) -> pd.DataFrame:
    return pd.read_csv(DEMO)


def _same_steps(a: gait.Analysis, b: gait.Analysis) -> None:
    assert [r["t_s"] for r in a.records] == pytest.approx([r["t_s"] for r in b.records])
    assert a.summary.n_steps == b.summary.n_steps
    assert a.summary.cadence_spm == pytest.approx(b.summary.cadence_spm)


def test_frame_with_a_time_column(from_file: gait.Analysis, frame: pd.DataFrame) -> None:
    result = gait.analyse(frame, placement="right_ankle")
    _same_steps(result, from_file)
    assert result.file is None
    assert result.summary.placement == "right_ankle"
    assert result.start_time_utc is None
    assert result.steps_utc["time_utc"].isna().all()


def test_frame_timed_by_the_sampling_rate(from_file: gait.Analysis, frame: pd.DataFrame) -> None:
    samples = frame.drop(columns="t_s")
    result = gait.analyse(
        samples,
        sampling_rate_hz=100.0,
        placement="right_ankle",
        start_time_utc="2026-01-01T09:00:00Z",
    )
    _same_steps(result, from_file)
    assert result.start_time_utc == from_file.start_time_utc


def test_frame_with_a_datetime_index_gives_absolute_times(
    from_file: gait.Analysis, frame: pd.DataFrame
) -> None:
    index = pd.date_range("2026-03-01 10:00", periods=len(frame), freq="10ms", tz="Europe/Paris")
    result = gait.analyse(frame.drop(columns="t_s").set_index(index))
    _same_steps(result, from_file)
    assert result.start_time_utc == pd.Timestamp("2026-03-01 09:00", tz="UTC")
    utc = result.steps_utc
    assert list(utc.columns[:2]) == ["t_s", "time_utc"]
    expected = index[0].tz_convert("UTC") + pd.to_timedelta(utc["t_s"], unit="s")
    assert (utc["time_utc"] == expected).all()


def test_frame_at_a_wearable_rate_is_resampled(frame: pd.DataFrame) -> None:
    low = frame.drop(columns="t_s").iloc[::4].reset_index(drop=True)  # 25 Hz
    result = gait.analyse(low, sampling_rate_hz=25.0, placement="right_ankle")
    assert any("resampled" in note for note in result.session.meta.assumptions)
    assert result.summary.n_steps > 0


def test_frame_in_g_needs_no_file(from_file: gait.Analysis, frame: pd.DataFrame) -> None:
    in_g = frame.copy()
    for c in ("acc_x", "acc_y", "acc_z"):
        in_g[c] = in_g[c] / 9.80665
    result = gait.analyse(in_g, acc_unit="g", placement="right_ankle")
    _same_steps(result, from_file)


def test_frame_errors_name_the_dataframe(frame: pd.DataFrame) -> None:
    with pytest.raises(SessionFormatError, match="no time column") as e:
        gait.analyse(frame.drop(columns="t_s"))
    assert str(e.value).startswith("DataFrame")
    bad = frame.assign(acc_y=frame["acc_y"].astype(object))
    bad.loc[5, "acc_y"] = "x"
    with pytest.raises(SessionFormatError, match="acc_y") as e:
        gait.analyse(bad)
    assert "/tmp" not in str(e.value) and "parquet" not in str(e.value)
    with pytest.raises(SessionFormatError, match="sampling_rate_hz"):
        gait.analyse(frame.drop(columns="t_s"), sampling_rate_hz=float("nan"))
    with pytest.raises(TypeError, match="DataFrame"):
        gait.analyse(DEMO, sampling_rate_hz=100.0)


def test_absolute_times_of_a_file(from_file: gait.Analysis) -> None:
    start = from_file.start_time_utc
    assert start == pd.Timestamp(from_file.session.meta.start_time_utc)
    t = np.array([0.0, 1.5])
    assert list(from_file.to_utc(t)) == [start, start + pd.Timedelta(seconds=1.5)]
    assert len(from_file.steps_utc) == len(from_file.steps)
