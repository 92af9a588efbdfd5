"""gait.analyse takes a session at any wearable's rate, as the command does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gait
from gait.errors import GaitError
from gait.io import read_session, write_session
from gait.types import SampleBlock, SessionMeta

DEMO = Path(__file__).resolve().parents[2] / "datasets" / "sample" / "demo.csv"


def _every(n: int, fs: float, tmp_path: Path) -> Path:
    s = read_session(DEMO).samples
    idx = np.arange(0, s.n_samples, n)
    block = SampleBlock(s.t_s[idx], s.acc_ms2[idx], s.gyr_dps[idx], fs)
    meta = SessionMeta(sampling_rate_hz=fs, placement="right_ankle")
    return write_session(tmp_path / f"walk{int(fs)}.csv", block, meta)


def test_a_25_hz_session_is_resampled_and_finds_the_same_strides(tmp_path):
    full = gait.analyse(DEMO, energy=False)
    low = gait.analyse(_every(4, 25.0, tmp_path), energy=False)
    assert low.session.samples.sampling_rate_hz == 100.0
    assert any("resampled" in note for note in low.session.meta.assumptions)
    assert abs(low.summary.n_strides - full.summary.n_strides) <= 2


def test_a_10_hz_session_is_refused_in_one_error(tmp_path):
    with pytest.raises(GaitError, match="10 Hz"):
        gait.analyse(_every(10, 10.0, tmp_path), energy=False)
