"""MET values and equations against hand-computed figures from their sources (issue 21).

Sources: Herrmann et al. 2024, 2024 Adult Compendium of Physical Activities (J Sport Health Sci
13:6-12); ACSM's Guidelines for Exercise Testing and Prescription 10th ed. Table 6.3 (walking
VO2 = 3.5 + 0.1 S, running VO2 = 3.5 + 0.2 S, S in m/min); Wright & Weyand 2001 (backward
running +35 %); Byrne et al. 2005 (resting VO2 2.6 mL/kg/min).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.energy import (
    BACKWARD_RUN_MULTIPLIER,
    BACKWARD_WALK_MULTIPLIER,
    BACKWARD_WALK_ROW,
    BYRNE_2005_RESTING_VO2_ML_KG_MIN,
    RUN_ROWS,
    WALK_ROWS,
    acsm_run_met,
    acsm_walk_met,
    kcal_per_min,
    met,
    net_kcal_per_min,
    run_met,
    walk_met,
)

MPH = 0.44704  # m/s, 1609.344 m / 3600 s

# (code, speed in mph where the row is placed, MET): 2024 Adult Compendium, level walking
COMPENDIUM_WALK = [
    ("17152", 2.0, 2.8),
    ("17170", 2.5, 3.0),
    ("17190", 2.8, 3.8),
    ("17200", 3.5, 4.8),
    ("17220", 4.0, 5.5),
    ("17230", 4.5, 7.0),
    ("17231", 5.0, 8.5),
]
COMPENDIUM_RUN = [
    ("12028", 4.0, 6.5),
    ("12029", 4.3, 7.8),
    ("12030", 5.0, 8.5),
    ("12045", 5.5, 9.0),
    ("12050", 6.0, 9.3),
]


@pytest.mark.parametrize(("code", "mph", "value"), COMPENDIUM_WALK)
def test_walking_rows_reproduce_the_compendium(code: str, mph: float, value: float) -> None:
    assert {r.code: r.met for r in WALK_ROWS}[code] == value
    assert walk_met(mph * MPH)[0] == pytest.approx(value)


@pytest.mark.parametrize(("code", "mph", "value"), COMPENDIUM_RUN)
def test_running_rows_reproduce_the_compendium(code: str, mph: float, value: float) -> None:
    assert {r.code: r.met for r in RUN_ROWS}[code] == value
    assert run_met(mph * MPH)[0] == pytest.approx(value)


def test_backward_walking_at_3_5_mph_is_compendium_17320() -> None:
    # 17320 "walking, backwards, 3.5 mph, level" = 6.0 MET; 17200 forward 3.5 mph = 4.8 MET
    assert BACKWARD_WALK_ROW.code == "17320" and BACKWARD_WALK_ROW.met == 6.0
    assert met(3.5 * MPH, backward=True)[0] == pytest.approx(6.0)
    assert BACKWARD_WALK_MULTIPLIER == pytest.approx(6.0 / 4.8)  # = 1.25


def test_backward_running_is_35_percent_dearer() -> None:
    # Wright & Weyand 2001: backward running metabolic rate 35 % above forward, same speed
    assert BACKWARD_RUN_MULTIPLIER == 1.35
    v = 6.0 * MPH  # running 6.0 mph = 9.3 MET (12050) -> 12.555 backward
    assert met(v, gait="run", backward=True)[0] == pytest.approx(9.3 * 1.35)


@pytest.mark.parametrize(
    ("speed_m_min", "walk_vo2", "run_vo2"),
    [
        # hand-computed: 3.5 + 0.1 * S and 3.5 + 0.2 * S (mL/kg/min)
        (80.4, 11.54, 19.58),  # 3.0 mph
        (93.8, 12.88, 22.26),  # 3.5 mph: 12.9 mL/kg/min = 3.7 MET (anchors.md 1.2)
        (160.8, 19.58, 35.66),  # 6.0 mph
    ],
)
def test_acsm_equations(speed_m_min: float, walk_vo2: float, run_vo2: float) -> None:
    v = speed_m_min / 60.0
    assert acsm_walk_met(v) * 3.5 == pytest.approx(walk_vo2)
    assert acsm_run_met(v) * 3.5 == pytest.approx(run_vo2)


def test_between_rows_the_met_follows_a_straight_line() -> None:
    # halfway between 17190 (2.8 mph, 3.8) and 17200 (3.5 mph, 4.8): 4.3 MET
    assert walk_met(3.15 * MPH)[0] == pytest.approx(4.3)


def test_beyond_the_last_row_the_acsm_slope_continues() -> None:
    # running 7.0 mph: 9.3 + ACSM running slope (0.2 mL/kg/min per m/min = 0.2*26.8/3.5 MET
    # per mph) x 1.0 mph
    assert run_met(7.0 * MPH)[0] == pytest.approx(9.3 + 0.2 * 60 * MPH / 3.5, rel=1e-9)


def test_kcal_per_minute_formula() -> None:
    # 70 kg at 6.0 MET: 6.0 x 3.5 x 70 / 200 = 7.35 kcal/min; 30 min = 220.5 kcal
    # (anchors.md 1.3: "Backward: 6.0 MET -> 220 kcal gross" for 70 kg, 30 min)
    assert kcal_per_min(6.0, 70.0) == pytest.approx(7.35)
    assert 30 * kcal_per_min(6.0, 70.0) == pytest.approx(220.5)
    # net = (MET - 1) x 3.5 x kg / 200 = 6.125 kcal/min
    assert net_kcal_per_min(6.0, 70.0) == pytest.approx(6.125)


def test_resting_correction_raises_the_net_share() -> None:
    # Byrne 2005: resting VO2 2.6 mL/kg/min; net = (6.0 x 3.5 - 2.6) x 70 / 200 = 6.44 kcal/min
    assert BYRNE_2005_RESTING_VO2_ML_KG_MIN == 2.6
    assert net_kcal_per_min(
        6.0, 70.0, resting_vo2_ml_kg_min=BYRNE_2005_RESTING_VO2_ML_KG_MIN
    ) == pytest.approx(6.44)


speeds = st.floats(0.0, 6.0, allow_nan=False)
masses = st.floats(20.0, 250.0, allow_nan=False)
gaits = st.sampled_from(["walk", "run"])


@settings(max_examples=200, deadline=None)
@given(v1=speeds, v2=speeds, m1=masses, m2=masses, gait=gaits, backward=st.booleans())
def test_more_speed_or_mass_never_fewer_kcal(v1, v2, m1, m2, gait, backward) -> None:
    lo_v, hi_v = sorted((v1, v2))
    lo_m, hi_m = sorted((m1, m2))
    k_lo = kcal_per_min(met(lo_v, gait=gait, backward=backward), lo_m)[0]
    k_hi = kcal_per_min(met(hi_v, gait=gait, backward=backward), hi_m)[0]
    assert k_hi >= k_lo - 1e-12


@settings(max_examples=200, deadline=None)
@given(v=speeds, gait=gaits, walk_mult=st.floats(0.5, 2.0), run_mult=st.floats(0.5, 2.0))
def test_backward_never_cheaper_than_forward(v, gait, walk_mult, run_mult) -> None:
    kw = {"backward_walk_multiplier": walk_mult, "backward_run_multiplier": run_mult}
    fwd = met(v, gait=gait, backward=False, **kw)[0]
    bwd = met(v, gait=gait, backward=True, **kw)[0]
    assert bwd >= fwd
    assert math.isfinite(bwd)


@settings(max_examples=100, deadline=None)
@given(v=speeds)
def test_running_never_cheaper_than_walking(v) -> None:
    assert run_met(v)[0] >= walk_met(v)[0]


def test_met_broadcasts_over_arrays() -> None:
    out = met(
        np.array([1.0, 1.0, 3.0]),
        gait=np.array(["walk", "walk", "run"]),
        backward=np.array([False, True, True]),
    )
    assert out.shape == (3,)
    assert out[1] == pytest.approx(out[0] * BACKWARD_WALK_MULTIPLIER)
    assert out[2] == pytest.approx(run_met(3.0)[0] * BACKWARD_RUN_MULTIPLIER)


@settings(max_examples=100, deadline=None)
@given(v=speeds, gait=gaits, backward=st.booleans(), mult=st.floats(0.5, 2.0))
def test_met_scalar_is_met(v, gait, backward, mult) -> None:
    from gait.energy._met import met_scalar

    kw = {"backward_walk_multiplier": mult, "backward_run_multiplier": mult}
    assert met_scalar(v, gait, backward, mult, mult) == pytest.approx(
        met(v, gait=gait, backward=backward, **kw)[0]
    )
