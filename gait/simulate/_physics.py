"""From segment poses to what an ideal IMU strapped to the segment measures.

The accelerometer measures specific force f = Rᵀ (a − g) (a: linear acceleration of the sensor
point, g = (0, 0, −9.80665) m/s² in the world frame, R: sensor-to-world rotation); the gyroscope
measures the angular velocity of the same R, in sensor axes.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from gait.consts import GRAVITY_MS2


def zyx_matrices(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """Rotation matrices Rz(yaw) Ry(pitch) Rx(roll), shape (n, 3, 3); angles in radians."""
    cz, sz = np.cos(yaw), np.sin(yaw)
    cy, sy = np.cos(pitch), np.sin(pitch)
    cx, sx = np.cos(roll), np.sin(roll)
    r = np.empty((yaw.shape[0], 3, 3))
    r[:, 0, 0] = cz * cy
    r[:, 0, 1] = cz * sy * sx - sz * cx
    r[:, 0, 2] = cz * sy * cx + sz * sx
    r[:, 1, 0] = sz * cy
    r[:, 1, 1] = sz * sy * sx + cz * cx
    r[:, 1, 2] = sz * sy * cx - cz * sx
    r[:, 2, 0] = -sy
    r[:, 2, 1] = cy * sx
    r[:, 2, 2] = cy * cx
    return r


def zyx_body_rates(yaw, pitch, roll, dt: float) -> np.ndarray:
    """Angular velocity (rad/s) in body axes of Rz(yaw) Ry(pitch) Rx(roll) sampled every dt."""
    dyaw = np.gradient(yaw, dt)
    dpitch = np.gradient(pitch, dt)
    droll = np.gradient(roll, dt)
    # Body-frame rates of the ZYX sequence (exact kinematic relation).
    cy, sy = np.cos(pitch), np.sin(pitch)
    cx, sx = np.cos(roll), np.sin(roll)
    wx = droll - sy * dyaw
    wy = cx * dpitch + sx * cy * dyaw
    wz = -sx * dpitch + cx * cy * dyaw
    return np.stack([wx, wy, wz], axis=1)


def second_derivative(x: np.ndarray, dt: float) -> np.ndarray:
    """d²x/dt² along axis 0 (central differences, second order)."""
    return np.gradient(np.gradient(x, dt, axis=0, edge_order=2), dt, axis=0, edge_order=2)


def specific_force(acc_world: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """f = Rᵀ (a − g) with g pointing down; ``rot`` maps sensor to world axes."""
    f_world = acc_world + np.array([0.0, 0.0, GRAVITY_MS2])
    return np.einsum("nji,nj->ni", rot, f_world)


def soft_tissue(acc: np.ndarray, fs_hz: float, f_n_hz: float, zeta: float) -> np.ndarray:
    """Sensor mass on a damped spring driven by the bone: H = (2ζωs + ω²)/(s² + 2ζωs + ω²)."""
    w = 2 * np.pi * f_n_hz
    b, a = signal.bilinear([2 * zeta * w, w * w], [1.0, 2 * zeta * w, w * w], fs=fs_hz)
    return signal.lfilter(b, a, acc, axis=0)


#: Largest deceleration of the quintic arrest per (arrival speed / arrest duration), reached at
#: 24 % of the arrest: min of d²/du² (u - 6u³ + 8u⁴ - 3u⁵) on [0, 1] is -3.94.
ARREST_PEAK_PER_V_OVER_T = 3.94


def contact_arrest(
    t: np.ndarray,
    t_ic: float,
    dv: np.ndarray,
    da: np.ndarray,
    peak_ms2: float,
    max_duration_s: float = 0.1,
) -> tuple[slice, np.ndarray, float]:
    """Displacement (n, 3) that stops a limb arriving with velocity ``dv`` (and acceleration
    ``da``) relative to its pinned stance, from the contact on, and is over ``T`` later.

    x is the quintic that leaves zero with x' = dv and x'' = da at contact and reaches zero with
    zero velocity and acceleration at ``t_ic + T``, zero outside: bone kinematics plus x stay
    smooth through the contact (``da``: the swing's minus the stance's acceleration at contact),
    the ground's deceleration acts only after it, peaking at ``3.94 |dv| / T`` a quarter into
    the arrest (for da = 0), and the limb is at rest on its footprint from ``t_ic + T`` on. T is
    chosen so that this peak equals ``peak_ms2``, between 10 ms and ``max_duration_s`` (the
    loading response: the foot is arrested before it is flat, Perry 1992; Winter 1991). Returns
    the slice, the displacement and T.
    """
    speed = float(np.linalg.norm(dv))
    dur = ARREST_PEAK_PER_V_OVER_T * speed / max(peak_ms2, 1e-6)
    dur = min(max(dur, 0.01), max(max_duration_s, 0.01))
    lo = np.searchsorted(t, t_ic)
    hi = np.searchsorted(t, t_ic + dur)
    u = ((t[lo:hi] - t_ic) / dur)[:, None]
    h1 = u - 6 * u**3 + 8 * u**4 - 3 * u**5
    h2 = 0.5 * u**2 - 1.5 * u**3 + 1.5 * u**4 - 0.5 * u**5
    dv_ = np.asarray(dv, dtype=np.float64)[None, :]
    da_ = np.asarray(da, dtype=np.float64)[None, :]
    x = dv_ * dur * h1 + da_ * dur * dur * h2
    return slice(lo, hi), x, dur


def contact_transient(
    t: np.ndarray, t_ic: float, peak_ms2: float, tau_s: float, direction: np.ndarray
) -> tuple[slice, np.ndarray]:
    """Extra acceleration (n, 3) of a limb that lands with a residual velocity and is stopped.

    The residual approach velocity v builds up over ~0.2 s before contact and is arrested by the
    ground *from the contact on*: v(t) = v (1 + s) exp(-s), s = (t - t_ic) / tau, the response of
    a critically damped contact. The deceleration is zero at contact (no force before the foot
    touches), peaks at t_ic + tau with magnitude v / (e tau) = ``peak_ms2`` and has decayed
    after a few tau. An earlier, slow opposite velocity bump makes the net displacement zero, so
    the transient is the second derivative of a bounded displacement added to the pose.
    """
    dt = t[1] - t[0]
    lo = np.searchsorted(t, t_ic - 0.6)
    hi = np.searchsorted(t, t_ic + max(0.15, 12.0 * tau_s))
    tt = t[lo:hi]
    v = math.e * tau_s * peak_ms2

    def sig(x):
        return 0.5 * (1.0 + np.tanh(0.5 * x))

    # the residual velocity builds up gently over late swing (~0.2 s), then stops at contact
    s = np.maximum(tt - t_ic, 0.0) / tau_s
    vel = v * sig((tt - (t_ic - 0.15)) / 0.04) * (1.0 + s) * np.exp(-s)
    bump = np.exp(-0.5 * ((tt - (t_ic - 0.4)) / 0.06) ** 2)
    if bump.sum() > 0:
        vel = vel - bump * (vel.sum() / bump.sum())
    acc = np.gradient(vel, dt)
    return slice(lo, hi), acc[:, None] * direction[None, :]


def shock_transient(
    t: np.ndarray, t_c: float, peak_ms2: float, tau_s: float, direction: np.ndarray
) -> tuple[slice, np.ndarray]:
    """Extra acceleration (n, 3) of a segment that a landing's shock reaches, from the contact
    ``t_c`` on only (simulator v9).

    ``a(t) = A (2 s - s²) exp(-s)``, s = (t - t_c) / tau: zero at the contact, a first lobe of
    height ``peak_ms2`` against ``direction`` (the segment is pushed back the way the landing
    came) at s = 2 - √2, a smaller opposite lobe after s = 2; the velocity it adds,
    ``A tau s² exp(-s)``, starts and ends at zero. Unlike ``contact_transient`` (a limb that
    arrives moving and is stopped) nothing happens before the contact: the shock of a landing
    travels up the tibia and through the body after the foot touches [Light et al. 1980;
    Lafortune et al. 1996], while the sensor's own segment (the stance shank, for the other
    foot's landing) does not move for it beforehand. Up to v8 both used ``contact_transient``,
    whose approach velocity, built up 0.1-0.2 s before the contact, and its compensating bump
    0.4 s before, pulled the specific force along the tibia 1-2 m/s² below g in mid-stance of
    the sensor's leg before each landing of the other foot, more for heel strikes (larger
    impacts): a strike cue that a planted real shank does not have.
    """
    lo = np.searchsorted(t, t_c)
    hi = np.searchsorted(t, t_c + 12.0 * tau_s)
    s_ = (t[lo:hi] - t_c) / tau_s
    s_pk = 2.0 - math.sqrt(2.0)  # where the first lobe peaks
    top = (2.0 * s_pk - s_pk**2) * math.exp(-s_pk)
    a = -(peak_ms2 / top) * (2.0 * s_ - s_**2) * np.exp(-s_)
    return slice(lo, hi), a[:, None] * np.asarray(direction, dtype=np.float64)[None, :]


def rotational_transient(
    t: np.ndarray, t_ic: float, peak_dps: float, f_hz: float, tau_s: float
) -> tuple[slice, np.ndarray]:
    """A damped angular vibration (deg) of the segment after a contact.

    ``A (1 - cos ωt) exp(-t/tau)`` starts with zero angle and rate, so it adds no jump; its peak
    rate is about ``peak_dps``. It is added to the segment's pitch before the orientation is
    formed, so gyro and accelerometer see the same motion.
    """
    lo = np.searchsorted(t, t_ic)
    hi = np.searchsorted(t, t_ic + 8 * tau_s)
    tt = t[lo:hi] - t_ic
    w = 2 * np.pi * f_hz
    amp = peak_dps / w
    return slice(lo, hi), amp * (1 - np.cos(w * tt)) * np.exp(-tt / tau_s)
