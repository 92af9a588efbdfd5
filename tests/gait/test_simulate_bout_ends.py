"""A bout's first and last steps (simulator v12, docs/simulator.md "Version 12").

Checked against what the SNU motion-capture walker does (../shared/datasets/mocap_snu):
its leading foot lifts 0.03 s (backward) and 0.17 s (forward, median) after its shank starts
turning from standing, and its last landing is stopped by the ground as every other landing
is (the turn before the contact gives way within 50 ms of it). Simulator v11 turned the
standing shank for 0.55-0.62 s before the first toe-off, and started the return to standing
at the last contact itself, so the last landing kept the turn it arrived with.
"""

from __future__ import annotations

import numpy as np
import pytest

from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate
from gait.simulate._body import FIRST_PREP_MIN_S, FIRST_PREP_RATE_DPS, LAST_HOLD_FRAC

SPEEDS = {
    ("walk", "forward"): 0.9,
    ("walk", "backward"): 0.65,
    ("run", "forward"): 3.0,
    ("run", "backward"): 2.0,
}


def _session(mode: str, direction: str, strike: str, seed: int):
    bouts = (
        Bout("stand", 3.0),
        Bout(mode, 10.0, direction, strike, SPEEDS[(mode, direction)]),  # type: ignore[arg-type]
        Bout("stand", 3.0),
    )
    spec = SessionSpec(
        bouts=bouts,
        subject=SubjectSpec(id=f"b{seed}"),
        sensor=SensorSpec(sampling_rate_hz=100.0, placement="right_ankle"),
    )
    res = simulate(spec, seed)
    leg = res.truth.leg
    sense = 1.0 if direction == "forward" else -1.0
    rate = np.gradient(leg.theta_deg, leg.t_s) * sense  # in the swing sense, deg/s
    contacts = [s for s in res.truth.plan.stances if s.real_ic]
    first_to = res.truth.plan.stances[0].t_to
    return leg.t_s, rate, contacts, first_to


def test_constants_are_the_documented_ones():
    assert FIRST_PREP_RATE_DPS == 80.0
    assert FIRST_PREP_MIN_S == 0.15
    assert LAST_HOLD_FRAC == 0.1


@pytest.mark.parametrize(
    ("mode", "direction", "limit_s"),
    [("walk", "backward", 0.2), ("walk", "forward", 0.45), ("run", "backward", 0.45)],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_shank_rests_until_shortly_before_the_first_toe_off(mode, direction, limit_s, seed):
    # the walker's leading foot lifts 0.03 s (backward) and 0.17 s (forward; 0.12-0.31 s) after
    # its shank starts turning (|rate| over 20 deg/s); a backward step leaves from upright, a
    # forward one turns the shank to its toe-off angle first (v11: 0.55-0.62 s of turning)
    t, rate, _, first_to = _session(mode, direction, "forefoot", seed)
    before = (t > 1.0) & (t < first_to)
    moving = t[before][np.abs(rate[before]) > 20.0]
    lead_s = first_to - moving[0] if moving.size else 0.0
    assert lead_s < limit_s, f"the shank turns {lead_s:.2f} s before the first toe-off"


@pytest.mark.parametrize(("mode", "direction"), [("walk", "backward"), ("run", "backward")])
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_last_landing_is_stopped_like_every_other(mode, direction, seed):
    # a backward landing arrives with the shank turning back (the reach back, negative in the
    # swing sense) and the ground stops that turn within 50 ms of the contact. At the bout's
    # last contact the same must happen, in proportion to the stride's size (the last stride
    # is a stopping one, amplitude 0.5): v11 carried the turn on through the contact (a change
    # of 7-12 deg/s over those 0.1 s walking backward, 13-31 running backward, where the bout's
    # other landings change by 85-91 and 348-390: 0.05-0.2 of them in proportion)
    # (backward gait uses the same leg curves whatever the strike)
    t, rate, contacts, _ = _session(mode, direction, "forefoot", seed)

    def arrest(tc: float) -> float:
        before, after = np.interp([tc - 0.05, tc + 0.05], t, rate)
        return float(after - before)

    mid = np.median([arrest(s.t_ic) for s in contacts[2:-2]])
    last = contacts[-1]
    assert mid > 40.0
    steady = contacts[len(contacts) // 2].stride.scale
    share = arrest(last.t_ic) / (mid * last.stride.scale / steady)
    assert share > 0.5, f"the last landing is stopped at {share:.2f} of the others' rate change"


@pytest.mark.parametrize(("mode", "direction"), [("walk", "backward"), ("walk", "forward")])
def test_shank_returns_to_standing_after_the_last_contact(mode, direction):
    # it ends standing: within 1.5 s of the last contact the shank is within a few degrees of
    # its standing angle and turns at under 20 deg/s (the walker: under 20 deg/s within 0.2-0.7 s)
    t, rate, contacts, _ = _session(mode, direction, "forefoot", 5)
    tc = contacts[-1].t_ic
    late = (t > tc + 1.5) & (t < tc + 2.5)
    assert np.max(np.abs(rate[late])) < 20.0
