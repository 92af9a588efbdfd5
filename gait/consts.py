"""Column names, units and physical constants shared by the whole project."""

from typing import Final

#: Standard gravity (m/s²), the factor used to convert g to m/s².
GRAVITY_MS2: Final[float] = 9.80665

T_COL: Final[str] = "t_s"
ACC_COLS: Final[tuple[str, str, str]] = ("acc_x", "acc_y", "acc_z")
GYR_COLS: Final[tuple[str, str, str]] = ("gyr_x", "gyr_y", "gyr_z")
#: Canonical session CSV header (gyro columns optional).
SESSION_COLS: Final[tuple[str, ...]] = (T_COL, *ACC_COLS, *GYR_COLS)

#: Per-step fields of the public JSON step record (DESIGN.md), in order; records add
#: ``instrumented`` after them.
STEP_FIELDS: Final[tuple[str, ...]] = (
    "t_s",
    "foot",
    "direction",
    "direction_p",
    "strike",
    "strike_p",
    "speed_m_s",
    "kcal",
    # final contact (toe-off) of the instrumented foot that began the swing ending at this
    # contact, on the session's clock; null for the other foot's estimated contacts
    "fc_t_s",
)

#: Placements accepted in a session sidecar.
PLACEMENTS: Final[tuple[str, ...]] = ("left_ankle", "right_ankle", "left_foot", "right_foot")
FEET: Final[tuple[str, str]] = ("left", "right")
DIRECTIONS: Final[tuple[str, str]] = ("forward", "backward")
STRIKES: Final[tuple[str, str, str]] = ("heel", "midfoot", "forefoot")

#: Sampling rates the step detector is built and tested for.
MIN_SAMPLING_RATE_HZ: Final[float] = 50.0
MAX_SAMPLING_RATE_HZ: Final[float] = 1000.0


def foot_of(placement: str | None) -> str | None:
    """Return ``"left"``/``"right"`` for a placement such as ``"left_ankle"``, else ``None``."""
    if placement is None:
        return None
    side = placement.split("_", 1)[0]
    return side if side in FEET else None
