"""Slow walkers (the stress matrix's on-request ``sim-slow`` group): every contact of a slow
simulated walker is found, once, forward and backward.

At 0.3 m/s backward a shank turns below the motion threshold for longer than ``quiet_s`` between
steps, so each step is its own bout of motion; before session 21 the detector placed such steps
at the rotation before the swing, about 0.4 s early (F1 0.50 on the backward forefoot cell).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.detection_matrix import SIM_SLOW_SPEEDS, Recording, score
from gait.offset import remove_gyro_offset
from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate
from gait.steps import AnkleStepDetector


def _slow_session(direction: str, strike: str, speed_m_s: float, seed: int) -> Recording:
    spec = SessionSpec(
        bouts=(
            Bout("stand", 2.0),
            Bout("walk", 12.0, direction, strike, speed_m_s),  # type: ignore[arg-type]
            Bout("stand", 2.0),
        ),
        subject=SubjectSpec(id="slow"),
        sensor=SensorSpec(sampling_rate_hz=100.0, placement="right_ankle"),
    )
    res = simulate(spec, seed)
    s = res.session.samples
    t = np.array([x.t_s for x in res.steps if x.foot == "right"])
    idx = np.round((t - s.t_s[0]) * s.sampling_rate_hz).astype(np.int64)
    return Recording(s, idx, group=f"slow {direction} {strike}")


@pytest.mark.parametrize(
    ("direction", "strike"),
    [("backward", "forefoot"), ("backward", "midfoot"), ("forward", "heel")],
)
def test_slow_walker_every_contact_once(direction: str, strike: str) -> None:
    slowest = SIM_SLOW_SPEEDS[("walk", direction)][0]
    rec = _slow_session(direction, strike, slowest, seed=4100)
    samples = remove_gyro_offset(rec.samples)
    st = AnkleStepDetector().detect(samples).steps_
    sc = score(rec, st.ic_idx[st.instrumented])
    assert len(rec.truth_idx) >= 4  # a real bout of slow steps, not an empty session
    assert sc.n_false_negative == 0, f"missed {sc.n_false_negative} of {len(rec.truth_idx)}"
    assert sc.n_false_positive == 0, f"{sc.n_false_positive} extra contacts"
    assert np.median(np.abs(sc.timing_error_ms)) <= 40.0
