"""numba kernel: horizontal displacement of the sensor over one stride (strapdown integration).

Between two instants at which the sensor is nearly still (mid-stance of consecutive strides) the
gyroscope is integrated to an orientation, the accelerometer is turned into the world frame,
gravity is removed, and the velocity is integrated with a linear drift correction that makes it
zero at both ends (the zero-velocity update, Mariani et al. 2010; Rampp et al. 2015). The world
frame has ``z`` along the gravity measured at the start; its heading is arbitrary, so only the
horizontal distance is meaningful. Reference: :func:`stride_displacement_ref`.

A shank sensor is not still at mid-stance: the shank turns over the planted foot about the ankle
joint, which is still while the foot is flat (the inverted pendulum of Li et al. 2010, J Biomech
43:1640). With ``lever_m`` > 0 the velocity at the still windows is taken as that of a point
``lever_m`` above a still pivot, turning at the measured rate: ``omega x (lever_m z)`` in the
levelled frame (the shank is near vertical at mid-stance), instead of zero.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _quat_mul(a0, a1, a2, a3, b0, b1, b2, b3):  # pragma: no cover - numba
    return (
        a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3,
        a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
        a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1,
        a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0,
    )


@njit(cache=True)
def _level_quat(gx, gy, gz):  # pragma: no cover - numba
    """Unit quaternion turning the vector (gx, gy, gz) onto +z (shortest arc)."""
    n = np.sqrt(gx * gx + gy * gy + gz * gz)
    if n <= 0.0:
        return 1.0, 0.0, 0.0, 0.0
    ux, uy, uz = gx / n, gy / n, gz / n
    # axis = u x z = (uy, -ux, 0), cos = uz
    w = 1.0 + uz
    x, y, z = uy, -ux, 0.0
    if w < 1e-9:  # pointing straight down: turn half a circle about x
        return 0.0, 1.0, 0.0, 0.0
    m = np.sqrt(w * w + x * x + y * y + z * z)
    return w / m, x / m, y / m, z / m


@njit(cache=True)
def stride_displacement(
    acc_ms2, gyr_rad_s, dt_s, n_level, n_half=0, lever_m=0.0
):  # pragma: no cover - numba
    """Displacement (3,) in m from the first to the last sample of ``acc_ms2``/``gyr_rad_s``,
    and the drift-corrected velocity (n, 3) in m/s of every sample.

    ``acc_ms2`` and ``gyr_rad_s`` are (n, 3) C-contiguous float64 arrays in the sensor frame,
    ``dt_s`` the sample period and ``n_level`` how many first samples are averaged to find
    gravity. The velocity is taken as known, on average, over the first and the last
    ``2 n_half + 1`` samples: zero, or with ``lever_m`` > 0 that of a point ``lever_m`` above
    a still pivot (``omega x lever_m z``, world frame); the displacement is between the mean
    positions there (``n_half = 0``: the first and the last sample).
    """
    n = acc_ms2.shape[0]
    out = np.zeros(3)
    v = np.zeros((n, 3))
    if n < 3:
        return out, v
    m = min(max(n_level, 1), n)
    gx = 0.0
    gy = 0.0
    gz = 0.0
    for i in range(m):
        gx += acc_ms2[i, 0]
        gy += acc_ms2[i, 1]
        gz += acc_ms2[i, 2]
    gx /= m
    gy /= m
    gz /= m
    g = np.sqrt(gx * gx + gy * gy + gz * gz)
    q0, q1, q2, q3 = _level_quat(gx, gy, gz)
    aw = np.empty((n, 3))
    # horizontal velocity of the sensor turning about a still pivot lever_m below it
    tv = np.zeros((n, 2))
    for i in range(n):
        if lever_m != 0.0:
            bx, by, bz = gyr_rad_s[i, 0], gyr_rad_s[i, 1], gyr_rad_s[i, 2]
            u0, u1, u2, u3 = _quat_mul(q0, q1, q2, q3, 0.0, bx, by, bz)
            _, wwx, wwy, _ = _quat_mul(u0, u1, u2, u3, q0, -q1, -q2, -q3)
            tv[i, 0] = lever_m * wwy
            tv[i, 1] = -lever_m * wwx
        # world acceleration: q * a * q^-1, minus gravity
        ax, ay, az = acc_ms2[i, 0], acc_ms2[i, 1], acc_ms2[i, 2]
        t0, t1, t2, t3 = _quat_mul(q0, q1, q2, q3, 0.0, ax, ay, az)
        _, r1, r2, r3 = _quat_mul(t0, t1, t2, t3, q0, -q1, -q2, -q3)
        aw[i, 0] = r1
        aw[i, 1] = r2
        aw[i, 2] = r3 - g
        if i + 1 < n:
            # rotate by the mean rate over the interval (body frame): q <- q * dq
            wx = 0.5 * (gyr_rad_s[i, 0] + gyr_rad_s[i + 1, 0])
            wy = 0.5 * (gyr_rad_s[i, 1] + gyr_rad_s[i + 1, 1])
            wz = 0.5 * (gyr_rad_s[i, 2] + gyr_rad_s[i + 1, 2])
            ang = np.sqrt(wx * wx + wy * wy + wz * wz) * dt_s
            if ang > 0.0:
                s = np.sin(0.5 * ang) / (ang / dt_s)
                d0, d1, d2, d3 = np.cos(0.5 * ang), wx * s, wy * s, wz * s
                q0, q1, q2, q3 = _quat_mul(q0, q1, q2, q3, d0, d1, d2, d3)
                qn = np.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
                q0, q1, q2, q3 = q0 / qn, q1 / qn, q2 / qn, q3 / qn
    # velocity by the trapezoid rule, then the linear drift that makes the velocity zero at both
    # ends: its mean over the first and over the last 2 n_half + 1 samples (a still window
    # averages out a strap's ringing), as a line through the windows' centres
    for i in range(1, n):
        for k in range(3):
            v[i, k] = v[i - 1, k] + 0.5 * (aw[i - 1, k] + aw[i, k]) * dt_s
    h = min(max(n_half, 0), (n - 1) // 2)
    w = 2 * h + 1
    c0 = h
    c1 = n - 1 - h
    m0 = np.zeros(3)
    m1 = np.zeros(3)
    for i in range(w):
        for k in range(3):
            m0[k] += v[i, k] / w
            m1[k] += v[n - w + i, k] / w
        for k in range(2):
            m0[k] -= tv[i, k] / w
            m1[k] -= tv[n - w + i, k] / w
    span = max(c1 - c0, 1)
    for i in range(n):
        f = (i - c0) / span
        for k in range(3):
            v[i, k] -= m0[k] + (m1[k] - m0[k]) * f
    # position, then the mean position over the last window minus that over the first
    x = np.zeros(3)
    p0 = np.zeros(3)
    p1 = np.zeros(3)
    for i in range(n):
        if i > 0:
            for k in range(3):
                x[k] += 0.5 * (v[i - 1, k] + v[i, k]) * dt_s
        if i < w:
            for k in range(3):
                p0[k] += x[k] / w
        if i >= n - w:
            for k in range(3):
                p1[k] += x[k] / w
    for k in range(3):
        out[k] = p1[k] - p0[k]
    return out, v


def stride_displacement_ref(
    acc_ms2: np.ndarray,
    gyr_rad_s: np.ndarray,
    dt_s: float,
    n_level: int,
    n_half: int = 0,
    lever_m: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Plain NumPy/SciPy reference of :func:`stride_displacement` (for tests)."""
    from scipy.spatial.transform import Rotation

    n = acc_ms2.shape[0]
    if n < 3:
        return np.zeros(3), np.zeros((n, 3))
    g_vec = acc_ms2[: max(min(n_level, n), 1)].mean(axis=0)
    g = float(np.linalg.norm(g_vec))
    u = g_vec / g
    axis = np.cross(u, [0.0, 0.0, 1.0])
    s = np.linalg.norm(axis)
    angle = np.arctan2(s, u[2])
    rot = Rotation.from_rotvec(axis / s * angle) if s > 0 else Rotation.identity()
    rots = [rot]
    w = 0.5 * (gyr_rad_s[1:] + gyr_rad_s[:-1]) * dt_s
    for i in range(n - 1):
        rot = rot * Rotation.from_rotvec(w[i])
        rots.append(rot)
    aw = np.array([r.apply(a) for r, a in zip(rots, acc_ms2, strict=True)])
    aw[:, 2] -= g
    ww = np.array([r.apply(w) for r, w in zip(rots, gyr_rad_s, strict=True)])
    pivot_v = lever_m * np.cross(ww, [0.0, 0.0, 1.0])  # omega x (lever_m z)
    v = np.vstack([np.zeros(3), np.cumsum(0.5 * (aw[1:] + aw[:-1]) * dt_s, axis=0)])
    h = min(max(n_half, 0), (n - 1) // 2)
    width = 2 * h + 1
    m0 = (v[:width] - pivot_v[:width]).mean(axis=0)
    m1 = (v[n - width :] - pivot_v[n - width :]).mean(axis=0)
    c0, c1 = h, n - 1 - h
    frac = (np.arange(n) - c0) / max(c1 - c0, 1)
    v = v - (m0 + np.outer(frac, m1 - m0))
    x = np.vstack([np.zeros(3), np.cumsum(0.5 * (v[1:] + v[:-1]) * dt_s, axis=0)])
    return x[n - width :].mean(axis=0) - x[:width].mean(axis=0), v
