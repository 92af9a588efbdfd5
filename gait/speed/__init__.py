"""Speed, stride length and walk/run decision per stride, from the ankle or foot sensor alone.

See :mod:`gait.speed._stride` and docs/speed.md.
"""

from gait.speed._stride import (
    DEFAULT_HEIGHT_M,
    LEG_LENGTH_FRAC,
    SHANK_LEVER_M,
    StrideMeasure,
    alexander_stride_length_m,
    is_running,
    lever_m_for,
    measure_stride,
    stillness_cost,
)

__all__ = [
    "DEFAULT_HEIGHT_M",
    "LEG_LENGTH_FRAC",
    "SHANK_LEVER_M",
    "StrideMeasure",
    "alexander_stride_length_m",
    "is_running",
    "lever_m_for",
    "measure_stride",
    "stillness_cost",
]
