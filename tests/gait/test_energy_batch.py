"""The energy stream's batch shortcuts give the numbers of the per-stride, per-step definitions.

The stream computes the stillness cost once over its sample buffer (not once per stride) and the
MET and kcal of many strides and steps in one array call (not one call each). Here every stride
is measured again on its own slice with its own cost, and every MET is recomputed one at a time
with :func:`gait.energy._met.met_scalar`: the results must be the same floats, not merely close.
"""

from __future__ import annotations

import math
from dataclasses import astuple, replace
from pathlib import Path

import numpy as np
import pytest

from gait.classify.stage import default_labeller
from gait.energy import MetEnergyEstimator, kcal_per_min, net_kcal_per_min
from gait.energy._met import met_scalar
from gait.io import read_session
from gait.offset import remove_gyro_offset
from gait.pipeline import GaitPipeline
from gait.speed._stride import measure_stride, stillness_cost

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(scope="module", params=[None, 37])
def run(request):
    """The demo analysed in one block, or fed in blocks of 37 samples (live streaming)."""
    session = read_session(DEMO)
    samples = session.samples
    pipe = GaitPipeline(
        classifier=default_labeller(), energy=MetEnergyEstimator(height_m=1.75), mass_kg=70.0
    )
    stream = pipe.stream(
        sampling_rate_hz=samples.sampling_rate_hz,
        has_gyro=True,
        placement=session.meta.placement,
        mass_kg=70.0,
    )
    size = request.param or samples.n_samples
    records = []
    for i in range(0, samples.n_samples, size):
        records += stream.feed(samples.slice(i, i + size))
    records += stream.finish()
    return replace(session, samples=samples), stream, records


def test_each_stride_as_if_measured_on_its_own_slice(run) -> None:
    session, stream, _ = run
    energy = stream._energy
    s = remove_gyro_offset(session.samples)  # what the pipeline gives its stages
    fs = s.sampling_rate_hz
    acc = np.asarray(s.acc_ms2, dtype=np.float64)
    gyr = np.deg2rad(np.asarray(s.gyr_dps, dtype=np.float64))
    measured = [(k, m) for k, m in energy._strides.items() if m is not None]
    assert len(measured) > 20
    t = np.asarray(s.t_s)
    for (a, b), m in measured:
        lo = max(a - energy._pad, 0)
        hi = min(b + energy._w1 + energy._pad + 1, s.n_samples)
        cost = stillness_cost(acc[lo:hi], gyr[lo:hi], fs)
        row = energy._stride_rows[(a, b)]
        fc_t = next(st.fc_t_s for st in energy._instr if st.idx == b)
        fc = fc_t - row["ic_t_s"] if math.isfinite(fc_t) else None
        ref = measure_stride(
            acc[lo:hi], gyr[lo:hi], cost, a - lo, b - lo, fs, height_m=1.75, fc_time_s=fc
        )
        assert ref is not None
        assert all(
            _same(x, y) if isinstance(x, float) else x == y
            for x, y in zip(astuple(m), astuple(ref), strict=True)
        ), (t[a], m, ref)


def test_stride_rows_and_steps_priced_one_at_a_time(run) -> None:
    _, stream, records = run
    energy = stream._energy
    est = energy._est
    rows = list(energy._stride_rows.values())
    assert rows and all(math.isfinite(r["met"]) for r in rows)
    for r in rows:
        backward = r["direction"] == "backward"
        value = met_scalar(r["walking_speed_mps"], r["gait"], backward)
        assert r["met"] == value
        t_stride = r["end_t_s"] - r["ic_t_s"]
        assert r["kcal"] == float(kcal_per_min(value, 70.0)) * t_stride / 60.0
    priced = [p for p in energy.priced_ if math.isfinite(p.speed_m_s)]
    assert any(p.direction == "backward" for p in priced)
    for p in priced:
        value = met_scalar(
            p.speed_m_s,
            p.gait,
            p.direction == "backward",
            est.backward_walk_multiplier,
            est.backward_run_multiplier,
        )
        forward = met_scalar(p.speed_m_s, p.gait, False)
        minutes = p.duration_s / 60.0
        assert p.met == value and p.met_forward == forward
        assert p.kcal == float(kcal_per_min(value, 70.0)) * minutes
        assert p.kcal_forward == float(kcal_per_min(forward, 70.0)) * minutes
        assert p.kcal_net == float(net_kcal_per_min(value, 70.0)) * minutes
    assert len(energy.priced_) == len(records)
