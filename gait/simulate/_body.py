"""Kinematics of the sensor's leg: foot pinned in stance, segment chain in swing.

World frame: x and y horizontal, z up. Segment frames: x forward (the person's facing), y to the
person's left, z up the shank / up from the sole. Pitch angles are in the sagittal plane: the shank
angle ``theta`` is positive with the ankle ahead of the knee, the foot angle ``alpha`` positive toe
up. A segment's orientation is ``Rz(yaw) @ Ry(-pitch) @ Rx(roll)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from gait.simulate._curves import segment_angle_deg
from gait.simulate._plan import Person, Plan, Stance, Stride

# State channels: ankle x, y, z (m), foot angle alpha (deg), shank angle theta (deg).
N_CH = 5
_FD_H = 1e-3


def quintic(u, p0, v0, a0, p1, v1, a1, duration):
    """Quintic Hermite from (p0, v0, a0) at u=0 to (p1, v1, a1) at u=1 (time derivatives)."""
    u2 = u * u
    u3 = u2 * u
    u4 = u3 * u
    u5 = u4 * u
    h00 = 1 - 10 * u3 + 15 * u4 - 6 * u5
    h10 = u - 6 * u3 + 8 * u4 - 3 * u5
    h20 = 0.5 * u2 - 1.5 * u3 + 1.5 * u4 - 0.5 * u5
    h01 = 10 * u3 - 15 * u4 + 6 * u5
    h11 = -4 * u3 + 7 * u4 - 3 * u5
    h21 = 0.5 * u3 - u4 + 0.5 * u5
    d = duration
    return p0 * h00 + v0 * d * h10 + a0 * d * d * h20 + p1 * h01 + v1 * d * h11 + a1 * d * d * h21


def smootherstep(u):
    u = np.clip(u, 0.0, 1.0)
    return u * u * u * (10 - 15 * u + 6 * u * u)


def _fd_forward(f, t0: float):
    """Value, first and second derivative at t0 from samples at t0, t0+h, t0+2h, t0+3h."""
    h = _FD_H
    y = f(t0 + h * np.arange(4.0))
    d1 = (-3 * y[0] + 4 * y[1] - y[2]) / (2 * h)
    d2 = (2 * y[0] - 5 * y[1] + 4 * y[2] - y[3]) / (h * h)
    return y[0], d1, d2


def _fd_backward(f, t0: float):
    h = _FD_H
    y = f(t0 - h * np.arange(4.0))
    d1 = (3 * y[0] - 4 * y[1] + y[2]) / (2 * h)
    d2 = (2 * y[0] - 5 * y[1] + 4 * y[2] - y[3]) / (h * h)
    return y[0], d1, d2


#: Foot pitch in swing, as fractions of the swing (read off the median foot pitch-rate profile of
#: the IPOL development subjects, docs/simulator.md): the push-off rotation reverses within the
#: first 10 %, the foot reaches its highest toe-up pitch at 95 %, and the rate at the end of the
#: reversal is half the mean rate of the dorsiflexion that follows.
SWING_REVERSAL_FRAC = 0.10
SWING_TOE_UP_FRAC = 0.95
SWING_REVERSAL_RATE = 0.5


def swing_foot_pitch(u: np.ndarray, off: list[float], on: list[float], t_sw: float) -> np.ndarray:
    """Foot pitch (deg) over a swing, ``u`` from 0 (foot-off) to 1 (contact).

    ``off`` and ``on`` are (pitch, rate, acceleration) of the pinned foot at foot-off and contact.
    Three quintic pieces, continuous in pitch, rate and angular acceleration: the push-off
    rotation reverses quickly once the foot is free, the foot dorsiflexes (rate highest near
    mid-swing) to its contact pitch, and the last piece meets the contact state.
    """
    fa, fb = SWING_REVERSAL_FRAC, SWING_TOE_UP_FRAC
    ta, tb, tc = fa * t_sw, (fb - fa) * t_sw, (1.0 - fb) * t_sw
    a0, v0, c0 = off
    # a foot that lands turning (``on[1]``) starts that turn in the last piece, from the pitch
    # it then has to cover; a foot landing at rest holds its contact pitch (a_pre = on[0])
    a1 = on[0] - on[1] * tc / 2.0
    # Rate at the end of the reversal, vA = k (a1 - aA) with aA = a0 + (v0 + vA) ta / 2.
    k = SWING_REVERSAL_RATE / tb
    v_a = k * (a1 - a0 - v0 * ta / 2.0) / (1.0 + k * ta / 2.0)
    a_a = a0 + (v0 + v_a) * ta / 2.0
    out = np.empty_like(u)
    m1 = u < fa
    m3 = u >= fb
    m2 = ~m1 & ~m3
    out[m1] = quintic(u[m1] / fa, a0, v0, c0, a_a, v_a, 0.0, ta)
    out[m2] = quintic((u[m2] - fa) / (fb - fa), a_a, v_a, 0.0, a1, 0.0, 0.0, tb)
    out[m3] = quintic((u[m3] - fb) / (1.0 - fb), a1, 0.0, 0.0, on[0], on[1], on[2], tc)
    return out


#: Running: horizontal ankle speed at contact as a fraction of the running speed, forward and
#: backward: our assumption. Walking has per-person fractions (``arrival_speed_frac``).
RUN_ARRIVAL_SPEED_FRAC = 0.5
#: A forward landing on the midfoot or forefoot puts the foot down under the body rather than
#: reaching for the ground: the mocap walker's 11 forward forefoot landings arrive with the ankle
#: already moving back (-0.14 to -0.56 x speed). Our reading of one person: forefoot about 0,
#: midfoot half-way.
STRIKE_ARRIVAL_SCALE = {"heel": 1.0, "midfoot": 0.5, "forefoot": 0.0}
#: Gaits whose swing meets the stance's horizontal acceleration at the contact (simulator v16):
#: the terminal-swing deceleration is over by the contact, as the mocap walker's (peak 70-80 ms
#: before, about -2 m/s² at the contact at 0.9 m/s, against the simulator's -13 with the
#: chain's acceleration kept), so the ground stops only the arrival velocity.
MEETS_HORIZONTAL_ACC = frozenset({("walk", "forward")})


def arrival_speed_frac(person: Person, stride: Stride) -> float:
    """Horizontal ankle speed at contact / walking speed for ``stride`` of ``person``: forward
    walking the person's fraction (``Person.arrival_frac``, ``_plan.FORWARD_ARRIVAL_FRAC``)
    scaled by the strike (``STRIKE_ARRIVAL_SCALE``, v16), backward walking the person's own
    (``Person.back_arrival_frac``, ``_plan.BACKWARD_ARRIVAL_FRAC``, every strike, v17)."""
    if stride.mode == "run":
        return RUN_ARRIVAL_SPEED_FRAC
    if stride.direction == "forward":
        return person.arrival_frac * STRIKE_ARRIVAL_SCALE[stride.strike]
    return person.back_arrival_frac


#: Sum of the exponents of the swing's speed bump u^p (1-u)^q: 2.3 gives a peak speed about 1.55
#: times the bump's mean (a sine would give 1.57, the quintic minimum-jerk profile 1.88).
TRAVEL_BUMP_ORDER = 2.3
#: Where in the swing the ankle is fastest: mid-swing forward (the IPOL feet are fastest near
#: mid-swing, docs/realism/README.md); earlier backward, where the knee flexes at once after
#: toe-off and the shank's rotation peaks in the first third of the swing (our assumption,
#: consistent with the mocap walker's rate profile).
SWING_PEAK = {"forward": 0.5, "backward": 0.45}


#: Gaits whose swing meets the pinned stance vertically at contact (velocity and acceleration),
#: the horizontal arrival being left to the ground as forward. Walking backward the toe is
#: placed: the mocap walker's toe comes down at about 0.2 m/s just before contact
#: (docs/realism/README.md) although its knee extends fast in late swing (the shank turns the
#: other way at about 120 deg/s), as the heel arrives with negligible vertical velocity forward
#: [Winter 1992]. The segment chain alone, with that knee extension, drops the ankle at about
#: 0.5 m/s; the correction is a smooth change of a few cm to the swing's height path. Running
#: backward lands from a flight phase and keeps the chain's descent.
PLACED_VERTICAL = frozenset({("walk", "backward")})


def _meets_horizontal_acc(nx: Stance) -> bool:
    sr = nx.stride
    return sr is not None and (sr.mode, sr.direction) in MEETS_HORIZONTAL_ACC


def _placed(st: Stance) -> bool:
    return st.next is not None and (st.next.mode, st.next.direction) in PLACED_VERTICAL


def _rolls_in(st: Stance) -> bool:
    """A placed landing: the foot arrives turning towards flat about its first contact point
    (the mocap walker's ankle comes down at about 0.3 m/s at backward contact while the toe is
    placed, docs/realism/README.md), and the ground slows that turn from the contact on."""
    return st.stride is not None and (st.stride.mode, st.stride.direction) in PLACED_VERTICAL


def _heel_rolls_in(st: Stance) -> bool:
    """A forward walking heel strike (simulator v8): the foot is already turning towards flat
    when the heel touches, and the ground slows that turn from the contact on
    (``HEEL_ROLL_EXP``); the swing meets the stance's vertical velocity at contact, as a placed
    backward landing does (the heel itself arrives with negligible vertical velocity, Winter
    1992; the ankle comes down with the foot's turn)."""
    return (
        st.stride is not None
        and (st.stride.mode, st.stride.direction) == ("walk", "forward")
        and st.alpha_ic_deg > 2.0
    )


def _toe_rolls_in(st: Stance) -> bool:
    """A forward walking forefoot or midfoot landing (simulator v9): like a placed backward
    landing (``_rolls_in``), the foot arrives still turning towards flat about its first
    contact point, the ground slows that turn from the contact on and the swing meets the
    stance's vertical velocity at contact. The SNU walker's forefoot landings stop the ankle
    from the contact on (the specific force along the shank 13-15 m/s² at 0-50 ms, 8.9 at
    100 ms, 12 Hz) with nothing to stop once the heel is down; up to v8 the forward roll-down
    started from rest at the contact, so the ankle dropped after the contact (about 5-7 m/s²
    along the shank at 50 ms) and was braked when the heel came down (about 12.5 m/s² at
    150 ms), the bump v8 removed from heel strikes. The heel is lowered under the control of the
    calf muscles, which are already active before a forefoot landing [Yong et al. 2014]."""
    return (
        st.stride is not None
        and (st.stride.mode, st.stride.direction) == ("walk", "forward")
        and st.alpha_ic_deg <= 2.0
    )


def _meets_vertically(st: Stance, nx: Stance) -> bool:
    """The swing from ``st`` meets the pinned stance of ``nx`` vertically at contact, the ground
    slowing the foot's turn from the contact on (placed backward landings, forward walking
    landings since v9)."""
    return _placed(st) or _heel_rolls_in(nx) or _toe_rolls_in(nx)


#: Forward walking heel strikes, simulator v8: the foot angle goes as alpha_ic (1 - u)^2 over the
#: roll-down (u from 0 at contact to 1 when flat). The mocap walker's foot pitch peaks about
#: 40 ms before a heel contact and is falling at about 150-190 deg/s at contact (12 Hz), flat
#: within about 90 ms; its sensor point's descent is stopped from the contact on (+4 m/s² at
#: 0-20 ms) and nothing is stopped at foot-flat. Up to v7 the roll-down started from rest at
#: contact: the ankle dropped after the contact (-5 m/s² at 20 ms) and was braked at foot-flat
#: (+4.5 m/s² at 100 ms), a bump the walker does not have (docs/simulator.md step 4).
HEEL_ROLL_EXP = 2.0


#: Time constant of the shank's return to standing after the last contact of a bout, as a
#: fraction of 0.6 stride (about 0.1 s at a 1.1 s stride): the return is done within the
#: other foot's closing step.
SETTLE_TAU_FRAC = 0.15


#: A bout's last contact (simulator v12): where the stance's turn carries the shank towards
#: standing, the shank follows the stride's own stance curve over the loading response (this
#: fraction of the stride, at most; or until it reaches the standing angle) before it settles,
#: so the last landing is stopped by the ground as every other landing is. The SNU walker's
#: last steps before the other foot's closing step turn on after the contact as in mid-bout
#: (rate 50 ms after it -86 deg/s forward, -45 backward; mid-bout -107 and -66) and are below
#: 20 deg/s 0.35 s (forward) and 0.33 s (backward) after it. v7-v11 started the settle at the
#: contact: the landing's arrest was missing, the swing's end was bent to meet the settle, and
#: a backward runner's shank turned back at about 100 deg/s straight through the contact.
LAST_HOLD_FRAC = 0.1

#: Before a bout's first toe-off the shank turns from standing to the stride's toe-off angle
#: at this mean rate (deg/s), over at least ``FIRST_PREP_MIN_S`` and at most 0.6 stride
#: (simulator v12; v4-v11 always 0.6 stride, 0.55-0.6 s of pre-swing motion). The SNU walker's
#: leading foot lifts 0.17 s (forward; 0.12-0.31, 10th-90th percentile) and 0.03 s (backward;
#: 0.02-0.13) after its shank starts turning (|rate| above 20 deg/s); forward its shank turns
#: about 14 deg before toe-off at up to about 110 deg/s, backward it lifts the foot upright.
FIRST_PREP_RATE_DPS = 80.0
FIRST_PREP_MIN_S = 0.15


class LegModel:
    """Evaluates the leg state of a plan at any times."""

    def __init__(self, plan: Plan) -> None:
        self._v_off: dict[int, float] = {}
        self.plan = plan
        self.person = plan.person
        self.theta_stand = plan.standing_theta_deg

    # ---- stance -------------------------------------------------------------------------
    def _theta_curve(self, stride: Stride, t: np.ndarray, t_ic: float, stance_s: float):
        phase = stride.duty * (t - t_ic) / stance_s
        args = (
            phase,
            stride.duty,
            stride.scale,
            stride.shape,
            stride.knee_at_contact_deg,
            stride.contact_lag,
            stride.contact_hold,
        )
        return segment_angle_deg(stride.mode, stride.direction, "shank", *args)

    def _stance_regular(self, st: Stance) -> bool:
        if not (st.real_ic and st.real_to and st.stride is not None):
            return False
        return (st.t_to - st.t_ic) < 1.6 * st.stride.duty * st.stride.stride_s

    def stance_state(self, st: Stance, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        p = self.person
        alpha = np.zeros_like(t)
        if st.real_ic:
            u = (t - st.t_ic) / st.load_s
            lo = (u >= 0) & (u < 1)
            if _rolls_in(st) or _toe_rolls_in(st):
                # the foot is still turning towards flat when it touches; the ground slows
                # it from the contact on, hardest at contact, to rest when flat
                alpha[lo] += st.alpha_ic_deg * (1 - u[lo]) ** 3
            elif _heel_rolls_in(st):
                alpha[lo] += st.alpha_ic_deg * (1 - u[lo]) ** HEEL_ROLL_EXP
            else:
                alpha[lo] += st.alpha_ic_deg * (
                    1 - quintic(u[lo], 0.0, 0.0, 6.0, 1.0, 0.0, 0.0, 1.0)
                )
        if st.real_to:
            u = (t - (st.t_to - st.rise_s)) / st.rise_s
            hi = u > 0
            alpha[hi] += st.alpha_off_deg * quintic(u[hi], 0.0, 0.0, 0.0, 1.0, 2.0, -6.0, 1.0)
        if self._stance_regular(st):
            theta = self._theta_curve(st.stride, t, st.t_ic, st.t_to - st.t_ic)
        else:
            theta = np.full_like(t, self.theta_stand)
            if st.real_ic and st.stride is not None:
                sr = st.stride
                stance_s = sr.duty * sr.stride_s
                settle = 0.6 * sr.stride_s
                f = lambda x: self._theta_curve(sr, x, st.t_ic, stance_s)  # noqa: E731
                v0, d1, _ = _fd_forward(f, st.t_ic)
                # the last step of a bout: the shank returns to the standing angle, critically
                # damped and continuous in angle and rate at the contact. Where the stance's
                # own turn carries it towards standing (heel strikes, backward gait) no faster
                # than that turn would take it there, so it does not overshoot; where the turn
                # carries it away (a forefoot landing with the shank already past upright),
                # within about 0.1 s. v6 eased over 0.6 of a stride whatever the turn, which
                # could carry the turn on for 0.3 s and then turn the shank back through up to
                # 30 deg at over 100 deg/s, a swing's rate (simulator v7)
                # (v12) where the stance's turn carries the shank towards standing, it first
                # follows the stance curve over the loading response (``LAST_HOLD_FRAC``), up to
                # the standing angle, and settles from there
                t1 = st.t_ic
                if (v0 - self.theta_stand) * d1 < 0.0:
                    tt = st.t_ic + np.linspace(0.0, LAST_HOLD_FRAC * sr.stride_s, 41)
                    cv = f(tt) - self.theta_stand
                    cross = np.nonzero(np.sign(cv) != np.sign(cv[0]))[0]
                    t1 = float(tt[cross[0] - 1] if cross.size else tt[-1])
                    if t1 > st.t_ic:
                        v0, d1, _ = _fd_forward(f, t1)
                        held = (t >= st.t_ic) & (t < t1)
                        theta[held] = f(t[held])
                a0 = v0 - self.theta_stand
                tau = SETTLE_TAU_FRAC * settle
                if a0 * d1 < 0.0:
                    tau = max(tau, -a0 / d1)
                s_ = np.maximum(t - t1, 0.0) / tau
                m = t >= t1
                theta[m] += ((a0 + (d1 * tau + a0) * s_) * np.exp(-s_))[m]
            if st.real_to and st.next is not None:
                sr = st.next
                stance_s = sr.duty * sr.stride_s
                prep = 0.6 * sr.stride_s
                t_ic_virtual = st.t_to - stance_s
                f = lambda x: self._theta_curve(sr, x, t_ic_virtual, stance_s)  # noqa: E731
                v1, d1, d2 = _fd_backward(f, st.t_to)
                # (v12) a pre-swing as long as the turn to the toe-off angle needs, not 0.6 stride
                prep = min(
                    max(abs(v1 - self.theta_stand) / FIRST_PREP_RATE_DPS, FIRST_PREP_MIN_S), prep
                )
                u = (t - (st.t_to - prep)) / prep
                m = u > 0
                theta[m] += quintic(u[m], 0.0, 0.0, 0.0, v1 - self.theta_stand, d1, d2, prep)
        # Ankle from the pinned foot: rotate about the heel (toe up) or the metatarsal heads.
        a = np.radians(alpha)
        ca, sa = np.cos(a), np.sin(a)
        heel_piv = alpha >= 0
        px = np.where(heel_piv, 0.0, p.heel_to_mtp_m)
        rx = p.heel_to_ankle_m - px
        rz = p.ankle_height_m
        fwd = px + rx * ca - rz * sa
        up = rx * sa + rz * ca
        ey = np.array([math.cos(st.yaw_rad), math.sin(st.yaw_rad)])
        out = np.empty((t.shape[0], N_CH))
        out[:, 0] = st.heel_xy[0] + fwd * ey[0]
        out[:, 1] = st.heel_xy[1] + fwd * ey[1]
        out[:, 2] = up
        out[:, 3] = alpha
        out[:, 4] = theta
        return out

    # ---- swing --------------------------------------------------------------------------
    def _travel(self, st: Stance, sr: Stride, u: np.ndarray, t_sw: float, d: float, e, s: float):
        """Horizontal travel of the ankle along ``e`` over the swing (m from foot-off).

        The speed blends from the pinned foot's speed at foot-off to the arrival speed and
        carries one broad bump, ``u^p (1 - u)^q`` with p + q = ``TRAVEL_BUMP_ORDER`` and its top
        at the stride's ``SWING_PEAK`` fraction, sized so that the ankle covers the distance
        ``d`` to the next footprint. The broad bump keeps the peak speed near 1.5 times the
        swing's mean, where the thigh-shank chain gave more (docs/simulator.md).
        """
        key = id(st)
        v0 = self._v_off.get(key)
        if v0 is None:
            _, d1, _ = _fd_backward(lambda x: self.stance_state(st, x)[:, :2], st.t_to)
            v0 = self._v_off[key] = float(d1 @ e)
        k_arr = arrival_speed_frac(self.person, sr)
        v1 = s * k_arr * sr.speed_m_s
        u = np.clip(u, 0.0, 1.0)
        s_int = u**6 - 3 * u**5 + 2.5 * u**4  # integral of smootherstep
        base = v0 * (u - s_int) + v1 * s_int
        base_end = 0.5 * (v0 + v1)
        n = TRAVEL_BUMP_ORDER
        # p, q >= 1: the bump's speed rises with a finite slope from foot-off
        u_pk = SWING_PEAK[sr.direction] + 0.5 * sr.shape.swing_shift
        u_pk = float(np.clip(u_pk, 1.0 / n, 1.0 - 1.0 / n))
        bump = special.betainc(n * u_pk + 1.0, n * (1.0 - u_pk) + 1.0, u)
        return t_sw * base + (d - t_sw * base_end) * bump

    def _swing_model(self, st: Stance, nx: Stance, t: np.ndarray) -> np.ndarray:
        p = self.person
        sr = st.next
        assert sr is not None
        t_sw = nx.t_ic - st.t_to
        u = (np.asarray(t, dtype=np.float64) - st.t_to) / t_sw
        ends = np.array([0.0, 1.0])

        def chain(uu):
            phase = sr.duty + (1 - sr.duty) * uu
            args = (phase, sr.duty, sr.scale, sr.shape, sr.knee_at_contact_deg)
            args += (sr.contact_lag, sr.contact_hold)
            th_t = np.radians(segment_angle_deg(sr.mode, sr.direction, "thigh", *args))
            th_s_deg = segment_angle_deg(sr.mode, sr.direction, "shank", *args)
            th_s = np.radians(th_s_deg)
            rz = -p.thigh_m * np.cos(th_t) - p.shank_m * np.cos(th_s)
            return rz, th_s_deg

        # the chain gives the ankle's height and the shank angle; its forward travel is
        # ``_travel``'s
        rz, th = chain(u)
        rz_e, th_e = chain(ends)
        a_to = self.stance_state(st, np.array([st.t_to]))[0]
        a_ic = self.stance_state(nx, np.array([nx.t_ic]))[0]
        ybar = 0.5 * (st.yaw_rad + nx.yaw_rad)
        e = np.array([math.cos(ybar), math.sin(ybar)])
        s = 1.0 if sr.direction == "forward" else -1.0
        d_target = float((a_ic[:2] - a_to[:2]) @ e)
        fwd = self._travel(st, sr, u, t_sw, d_target, e, s)
        out = np.empty((u.shape[0], N_CH))
        out[:, 0] = a_to[0] + fwd * e[0]
        out[:, 1] = a_to[1] + fwd * e[1]
        # Hip height oscillates twice per stride, lowest in double support (phase 0 and 0.5):
        # about ±2.5 cm at 1.3 m/s (centre-of-mass excursion, e.g. Orendurff et al. 2004).
        hip = -0.025 * sr.amplitude * np.cos(4 * np.pi * (sr.duty + (1 - sr.duty) * u))
        hip_e = -0.025 * sr.amplitude * np.cos(4 * np.pi * (sr.duty + (1 - sr.duty) * ends))
        zc = rz + hip
        zc_e = rz_e + hip_e
        # Chain shape about the chord between the two pinned end heights.
        out[:, 2] = a_to[2] + (a_ic[2] - a_to[2]) * u + (zc - zc_e[0]) - (zc_e[1] - zc_e[0]) * u
        beta0 = a_to[3] - th_e[0]
        beta1 = a_ic[3] - th_e[1]
        out[:, 3] = th + beta0 + (beta1 - beta0) * u
        out[:, 4] = th
        return out

    def swing_state(self, st: Stance, nx: Stance, t: np.ndarray) -> np.ndarray:
        t_sw = nx.t_ic - st.t_to
        f_st0 = lambda x: self.stance_state(st, x)  # noqa: E731
        f_st1 = lambda x: self.stance_state(nx, x)  # noqa: E731
        f_mod = lambda x: self._swing_model(st, nx, x)  # noqa: E731
        s0 = _fd_backward(f_st0, st.t_to)
        s1 = _fd_forward(f_st1, nx.t_ic)
        m0 = _fd_forward(f_mod, st.t_to)
        m1 = _fd_backward(f_mod, nx.t_ic)
        e0 = [s0[i] - m0[i] for i in range(3)]
        e1 = [s1[i] - m1[i] for i in range(3)]
        # The foot lands on its footprint, but with the velocity the swing's travel brings
        # (``arrival_speed_frac``; a heel marker at 0.87 m/s horizontally, vertically
        # negligible, at natural speed [Winter 1992]) and the ground stops it *after* contact
        # (``arrival`` below, applied as the contact transient). Forcing the pinned stance's
        # zero velocity here instead made the ankle brake to rest and re-accelerate before the
        # contact, an artefact of the stitching.
        e1[1][:3] = 0.0
        e1[2][:3] = 0.0
        if _meets_horizontal_acc(nx):
            # the terminal-swing deceleration ends at the contact (``MEETS_HORIZONTAL_ACC``)
            e1[2][:2] = s1[2][:2] - m1[2][:2]
        if _meets_vertically(st, nx):
            # Backward the toe is placed: the chain's late knee extension would drive the ankle
            # down at about 0.5 m/s, where the real toe arrives slowly; the vertical path is
            # corrected to meet the pinned stance (``PLACED_VERTICAL``)
            # (velocity met; the stance's deceleration of the descent is the ground's, from
            # the contact on, so the swing keeps its own acceleration up to contact)
            e1[1][2] = s1[1][2] - m1[1][2]
        u = ((np.asarray(t) - st.t_to) / t_sw)[:, None]
        corr = quintic(u, e0[0], e0[1], e0[2], e1[0], e1[1], e1[2], t_sw)
        out = f_mod(t) + corr
        uu = u[:, 0]
        on = [x[3] for x in s1]
        if _meets_vertically(st, nx):
            on[2] = 0.0  # the ground slows the foot's turn from the contact on (``_rolls_in``)
        out[:, 3] = swing_foot_pitch(uu, [x[3] for x in s0], on, t_sw)
        out[:, 2] += self._clearance_lift(out, u[:, 0])
        return out

    def arrival(self, st: Stance, nx: Stance) -> tuple[np.ndarray, np.ndarray]:
        """Ankle velocity (m/s) and acceleration (m/s²) at contact ``nx.t_ic``, world axes, of the
        swing from ``st`` relative to the pinned stance of ``nx``: what the ground has to stop."""
        m1 = _fd_backward(lambda x: self._swing_model(st, nx, x), nx.t_ic)
        s1 = _fd_forward(lambda x: self.stance_state(nx, x), nx.t_ic)
        v, a = m1[1][:3] - s1[1][:3], m1[2][:3] - s1[2][:3]
        if _meets_vertically(st, nx):  # the swing meets the stance vertically
            v[2] = a[2] = 0.0
        if _meets_horizontal_acc(nx):
            a[:2] = 0.0
        return v, a

    def _clearance_lift(self, state: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Smallest smooth lift of the ankle that keeps heel and metatarsal heads off the floor.

        The toes are treated as flexible (they bend at the metatarsophalangeal joint in late
        stance), so only the heel and the metatarsal heads are checked.

        The lift is a sum of bumps u^p (1-u)^q (p, q >= 3), so position, velocity and
        acceleration at foot-off and contact are untouched.
        """
        p = self.person
        a = np.radians(state[:, 3])
        sa, ca = np.sin(a), np.cos(a)
        pts_x = np.array([0.0, p.heel_to_mtp_m]) - p.heel_to_ankle_m
        off_z = pts_x[None, :] * sa[:, None] - p.ankle_height_m * ca[:, None]
        # Within ~20 % of the swing from either end a few mm of "penetration" are accepted
        # (sole compression, toes still bending): lifting there would need a jerk spike.
        ends = np.minimum(u, 1 - u)
        slack = 0.012 * (1 - smootherstep(ends / 0.2))
        lower = -off_z.min(axis=1) + 0.004 * 64.0 * (u * (1 - u)) ** 3 - slack
        lift = np.zeros_like(u)
        for _ in range(12):
            viol = lower - (state[:, 2] + lift)
            i = int(np.argmax(viol))
            if viol[i] <= 1e-4 or u.shape[0] < 3:
                break
            c = float(min(max(u[i], 0.1), 0.9))
            if c <= 0.5:
                pe, qe = 3.0, 3.0 * (1 - c) / c
            else:
                qe, pe = 3.0, 3.0 * c / (1 - c)
            bump = (u / c) ** pe * ((1 - u) / (1 - c)) ** qe
            lift += 1.05 * viol[i] * bump
        return lift


@dataclass
class LegTrajectory:
    """The leg's state on a uniform time grid."""

    t_s: np.ndarray
    ankle_m: np.ndarray  # (n, 3) world
    alpha_deg: np.ndarray
    theta_deg: np.ndarray
    yaw_rad: np.ndarray
    roll_deg: np.ndarray
    in_stance: np.ndarray
    #: Rotation of the segment about its own long axis (deg; sign as for the right leg).
    axial_deg: np.ndarray | None = None
    #: (t_ic, velocity (3,), acceleration (3,)) of the ankle at each contact relative to the
    #: pinned stance, world axes (see ``LegModel.arrival``): removed after contact by the impact.
    arrivals: list[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=list)


def leg_trajectory(plan: Plan, t: np.ndarray, rng: np.random.Generator) -> LegTrajectory:
    """Evaluate the leg on the grid ``t``."""
    model = LegModel(plan)
    n = t.shape[0]
    state = np.zeros((n, N_CH))
    yaw = np.zeros(n)
    roll = np.zeros(n)
    axial = np.zeros(n)
    person = plan.person
    stance = np.zeros(n, dtype=bool)
    arrivals = []
    sts = plan.stances
    for j, st in enumerate(sts):
        lo = np.searchsorted(t, st.t_ic, side="left")
        hi = np.searchsorted(t, st.t_to, side="left")
        if hi > lo:
            state[lo:hi] = model.stance_state(st, t[lo:hi])
            yaw[lo:hi] = st.yaw_rad
            stance[lo:hi] = True
            if st.real_ic and st.real_to and st.stride is not None:
                # tibial internal rotation over the loading of stance, back by foot-off
                w = (t[lo:hi] - st.t_ic) / (st.t_to - st.t_ic)
                axial[lo:hi] = -person.axial_stance_deg * st.stride.amplitude * _bump(w, 0.3)
        if j + 1 < len(sts) and st.real_to:
            nx = sts[j + 1]
            lo2 = hi
            hi2 = np.searchsorted(t, nx.t_ic, side="left")
            if hi2 > lo2:
                tt = t[lo2:hi2]
                state[lo2:hi2] = model.swing_state(st, nx, tt)
                u = (tt - st.t_to) / (nx.t_ic - st.t_to)
                yaw[lo2:hi2] = st.yaw_rad + (nx.yaw_rad - st.yaw_rad) * smootherstep(u)
                if nx.real_ic:
                    arrivals.append((nx.t_ic, *model.arrival(st, nx)))
                amp = st.next.amplitude if st.next is not None else 1.0
                # side tilt and rotation about the long axis in swing: tens of deg/s
                # (Lafortune et al. 1992), peaking where the person's traits put them
                roll[lo2:hi2] = person.roll_deg * amp * _bump(u, person.roll_peak_frac)
                axial[lo2:hi2] = (
                    person.axial_swing_deg
                    * amp
                    * (_bump(u, 0.45) + 0.4 * np.sin(2 * np.pi * u) * _bump(u, 0.5))
                )
    # Quiet-standing sway of the shank (a fraction of a degree, 0.1-0.6 Hz).
    sway = np.zeros(n)
    for _ in range(3):
        sway += rng.uniform(0.05, 0.2) * np.sin(
            2 * np.pi * rng.uniform(0.1, 0.6) * t + rng.uniform(0, 2 * np.pi)
        )
    return LegTrajectory(
        t,
        state[:, :3].copy(),
        state[:, 3].copy(),
        state[:, 4] + sway,
        yaw,
        roll,
        stance,
        axial_deg=axial,
        arrivals=arrivals,
    )


def _bump(u: np.ndarray, peak: float) -> np.ndarray:
    """Smooth bump on [0, 1], zero with zero rate and acceleration at both ends, highest (1) at
    ``peak``: ``u^p (1-u)^q`` with p + q = 6, normalised."""
    u = np.clip(u, 0.0, 1.0)
    p = 6.0 * float(np.clip(peak, 0.25, 0.75))
    q = 6.0 - p
    top = (p / 6.0) ** p * (q / 6.0) ** q
    return u**p * (1.0 - u) ** q / top
