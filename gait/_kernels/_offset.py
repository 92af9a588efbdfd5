"""numba kernel of the gyroscope offset corrector (rules in gait/offset.py).

The samples are cut into windows of a fixed length counted from the stream's first sample, so
that a stream fed in blocks of any size is corrected exactly as one pass. Each sample is
corrected with the offset known when it arrives: the mean rate of the last window in which the
sensor lay still.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# integer state
I_IN_WINDOW = 0  # samples summed in the current window
I_N_STILL = 1  # still windows seen so far
N_ISTATE = 2
# float state
F_OFFSET = 0  # the offset in use (3 slots, deg/s)
F_SUM = 3  # sums over the current window: rate (3), rate squared (3), |acc|, |acc| squared,
# then the acceleration vector over its first half (3) and its second half (3)
N_FSTATE = F_SUM + 14
# parameters
Q_WINDOW = 0  # window length (samples)
Q_GYR_STD = 1  # still: every axis's rate varies less than this (deg/s, standard deviation)
Q_ACC_STD = 2  # and the acceleration norm less than this (m/s², standard deviation)
Q_MAX_OFFSET = 3  # and the mean rate is at most this (deg/s): no gyroscope is offset further
Q_TILT = 4  # and the mean acceleration of its halves differs by less than this (m/s²)
N_PARAM = 5


def new_state() -> tuple[np.ndarray, np.ndarray]:
    """Fresh state arrays: (istate, fstate)."""
    return np.zeros(N_ISTATE, np.int64), np.zeros(N_FSTATE, np.float64)


@njit(cache=True)
def correct_block(
    acc: np.ndarray,
    gyr: np.ndarray,
    istate: np.ndarray,
    fstate: np.ndarray,
    p: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write ``gyr`` minus the offset known at each sample to ``out``; learn from still
    windows as they complete."""
    n_w = int(p[Q_WINDOW])
    half = n_w // 2
    s = fstate[F_SUM : F_SUM + 14]
    for i in range(gyr.shape[0]):
        gx, gy, gz = gyr[i, 0], gyr[i, 1], gyr[i, 2]
        out[i, 0] = gx - fstate[F_OFFSET]
        out[i, 1] = gy - fstate[F_OFFSET + 1]
        out[i, 2] = gz - fstate[F_OFFSET + 2]
        a = np.sqrt(acc[i, 0] ** 2 + acc[i, 1] ** 2 + acc[i, 2] ** 2)
        s[0] += gx
        s[1] += gy
        s[2] += gz
        s[3] += gx * gx
        s[4] += gy * gy
        s[5] += gz * gz
        s[6] += a
        s[7] += a * a
        h = 8 if istate[I_IN_WINDOW] < half else 11
        s[h] += acc[i, 0]
        s[h + 1] += acc[i, 1]
        s[h + 2] += acc[i, 2]
        istate[I_IN_WINDOW] += 1
        if istate[I_IN_WINDOW] < n_w:
            continue
        # a window is complete: was the sensor still?
        still = True
        for j in range(3):
            m = s[j] / n_w
            if s[3 + j] / n_w - m * m > p[Q_GYR_STD] ** 2:
                still = False
        m_a = s[6] / n_w
        if s[7] / n_w - m_a * m_a > p[Q_ACC_STD] ** 2:
            still = False
        tilt2 = 0.0  # gravity seen from the sensor moved: the segment turned
        for j in range(3):
            tilt2 += (s[11 + j] / (n_w - half) - s[8 + j] / half) ** 2
        if tilt2 > p[Q_TILT] ** 2:
            still = False
        mx, my, mz = s[0] / n_w, s[1] / n_w, s[2] / n_w
        if still and mx * mx + my * my + mz * mz <= p[Q_MAX_OFFSET] ** 2:
            fstate[F_OFFSET] = mx
            fstate[F_OFFSET + 1] = my
            fstate[F_OFFSET + 2] = mz
            istate[I_N_STILL] += 1
        s[:] = 0.0
        istate[I_IN_WINDOW] = 0
