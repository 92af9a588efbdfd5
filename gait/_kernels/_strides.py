"""numba kernel: the zero-velocity stride measure of many strides in one call.

The batch form of the per-stride Python in :func:`gait.speed._stride.measure_stride` (the still
instants after both contacts, the still windows, :func:`gait._kernels._swing.stride_displacement`,
the stance share): the same arithmetic on the same slices, without a Python round trip per
stride. Reference: :func:`gait.speed._stride.measure_stride`, stride by stride.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from gait._kernels._swing import stride_displacement


@njit(cache=True)
def _still(cost, lo, n, ic, w0, w1):  # pragma: no cover - numba
    """Slice index of the stillest sample in ``[ic + w0, ic + w1]`` of the slice
    ``cost[lo:lo + n]`` (clipped to it), or -1 when that window is empty."""
    a = ic + w0
    b = min(ic + w1, n - 1)
    if a < 0 or b <= a:
        return -1
    return a + np.argmin(cost[lo + a : lo + b + 1])


@njit(cache=True)
def zupt_strides(
    acc_ms2, gyr_rad_s, cost, lo, hi, ic0, ic1, w0, w1, half_n, level_n, dt_s, lever_m
):  # pragma: no cover - numba
    """Displacement and velocity of each stride ``j``: the slice ``lo[j]:hi[j]`` of the (n, 3)
    C-contiguous buffers, with contacts ``ic0[j]``, ``ic1[j]`` (buffer indices). ``w0``, ``w1``
    bound the still search after a contact, ``half_n`` and ``level_n`` are the still
    half-window and levelling lengths (samples).

    Returns ``ok`` (False where the still instants cannot be found: ``measure_stride``
    returning None), the displacements (m, 3), and the horizontal velocity (x, y) of every
    sample between the still instants, strides one after the other, stride ``j``'s from
    ``start[j]`` to ``start[j + 1]``. The stride length and stance share are left to the
    caller, in NumPy, so that they round as ``measure_stride``'s do."""
    m = lo.shape[0]
    ok = np.zeros(m, dtype=np.bool_)
    disp = np.zeros((m, 3))
    total = 0
    for j in range(m):
        total += max(hi[j] - lo[j], 0)
    vel_xy = np.empty((total, 2))
    start = np.zeros(m + 1, dtype=np.int64)
    pos = 0
    for j in range(m):
        start[j] = pos
        L = lo[j]
        n = hi[j] - L
        s0 = _still(cost, L, n, ic0[j] - L, w0, w1)
        s1 = _still(cost, L, n, ic1[j] - L, w0, w1)
        if s0 < 0 or s1 < 0 or s1 - s0 < 3:
            continue
        half = min(half_n, s0, n - 1 - s1)
        n_level = max(level_n, 2 * half + 1)
        a = L + s0 - half
        b = L + s1 + half + 1
        d, vel = stride_displacement(acc_ms2[a:b], gyr_rad_s[a:b], dt_s, n_level, half, lever_m)
        ok[j] = True
        disp[j, 0] = d[0]
        disp[j, 1] = d[1]
        disp[j, 2] = d[2]
        for i in range(half, vel.shape[0] - half):
            vel_xy[pos, 0] = vel[i, 0]
            vel_xy[pos, 1] = vel[i, 1]
            pos += 1
    start[m] = pos
    return ok, disp, vel_xy[:pos], start
