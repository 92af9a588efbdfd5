"""Energy: MET tables (2024 Adult Compendium), ACSM equations, backward multipliers, and the
streaming estimator that prices every step (docs/energy.md)."""

from gait.energy._estimator import (
    BOUT_BREAK_S,
    MIN_BOUT_STRIDES,
    STRIDE_COLUMNS,
    MetEnergyEstimator,
    MetEnergyStream,
    energy_summary,
)
from gait.energy._met import (
    BACKWARD_RUN_MULTIPLIER,
    BACKWARD_WALK_MULTIPLIER,
    BACKWARD_WALK_ROW,
    BYRNE_2005_RESTING_VO2_ML_KG_MIN,
    RUN_ROWS,
    WALK_ROWS,
    CompendiumRow,
    acsm_run_met,
    acsm_walk_met,
    kcal_per_min,
    met,
    net_kcal_per_min,
    run_met,
    walk_met,
)

__all__ = [
    "BACKWARD_RUN_MULTIPLIER",
    "BACKWARD_WALK_MULTIPLIER",
    "BACKWARD_WALK_ROW",
    "BOUT_BREAK_S",
    "BYRNE_2005_RESTING_VO2_ML_KG_MIN",
    "MIN_BOUT_STRIDES",
    "RUN_ROWS",
    "STRIDE_COLUMNS",
    "WALK_ROWS",
    "CompendiumRow",
    "MetEnergyEstimator",
    "MetEnergyStream",
    "acsm_run_met",
    "acsm_walk_met",
    "energy_summary",
    "kcal_per_min",
    "met",
    "net_kcal_per_min",
    "run_met",
    "walk_met",
]
