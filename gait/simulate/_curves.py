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

Backward gait has curves of its own (``_BACK_*``), not the forward ones played backwards: segment
angles of backward walking are only roughly a time reversal of forward walking (Grasso et al.
1998; Winter et al. 1989), and where they differ matters to a shank sensor. The backward stance
rotation of the shank is slow and nearly uniform (the body passes back over a flat foot, no
push-off), the knee flexes at once after toe-off so the swing rotation starts at toe-off and peaks
about a quarter into the swing, and in the last 30 % of the swing the knee extends to reach back,
so the shank turns the other way at about half its swing peak rate and the toe is placed at the
end of that reversal. Since simulator v5 the walking key points are read off the real backward
cycle of the SNU motion-capture walker (see ``_BACK_WALK``); docs/realism/README.md compares the
result with the walker.

Every person's curves differ a little (``CurveShape``): gains on the thigh excursion and on the
knee flexion, a shift of the swing's timing, and a few degrees of extra low harmonics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.interpolate import PchipInterpolator

N_HARMONICS = 6
#: Harmonics of the backward fits (walking, running): the backward swing turns sharply between
#: even stretches; 10 keep the walking fit's late-swing turn within a few deg/s of the mocap
#: walker's median cycle, and the fits from rippling back through zero at contact.
N_HARMONICS_BACK = {"walk": 10, "run": 8}

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
# Backward gait, phase 0 = the backward contact (toe first), toe-off at REFERENCE_DUTY_BACK.
# (phase, thigh, shank) segment angles in degrees, same sign convention as forward (distal end
# ahead of proximal end in the facing direction). Simulator v5: read every 0.04 of the cycle off
# the median backward cycle of the SNU mocap walker (21 strides at 0.45-0.8 m/s, each cycle's
# stance mapped onto [0, 0.64) and its swing onto [0.64, 1)), expressed relative to the same
# walker's forward cycle at the same speeds (44 strides) and mapped onto the forward reference
# above: angle = (Winter forward mean) + k * (walker backward angle - walker forward mean), with
# k = Winter's forward range / the walker's forward range per segment (thigh 0.80, shank 1.04)
# times 0.8, so that skeleton and marker offsets cancel. `python -m benchmarks.realism_mocap
# --backward-key-points` prints these points. The 0.8 keeps a person's backward swing peak
# below its forward one at the same speed, as real backward walking has it (the walker 0.95x;
# Lee et al. 2013 and issue 20 about 0.8x): without it the simulated backward peak stood at
# about 1.1x the forward one, because the walker's backward swing lasts about 1.3x its forward
# swing (0.68 against 0.52 s from the rate's zero crossing to contact) and the simulator's does
# not (docs/simulator.md step 3). Backward/forward excursion: shank 0.69, thigh 0.63.
# Stance: thigh and shank turn forward nearly evenly, a little faster just after the contact as
# the foot rolls down. Swing: the knee flexes at once (the shank turns back fast, peaking about
# a quarter into the swing), the shank's backward turn ends at about 70 % of the swing, and over
# the last 30 % thigh and knee extend together, the knee faster, so the shank turns the other
# way by about 13 deg (10 deg at 0.6 m/s) before the toe is placed (Grasso et al. 1998 and
# Winter et al. 1989 describe the reach back with hip and knee extension in late backward swing).
_BACK_WALK = [
    (0.00, -4.5, -26.0), (0.04, -3.0, -23.0), (0.08, -1.2, -20.6), (0.12, -0.2, -17.9),
    (0.16, 0.5, -15.2), (0.20, 1.4, -13.3), (0.24, 2.4, -11.7), (0.28, 3.5, -10.3),
    (0.32, 4.5, -8.9), (0.36, 5.4, -7.4), (0.40, 6.6, -5.6), (0.44, 7.9, -4.0),
    (0.48, 9.8, -2.3), (0.52, 11.6, -0.4), (0.56, 13.4, 2.8), (0.60, 14.6, 6.1),
    (0.64, 14.8, 9.4), (0.68, 14.7, 9.0), (0.72, 15.1, -2.2), (0.76, 13.8, -14.6),
    (0.80, 11.5, -26.3), (0.84, 7.5, -34.5), (0.88, 2.7, -39.0), (0.92, -1.1, -38.6),
    (0.96, -4.5, -33.0),
]  # fmt: skip
# Backward running (simulator v7; up to v6 the forward running curves played in reverse, which
# landed the foot about 0.3 s after the swing's fast rotation, in the middle of a slow one):
# (phase, thigh, shank), shank = thigh - knee flexion, built from the literature's description,
# not from a recording (none was available): backward runners land on the forefoot or toes with
# the knee flexed (about 25 deg here), the knee flexes a little more as the foot takes the load,
# then extends through the rest of stance while the hip flexes, pushing the body backward over a
# foot that leaves the ground in front of it (Threlkeld et al. 1989; Flynn & Soutas-Little 1993;
# DeVita & Stribling 1991: the knee extensors do the propulsive work backward, where the ankle
# and hip do forward). In the swing the knee flexes at once (to about 80 deg, peaking a third
# into the swing) while the hip extends; over the last 35 % of the swing the knee extends and
# reaches the foot backward to the ground, so the shank turns the other way, fastest just before
# the toe lands, and the ground stops that turn (the shank stands still for the first tenth of
# the cycle as the knee flexes under load). Thigh: -8 deg at contact to +19 at toe-off, back to
# -9 in late swing. Stance share 0.40 at the reference speed as forward (Wright & Weyand 2001:
# shorter contact times backward, at higher step frequencies: ``BACK_RUN_STRIDE_FACTOR``).
_BACK_RUN = [
    (0.00, -8.0, -34.0), (0.06, -4.0, -34.0), (0.12, 1.0, -30.0), (0.20, 7.0, -21.0),
    (0.28, 13.0, -9.0), (0.34, 17.0, 2.0), (0.40, 19.0, 7.0), (0.46, 18.0, -14.0),
    (0.53, 14.0, -48.0), (0.60, 9.0, -69.0), (0.67, 4.0, -78.0), (0.74, -2.0, -82.0),
    (0.80, -6.0, -82.0), (0.86, -8.0, -74.0), (0.91, -9.0, -61.0), (0.96, -9.0, -47.0),
]  # fmt: skip

#: Stance fraction (duty factor) at which the key points above place toe-off.
REFERENCE_DUTY = {"walk": 0.60, "run": 0.40}
REFERENCE_DUTY_BACK = {"walk": 0.64, "run": 0.40}
#: How long before contact (fraction of the cycle) the strike's extra knee flexion builds up.
#: Simulator v10: over the terminal swing in walking (0.15 up to v9, still so running), where
#: the knee extends less instead of flexing in the last 0.1 s before the contact.
CONTACT_KNEE_SPAN = {"walk": 0.35, "run": 0.15}
#: Extra knee flexion at contact by strike (deg; walking, running). Forefoot landings meet the
#: ground with the knee more flexed and the shank nearer vertical, heel strikes with the leg
#: reaching out [Lieberman et al. 2010; Altman & Davis 2012]; the sizes are our assumption.
STRIKE_KNEE_DEG = {
    ("walk", "heel"): -2.0, ("walk", "midfoot"): 3.0, ("walk", "forefoot"): 8.0,
    ("run", "heel"): 0.0, ("run", "midfoot"): 5.0, ("run", "forefoot"): 10.0,
}  # fmt: skip
#: Simulator v14: extra knee flexion at contact by strike in backward gait (deg; walking,
#: running), relative to the backward reference curves, which land on the forefoot (walking: the
#: SNU walker's; running: the literature's toe landing). A backward landing meets the ground
#: with the foot behind the knee (shank about -26 deg at the walker's contact), so with the
#: ankle near neutral the toe points down: a heel-first backward landing needs the shank nearer
#: vertical, the knee more extended, and the ankle dorsiflexed, and then lowers the forefoot
#: about the heel, which holds back the shank's backward stance turn while the knee gives up
#: part of the extension (``STRIKE_KNEE_KEEP``). Mirror of the forward rule (forefoot: knee
#: more flexed, shank nearer vertical [Lieberman et al. 2010; Altman & Davis 2012]); the sizes
#: are our assumption (no recording of backward heel landings was available).
STRIKE_KNEE_DEG_BACK = {
    ("walk", "heel"): -12.0, ("walk", "midfoot"): -4.5, ("walk", "forefoot"): 0.0,
    ("run", "heel"): -15.0, ("run", "midfoot"): -7.5, ("run", "forefoot"): 0.0,
}  # fmt: skip
#: Simulator v9: the share of the strike's extra knee flexion kept through stance, and the part of
#: the cycle after contact over which the knee gives up the rest (the loading response, about
#: the first 12 % of the cycle [Perry & Burnfield 2010]). A forefoot landing meets the ground with
#: the knee more flexed and the ankle plantarflexed; as the heel is lowered the ankle dorsiflexes
#: and takes up the landing, and the knee flexes less under load than after a heel strike, whose
#: foot falls about the heel and pulls the tibia forward (the heel rocker) [Perry & Burnfield
#: 2010; Williams et al. 2012: forefoot landings shift the absorption from the knee to the ankle;
#: the size is our assumption]. Up to v8 the extra flexion grew by a further 30 % under load, so
#: the shank turned fastest in the stance sense just after a forefoot landing, faster than after
#: a heel strike: the SNU walker's forefoot landings turn it slowest (docs/simulator.md §1.2).
STRIKE_KNEE_KEEP = 0.5
STRIKE_KNEE_LOAD_SPAN = 0.12
#: Simulator v10: how early in the limb's terminal swing the foot touches (fraction of the
#: cycle, range over people and bouts; ``contact_lag_phase``): a slow forefoot / midfoot landing
#: while the shank still turns forward (> 0), a heel strike after the swing's end, the shank
#: already turning back (< 0; the SNU walker: 48 ms, v9's curves about 20 ms); and the span on
#: either side of the contact over which the limb's phase is shifted and catches up.
CONTACT_LAG = {
    ("walk", "forefoot"): (0.025, 0.05),
    ("walk", "midfoot"): (0.01, 0.035),
    ("walk", "heel"): (-0.03, -0.01),
}
CONTACT_LAG_SPAN = 0.2
#: Walking speeds (m/s) at and below which a forefoot / midfoot landing's lag is whole, and at
#: and above which it is a heel strike's (which does not change with speed).
CONTACT_LAG_SPEEDS = (0.5, 1.1)
#: Simulator v15: after a slow forward midfoot (flat) landing the limb holds still while the
#: load comes on (``contact_hold_delay``): no heel rocker carries the tibia forward over the foot
#: [Perry & Burnfield 2010], and the SNU walker's flat landings at <= 0.55 m/s (68) keep the
#: shank within about 10 deg/s of still from 50 to 150 ms after the contact (v14: 65-85 deg/s in
#: the stance sense; its heel strikes about 60). The limb's phase is held back over the first
#: ``CONTACT_HOLD_SPAN[2]`` of the cycle (its rate ramping to 0 by ``[0]`` and back from ``[1]``)
#: and catches up by ``CONTACT_HOLD_SPAN[3]``; the share of the rate held is whole at and below
#: ``CONTACT_LAG_SPEEDS[0]`` and gone at ``[1]`` (as the square of the lag's speed factor: the
#: walker's flat landings at 0.55-0.8 m/s turn at about 0.7 of its heel strikes' rate). The
#: walker's slow forefoot landings (7) hold too, but the same hold for forefoot landings was not
#: kept (docs/simulator.md, "Version 15").
CONTACT_HOLD = {("walk", "midfoot"): 0.9}
CONTACT_HOLD_SPAN = (0.03, 0.08, 0.28, 0.5)
#: Speed at which the key-point curves apply (m/s); other speeds scale the excursion.
REFERENCE_SPEED_M_S = {"walk": 1.3, "run": 3.2}


def _fit(points: list[tuple[float, float]], n_harmonics: int = N_HARMONICS) -> np.ndarray:
    """Least-squares Fourier coefficients [a0, a1, b1, ..., aN, bN] of a periodic curve."""
    ph = np.array([p for p, _ in points] + [1.0 + points[0][0]])
    val = np.array([v for _, v in points] + [points[0][1]])
    interp = PchipInterpolator(ph, val)
    x = np.linspace(0.0, 1.0, 400, endpoint=False)
    y = interp(x)
    cols = [np.ones_like(x)]
    for k in range(1, n_harmonics + 1):
        cols += [np.cos(2 * np.pi * k * x), np.sin(2 * np.pi * k * x)]
    coef, *_ = np.linalg.lstsq(np.stack(cols, axis=1), y, rcond=None)
    return coef


@cache
def fourier_coefficients(mode: str, segment: str, direction: str = "forward") -> np.ndarray:
    """Fourier coefficients of the ``mode`` curve ("walk"/"run") of ``segment`` ("thigh",
    "shank" or "knee" = thigh - shank) for ``direction``."""
    if direction == "backward":
        pts = _BACK_WALK if mode == "walk" else _BACK_RUN
        c_thigh = _fit([(p, th) for p, th, _ in pts], N_HARMONICS_BACK[mode])
        c_shank = _fit([(p, sh) for p, _, sh in pts], N_HARMONICS_BACK[mode])
    else:
        thigh, knee = (_WALK_THIGH, _WALK_KNEE) if mode == "walk" else (_RUN_THIGH, _RUN_KNEE)
        c_thigh = _fit(thigh)
        c_shank = c_thigh - _fit(knee)
    return {"thigh": c_thigh, "shank": c_shank, "knee": c_thigh - c_shank}[segment]


@dataclass(frozen=True)
class CurveShape:
    """How one person's (or one style's) segment curves differ from the reference.

    ``thigh_gain`` scales the thigh excursion, ``knee_gain`` the knee flexion (a high-knee march
    above 1, a shuffle below); ``swing_shift`` moves the swing's features later (> 0) or earlier
    (< 0) within the swing, as a fraction of it; ``stance_shift`` the same within stance;
    ``extra`` adds harmonics 2-4 in the swing (degrees, cos and sin terms, thigh then knee).
    """

    thigh_gain: float = 1.0
    knee_gain: float = 1.0
    swing_shift: float = 0.0
    stance_shift: float = 0.0
    extra: tuple[float, ...] = (0.0,) * 12


def draw_shape(rng: np.random.Generator) -> CurveShape:
    """A random person's curve shape (ranges in docs/simulator.md)."""
    # sd 1.5, 1.0, 0.6 deg for harmonics 2, 3, 4, applied in the swing only (``_swing_window``):
    # in stance they made the slow, even backward stance rotation wave by tens of deg/s
    sd = np.repeat([1.5, 1.0, 0.6], 2)
    extra = np.concatenate([rng.normal(0.0, 1.0, 6) * sd, rng.normal(0.0, 1.0, 6) * sd])
    return CurveShape(
        thigh_gain=float(rng.uniform(0.85, 1.15)),
        knee_gain=float(rng.uniform(0.8, 1.2)),
        swing_shift=float(rng.uniform(-0.08, 0.08)),
        stance_shift=float(rng.uniform(-0.06, 0.06)),
        extra=tuple(float(x) for x in extra),
    )


def _warp(p: np.ndarray, duty: float, shape: CurveShape) -> np.ndarray:
    """Shift features within stance and swing, keeping contact and toe-off where they are."""
    # sin² (simulator v7; v6: sin): the shift is zero *with zero rate* at contact and toe-off,
    # so the phase runs at the same rate on both sides of each event; with sin the stance and
    # swing sides of a contact differed by up to 1 ± 0.35 in rate, and the stitching of swing
    # and stance bent the swing to absorb the jump (tens of degrees where the rate at contact
    # is high, as in backward running)
    out = p.copy()
    st = p < duty
    u = p[st] / duty
    out[st] = duty * (u - shape.stance_shift * np.sin(np.pi * u) ** 2)
    u = (p[~st] - duty) / (1.0 - duty)
    out[~st] = duty + (1.0 - duty) * (u - shape.swing_shift * np.sin(np.pi * u) ** 2)
    return out


def evaluate(coef: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Evaluate a Fourier series (degrees) at ``phase`` (cycles)."""
    phase = np.asarray(phase, dtype=np.float64)
    out = np.full(phase.shape, coef[0])
    for k in range(1, (coef.shape[0] - 1) // 2 + 1):
        w = 2 * np.pi * k * phase
        out += coef[2 * k - 1] * np.cos(w) + coef[2 * k] * np.sin(w)
    return out


def reference_phase(mode: str, direction: str, phase: np.ndarray, duty: float) -> np.ndarray:
    """Map a cycle phase (0 = contact, ``duty`` = foot off) onto the reference curve of that
    direction, contact onto contact and foot-off onto the reference's foot-off ``d_ref``.

    Simulator v7: ``p + (d_ref - duty) g(p)`` with g rising from 0 at contact to 1 at foot-off
    and back to 0 at the next contact, flat (zero rate) at both events, so the phase runs at the
    same rate on both sides of a contact and of a foot-off. v6 mapped stance and swing linearly,
    and the rate jumped at both events by the ratio of the two maps' slopes (1.26 for backward
    running at 2 m/s, stance share 0.46 against 0.40): the stitching of swing and stance then
    bent the swing by up to 20 deg to absorb the jump.
    """
    d_ref = (REFERENCE_DUTY_BACK if direction == "backward" else REFERENCE_DUTY)[mode]
    p = np.mod(phase, 1.0)
    st = p < duty
    g = np.empty_like(p)
    g[st] = np.sin(0.5 * np.pi * p[st] / duty) ** 2
    g[~st] = np.cos(0.5 * np.pi * (p[~st] - duty) / (1.0 - duty)) ** 2
    return p + (d_ref - duty) * g


def _swing_window(ref: np.ndarray, direction: str, mode: str) -> np.ndarray:
    """1 through the swing of the reference cycle, 0 through stance, smooth in between (from
    0.05 before toe-off to 0.05 after it, and fading over the last 0.3 before contact, so the
    person's shape adds no jerk just before the landing)."""
    d_ref = (REFERENCE_DUTY_BACK if direction == "backward" else REFERENCE_DUTY)[mode]

    def s(u):
        u = np.clip(u, 0.0, 1.0)
        return u * u * u * (10 - 15 * u + 6 * u * u)

    return s((ref - d_ref + 0.05) / 0.1) * s((1.0 - ref) / 0.3)


def _harmonics(phase: np.ndarray, c: tuple[float, ...]) -> np.ndarray:
    out = np.zeros_like(phase)
    for i, k in enumerate((2, 3, 4)):
        w = 2 * np.pi * k * phase
        out += c[2 * i] * np.cos(w) + c[2 * i + 1] * np.sin(w)
    return out


def segment_angle_deg(
    mode: str,
    direction: str,
    segment: str,
    phase: np.ndarray,
    duty: float,
    scale: float,
    shape: CurveShape | None = None,
    knee_at_contact_deg: float = 0.0,
    contact_lag: float = 0.0,
    contact_hold: float = 0.0,
) -> np.ndarray:
    """Segment angle (deg) of the thigh or shank at ``phase`` of a stride.

    ``scale`` multiplies the excursion about the cycle mean (speed and person effects);
    ``shape`` is the person's or style's deviation from the reference (``CurveShape``);
    ``knee_at_contact_deg`` flexes the knee more (> 0) around contact, as forefoot landings do;
    ``contact_lag`` (fraction of the cycle) lands the foot that much earlier in the limb's
    terminal swing (``contact_lag_phase``); ``contact_hold`` (0-1) holds the limb still after
    the contact (``contact_hold_delay``).
    """
    shape = shape or CurveShape()
    p = np.mod(np.asarray(phase, dtype=np.float64), 1.0)
    pl = contact_lag_phase(p, contact_lag) if contact_lag else p
    if contact_hold:
        pl = np.mod(pl - contact_hold * contact_hold_delay(p), 1.0)
    ref = reference_phase(mode, direction, _warp(pl, duty, shape), duty)
    ct = fourier_coefficients(mode, "thigh", direction)
    thigh = ct[0] + scale * shape.thigh_gain * (evaluate(ct, ref) - ct[0])
    win = _swing_window(ref, direction, mode)
    thigh += scale * win * _harmonics(ref, shape.extra[:6])
    if segment == "thigh":
        return thigh
    ck = fourier_coefficients(mode, "knee", direction)
    # the person's knee gain acts in the swing; in stance the knee follows the thigh's gain, so
    # the shank (thigh - knee) keeps turning one way as the tibia advances over the planted foot
    # (simulator v7: with a knee gain 0.2-0.35 above the thigh's, the mid-stance knee extension
    # outran the thigh and turned the shank back at 10-30 deg/s, which the reference curves and
    # the mocap walker's even stance rotation do not)
    k_gain = shape.thigh_gain + (shape.knee_gain - shape.thigh_gain) * win
    knee = ck[0] + scale * k_gain * (evaluate(ck, ref) - ck[0])
    knee += scale * win * _harmonics(ref, shape.extra[6:])
    if knee_at_contact_deg:
        knee += knee_at_contact_deg * contact_knee_profile(p, duty, CONTACT_KNEE_SPAN[mode])
    return thigh - knee


def contact_lag_phase(p: np.ndarray, lag: float) -> np.ndarray:
    """The limb's phase when the foot touches ``lag`` of the cycle early in its terminal swing:
    ``p - lag * b(p)``, ``b = (1 - x²)³`` with ``x`` the phase from contact over
    ``CONTACT_LAG_SPAN``: 1 with zero slope at contact, 0 with zero slope and curvature beyond
    the span on either side. The limb's phase runs a little slower before the contact and
    catches up over the loading response, at the same rate on both sides of the contact
    (simulator v10, docs/simulator.md §1.2).
    """
    x = np.where(p < 0.5, p, p - 1.0) / CONTACT_LAG_SPAN
    b = np.where(np.abs(x) < 1.0, (1.0 - x * x) ** 3, 0.0)
    return np.mod(p - lag * b, 1.0)


def contact_hold_delay(p: np.ndarray) -> np.ndarray:
    """How far (fraction of the cycle) the limb's phase falls behind at ``p`` (0 = contact) when
    it is held still after the contact (simulator v15, ``CONTACT_HOLD``): its rate falls from
    the contact's to 0 by ``CONTACT_HOLD_SPAN[0]``, stays 0 until ``[1]``, is back by ``[2]``
    (smootherstep ramps, so the rate is the same on both sides of the contact), and the delay
    is made up by ``[3]``, before the heel rises. 0 in the swing.
    """
    r1, r2, r3, c = CONTACT_HOLD_SPAN
    p = np.mod(np.asarray(p, dtype=np.float64), 1.0)

    def integ(u):  # integral of the smootherstep from 0 to u
        u = np.clip(u, 0.0, 1.0)
        return u**6 - 3.0 * u**5 + 2.5 * u**4

    total = 0.5 * r1 + (r2 - r1) + 0.5 * (r3 - r2)
    u2 = (p - r2) / (r3 - r2)
    d = np.where(
        p < r1,
        r1 * integ(p / r1),
        np.where(
            p < r2,
            0.5 * r1 + (p - r1),
            0.5 * r1 + (r2 - r1) + (r3 - r2) * (np.clip(u2, 0.0, 1.0) - integ(u2)),
        ),
    )
    d = np.where(p < r3, d, total * (1.0 - _smootherstep((p - r3) / (c - r3))))
    return np.where(p < c, d, 0.0)


def contact_knee_profile(
    p: np.ndarray, duty: float = 0.6, span: float = CONTACT_KNEE_SPAN["run"]
) -> np.ndarray:
    """Weight of the strike's extra knee flexion over the cycle (``p`` = phase, 0 = contact):
    it builds up over the last ``span`` (``CONTACT_KNEE_SPAN``) of the swing to 1 at contact,
    falls to ``STRIKE_KNEE_KEEP`` over the loading response (``STRIKE_KNEE_LOAD_SPAN``), stays
    there through the stance and fades over the first half of the swing (v10: the two parts
    add where they overlap). Smooth at contact up to the
    second derivative, so the swing is not bent to meet the stance.

    Simulator v7: up to v6 the extra flexion was gone by 0.3 of the cycle, so the knee
    extended by 8-10 deg within 0.2 s of a forefoot landing and turned the shank back in the
    swing sense (about 35 deg/s at 0.25 s) in mid-stance. The tibia advances over the foot
    without turning back through stance whatever the strike (the ankle rocker, Perry &
    Burnfield 2010); a forefoot walker keeps a more flexed knee through stance, and the
    difference goes in the swing, whose knee flexion is large anyway.

    Simulator v9: v7-v8 let the extra flexion grow by a further 30 % under load, with a jump of
    the knee's angular acceleration at contact that the stitching of swing and stance bent the
    last 0.2 s of the swing by up to 9 deg to absorb: a forefoot landing arrived with the shank
    still turning in the swing sense faster than a heel strike's and then turned in the stance
    sense faster just after the contact. Now the knee gives up part of the extra flexion over
    the loading response (``STRIKE_KNEE_KEEP``): a forefoot landing's ankle, not its knee, takes
    up the load, and the shank turns slower after it than after a heel strike.
    """
    before = (1.0 - p) / span
    w_before = np.where(before < 1.0, (1.0 - before**2) ** 3, 0.0)
    # the swing side's curvature at contact, d2w/dp2 = -6 / span^2, carried across
    a0 = -6.0 / span**2
    span = min(STRIKE_KNEE_LOAD_SPAN, 0.5 * duty)
    u = np.clip(p / span, 0.0, 1.0)
    drop = 1.0 - STRIKE_KNEE_KEEP
    # quintic from (1, 0, a0) at contact to (KEEP, 0, 0) at the loading response's end
    c2 = 0.5 * a0 * span**2
    c3 = -10.0 * drop - 1.5 * a0 * span**2
    c4 = 15.0 * drop + 1.5 * a0 * span**2
    c5 = -6.0 * drop - 0.5 * a0 * span**2
    load = 1.0 + c2 * u**2 + c3 * u**3 + c4 * u**4 + c5 * u**5
    fade = STRIKE_KNEE_KEEP * (1.0 - _smootherstep((p - duty) / (0.5 * (1.0 - duty))))
    w_after = np.where(p < duty, load, fade)
    # v10: a sum, not the larger of the two: with the walking span the build-up starts while
    # the stance's share still fades (0.65-0.8 of the cycle), and the larger of two crossing
    # curves has a kink there that jolts the ankle (a single-sample spike of ~100 m/s²)
    return w_before + w_after


def _smootherstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * u * (10 - 15 * u + 6 * u * u)
