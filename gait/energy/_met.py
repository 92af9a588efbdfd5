"""MET values for walking and running, forward and backward.

Sources (facts only; see docs/energy.md):

- Herrmann SD et al., *2024 Adult Compendium of Physical Activities*, J Sport Health Sci
  13(1):6-12, https://pacompendium.com (walking codes 17151-17231, backward walking 17320,
  running 12028-12050). Values as transcribed in /work/shared/research/anchors.md section 1.1.
- ACSM metabolic equations (ACSM's Guidelines for Exercise Testing and Prescription, 10th ed.,
  Table 6.3, as given by Bushman 2020, ACSM's Health & Fitness Journal 24(3)): level walking
  VO2 = 3.5 + 0.1 S, level running VO2 = 3.5 + 0.2 S (mL/kg/min, S in m/min).
- Backward multipliers: walking 6.0 / 4.8 = 1.25 (Compendium 2024, 17320 vs 17200 at 3.5 mph;
  Kim & Choi 2001 measured 1.48 at 5 km/h); running 1.35 (Wright & Weyand 2001, J Exp Biol
  204:1805, backward metabolic rate 35 +/- 6 % higher at the same speed).

How MET depends on speed: each Compendium row covers a speed range and is placed at the lowest
speed of that range (the single speed older editions named it by, e.g. "3.5 mph, brisk"), so
a row's published value is reproduced exactly at that speed; the open-ended "less than 2.0 mph"
row is placed at 1.5 mph. Between rows the MET is interpolated linearly (the ACSM equations are
linear in speed, so this is the ACSM form fitted to the Compendium's measurements); beyond the
last row it continues with the slope of the ACSM equation. Walking below the slowest row keeps
that row's value (2.3 MET, "strolling"); running is never cheaper than walking at the same speed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

#: 1 mph in m/s (exact: 1609.344 m / 3600 s).
MPH_M_S: Final[float] = 0.44704
#: Oxygen uptake of one MET, mL O2 per kg per minute (the Compendium's definition).
MET_VO2_ML_KG_MIN: Final[float] = 3.5
#: kcal per minute = MET x 3.5 x mass_kg / 200 (about 5 kcal per litre of O2).
KCAL_DIVISOR: Final[float] = 200.0
#: Resting VO2 measured by Byrne et al. 2005 (J Appl Physiol 99:1112), mean of 769 adults:
#: 2.6 mL/kg/min, lower than the standard 3.5 (the resting-correction option uses it).
BYRNE_2005_RESTING_VO2_ML_KG_MIN: Final[float] = 2.6

#: Same-speed backward / forward cost, walking: Compendium 2024 17320 (6.0 MET) / 17200 (4.8).
BACKWARD_WALK_MULTIPLIER: Final[float] = 6.0 / 4.8
#: Same-speed backward / forward cost, running: Wright & Weyand 2001 (+35 %).
BACKWARD_RUN_MULTIPLIER: Final[float] = 1.35

#: ACSM slopes in MET per (m/s): 0.1 (walking) or 0.2 (running) mL/kg/min per m/min.
ACSM_WALK_MET_PER_M_S: Final[float] = 0.1 * 60.0 / MET_VO2_ML_KG_MIN
ACSM_RUN_MET_PER_M_S: Final[float] = 0.2 * 60.0 / MET_VO2_ML_KG_MIN


@dataclass(frozen=True)
class CompendiumRow:
    """One row of the 2024 Adult Compendium: code, activity, speed range (mph), MET."""

    code: str
    activity: str
    mph_low: float
    mph_high: float
    met: float

    anchor_mph: float | None = None

    @property
    def speed_m_s(self) -> float:
        """Where the row is placed, in m/s: ``anchor_mph`` or else the range's lowest speed."""
        mph = self.mph_low if self.anchor_mph is None else self.anchor_mph
        return mph * MPH_M_S


#: Level forward walking, 2024 Adult Compendium (17151 "less than 2.0 mph" placed at 1.5 mph).
WALK_ROWS: Final[tuple[CompendiumRow, ...]] = (
    CompendiumRow(
        "17151", "walking, less than 2.0 mph, level, strolling, very slow", 1.0, 2.0, 2.3, 1.5
    ),
    CompendiumRow(
        "17152", "walking, 2.0 to 2.4 mph, level, slow pace, firm surface", 2.0, 2.4, 2.8
    ),
    CompendiumRow("17170", "walking, 2.5 mph, level, firm surface", 2.5, 2.5, 3.0),
    CompendiumRow("17190", "walking, 2.8 to 3.4 mph, level, moderate pace", 2.8, 3.4, 3.8),
    CompendiumRow("17200", "walking, 3.5 to 3.9 mph, level, brisk, firm surface", 3.5, 3.9, 4.8),
    CompendiumRow(
        "17220", "walking, 4.0 to 4.4 mph, level, firm surface, very brisk", 4.0, 4.4, 5.5
    ),
    CompendiumRow(
        "17230", "walking, 4.5 to 4.9 mph, level, firm surface, very, very brisk", 4.5, 4.9, 7.0
    ),
    CompendiumRow("17231", "walking, 5.0 to 5.5 mph", 5.0, 5.5, 8.5),
)
#: Level backward walking, 2024 Adult Compendium.
BACKWARD_WALK_ROW: Final[CompendiumRow] = CompendiumRow(
    "17320", "walking, backwards, 3.5 mph, level", 3.5, 3.5, 6.0
)
#: Level running, 2024 Adult Compendium (rows above 6.3 mph were not checked against the
#: official table, so faster running follows the ACSM slope from 12050).
RUN_ROWS: Final[tuple[CompendiumRow, ...]] = (
    CompendiumRow("12028", "running, 4.0 to 4.2 mph", 4.0, 4.2, 6.5),
    CompendiumRow("12029", "running, 4.3 to 4.8 mph", 4.3, 4.8, 7.8),
    CompendiumRow("12030", "running, 5.0 to 5.2 mph", 5.0, 5.2, 8.5),
    CompendiumRow("12045", "running, 5.5 to 5.8 mph", 5.5, 5.8, 9.0),
    CompendiumRow("12050", "running, 6.0 to 6.3 mph", 6.0, 6.3, 9.3),
)


_ANCHORS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _rows_met(speed_m_s: np.ndarray, rows: tuple[CompendiumRow, ...], slope: float) -> np.ndarray:
    key = id(rows)
    if key not in _ANCHORS:
        _ANCHORS[key] = (np.array([r.speed_m_s for r in rows]), np.array([r.met for r in rows]))
    x, y = _ANCHORS[key]
    v = np.asarray(speed_m_s, dtype=np.float64)
    out = np.interp(v, x, y)
    above = v > x[-1]
    out[above] = y[-1] + slope * (v[above] - x[-1])
    return out


def acsm_walk_met(speed_m_s: float | np.ndarray) -> np.ndarray:
    """ACSM level walking equation as MET: (3.5 + 0.1 S) / 3.5, S in m/min."""
    s = np.asarray(speed_m_s, dtype=np.float64) * 60.0
    return (MET_VO2_ML_KG_MIN + 0.1 * s) / MET_VO2_ML_KG_MIN


def acsm_run_met(speed_m_s: float | np.ndarray) -> np.ndarray:
    """ACSM level running equation as MET: (3.5 + 0.2 S) / 3.5, S in m/min."""
    s = np.asarray(speed_m_s, dtype=np.float64) * 60.0
    return (MET_VO2_ML_KG_MIN + 0.2 * s) / MET_VO2_ML_KG_MIN


def walk_met(speed_m_s: float | np.ndarray) -> np.ndarray:
    """Gross MET of level forward walking at ``speed_m_s`` (Compendium rows, ACSM between)."""
    v = np.atleast_1d(np.asarray(speed_m_s, dtype=np.float64))
    return _rows_met(v, WALK_ROWS, ACSM_WALK_MET_PER_M_S)


def run_met(speed_m_s: float | np.ndarray) -> np.ndarray:
    """Gross MET of level forward running at ``speed_m_s``.

    Below the slowest running row the ACSM running slope is followed down; running is never
    counted cheaper than walking at the same speed.
    """
    v = np.atleast_1d(np.asarray(speed_m_s, dtype=np.float64))
    out = _rows_met(v, RUN_ROWS, ACSM_RUN_MET_PER_M_S)
    first = RUN_ROWS[0]
    below = v < first.speed_m_s
    out[below] = first.met - ACSM_RUN_MET_PER_M_S * (first.speed_m_s - v[below])
    return np.maximum(out, walk_met(v))


def met(
    speed_m_s: float | np.ndarray,
    *,
    gait: str | np.ndarray = "walk",
    backward: bool | np.ndarray = False,
    backward_walk_multiplier: float = BACKWARD_WALK_MULTIPLIER,
    backward_run_multiplier: float = BACKWARD_RUN_MULTIPLIER,
) -> np.ndarray:
    """Gross MET by speed, gait (``"walk"``/``"run"``) and direction (arrays broadcast).

    Backward locomotion costs the forward MET times the backward multiplier of its gait (a
    multiplier below 1 is taken as 1: backward is never cheaper).
    """
    v, g, b = np.broadcast_arrays(
        np.atleast_1d(np.asarray(speed_m_s, dtype=np.float64)),
        np.atleast_1d(np.asarray(gait)),
        np.atleast_1d(np.asarray(backward, dtype=bool)),
    )
    running = g == "run"
    out = np.where(running, run_met(v), walk_met(v))
    mult = np.where(running, max(backward_run_multiplier, 1.0), max(backward_walk_multiplier, 1.0))
    return np.where(b, out * mult, out)


def met_scalar(
    speed_m_s: float,
    gait: str,
    backward: bool,
    backward_walk_multiplier: float = BACKWARD_WALK_MULTIPLIER,
    backward_run_multiplier: float = BACKWARD_RUN_MULTIPLIER,
) -> float:
    """:func:`met` for one step (the same numbers, without array overhead)."""
    value = float(walk_met(speed_m_s)[0]) if gait != "run" else float(run_met(speed_m_s)[0])
    if backward:
        mult = backward_run_multiplier if gait == "run" else backward_walk_multiplier
        value *= max(mult, 1.0)
    return value


def kcal_per_min(met_value: float | np.ndarray, mass_kg: float) -> np.ndarray:
    """Gross kcal per minute: MET x 3.5 x mass_kg / 200."""
    return np.asarray(met_value, dtype=np.float64) * MET_VO2_ML_KG_MIN * mass_kg / KCAL_DIVISOR


def net_kcal_per_min(
    met_value: float | np.ndarray, mass_kg: float, *, resting_vo2_ml_kg_min: float = 3.5
) -> np.ndarray:
    """Net kcal per minute: the gross energy minus resting.

    With the standard resting value (3.5 mL/kg/min) this is (MET - 1) x 3.5 x mass_kg / 200; a
    measured or corrected resting value (e.g. :data:`BYRNE_2005_RESTING_VO2_ML_KG_MIN`) subtracts
    that instead.
    """
    gross_vo2 = np.asarray(met_value, dtype=np.float64) * MET_VO2_ML_KG_MIN
    return np.maximum(gross_vo2 - resting_vo2_ml_kg_min, 0.0) * mass_kg / KCAL_DIVISOR
