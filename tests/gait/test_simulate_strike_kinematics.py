"""Simulator v14: a backward landing's strike changes the shank's motion, not only the impact.

Simulator v12 gave backward heel, midfoot and forefoot landings one shank motion (the backward
curves are the SNU walker's forefoot landings and the strike's extra knee flexion was 0
backward), so a model could learn backward strike only from the impact, which the walker's
virtual IMU and smoothed real sensors lack (issue 20). v14 lands a backward heel strike with
the knee more extended and the shank nearer vertical, and the forefoot's lowering about the
heel then holds the shank's backward stance turn back (docs/simulator.md, "Version 14").
"""

from __future__ import annotations

import numpy as np
import pytest
from _sim_specs import walking_spec
from scipy import signal

from gait.simulate import SessionSpec, simulate


def _spec(direction: str, strike: str, speed: float) -> SessionSpec:
    return walking_spec(direction, strike, speed)


def _landings(res):
    return [st for st in res.truth.plan.stances if st.real_ic and st.stride is not None][1:-1]


def _lowpass(x: np.ndarray, fs: float) -> np.ndarray:
    b, a = signal.butter(2, 12.0 / (fs / 2))
    return signal.filtfilt(b, a, x, axis=0)


def _turn_after_contact(direction: str, strike: str, speed: float, seed: int) -> tuple:
    """Median stance-sense rate (deg/s) 50-150 ms after the bout's inner contacts (12 Hz, as the
    walker's virtual IMU), and the median shank angle (truth, deg) at those contacts."""
    res = simulate(_spec(direction, strike, speed), seed)
    s = res.session.samples
    rate = _lowpass(s.gyr_dps[:, 1], s.sampling_rate_hz)
    leg = res.truth.leg
    landings = _landings(res)
    # the stance sense: the sign of the rate over the middle of each stance
    mid = np.zeros(s.t_s.shape[0], bool)
    for st in landings:
        stance = st.t_to - st.t_ic
        mid |= (s.t_s >= st.t_ic + 0.3 * stance) & (s.t_s <= st.t_ic + 0.6 * stance)
    sense = np.sign(np.median(rate[mid]))
    turns, angles = [], []
    for st in landings:
        m = (s.t_s >= st.t_ic + 0.05) & (s.t_s <= st.t_ic + 0.15)
        turns.append(float(sense * rate[m].mean()))
        angles.append(float(np.interp(st.t_ic, leg.t_s, leg.theta_deg)))
    return float(np.median(turns)), float(np.median(angles))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("speed", [0.5, 0.8])
def test_backward_heel_landing_holds_the_stance_turn_back(seed, speed):
    """Backward, a heel-first landing lowers the forefoot about the heel, which turns the shank
    against the backward stance sense while the knee gives up part of its extension: over 50-150
    ms the shank turns in the stance sense at under 0.4 x the forefoot landing's rate (v14: -0.7
    to 0.3 x, the shank pausing or turning back a little; v12: the same curves whatever the
    strike, 1.0 x)."""
    heel, _ = _turn_after_contact("backward", "heel", speed, seed)
    fore, _ = _turn_after_contact("backward", "forefoot", speed, seed)
    assert fore > 10.0
    assert heel < 0.4 * fore


@pytest.mark.parametrize("seed", [1, 2])
def test_backward_heel_landing_meets_the_ground_with_the_shank_nearer_vertical(seed):
    """A backward landing has the foot behind the knee (the walker's shank about -26 deg); to
    land heel first the knee is more extended and the shank nearer vertical than for a forefoot
    landing of the same person (v14: about -13 against -25 deg; v12: the same angle whatever the
    strike)."""
    _, heel = _turn_after_contact("backward", "heel", 0.65, seed)
    _, fore = _turn_after_contact("backward", "forefoot", 0.65, seed)
    assert fore < 0.0
    assert abs(heel) < abs(fore) - 6.0
