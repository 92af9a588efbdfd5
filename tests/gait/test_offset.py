"""The gyroscope offset corrector (gait.offset): learnt while still, the same for any blocks."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.io import read_session
from gait.offset import (
    ACC_STILL_MS2,
    GYR_STILL_DPS,
    MAX_OFFSET_DPS,
    STILL_WINDOW_S,
    TILT_MS2,
    GyroOffset,
    remove_gyro_offset,
)
from gait.pipeline import GaitPipeline
from gait.types import SampleBlock, Session

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample" / "demo.csv"


def _reference(acc: np.ndarray, gyr: np.ndarray, fs: float) -> np.ndarray:
    """Plain NumPy version of the rule in gait/offset.py."""
    n_w = max(2, round(STILL_WINDOW_S * fs))
    out = gyr.copy()
    offset = np.zeros(3)
    a = np.linalg.norm(acc, axis=1)
    for k in range(0, len(gyr), n_w):
        out[k : k + n_w] = gyr[k : k + n_w] - offset
        w = gyr[k : k + n_w]
        if len(w) < n_w:
            break
        still = w.std(axis=0).max() <= GYR_STILL_DPS and a[k : k + n_w].std() <= ACC_STILL_MS2
        half = n_w // 2
        tilt = acc[k + half : k + n_w].mean(axis=0) - acc[k : k + half].mean(axis=0)
        still = still and np.linalg.norm(tilt) <= TILT_MS2
        if still and np.linalg.norm(w.mean(axis=0)) <= MAX_OFFSET_DPS:
            offset = w.mean(axis=0)
    return out


def _standing_then_moving(offset: np.ndarray, fs: float = 100.0, seed: int = 0) -> SampleBlock:
    rng = np.random.default_rng(seed)
    n = int(6 * fs)
    t = np.arange(n) / fs
    gyr = rng.normal(0, 0.05, (n, 3)) + offset  # noise of an MPU-6050 (0.05 deg/s rms)
    acc = np.tile([0.0, 0.0, 9.81], (n, 1)) + rng.normal(0, 0.01, (n, 3))
    move = t >= 2.0  # swinging from 2 s on
    gyr[move, 1] += 300 * np.sin(2 * np.pi * 1.0 * t[move])
    acc[move, 0] += 5 * np.cos(2 * np.pi * 1.0 * t[move])
    return SampleBlock(t, acc, gyr, fs)


def test_the_kernel_follows_the_reference() -> None:
    s = _standing_then_moving(np.array([12.0, -7.0, 3.0]))
    got = remove_gyro_offset(s).gyr_dps
    assert got is not None and s.gyr_dps is not None
    np.testing.assert_allclose(got, _reference(s.acc_ms2, s.gyr_dps, 100.0), atol=1e-9)


@pytest.mark.parametrize("fs", [50.0, 100.0, 1000.0])
def test_an_offset_is_learnt_while_standing_and_removed_after(fs: float) -> None:
    offset = np.array([15.0, -11.0, 6.0])
    s = _standing_then_moving(offset, fs)
    corr = GyroOffset(fs)
    out = corr.feed(s).gyr_dps
    assert out is not None and s.gyr_dps is not None
    np.testing.assert_allclose(corr.offset_dps, offset, atol=0.05)
    after = s.t_s >= 1.0  # one still window has passed
    np.testing.assert_allclose(out[after] - (s.gyr_dps[after] - offset), 0.0, atol=0.05)
    before = s.t_s < STILL_WINDOW_S
    np.testing.assert_array_equal(out[before], s.gyr_dps[before])  # nothing known yet
    assert corr.n_still_windows >= 2


def test_motion_teaches_nothing_and_a_steady_spin_is_not_an_offset() -> None:
    s = _standing_then_moving(np.zeros(3))
    moving = s.slice(200, s.n_samples)
    corr = GyroOffset(100.0)
    corr.feed(moving)
    assert corr.n_still_windows == 0 and not corr.offset_dps.any()
    spin = SampleBlock(s.t_s, s.acc_ms2, np.tile([0.0, 0.0, 90.0], (s.n_samples, 1)), 100.0)
    corr = GyroOffset(100.0)
    corr.feed(spin)
    assert corr.n_still_windows == 0  # steady, but beyond any gyroscope's offset


def test_a_slow_steady_turn_is_not_an_offset() -> None:
    """A leg settling at 3 deg/s varies as little as an offset, but gravity moves."""
    fs = 100.0
    t = np.arange(int(4 * fs)) / fs
    angle = np.deg2rad(3.0 * t)  # turning about the sensor's x axis
    acc = 9.81 * np.stack([np.zeros_like(t), np.sin(angle), np.cos(angle)], axis=1)
    gyr = np.tile([3.0, 0.0, 0.0], (len(t), 1))
    corr = GyroOffset(fs)
    corr.feed(SampleBlock(t, acc, gyr, fs))
    assert corr.n_still_windows == 0


def test_accelerometer_only_blocks_pass_unchanged() -> None:
    s = _standing_then_moving(np.zeros(3)).without_gyro()
    assert GyroOffset(100.0).feed(s) is s


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=599), max_size=10))
def test_any_blocks_give_the_same_samples(cuts: list[int]) -> None:
    s = _standing_then_moving(np.array([4.0, -9.0, 2.5]), seed=3)
    whole = remove_gyro_offset(s).gyr_dps
    corr = GyroOffset(100.0)
    edges = [0, *sorted(set(cuts)), s.n_samples]
    parts = [corr.feed(s.slice(a, b)).gyr_dps for a, b in itertools.pairwise(edges)]
    np.testing.assert_array_equal(np.vstack(parts), whole)


def test_an_offset_does_not_change_the_analysis() -> None:
    """The bundled session with a 20 deg/s offset gives the steps of the session without one."""
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    sess = read_session(SAMPLE)
    s = sess.samples
    assert s.gyr_dps is not None
    offset = np.array([12.0, -12.8, 9.6])  # |offset| = 20 deg/s
    biased = SampleBlock(s.t_s, s.acc_ms2, s.gyr_dps + offset, s.sampling_rate_hz)

    def steps(samples: SampleBlock, gyro_offset: bool) -> np.ndarray:
        run = GaitPipeline(gyro_offset=gyro_offset).run(Session(samples, sess.meta))
        return np.asarray(run.step_table_.t_s)

    clean = steps(s, True)
    fixed = steps(biased, True)
    assert len(fixed) == len(clean)
    assert np.abs(fixed - clean).max() <= 0.02  # a sample or two at most
    assert not np.array_equal(steps(biased, False), clean)  # the offset did matter
