"""Speed, stride length and gait (walk/run) of one stride, from the sensor alone.

Method (docs/speed.md): the stride of the instrumented foot runs from one initial contact to the
next. Its sensor is nearly still once in each stance (a foot sensor while the foot is flat, a
shank sensor near mid-stance, where the shank turns slowly over the planted foot). That instant
is found after each contact as the minimum of a stillness cost, the angular speed plus
:data:`STILL_ACC_WEIGHT` times how far the acceleration's norm is from gravity (the acceleration
term keeps a running shank's turning point in flight from passing for stance). From one still
instant to the next the sensor is integrated in three dimensions with the velocity known at
both ends (``gait/_kernels/_swing.py``, on average over a short window around each still
instant): zero for a foot sensor; for a shank sensor that of a point :data:`SHANK_LEVER_M` above
the still ankle, the shank turning over the planted foot (Li et al. 2010). The distance
travelled is the stride length, and it divided by the stride time is the speed. A sensor that
averages its accelerometer on board (sidecar ``device.acc_average_s``) has its gyroscope averaged
the same way before the integration. The distance is taken in three dimensions: on level ground the
vertical part is nearly zero, and a tilt in the levelling (dynamic acceleration at the still
instant) would otherwise shorten the horizontal part. Neither depends on how the sensor
is mounted, on which leg, or on the walking direction: backward strides are measured the same
way, and the distance is never negative.

Without a gyroscope the stride length comes from the stride frequency and the leg length by
Alexander's (1984) relation between stride length, speed and hip height, with a wider
uncertainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from gait.consts import GRAVITY_MS2

#: Search window for the still instant after a contact, seconds after the contact.
STILL_WINDOW_S: Final[tuple[float, float]] = (0.02, 0.40)
#: Weight (rad/s per m/s²) of the acceleration norm's distance from gravity in the stillness cost.
STILL_ACC_WEIGHT: Final[float] = 0.2
#: Moving-average length (s) of the stillness cost.
STILL_SMOOTH_S: Final[float] = 0.05
#: Samples (s) averaged at the first still instant to find gravity.
LEVEL_S: Final[float] = 0.03
#: Half-width (s) of the still windows: the velocity is taken as zero on average over
#: ± this around each still instant, and the stride runs between the windows' mean positions,
#: which averages out a sensor ringing on its strap after the impact (8-20 Hz).
STILL_HALF_S: Final[float] = 0.06
#: Plausible stride times (s), as in :mod:`gait.summary`.
MIN_STRIDE_TIME_S: Final[float] = 0.4
MAX_STRIDE_TIME_S: Final[float] = 2.5
#: A sample belongs to stance when the sensor's horizontal speed is below this fraction of the
#: stride's mean speed (used for stance time, when the detector gives no toe-off).
STANCE_SPEED_FRAC: Final[float] = 0.5
#: Height (m) of a shank sensor above the ankle joint, the pivot of the shank at mid-stance: a
#: sensor strapped just above the malleoli sits about 5-10 cm above the joint centre (the middle
#: is taken). Its velocity at the still instant is this times the shank's rate (Li et al. 2010).
SHANK_LEVER_M: Final[float] = 0.07
#: Sidecar ``device`` field: the sensor's on-board moving average of the accelerometer (s), as some
#: commercial sensors apply (the gyroscope is left alone). The stride integration then averages
#: the gyroscope the same way, so that the orientation and the acceleration it turns share the
#: filter's delay (about half the window) and smoothing; left unmatched, gravity leaks into the
#: horizontal acceleration while the segment turns (figures in docs/speed.md).
ACC_AVERAGE_KEY: Final[str] = "acc_average_s"
#: Leg (hip) height as a fraction of body height (Winter 2009 segment table: 0.530).
LEG_LENGTH_FRAC: Final[float] = 0.53
#: Body height assumed when neither the sidecar nor ``--height-m`` gives one (m).
DEFAULT_HEIGHT_M: Final[float] = 1.70

#: Walk/run decision from the gait: running when
#: ``RUN_BIAS + RUN_W_STRIDE_TIME * stride_time_s + RUN_W_STANCE_FRAC * stance fraction
#: + RUN_W_LENGTH_HEIGHT * stride_length / height > 0``. A logistic regression fitted on the
#: simulated training subjects (datasets/labelled/train, 2984 strides); 97.7 % of the held-out
#: simulated test strides right (benchmarks/eval_speed.py). The stance fraction is the duty
#: factor: below about 0.5 there is a flight phase.
RUN_BIAS: Final[float] = 21.2
RUN_W_STRIDE_TIME: Final[float] = -17.7
RUN_W_STANCE_FRAC: Final[float] = -21.7
RUN_W_LENGTH_HEIGHT: Final[float] = 5.2
#: Without a gyroscope, running is a duty factor (from the detector's toe-off) below this.
RUN_DUTY_FACTOR: Final[float] = 0.5

#: Typical relative error (one standard deviation) of the stride speed and length, by method and
#: gait, measured with benchmarks/eval_speed.py on the simulated training subjects and the
#: tuning half of the mocap clips (docs/speed.md).
REL_SD: Final[dict[str, float]] = {"walk": 0.12, "run": 0.15, "no_gyro": 0.25}


@dataclass(frozen=True)
class StrideMeasure:
    """What one stride of the instrumented foot measured (NaN = could not be measured)."""

    stride_time_s: float
    stride_length_m: float
    speed_m_s: float
    stance_time_s: float
    gait: str
    stride_length_sd_m: float
    speed_sd_m_s: float
    method: str


def stillness_cost(
    acc_ms2: np.ndarray, gyr_rad_s: np.ndarray, sampling_rate_hz: float
) -> np.ndarray:
    """Per-sample stillness cost (lower = stiller), smoothed over :data:`STILL_SMOOTH_S`.

    Centred moving average with edge samples repeated, so a sample's cost depends only on the
    samples within half a window of it.
    """
    c = np.linalg.norm(gyr_rad_s, axis=1) + STILL_ACC_WEIGHT * np.abs(
        np.linalg.norm(acc_ms2, axis=1) - GRAVITY_MS2
    )
    k = max(round(STILL_SMOOTH_S * sampling_rate_hz), 1)
    if k == 1 or c.shape[0] == 0:
        return c
    pad = np.pad(c, (k // 2, k - 1 - k // 2), mode="edge")
    return np.convolve(pad, np.ones(k) / k, mode="valid")


def still_index(cost: np.ndarray, ic: int, sampling_rate_hz: float) -> int | None:
    """Index of the stillest sample in the window after the contact at ``ic`` (None if the
    window lies outside ``cost``)."""
    a = ic + round(STILL_WINDOW_S[0] * sampling_rate_hz)
    b = min(ic + round(STILL_WINDOW_S[1] * sampling_rate_hz), cost.shape[0] - 1)
    if a < 0 or b <= a:
        return None
    return a + int(np.argmin(cost[a : b + 1]))


def is_running(
    stride_time_s: float, stance_frac: float, stride_length_m: float, height_m: float
) -> bool:
    """The walk/run rule of :data:`RUN_BIAS` and its weights."""
    z = (
        RUN_BIAS
        + RUN_W_STRIDE_TIME * stride_time_s
        + RUN_W_STANCE_FRAC * stance_frac
        + RUN_W_LENGTH_HEIGHT * stride_length_m / height_m
    )
    return bool(z > 0.0)


def alexander_stride_length_m(stride_time_s: float, height_m: float) -> float:
    """Stride length from stride frequency and hip height, Alexander (1984):
    L / h = 2.3 (v² / g h)^0.3 with v = L f, solved for L."""
    h = LEG_LENGTH_FRAC * height_m
    # the relation makes speed grow as f^2.5: a stride time outside 0.8-1.6 s (running, or a
    # stride split by a missed contact) is clamped to that range rather than extrapolated
    f = min(max(1.0 / stride_time_s, 1.0 / 1.6), 1.0 / 0.8)
    return float(2.3**2.5 * h**1.75 * f**1.5 * GRAVITY_MS2**-0.75)


def acc_average_s_of(device: object) -> float | None:
    """The accelerometer's on-board averaging window (s) a sidecar's ``device`` mapping states
    under :data:`ACC_AVERAGE_KEY`; None when absent or not a number in (0, 1]."""
    value = device.get(ACC_AVERAGE_KEY) if isinstance(device, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0.0 < value <= 1.0 else None


def causal_mean(x: np.ndarray, n: int) -> np.ndarray:
    """Mean of each row and the ``n - 1`` rows before it (the first row repeated before)."""
    if n <= 1 or x.shape[0] == 0:
        return x
    c = np.cumsum(np.concatenate([np.repeat(x[:1], n, axis=0), x]), axis=0)
    return (c[n:] - c[:-n]) / n


def lever_m_for(placement: str | None) -> float:
    """The still-window lever arm for a placement: 0 for a foot sensor (still while the foot is
    flat), :data:`SHANK_LEVER_M` for a shank/ankle sensor or an unknown placement."""
    if placement is not None and placement.endswith("foot"):
        return 0.0
    return SHANK_LEVER_M


def measure_stride(
    acc_ms2: np.ndarray,
    gyr_rad_s: np.ndarray | None,
    cost: np.ndarray | None,
    ic0: int,
    ic1: int,
    sampling_rate_hz: float,
    *,
    height_m: float,
    fc_time_s: float | None = None,
    lever_m: float = SHANK_LEVER_M,
    acc_average_s: float | None = None,
) -> StrideMeasure | None:
    """Measure the stride from contact ``ic0`` to contact ``ic1`` (sample indices into the
    arrays, which must reach :data:`STILL_WINDOW_S` plus :data:`STILL_HALF_S` past ``ic1``).
    ``fc_time_s`` is the detector's toe-off as seconds after ``ic0``, if known; ``lever_m``
    the sensor's height above the pivot at mid-stance (:func:`lever_m_for`);
    ``acc_average_s`` the accelerometer's on-board moving average, if any
    (:data:`ACC_AVERAGE_KEY`). None when the stride time is implausible."""
    fs = sampling_rate_hz
    t_stride = (ic1 - ic0) / fs
    if not MIN_STRIDE_TIME_S <= t_stride <= MAX_STRIDE_TIME_S:
        return None
    if gyr_rad_s is None or cost is None:
        length = alexander_stride_length_m(t_stride, height_m)
        speed = length / min(max(t_stride, 0.8), 1.6)
        sd = REL_SD["no_gyro"]
        # cadence alone: stride times under 0.8 s are taken as running (fast walking reaches
        # about 0.9 s; running 0.6-0.8 s)
        stance = fc_time_s if fc_time_s is not None else math.nan
        if fc_time_s is not None:
            gait = "run" if fc_time_s / t_stride < RUN_DUTY_FACTOR else "walk"
        else:
            gait = "run" if t_stride < 0.8 else "walk"
        return StrideMeasure(
            t_stride, length, speed, stance, gait, sd * length, sd * speed, "alexander"
        )
    from gait._kernels._swing import stride_displacement

    s0 = still_index(cost, ic0, fs)
    s1 = still_index(cost, ic1, fs)
    if s0 is None or s1 is None or s1 - s0 < 3:
        return None
    half = min(round(STILL_HALF_S * fs), s0, acc_ms2.shape[0] - 1 - s1)
    n_level = max(round(LEVEL_S * fs), 2 * half + 1)
    lo, hi = s0 - half, s1 + half + 1
    n_avg = round(acc_average_s * fs) if acc_average_s else 1
    if n_avg > 1:  # the gyroscope averaged as the accelerometer was (earlier samples if given)
        g0 = max(lo - (n_avg - 1), 0)
        gyr = causal_mean(np.asarray(gyr_rad_s[g0:hi], dtype=np.float64), n_avg)[lo - g0 :]
    else:
        gyr = gyr_rad_s[lo:hi]
    disp, vel = stride_displacement(
        np.ascontiguousarray(acc_ms2[lo:hi], dtype=np.float64),
        np.ascontiguousarray(gyr, dtype=np.float64),
        1.0 / fs,
        n_level,
        half,
        lever_m,
    )
    vel = vel[half : vel.shape[0] - half]
    # products, not ``** 2``: a float64 scalar's power and an array's go through different
    # code in NumPy (pow or x * x, by version), and measure_strides must give the same bits
    d0, d1, d2 = float(disp[0]), float(disp[1]), float(disp[2])
    length = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    # over the stride time, not the time between the still instants: the sensor moves little
    # at either (a flat foot, or a shank turning slowly over it), so the distance hardly
    # depends on where in each stance the stillest sample fell, but that time does
    speed = length / t_stride
    vh = np.hypot(vel[:, 0], vel[:, 1])
    # the share of slow samples (np.count_nonzero / size: the value np.mean gives, exact
    # counts divided once, at a fraction of its cost per stride)
    slow = vh < STANCE_SPEED_FRAC * speed
    stance_frac = np.count_nonzero(slow) / slow.size if speed > 0 else 1.0
    gait = "run" if is_running(t_stride, stance_frac, length, height_m) else "walk"
    if fc_time_s is not None and 0.0 < fc_time_s < t_stride:
        stance = float(fc_time_s)
    else:
        stance = stance_frac * t_stride
    sd = REL_SD[gait]
    return StrideMeasure(t_stride, length, speed, stance, gait, sd * length, sd * speed, "zupt")


def measure_strides(
    acc_ms2: np.ndarray,
    gyr_rad_s: np.ndarray | None,
    cost: np.ndarray | None,
    lo: np.ndarray,
    hi: np.ndarray,
    ic0: np.ndarray,
    ic1: np.ndarray,
    sampling_rate_hz: float,
    *,
    height_m: float,
    fc_time_s: list[float | None],
    lever_m: float = SHANK_LEVER_M,
    acc_average_s: float | None = None,
) -> list[StrideMeasure | None]:
    """:func:`measure_stride` of many strides at once: stride ``j`` is measured on the slice
    ``lo[j]:hi[j]`` of the arrays, from contact ``ic0[j]`` to ``ic1[j]`` (indices into the whole
    arrays), with toe-off ``fc_time_s[j]``. The same numbers as
    ``measure_stride(acc_ms2[lo:hi], ..., ic0 - lo, ic1 - lo, ...)`` stride by stride, the
    integration of every stride in one kernel call (``gait/_kernels/_strides.py``)."""
    fs = sampling_rate_hz
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    ic0 = np.asarray(ic0, dtype=np.int64)
    ic1 = np.asarray(ic1, dtype=np.int64)
    n_avg = round(acc_average_s * fs) if acc_average_s else 1
    if gyr_rad_s is None or cost is None or n_avg > 1 or lo.size == 0:
        # no integration to batch (Alexander's relation), or the gyroscope averaged per slice
        return [
            measure_stride(
                acc_ms2[a:b],
                None if gyr_rad_s is None else gyr_rad_s[a:b],
                None if cost is None else cost[a:b],
                i0 - a,
                i1 - a,
                fs,
                height_m=height_m,
                fc_time_s=fc,
                lever_m=lever_m,
                acc_average_s=acc_average_s,
            )
            for a, b, i0, i1, fc in zip(
                lo.tolist(), hi.tolist(), ic0.tolist(), ic1.tolist(), fc_time_s, strict=True
            )
        ]
    from gait._kernels._strides import zupt_strides

    t_stride = (ic1 - ic0) / fs
    which = np.flatnonzero((t_stride >= MIN_STRIDE_TIME_S) & (t_stride <= MAX_STRIDE_TIME_S))
    ok, disp, vel_xy, start = zupt_strides(
        np.ascontiguousarray(acc_ms2, dtype=np.float64),
        np.ascontiguousarray(gyr_rad_s, dtype=np.float64),
        np.ascontiguousarray(cost, dtype=np.float64),
        lo[which],
        hi[which],
        ic0[which],
        ic1[which],
        round(STILL_WINDOW_S[0] * fs),
        round(STILL_WINDOW_S[1] * fs),
        round(STILL_HALF_S * fs),
        round(LEVEL_S * fs),
        1.0 / fs,
        float(lever_m),
    )
    # measure_stride's arithmetic, element-wise (products and sums are exactly rounded, the
    # same bits in a scalar expression and in NumPy's array loops)
    dx, dy, dz = disp[:, 0], disp[:, 1], disp[:, 2]
    length = np.sqrt(dx * dx + dy * dy + dz * dz)
    t_sel = t_stride[which]
    speed = length / t_sel
    size = np.diff(start)
    vh = np.hypot(vel_xy[:, 0], vel_xy[:, 1])
    slow = vh < np.repeat(STANCE_SPEED_FRAC * speed, size)
    n_slow = np.concatenate([[0], np.cumsum(slow)])
    n_slow = n_slow[start[1:]] - n_slow[start[:-1]]
    with np.errstate(invalid="ignore", divide="ignore"):
        stance_frac = np.where(speed > 0, n_slow / np.maximum(size, 1), 1.0)
    out: list[StrideMeasure | None] = [None] * lo.size
    rows = zip(
        which.tolist(),
        ok.tolist(),
        t_sel.tolist(),
        length.tolist(),
        speed.tolist(),
        stance_frac.tolist(),
        strict=True,
    )
    for j, found, t, d, v, frac in rows:
        if not found:
            continue
        gait = "run" if is_running(t, frac, d, height_m) else "walk"
        fc = fc_time_s[j]
        stance = float(fc) if fc is not None and 0.0 < fc < t else frac * t
        sd = REL_SD[gait]
        out[j] = StrideMeasure(t, d, v, stance, gait, sd * d, sd * v, "zupt")
    return out
