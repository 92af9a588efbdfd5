"""Sagittal segment-angle curves over the gait cycle, as low-order Fourier series.

Angles are *segment* angles in degrees, measured from the vertical in the sagittal plane of the
person's facing direction, positive when the distal end of the segment is ahead of its proximal end
(the thigh: knee ahead of hip; the shank: ankle ahead of knee). Phase 0 is initial contact of the
same leg.

The key points are read off the normative adult curves of Winter (1991, "The biomechanics and
motor control of human gait", 2nd ed., University of Waterloo Press: hip and knee sagittal angles
at natural cadence) for walking and of Novacheck (1998, "The biomechanics of running", Gait &
Posture 7:77-95, figures of hip and knee flexion at jogging/running speed) for running. They are
approximate (read from published figures, rounded to a few degrees) and smoothed by a 6-harmonic
Fourier fit; see docs/simulator.md.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy.interpolate import PchipInterpolator

N_HARMONICS = 6

# (phase, degrees). Thigh: segment angle from vertical; knee: flexion angle (shank = thigh - knee).
_WALK_THIGH = [
    (0.00, 20.0), (0.10, 18.0), (0.20, 10.0), (0.30, 2.0), (0.40, -5.0), (0.50, -10.0),
    (0.55, -11.0), (0.60, -8.0), (0.70, 5.0), (0.80, 17.0), (0.88, 22.0), (0.95, 21.0),
]  # fmt: skip
_WALK_KNEE = [
    (0.00, 3.0), (0.05, 10.0), (0.15, 18.0), (0.25, 12.0), (0.35, 6.0), (0.42, 5.0),
    (0.50, 12.0), (0.60, 38.0), (0.70, 60.0), (0.73, 62.0), (0.80, 50.0), (0.90, 22.0),
    (0.97, 3.0),
]  # fmt: skip
_RUN_THIGH = [
    (0.00, 25.0), (0.15, 12.0), (0.30, -5.0), (0.40, -12.0), (0.50, -8.0), (0.65, 15.0),
    (0.80, 35.0), (0.90, 32.0),
]  # fmt: skip
_RUN_KNEE = [
    (0.00, 18.0), (0.12, 38.0), (0.25, 25.0), (0.40, 18.0), (0.55, 60.0), (0.70, 95.0),
    (0.80, 70.0), (0.90, 30.0),
]  # fmt: skip

#: Stance fraction (duty factor) at which the key points above place toe-off.
REFERENCE_DUTY = {"walk": 0.60, "run": 0.40}
#: Speed at which the key-point curves apply (m/s); other speeds scale the excursion.
REFERENCE_SPEED_M_S = {"walk": 1.3, "run": 3.2}


def _fit(points: list[tuple[float, float]]) -> np.ndarray:
    """Least-squares Fourier coefficients [a0, a1, b1, ..., aN, bN] of a periodic curve."""
    ph = np.array([p for p, _ in points] + [1.0 + points[0][0]])
    val = np.array([v for _, v in points] + [points[0][1]])
    interp = PchipInterpolator(ph, val)
    x = np.linspace(0.0, 1.0, 400, endpoint=False)
    y = interp(x)
    cols = [np.ones_like(x)]
    for k in range(1, N_HARMONICS + 1):
        cols += [np.cos(2 * np.pi * k * x), np.sin(2 * np.pi * k * x)]
    coef, *_ = np.linalg.lstsq(np.stack(cols, axis=1), y, rcond=None)
    return coef


@cache
def fourier_coefficients(mode: str, segment: str) -> np.ndarray:
    """Fourier coefficients of the forward ``mode`` curve ("walk"/"run") of ``segment``."""
    thigh, knee = (_WALK_THIGH, _WALK_KNEE) if mode == "walk" else (_RUN_THIGH, _RUN_KNEE)
    c_thigh = _fit(thigh)
    if segment == "thigh":
        return c_thigh
    return c_thigh - _fit(knee)


def evaluate(coef: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Evaluate a Fourier series (degrees) at ``phase`` (cycles)."""
    phase = np.asarray(phase, dtype=np.float64)
    out = np.full(phase.shape, coef[0])
    for k in range(1, (coef.shape[0] - 1) // 2 + 1):
        w = 2 * np.pi * k * phase
        out += coef[2 * k - 1] * np.cos(w) + coef[2 * k] * np.sin(w)
    return out


def forward_phase(mode: str, direction: str, phase: np.ndarray, duty: float) -> np.ndarray:
    """Map a cycle phase (0 = contact, ``duty`` = foot off) onto the forward reference curve.

    Forward: stance [0, duty) maps linearly onto the reference stance [0, d_ref), swing onto
    [d_ref, 1). Backward gait is modelled as a near time reversal of forward joint angles
    (Thorstensson 1986; Winter et al. 1989; Grasso et al. 1998): backward contact corresponds to
    forward toe-off, and time runs backwards through the reference cycle.
    """
    d_ref = REFERENCE_DUTY[mode]
    p = np.mod(phase, 1.0)
    st = p < duty
    out = np.empty_like(p)
    if direction == "forward":
        out[st] = p[st] / duty * d_ref
        out[~st] = d_ref + (p[~st] - duty) / (1.0 - duty) * (1.0 - d_ref)
    else:
        out[st] = d_ref * (1.0 - p[st] / duty)
        out[~st] = 1.0 - (p[~st] - duty) / (1.0 - duty) * (1.0 - d_ref)
    return out


def segment_angle_deg(
    mode: str, direction: str, segment: str, phase: np.ndarray, duty: float, scale: float
) -> np.ndarray:
    """Segment angle (deg) of the thigh or shank at ``phase`` of a stride.

    ``scale`` multiplies the excursion about the cycle mean (speed and person effects). For
    backward gait the sign convention stays "distal end ahead of proximal end, in the facing
    direction", so the time-reversed curve is used as it is.
    """
    coef = fourier_coefficients(mode, segment)
    val = evaluate(coef, forward_phase(mode, direction, phase, duty))
    return coef[0] + scale * (val - coef[0])
