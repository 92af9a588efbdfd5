"""``measure_strides`` (one kernel call for many strides) gives exactly ``measure_stride``'s
numbers, stride by stride: the same floats, not merely close.

Strides are taken between the demo walk's contacts of the instrumented foot and, to reach the
edge cases (no still instant in the slice, a clipped still window, an implausible stride time,
a stride that never stops moving), between random contacts on random slices.
"""

from __future__ import annotations

import math
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pytest

from gait.io import read_session
from gait.speed import measure_stride, measure_strides, stillness_cost
from gait.steps import AnkleStepDetector

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return all(
        x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
        for x, y in zip(astuple(a), astuple(b), strict=True)
    )


@pytest.fixture(scope="module")
def demo():
    session = read_session(DEMO)
    s = session.samples
    acc = np.asarray(s.acc_ms2, dtype=np.float64)
    gyr = np.deg2rad(np.asarray(s.gyr_dps, dtype=np.float64))
    steps = AnkleStepDetector().detect(s).steps_
    ic = np.asarray(steps.ic_idx)[np.asarray(steps.instrumented, dtype=bool)]
    return acc, gyr, s.sampling_rate_hz, ic


def _one_by_one(acc, gyr, cost, lo, hi, ic0, ic1, fs, fc, **kw):
    return [
        measure_stride(
            acc[a:b],
            None if gyr is None else gyr[a:b],
            None if cost is None else cost[a:b],
            i0 - a,
            i1 - a,
            fs,
            fc_time_s=f,
            **kw,
        )
        for a, b, i0, i1, f in zip(lo, hi, ic0, ic1, fc, strict=True)
    ]


def _cases(acc, fs, ic, rng):
    """Detector strides on the stream's slices, then random contacts and slices."""
    n = acc.shape[0]
    pad = round(0.05 * fs) + 2
    w1 = round(0.46 * fs)
    ic0, ic1 = ic[:-1], ic[1:]
    lo = np.maximum(ic0 - pad, 0)
    hi = np.minimum(ic1 + w1 + pad + 1, n)
    r0 = rng.integers(0, n - 400, size=300)
    r1 = r0 + rng.integers(20, 300, size=300)
    rlo = np.maximum(r0 - rng.integers(0, 20, size=300), 0)
    rhi = np.minimum(r1 + rng.integers(-10, 80, size=300), n)
    rhi = np.maximum(rhi, rlo + 1)
    return (
        np.concatenate([lo, rlo]),
        np.concatenate([hi, rhi]),
        np.concatenate([ic0, r0]),
        np.concatenate([ic1, r1]),
    )


@pytest.mark.parametrize("lever_m", [0.0, 0.07])
def test_batch_equals_one_stride_at_a_time(demo, lever_m) -> None:
    acc, gyr, fs, ic = demo
    rng = np.random.default_rng(7)
    lo, hi, ic0, ic1 = _cases(acc, fs, ic, rng)
    fc = [None if k % 3 == 0 else float(rng.uniform(-0.1, 1.2)) for k in range(lo.size)]
    cost = stillness_cost(acc, gyr, fs)
    kw = dict(height_m=1.76, lever_m=lever_m)
    batch = measure_strides(acc, gyr, cost, lo, hi, ic0, ic1, fs, fc_time_s=fc, **kw)
    ref = _one_by_one(acc, gyr, cost, lo, hi, ic0, ic1, fs, fc, **kw)
    assert len(batch) == len(ref) == lo.size
    assert sum(m is not None for m in ref) > len(ic) // 2  # the detector's strides measured
    assert any(m is None for m in ref)  # and edge cases that are not
    bad = [k for k, (a, b) in enumerate(zip(batch, ref, strict=True)) if not _same(a, b)]
    assert not bad, (bad[:5], batch[bad[0]], ref[bad[0]])


def test_batch_equals_one_at_a_time_with_nan_samples(demo) -> None:
    acc, gyr, fs, ic = demo
    acc = acc.copy()
    acc[ic[3] + 10 : ic[3] + 30] = np.nan  # in a still window's search and an integration
    acc[ic[8] + 60] = np.nan
    cost = stillness_cost(acc, gyr, fs)
    rng = np.random.default_rng(3)
    lo, hi, ic0, ic1 = _cases(acc, fs, ic, rng)
    fc = [None] * lo.size
    batch = measure_strides(acc, gyr, cost, lo, hi, ic0, ic1, fs, fc_time_s=fc, height_m=1.7)
    ref = _one_by_one(acc, gyr, cost, lo, hi, ic0, ic1, fs, fc, height_m=1.7)
    assert all(_same(a, b) for a, b in zip(batch, ref, strict=True))


@pytest.mark.parametrize("case", ["no_gyro", "averaged"])
def test_the_unbatched_paths_are_the_per_stride_function(demo, case) -> None:
    acc, gyr, fs, ic = demo
    lo, hi, ic0, ic1 = _cases(acc, fs, ic, np.random.default_rng(1))
    fc = [0.6] * lo.size
    gyr_used = None if case == "no_gyro" else gyr
    cost = None if gyr_used is None else stillness_cost(acc, gyr, fs)
    kw = dict(height_m=1.8, acc_average_s=0.09 if case == "averaged" else None)
    batch = measure_strides(acc, gyr_used, cost, lo, hi, ic0, ic1, fs, fc_time_s=fc, **kw)
    ref = _one_by_one(acc, gyr_used, cost, lo, hi, ic0, ic1, fs, fc, **kw)
    assert all(_same(a, b) for a, b in zip(batch, ref, strict=True))
    assert sum(m is not None for m in ref) > 0


def test_no_strides() -> None:
    empty = np.zeros(0, dtype=np.int64)
    acc = np.zeros((10, 3))
    out = measure_strides(
        acc, acc, np.zeros(10), empty, empty, empty, empty, 100.0, fc_time_s=[], height_m=1.7
    )
    assert out == []
