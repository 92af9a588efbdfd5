"""Simulator v10: a slow forefoot or midfoot walker's foot touches while the shank still turns
forward (the limb lands early in its terminal swing), a heel striker's 30-60 ms after the swing
has ended.

The SNU mocap walker's slow flat and forefoot landings (0.4-0.5 m/s) keep the shank turning in
the swing sense at contact (about 25 deg/s, 12 Hz) and reverse 10-30 ms after it; its heel
strikes reverse about 50 ms before. Simulator v9 turned a forefoot landing's shank back about
50 ms before the contact (the strike's extra knee flexion was built up in the last 0.1 s) and a
heel strike's about 20 ms before.
"""

from __future__ import annotations

import numpy as np
import pytest

from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, _curves, _plan, simulate


def _spec(strike: str, speed: float, duration_s: float = 16.0) -> SessionSpec:
    return SessionSpec(
        bouts=(
            Bout("stand", 2.0),
            Bout("walk", duration_s, "forward", strike, speed),
            Bout("stand", 2.0),
        ),
        subject=SubjectSpec(id="lag"),
        sensor=SensorSpec(errors=False, mounting="aligned"),
    )


def _shank_zero_crossings(res) -> list[float]:
    """Per steady contact: when the shank's sagittal rate (swing sense positive) last crosses
    zero before 0.15 s after the contact, relative to the contact (s)."""
    leg = res.truth.leg
    t = leg.t_s
    rate = np.gradient(leg.theta_deg, t)
    stances = [st for st in res.truth.plan.stances if st.real_ic and st.stride is not None]
    out = []
    for st in stances[2:-2]:
        m = (t >= st.t_ic - 0.25) & (t <= st.t_ic + 0.15)
        tt, rr = t[m], rate[m]
        down = np.flatnonzero((rr[:-1] > 0) & (rr[1:] <= 0))
        out.append(float(tt[down[-1]] - st.t_ic) if down.size else np.nan)
    return out


@pytest.mark.parametrize("seed", [1, 4])
def test_slow_forefoot_shank_turns_forward_at_contact_heel_does_not(seed):
    fore = _shank_zero_crossings(simulate(_spec("forefoot", 0.5), seed=seed))
    heel = _shank_zero_crossings(simulate(_spec("heel", 0.5), seed=seed))
    assert len(fore) >= 3 and len(heel) >= 3
    # the walker: forefoot/flat reverse 10-30 ms after the contact, heel strikes ~50 ms before
    assert np.nanmedian(fore) > 0.005
    assert np.nanmedian(heel) < -0.03
    assert np.nanmedian(fore) - np.nanmedian(heel) > 0.04


def _lags(strike: str, speed: float) -> list[float]:
    plan = simulate(_spec(strike, speed), seed=2).truth.plan
    return [st.stride.contact_lag for st in plan.stances if st.stride is not None]


def test_lag_fades_with_speed_to_a_heel_strikes_and_is_not_used_backward():
    lo, hi = _curves.CONTACT_LAG[("walk", "forefoot")]
    h_lo, h_hi = _curves.CONTACT_LAG[("walk", "heel")]
    assert h_hi < 0.0 < lo  # heel strikes land after the swing's end, forefoot ones before it
    assert all(lo <= x <= hi for x in _lags("forefoot", 0.5))
    assert all(h_lo <= x <= h_hi for x in _lags("forefoot", 1.3))
    for v in (0.5, 1.3):
        assert all(h_lo <= x <= h_hi for x in _lags("heel", v))
    back = SessionSpec(
        bouts=(Bout("stand", 2.0), Bout("walk", 8.0, "backward", "forefoot", 0.5)),
        subject=SubjectSpec(id="lag"),
        sensor=SensorSpec(errors=False),
    )
    plan = simulate(back, seed=2).truth.plan
    assert all(st.stride.contact_lag == 0.0 for st in plan.stances if st.stride is not None)


def test_lag_changes_signals_not_contacts(monkeypatch):
    """v10 draws nothing new: with the lag switched off the contacts, toe-offs and labels are
    the same, and the signals differ."""
    spec = _spec("forefoot", 0.6)
    with_lag = simulate(spec, seed=5)
    monkeypatch.setattr(_plan, "CONTACT_LAG", {})
    without = simulate(spec, seed=5)
    assert [(s.t_s, s.foot, s.direction, s.strike) for s in with_lag.steps] == [
        (s.t_s, s.foot, s.direction, s.strike) for s in without.steps
    ]
    assert [dict(s.extra).get("fc_t_s") for s in with_lag.steps] == [
        dict(s.extra).get("fc_t_s") for s in without.steps
    ]
    assert with_lag.intervals == without.intervals
    gyr_a = with_lag.session.samples.gyr_dps
    gyr_b = without.session.samples.gyr_dps
    assert np.abs(gyr_a - gyr_b).max() > 5.0


@pytest.mark.parametrize("duty", [0.58, 0.64, 0.7])
def test_strike_knee_profile_and_lag_phase_are_smooth(duty):
    """No kink anywhere in the cycle (v10's walking build-up overlaps the stance share's fade:
    taking the larger of the two left a kink that jolted the ankle)."""
    p = np.linspace(0.0, 1.0, 20001)
    h = p[1] - p[0]
    for w in (
        _curves.contact_knee_profile(p, duty, _curves.CONTACT_KNEE_SPAN["walk"]),
        _curves.contact_lag_phase(p, 0.05),
    ):
        w = np.unwrap(w, period=1.0)
        d2 = np.diff(w, 2) / h**2
        # a kink would show as one second difference of order (slope jump) / h
        assert np.abs(np.diff(d2)).max() * h < 0.5
    # the lag phase runs forward everywhere (a valid time map)
    assert np.all(np.diff(np.unwrap(_curves.contact_lag_phase(p, 0.05), period=1.0)) > 0)
