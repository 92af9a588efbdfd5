"""The realism report's strapdown estimate of the foot's travel, checked on a simulated walk."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.realism_report import FS, PROFILE_U, ipol_like_spec, travel_profiles, truth_swings
from gait.simulate import simulate


@pytest.mark.parametrize("seed", [3, 11])
def test_travel_estimate_covers_one_stride_per_swing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spec = ipol_like_spec(rng, seed)  # random mounting, 100 Hz foot sensor
    res = simulate(spec, seed)
    s = res.session.samples
    assert s.sampling_rate_hz == FS
    swings, straight = truth_swings(res)
    prof = np.array(travel_profiles(s.acc_ms2, s.gyr_dps, swings, straight))
    assert prof.shape[1:] == (3, PROFILE_U.size) and prof.shape[0] >= 6
    speed = prof[:, 0]
    # Still before toe-off and after the contact (where the integration is anchored).
    assert np.all(np.abs(np.median(speed[:, [0, -1]], axis=0)) < 0.3)
    # From stance to stance the foot travels one stride: walking speed x stride time.
    walk_m_s = spec.bouts[1].speed_m_s
    ic_s = s.t_s[swings[straight, 1]]
    stride_s = float(np.median(np.diff(ic_s)[np.diff(ic_s) < 2.0]))
    swing_s = float(np.median((swings[straight, 1] - swings[straight, 0]) / FS))
    inside = (PROFILE_U >= 0) & (PROFILE_U <= 1)
    travel_m = np.trapezoid(np.median(speed, axis=0), PROFILE_U) * swing_s
    assert travel_m == pytest.approx(walk_m_s * stride_s, rel=0.15)
    # Forward is the way the foot travels: the median speed peaks well above walking speed.
    assert np.median(speed, axis=0)[inside].max() > 1.5 * walk_m_s
