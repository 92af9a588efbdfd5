"""The simulated foot's pitch in swing: continuity with the pinned foot, and its shape."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.simulate._body import SWING_REVERSAL_FRAC, SWING_TOE_UP_FRAC, swing_foot_pitch

H = 1e-6


def _derivs(off, on, t_sw, u):
    """Pitch, rate (deg/s) and angular acceleration (deg/s²) at ``u`` by central differences."""
    du = H / t_sw
    y = swing_foot_pitch(np.array([u - du, u, u + du]), off, on, t_sw)
    return y[1], (y[2] - y[0]) / (2 * H), (y[2] - 2 * y[1] + y[0]) / (H * H)


@settings(max_examples=60, deadline=None)
@given(
    a_off=st.floats(-70, 30),
    v_off=st.floats(-600, 200),
    c_off=st.floats(-5e3, 2e4),
    a_on=st.floats(-20, 30),
    c_on=st.floats(-3e4, 3e4),
    t_sw=st.floats(0.25, 0.8),
)
def test_swing_pitch_meets_both_pinned_states_and_is_smooth(a_off, v_off, c_off, a_on, c_on, t_sw):
    off, on = [a_off, v_off, c_off], [a_on, 0.0, c_on]
    u = np.array([0.0, 1.0])
    y = swing_foot_pitch(u, off, on, t_sw)
    np.testing.assert_allclose(y, [a_off, a_on], atol=1e-9)
    # Rate and acceleration at both ends (one-sided, inside the swing).
    for end, state in ((0.0, off), (1.0, on)):
        s = 1.0 if end == 0.0 else -1.0
        du = 1e-5
        p = swing_foot_pitch(np.array([end, end + s * du, end + 2 * s * du]), off, on, t_sw)
        dt = du * t_sw
        rate = s * (-3 * p[0] + 4 * p[1] - p[2]) / (2 * dt)
        assert abs(rate - state[1]) <= 1e-3 * (1 + abs(state[1])) + 0.05 * abs(state[2]) * dt
    # No jump in pitch, rate or acceleration at the two knots between the pieces.
    for knot in (SWING_REVERSAL_FRAC, SWING_TOE_UP_FRAC):
        left = _derivs(off, on, t_sw, knot - 1e-4)
        right = _derivs(off, on, t_sw, knot + 1e-4)
        scale = 1 + abs(a_off) + abs(a_on) + abs(v_off) * t_sw
        assert abs(left[0] - right[0]) < 1e-3 * scale
        assert abs(left[1] - right[1]) < 0.05 * scale / t_sw


def test_push_off_reverses_early_and_dorsiflexion_peaks_mid_swing():
    """A walking foot leaving the ground 55° heel-up, still plantarflexing at 400 deg/s, and
    landing 20° toe-up: the rate turns positive within the first 10 % of the swing and is
    highest between 30 % and 70 % (IPOL foot recordings: about 6 % and 45 %)."""
    t_sw = 0.42
    u = np.linspace(0.0, 1.0, 2001)
    y = swing_foot_pitch(u, [-55.0, -400.0, 8000.0], [20.0, 0.0, -12000.0], t_sw)
    rate = np.gradient(y, u * t_sw)
    first_positive = u[np.argmax(rate > 0)]
    assert first_positive <= SWING_REVERSAL_FRAC
    assert 0.3 <= u[np.argmax(rate)] <= 0.7
    assert y.max() <= 20.0 + 1.0  # no large overshoot past the contact pitch
