"""From a plan of bouts to a timeline of foot contacts (stances) and swings of the sensor's leg.

Every number used here is listed with its source in docs/simulator.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.simulate._curves import (
    CONTACT_HOLD,
    CONTACT_LAG,
    CONTACT_LAG_SPEEDS,
    REFERENCE_SPEED_M_S,
    STRIKE_KNEE_DEG,
    STRIKE_KNEE_DEG_BACK,
    CurveShape,
    draw_shape,
)
from gait.simulate._spec import Bout, SessionSpec, SubjectSpec

#: Simulator v14: foot angle at a backward heel strike (deg, toe up; walking and running). The
#: shank is inclined back at a backward contact (the SNU walker's about -26 deg, -12 to -16 for a
#: simulated heel strike with ``_curves.STRIKE_KNEE_DEG_BACK``), so the forward range (14-24 deg)
#: would need 30-40 deg of ankle dorsiflexion; 8-14 deg (a heel strike in Altman & Davis 2012's
#: classes, > 8 deg) needs about 20-25 deg, within the joint's weight-bearing range.
BACK_HEEL_ALPHA_DEG = (8.0, 14.0)
#: Simulator v14: spread of a backward bout's knee flexion at contact about
#: ``_curves.STRIKE_KNEE_DEG_BACK``, as a multiple of the forward draw's +-2 deg.
BACK_KNEE_SPREAD = 1.5

DEFAULT_STRIKE = {
    ("walk", "forward"): "heel",
    ("run", "forward"): "heel",
    ("walk", "backward"): "forefoot",
    ("run", "backward"): "forefoot",
}


#: How a backward walker's segment excursion falls with speed, ``(v / 1.3 m/s) ** exponent``
#: (simulator v11; forward and up to v10 backward 0.4). The SNU walker keeps its full backward
#: range at 0.62 m/s (swing peak 207 deg/s, the reach back before the toe is placed at -97 deg/s
#: at contact), where the forward law left a simulated backward walker 0.74 of it (peak about
#: 150, -63 at contact); 0.2 leaves 0.86 (docs/simulator.md step 3; our assumption, one walker).
BACK_WALK_SPEED_EXPONENT = 0.2

#: Backward running strides are shorter and more frequent than forward ones at the same speed,
#: with shorter ground contacts (Threlkeld et al. 1989; Wright & Weyand 2001); this factor (on
#: top of the person's backward stride factor) is our assumption for the size (simulator v7).
BACK_RUN_STRIDE_FACTOR = 0.9


#: Range of a person's forward walking ankle arrival speed at a heel strike, as a fraction of the
#: walking speed (simulator v16). Winter 1992 gives 0.87 m/s at about 1.3 m/s (0.65 x) for a heel
#: marker; the mocap walker's ankle (5 cm up the shank) arrives at 0.37-0.42 x and its heel at
#: about 0.2 x (BENCHMARKS.md, "The simulated landing's horizontal acceleration"); Lockhart et
#: al. 2003 find the heel-contact velocity differs between people. So a range drawn per person
#: that holds the walker and keeps Winter's figure near its top.
FORWARD_ARRIVAL_FRAC = (0.30, 0.60)
#: Range of a person's backward walking ankle arrival speed at contact, as a fraction of the
#: walking speed (simulator v17; v4-v16: 0.5 for everyone, our assumption). The mocap walker's
#: ankle joint arrives at 0.26 x (median of its 30 backward forefoot landings at 0.5-0.74 m/s;
#: 0.13-0.39 between its landings), the shank point 5 cm up at 0.37 x
#: (``python -m benchmarks.realism_mocap --arrival``). We found no published figure for the
#: foot's horizontal velocity at a backward contact; Grasso et al. 1998 and Lee et al. 2013 find
#: the backward leg's angles close to forward walking's time-reversed, where the toe is placed
#: rather than swung into the ground. So a range drawn per person centred on the walker, as
#: wide as its own landings spread and, relative to its centre, about as wide as the forward one.
BACKWARD_ARRIVAL_FRAC = (0.10, 0.35)


@dataclass(frozen=True)
class Person:
    """Body dimensions (Winter 2009 anthropometric fractions of height) and gait traits."""

    id: str
    height_m: float
    mass_kg: float
    age_years: float
    thigh_m: float
    shank_m: float
    foot_m: float
    ankle_height_m: float
    heel_to_ankle_m: float
    heel_to_mtp_m: float
    stride_factor: float
    asymmetry: float
    stride_cv: float
    step_width_m: float
    excursion: float
    roll_deg: float
    duty_offset: float
    #: The person's segment-curve shape (``_curves.CurveShape``).
    shape: CurveShape = field(default_factory=CurveShape)
    #: Backward stride length over forward stride length at the same speed (Thorstensson 1986,
    #: Laufer 2005: shorter backward strides; the SNU mocap walker: about the same).
    back_stride_factor: float = 0.85
    #: Stance fraction of backward walking minus the forward one at the same speed (Laufer 2005:
    #: longer double support backward, at the slower self-selected backward speed; the SNU mocap
    #: walker at the same speed: about 0.04 shorter, its backward swing longer; docs/simulator.md).
    back_duty_extra: float = 0.04
    #: Amplitude (deg) of the shank's rotation about its long axis in swing, and of its axial
    #: rotation in stance (Lafortune et al. 1992: tibial internal-external rotation).
    axial_swing_deg: float = 6.0
    axial_stance_deg: float = 3.0
    #: Where in the swing the side tilt peaks (fraction of the swing).
    roll_peak_frac: float = 0.5
    #: Forward walking: horizontal ankle speed at a heel strike / walking speed (simulator v16,
    #: ``FORWARD_ARRIVAL_FRAC``: Winter 1992, Lockhart et al. 2003, the
    #: mocap walker).
    arrival_frac: float = 0.45
    #: Backward walking: horizontal ankle speed at contact / walking speed (simulator v17,
    #: ``BACKWARD_ARRIVAL_FRAC``: the mocap walker; no published figure found).
    back_arrival_frac: float = 0.225

    @property
    def hip_height_m(self) -> float:
        return self.thigh_m + self.shank_m + self.ankle_height_m


def draw_person(spec: SubjectSpec, rng: np.random.Generator) -> Person:
    """Fill the unset fields of ``spec`` with draws from adult ranges."""
    h = spec.height_m if spec.height_m is not None else float(rng.uniform(1.52, 1.95))
    bmi = rng.uniform(19.0, 30.0)
    mass = spec.mass_kg if spec.mass_kg is not None else float(round(bmi * h * h, 1))
    age = spec.age_years if spec.age_years is not None else float(rng.integers(20, 76))
    return Person(
        id=spec.id,
        height_m=h,
        mass_kg=mass,
        age_years=age,
        thigh_m=0.245 * h,
        shank_m=0.246 * h,
        foot_m=0.152 * h,
        ankle_height_m=0.039 * h,
        heel_to_ankle_m=0.25 * 0.152 * h,
        heel_to_mtp_m=0.72 * 0.152 * h,
        stride_factor=spec.stride_factor
        if spec.stride_factor is not None
        else float(rng.uniform(0.95, 1.2)),
        asymmetry=spec.asymmetry if spec.asymmetry is not None else float(rng.normal(0.0, 0.01)),
        stride_cv=spec.stride_cv if spec.stride_cv is not None else float(rng.uniform(0.01, 0.03)),
        step_width_m=float(rng.uniform(0.06, 0.14)),
        excursion=float(rng.uniform(0.9, 1.1)),
        roll_deg=float(rng.uniform(2.0, 6.0)),
        duty_offset=float(rng.normal(0.0, 0.01)),
        **_draw_traits(
            rng if spec.traits_seed is None else np.random.default_rng(spec.traits_seed)
        ),
    )


def _draw_traits(rng: np.random.Generator) -> dict:
    """Curve shape, backward gait and out-of-plane traits of a person (docs/simulator.md)."""
    # v16-v17: the arrival fractions come from a child stream, which leaves ``rng``'s own draws
    # (and so every contact and label of a session) as they were before these traits existed;
    # the forward one is drawn first, as in v16
    arrival = rng.spawn(1)[0]
    return {
        "shape": draw_shape(rng),
        "back_stride_factor": float(rng.uniform(0.88, 1.0)),
        "back_duty_extra": float(rng.uniform(-0.06, 0.02)),
        "axial_swing_deg": float(rng.uniform(3.0, 9.0)) * float(rng.choice([-1.0, 1.0])),
        "axial_stance_deg": float(rng.uniform(1.0, 5.0)),
        "roll_peak_frac": float(rng.uniform(0.3, 0.7)),
        "arrival_frac": float(arrival.uniform(*FORWARD_ARRIVAL_FRAC)),
        "back_arrival_frac": float(arrival.uniform(*BACKWARD_ARRIVAL_FRAC)),
    }


def stride_length_m(person: Person, speed_m_s: float) -> float:
    """Alexander (1984): stride length / hip height = 2.3 (v²/gh)^0.3, times a personal factor."""
    h = person.hip_height_m
    froude = speed_m_s**2 / (GRAVITY_MS2 * h)
    return person.stride_factor * 2.3 * h * froude**0.3


@dataclass
class Stride:
    """Parameters of one stride of the sensor's leg (its stance and the swing that follows)."""

    mode: str
    direction: str
    strike: str
    speed_m_s: float
    stride_s: float
    duty: float
    scale: float
    amplitude: float
    shape: CurveShape = field(default_factory=CurveShape)
    #: Extra knee flexion around contact for this stride's strike (``_curves.STRIKE_KNEE_DEG``).
    knee_at_contact_deg: float = 0.0
    #: How early in the limb's terminal swing the foot touches (``_curves.CONTACT_LAG``).
    contact_lag: float = 0.0
    #: How still the limb holds after the contact (0-1, ``_curves.CONTACT_HOLD``).
    contact_hold: float = 0.0


@dataclass
class Stance:
    """A period with the sensor's foot on the ground.

    ``t_ic`` is the initial contact that starts it (``real_ic`` False for standing at the start of
    the session), ``t_to`` the foot-off that ends it (``real_to`` False at the end).
    """

    t_ic: float
    t_to: float
    real_ic: bool
    real_to: bool
    heel_xy: np.ndarray
    yaw_rad: float
    stride: Stride | None
    #: The stride that starts at this stance's foot-off (its swing), None at the end.
    next: Stride | None = None
    alpha_ic_deg: float = 0.0
    alpha_off_deg: float = 0.0
    load_s: float = 0.1
    rise_s: float = 0.2
    impact_peak_ms2: float = 0.0
    impact_tau_s: float = 0.005
    contralateral_t_s: list[float] = field(default_factory=list)


@dataclass
class Plan:
    """The contact timeline and the labels that go with it."""

    person: Person
    stances: list[Stance]
    duration_s: float
    #: (t_start_s, t_end_s, direction, strike) of each bout of gait.
    intervals: list[tuple[float, float, str, str]]
    #: (t_s, foot side "ipsi"/"contra", direction, strike, speed_m_s, mode, t_toe_off_s): the
    #: toe-off is that of the swing ending at the contact (NaN for the other foot)
    contacts: list[tuple[float, str, str, str, float, str, float]]
    standing_theta_deg: float = 2.0


def _strike_angles(stride: Stride, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """Foot angle at contact and at foot-off (deg, toe up positive) and their durations (s).

    Strike angle ranges after Altman & Davis (2012): rearfoot > 8°, midfoot -1.6..8°, forefoot
    < -1.6°. Backward gait lands toe first and leaves heel last (Grasso et al. 1998).
    """
    st = stride.duty * stride.stride_s
    a = stride.amplitude
    if stride.strike == "heel" and stride.direction == "backward":
        alpha_ic = rng.uniform(*BACK_HEEL_ALPHA_DEG)
        load = 0.14 * st
    elif stride.strike == "heel":
        alpha_ic = rng.uniform(14, 24) if stride.mode == "walk" else rng.uniform(9, 20)
        load = 0.14 * st
    elif stride.strike == "midfoot":
        alpha_ic = rng.uniform(-1.0, 6.0)
        load = 0.12 * st
    else:
        alpha_ic = rng.uniform(-16, -4) if stride.mode == "walk" else rng.uniform(-14, -4)
        load = 0.28 * st
    if stride.direction == "forward":
        alpha_off = -(rng.uniform(50, 65) if stride.mode == "walk" else rng.uniform(40, 60))
        rise = (0.32 if stride.mode == "walk" else 0.45) * st
    else:
        alpha_off = rng.uniform(12, 28)
        rise = 0.22 * st
    return alpha_ic * a, alpha_off * a, load, rise


def _impact(stride: Stride, rng: np.random.Generator) -> tuple[float, float]:
    """Peak shank acceleration of the contact transient (m/s²) and its time constant (s)."""
    speed_ref = REFERENCE_SPEED_M_S[stride.mode]
    k = (max(stride.speed_m_s, 0.2) / speed_ref) ** 0.7
    if stride.mode == "walk":
        peak = {"heel": (25, 50), "midfoot": (12, 25), "forefoot": (6, 14)}[stride.strike]
    else:
        peak = {"heel": (50, 100), "midfoot": (30, 60), "forefoot": (20, 40)}[stride.strike]
    tau = {"heel": (0.003, 0.005), "midfoot": (0.005, 0.008), "forefoot": (0.009, 0.014)}
    # the stride's speed already carries the start and stop strides' smaller amplitude (v6 also
    # multiplied by the amplitude: a first step at half amplitude landed with a third of the
    # impact, less than its foot-flat, which real first steps do not; simulator v7)
    return float(rng.uniform(*peak) * k), float(rng.uniform(*tau[stride.strike]))


def _duty(mode: str, direction: str, speed: float, person: Person) -> float:
    if mode == "walk":
        d = 0.61 - 0.05 * (speed - 1.3)
        d = min(max(d, 0.57), 0.70)
        if direction == "backward":
            d += person.back_duty_extra
    else:
        d = 0.40 - 0.04 * (speed - 3.0)
        d = min(max(d, 0.30), 0.46)
    return d + person.duty_offset


def build_plan(spec: SessionSpec, person: Person, rng: np.random.Generator) -> Plan:
    """Lay out every contact of the session."""
    side = 1.0 if spec.sensor.placement.startswith("left") else -1.0
    t = 0.0
    yaw = 0.0
    body = np.zeros(2)

    def e(y: float) -> np.ndarray:
        return np.array([math.cos(y), math.sin(y)])

    def n(y: float) -> np.ndarray:
        return np.array([-math.sin(y), math.cos(y)])

    def footprint(b: np.ndarray, y: float) -> np.ndarray:
        return b + side * 0.5 * person.step_width_m * n(y) - person.heel_to_ankle_m * e(y)

    stances = [Stance(-10.0, math.inf, False, False, footprint(body, yaw), yaw, None)]
    intervals: list[tuple[float, float, str, str]] = []
    contacts: list[tuple[float, str, str, str, float, str, float]] = []
    for bout in spec.bouts:
        t_end = t + bout.duration_s
        if bout.kind != "stand":
            _add_bout(bout, t, t_end, person, rng, stances, intervals, contacts, e, footprint)
            body_yaw = stances[-1].yaw_rad
            yaw = body_yaw
        t = t_end
    return Plan(person, stances, t, intervals, contacts)


def _bout_style(shape: CurveShape, rng: np.random.Generator) -> CurveShape:
    """The person's shape varied for one bout (a style: more or less knee lift, timing)."""
    return CurveShape(
        thigh_gain=shape.thigh_gain * float(rng.uniform(0.92, 1.08)),
        knee_gain=shape.knee_gain * float(rng.uniform(0.85, 1.15)),
        swing_shift=float(np.clip(shape.swing_shift + rng.normal(0.0, 0.03), -0.12, 0.12)),
        stance_shift=shape.stance_shift,
        extra=shape.extra,
    )


def _add_bout(bout: Bout, t0, t_end, person, rng, stances, intervals, contacts, e, footprint):
    mode, direction = bout.kind, bout.direction
    strike = bout.strike or DEFAULT_STRIKE[(mode, direction)]
    s = 1.0 if direction == "forward" else -1.0
    v = float(bout.speed_m_s)
    length = stride_length_m(person, v)
    if direction == "backward":
        length *= person.back_stride_factor
        if mode == "run":
            length *= BACK_RUN_STRIDE_FACTOR
    stride_s = length / v
    shape = _bout_style(person.shape, rng)
    knee_ic = STRIKE_KNEE_DEG[(mode, strike)] + float(rng.uniform(-2.0, 2.0))
    # v10: the same bout's draw sets when in the terminal swing the foot touches
    # (``_curves.CONTACT_LAG``): a slow forefoot / midfoot walker's the earlier the more its
    # knee is still flexed, a heel striker's the later the more its knee has flexed again; a
    # forefoot / midfoot landing's lag becomes a heel strike's with speed (the SNU walker's
    # flat and forefoot landings at 0.7-1.0 m/s turn the shank back before the contact, as its
    # heel strikes). No new draw, so every later draw, contact and label is v9's.
    if direction == "backward":
        # v14: the backward curves land on the forefoot; a heel or midfoot landing meets the
        # ground with the knee more extended (``_curves.STRIKE_KNEE_DEG_BACK``), the same draw
        # setting the bout's variation (v4-v13: 0 whatever the strike)
        knee_ic = STRIKE_KNEE_DEG_BACK[(mode, strike)] + BACK_KNEE_SPREAD * (
            knee_ic - STRIKE_KNEE_DEG[(mode, strike)]
        )
        lag = 0.0
        hold = 0.0
    else:
        u_knee = (knee_ic - STRIKE_KNEE_DEG[(mode, strike)] + 2.0) / 4.0
        lo, hi = CONTACT_LAG.get((mode, strike), (0.0, 0.0))
        h_lo, h_hi = CONTACT_LAG.get((mode, "heel"), (0.0, 0.0))
        lag_heel = h_hi + (h_lo - h_hi) * u_knee
        v_whole, v_gone = CONTACT_LAG_SPEEDS
        slow = min(max((v_gone - v) / (v_gone - v_whole), 0.0), 1.0)
        lag = lag_heel + (lo + (hi - lo) * u_knee - lag_heel) * slow
        # v15: a slow forefoot / midfoot landing holds the limb still while the load comes on
        hold = CONTACT_HOLD.get((mode, strike), 0.0) * slow * slow
    duty = _duty(mode, direction, v, person)
    ex = BACK_WALK_SPEED_EXPONENT if (mode, direction) == ("walk", "backward") else 0.4
    scale = person.excursion * (v / REFERENCE_SPEED_M_S[mode]) ** ex
    scale = min(max(scale, 0.45), 1.35)
    t_first_to = t0 + 0.15
    usable = t_end - t_first_to - 0.6 * stride_s
    n_strides = int(usable // stride_s)
    if n_strides < 1:
        raise ValueError(
            f"a {bout.duration_s:g} s {bout.kind} bout is too short for one stride at "
            f"{v:g} m/s; it needs at least {0.15 + 1.6 * stride_s:.1f} s"
        )
    amps = np.ones(n_strides)
    ramp = [0.5, 0.8]
    for i, a in enumerate(ramp):
        if i < n_strides:
            amps[i] = min(amps[i], a)
            amps[n_strides - 1 - i] = min(amps[n_strides - 1 - i], a)
    # Heading: turn spread over the strides in proportion to their amplitude.
    turn = math.radians(bout.turn_deg)
    d_yaw = turn * amps / amps.sum()
    cur = stances[-1]
    cur.t_to = t_first_to
    cur.real_to = True
    body = cur.heel_xy - footprint(np.zeros(2), cur.yaw_rad)  # where the body stands
    yaw = cur.yaw_rad
    t_to = t_first_to
    first_stride = None
    for k in range(n_strides):
        a = float(amps[k])
        T = stride_s * (1.0 + 0.12 * (1.0 - a)) * (1.0 + person.stride_cv * rng.standard_normal())
        stride = Stride(
            mode,
            direction,
            strike,
            v * a,
            T,
            duty,
            scale * (0.35 + 0.65 * a),
            a,
            shape,
            knee_ic,
            lag,
            # v15: a bout's first landing from standing turns the shank as a heel strike's (the
            # walker's first flat / forefoot landings of a clip: -43 / -38 deg/s 50-150 ms on)
            hold if k > 0 else 0.0,
        )
        stances[-1].next = stride
        if first_stride is None:
            first_stride = stride
            _, cur.alpha_off_deg, _, cur.rise_s = _strike_angles(stride, rng)
        # swing of stride k ends with the contact that starts stance k+1
        t_ic = t_to + (1.0 - duty) * T
        new_yaw = yaw + float(d_yaw[k])
        mid = 0.5 * (yaw + new_yaw)
        body = body + s * a * length * e(mid)
        ai, ao, ld, rs = _strike_angles(stride, rng)
        peak, tau = _impact(stride, rng)
        last = k == n_strides - 1
        t_next_to = t_ic + duty * T
        st = Stance(
            t_ic,
            math.inf if last else t_next_to,
            True,
            not last,
            footprint(body, new_yaw),
            new_yaw,
            stride,
            None,
            ai,
            ao,
            ld,
            rs,
            peak,
            tau,
        )
        t_contra = t_ic + (0.5 + person.asymmetry) * T
        st.contralateral_t_s.append(t_contra)
        stances.append(st)
        contacts.append((t_ic, "ipsi", direction, strike, stride.speed_m_s, mode, t_to))
        contacts.append((t_contra, "contra", direction, strike, stride.speed_m_s, mode, math.nan))
        yaw = new_yaw
        t_to = t_next_to
    intervals.append(
        (round(t0, 3), round(min(t_end, stances[-1].contralateral_t_s[-1] + 0.4), 3), direction,
         strike)
    )  # fmt: skip
