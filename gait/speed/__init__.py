"""Speed, stride length and walk/run decision per stride, from the ankle or foot sensor alone.

See :mod:`gait.speed._stride` and docs/speed.md.
"""

from gait.speed._stride import (
    ACC_AVERAGE_KEY,
    DEFAULT_HEIGHT_M,
    LEG_LENGTH_FRAC,
    SHANK_LEVER_M,
    StrideMeasure,
    acc_average_s_of,
    alexander_stride_length_m,
    causal_mean,
    is_running,
    lever_m_for,
    measure_stride,
    measure_strides,
    stillness_cost,
)

__all__ = [
    "ACC_AVERAGE_KEY",
    "DEFAULT_HEIGHT_M",
    "LEG_LENGTH_FRAC",
    "SHANK_LEVER_M",
    "StrideMeasure",
    "acc_average_s_of",
    "alexander_stride_length_m",
    "causal_mean",
    "is_running",
    "lever_m_for",
    "measure_stride",
    "measure_strides",
    "stillness_cost",
]
