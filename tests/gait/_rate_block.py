"""A synthetic sensor that only turns about its y axis (the swing axis), standing upright.

Import as ``from _rate_block import rate_only_block`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import numpy as np

from gait.types import SampleBlock


def rate_only_block(w_dps: np.ndarray, fs: float) -> SampleBlock:
    """Samples whose angular rate is ``w_dps`` about y and whose accelerometer reads gravity on
    z alone (add impacts to ``.acc_ms2`` where a test needs them)."""
    n = len(w_dps)
    gyr = np.zeros((n, 3))
    gyr[:, 1] = w_dps
    acc = np.zeros((n, 3))
    acc[:, 2] = 9.81
    return SampleBlock(np.arange(n) / fs, acc, gyr, fs)
