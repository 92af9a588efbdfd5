"""Simulator v9: what tells a heel strike from a forefoot landing on a shank (issue 20 item 1).

The SNU mocap walker's heel strikes turn the shank fastest in the stance sense just after the
contact (the foot falls about the heel and pulls the tibia forward), its forefoot landings
slowest; a forefoot landing's ankle is stopped from the contact on; and nothing moves the
planted shank before the other foot lands. Simulator v8 had all three the other way.
"""

from __future__ import annotations

import numpy as np
import pytest
from _sim_specs import walking_spec
from scipy import signal

from gait.simulate import SessionSpec, simulate


def _spec(strike: str, speed: float, contralateral_gain: float = 0.0) -> SessionSpec:
    return walking_spec("forward", strike, speed, contralateral_gain)


def _landings(res):
    return [st for st in res.truth.plan.stances if st.real_ic and st.stride is not None][1:-1]


def _lowpass(x: np.ndarray, fs: float) -> np.ndarray:
    b, a = signal.butter(2, 12.0 / (fs / 2))
    return signal.filtfilt(b, a, x, axis=0)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("speed", [0.7, 1.2])
def test_heel_strike_turns_the_shank_faster_after_contact_than_a_forefoot_landing(seed, speed):
    """The shank's stance-sense rate 20-100 ms after contact (aligned sensor: -gyr_y) is larger
    after a heel strike than after a forefoot landing of the same person at the same speed
    (v8: forefoot about 1.5 x heel, from the strike's knee flexion growing under load)."""
    rates = {}
    for strike in ("heel", "forefoot"):
        res = simulate(_spec(strike, speed), seed)
        s = res.session.samples
        stance_rate = _lowpass(s.gyr_dps[:, 1], s.sampling_rate_hz)  # stance sense positive
        vals = []
        for st in _landings(res):
            m = (s.t_s >= st.t_ic + 0.02) & (s.t_s <= st.t_ic + 0.1)
            vals.append(float(stance_rate[m].mean()))
        rates[strike] = float(np.median(vals))
    assert rates["heel"] > 0.0 and rates["forefoot"] > 0.0
    assert rates["heel"] > 1.15 * rates["forefoot"]


@pytest.mark.parametrize("seed", [1, 2])
def test_forefoot_landing_stops_the_ankle_from_the_contact_on(seed):
    """At 12 Hz, as the walker's virtual IMU, the specific force along the shank stays above g
    from the contact to 60 ms after a forward forefoot landing (the walker's forefoot landings:
    13-15 m/s²); v8 rolled the heel down from rest and dropped the ankle (about 5 m/s²)."""
    res = simulate(_spec("forefoot", 0.85), seed)
    s = res.session.samples
    along = _lowpass(s.acc_ms2[:, 2], s.sampling_rate_hz)
    lows = []
    for st in _landings(res):
        m = (s.t_s >= st.t_ic) & (s.t_s <= st.t_ic + 0.06)
        lows.append(float(along[m].min()))
    assert np.median(lows) > 9.0


def test_other_foot_landing_does_not_move_the_planted_shank_before_it():
    """The other foot's landing reaches the sensor only from its contact on: before it, the
    readings are those of a session without it (v8 added an approach velocity over the 0.2 s
    before and a compensating bump 0.4 s before, about 1-2 m/s² in the sensor leg's stance)."""
    a = simulate(_spec("heel", 1.3, 0.0), 4)
    b = simulate(_spec("heel", 1.3, 0.3), 4)
    ta = a.session.samples.t_s
    diff = np.linalg.norm(b.session.samples.acc_ms2 - a.session.samples.acc_ms2, axis=1)
    contra = [tc for st in a.truth.plan.stances for tc in st.contralateral_t_s]
    assert len(contra) > 5
    for tc in contra:
        # (the sampling's anti-alias filter spreads the shock over a few samples either side)
        before = (ta >= tc - 0.45) & (ta < tc - 0.03)
        after = (ta >= tc) & (ta <= tc + 0.05)
        assert diff[before].max() < 0.02
        assert diff[after].max() > 0.5
