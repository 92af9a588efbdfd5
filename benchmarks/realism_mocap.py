"""Simulated vs real shank motion, forward and backward: the SNU mocap set (virtual shank IMU).

Run from the repository root (about a minute):

    .venv/bin/python -m benchmarks.realism_mocap [--mocap DIR] [--seed 0]

(``--strike``: only the strike table, a few seconds) prints the per-contact aggregates of
issue 20 for the real mocap walker (``mocap_snu``, Apache-2.0,
read from ../shared) and for simulated sessions at the same speeds. ``benchmarks.realism_report``
puts the same table, and the rate and acceleration profiles around contact, into
docs/realism/README.md.

Two kinds of measure, each computed the same way on both sides:

- From the IMU alone (the simulated signals low-passed at 12 Hz like the mocap's),
  mount-invariant: the sagittal (swing) axis is the principal axis of the angular rate over the
  recording's swings, signed so that the swing rotation is positive; the shank's long axis is
  the mean specific force direction; "out of plane" is the rate perpendicular to the sagittal
  axis, split into the part about the long axis (axial rotation) and the rest (side tilt).
- From the positions (mocap: forward kinematics of the BVH, low-passed at 12 Hz as the virtual
  IMU is; simulator: the truth's sensor and foot points, low-passed the same way): peak speed
  of a point on the shank 5-7 cm above the ankle in swing over walking speed (called "ankle"
  below), its peak acceleration in swing, the vertical velocity and acceleration of the first
  contact point (heel forward, metatarsal heads backward) just before contact. The horizontal
  arrival of the same shank point (``arrival_measures``): its speed along the direction of
  travel at the contact over walking speed (negative: moving against the travel), its
  horizontal acceleration along the travel at the contact, and the largest horizontal
  deceleration in the swing's last ``LATE_SWING_S`` and when; also the ankle joint's speed at
  the contact (the simulator's ``arrival_speed_frac`` is the joint's; the shank point differs
  from it by the shank's rotation rate times 5-7 cm).
- ``a_e`` at the contact: the specific force along the sagittal horizontal e = u x g that the
  classifier's step features read (``gait.classify.features``; g the window's mean specific
  force, u the gyro's swing axis signed by the swing, so e points against the travel of a
  forward swing and ``a_e`` > 0 is a deceleration), in the features' 50 ms bins at
  ``AE_BINS_S`` (``ae_contact_bins``); by walking-speed band in ``ae_band_table``.

``--arrival``: only the arrival tables (per direction and strike, and ``a_e`` by speed band),
a few seconds.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.interpolate import CubicSpline

from gait.consts import GRAVITY_MS2
from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate

REPO = Path(__file__).resolve().parents[1]
FS = 100.0
#: Profiles around contact: -0.8 .. +0.6 s in 10 ms.
PROFILE_T = np.round(np.arange(-0.8, 0.6001, 0.01), 3)
#: Walking speeds (m/s) compared "at the same speed": the mocap walker's slow range, where both
#: its backward clips and its slow forward clips lie.
SAME_SPEED = (0.45, 0.8)
#: Half-width (s) of the window about contact searched for the peak of |acc|.
ACC_PEAK_WINDOW_S = 0.15
#: The swing's end (s before the contact) searched for its largest horizontal deceleration: the
#: terminal swing, where the walker's ankle decelerates hardest 70-80 ms before the contact
#: (BENCHMARKS.md, the simulated landing's horizontal acceleration, session 23).
LATE_SWING_S = 0.3
#: Centres (s from the contact) of the step features' ``a_e`` bins read here: the contact bin
#: and its neighbours (the features' bins are ``gait.classify.features.BIN_S`` wide).
AE_BINS_S = (-0.05, 0.0, 0.05)
#: Walking-speed bands (m/s) of ``ae_band_table``: the walker's forward contacts in three
#: groups (medians about 0.62, 0.91, 1.18 m/s) around the simulated 0.6, 0.85, 1.1 m/s of
#: ``STRIKE_CONDITIONS``.
SPEED_BANDS = ((0.0, 0.75), (0.75, 1.05), (1.05, math.inf))


def mocap_dir(arg: str | None) -> Path | None:
    if arg:
        return Path(arg)
    env = os.environ.get("GAIT_SHARED_DIR")
    base = Path(env) if env else REPO.parent / "shared"
    p = base / "datasets" / "mocap_snu"
    return p if p.is_dir() else None


@dataclass
class Contact:
    """Measures of one contact of the instrumented foot and of the swing that ended there."""

    source: str
    direction: str
    strike: str
    speed_m_s: float
    swing_s: float
    peak_swing_dps: float
    peak_before_contact_s: float
    stance_median_dps: float
    burst_after_contact_dps: float
    axial_peak_dps: float
    tilt_peak_dps: float
    rate_profile: np.ndarray
    acc_profile: np.ndarray
    lobe_s: float = math.nan
    lobe_end_before_contact_s: float = math.nan
    reversal_dps: float = math.nan
    reversal_t_s: float = math.nan
    reversal_s: float = math.nan
    reversal_ratio: float = math.nan
    stance_rate_dps: float = math.nan
    ankle_peak_speed_ratio: float = math.nan
    ankle_peak_acc_ms2: float = math.nan
    point_vz_m_s: float = math.nan
    point_az_ms2: float = math.nan
    acc_peak_t_s: float = math.nan
    z_t_s: float = math.nan
    rev_z_t_s: float = math.nan
    acc_zr_peak_t_s: float = math.nan
    acc_raw_zr_peak_t_s: float = math.nan
    #: specific force along the shank's long axis around contact (``PROFILE_T``), m/s²
    along_profile: np.ndarray | None = None
    arrival_speed_ratio: float = math.nan
    arrival_acc_ms2: float = math.nan
    late_decel_ms2: float = math.nan
    late_decel_before_s: float = math.nan
    arrival_decel_frac: float = math.nan
    #: ``a_e`` (m/s²) in the step features' bins at ``AE_BINS_S``
    ae_before: float = math.nan
    ae_contact: float = math.nan
    ae_after: float = math.nan
    #: the ankle joint's (not the shank point's) speed along the travel at contact / speed
    joint_arrival_ratio: float = math.nan

    def set_arrival(self, m: dict[str, float]) -> None:
        for k, v in m.items():
            setattr(self, k, v)


def _lowpass(x: np.ndarray, fs: float, fc: float = 12.0) -> np.ndarray:
    b, a = signal.butter(2, fc / (fs / 2))
    return signal.filtfilt(b, a, x, axis=0)


def imu_measures(
    t: np.ndarray,
    acc: np.ndarray,
    gyr_dps: np.ndarray,
    swings: list[tuple[float, float, float | None]],
    acc_raw: np.ndarray | None = None,
) -> list[dict | None]:
    """IMU measures of each ``(t_lift, t_contact, t_next_lift)`` swing (mount-invariant);
    ``None`` where the recording does not cover the swing and its surroundings. ``acc_raw``:
    the acceleration as the sensor gives it (default ``acc``, already smooth)."""
    m = np.zeros(t.shape[0], bool)
    for t0, t1, _ in swings:
        m |= (t >= t0) & (t < t1)
    if m.sum() < 20:
        return [None] * len(swings)
    _, vec = np.linalg.eigh(gyr_dps[m].T @ gyr_dps[m])
    ax = vec[:, -1]
    r = gyr_dps @ ax
    if r[m].mean() < 0:
        r, ax = -r, -ax
    long_ax = acc.mean(axis=0)
    long_ax -= (long_ax @ ax) * ax
    long_ax /= np.linalg.norm(long_ax)
    tilt_ax = np.cross(ax, long_ax)
    axial = gyr_dps @ long_ax
    tilt = gyr_dps @ tilt_ax
    an = np.linalg.norm(acc, axis=1)
    an_raw = an if acc_raw is None else np.linalg.norm(acc_raw, axis=1)
    fs = 1.0 / float(t[1] - t[0])
    # the detector's view of the swing: the rate about the axis low-passed at 6 Hz
    b6, a6 = signal.butter(2, 6.0 / (fs / 2))
    r6 = signal.lfilter(b6, a6, gyr_dps @ ax)
    out = []
    for t0, t1, t2 in swings:
        sw = (t >= t0) & (t <= t1)
        if t1 + PROFILE_T[-1] > t[-1] or t1 + PROFILE_T[0] < t[0] or sw.sum() < 5:
            out.append(None)
            continue
        k = int(np.argmax(np.where(sw, r, -np.inf)))
        st_end = (t2 if t2 is not None else t1 + 0.4) - 0.05
        st = (t >= t1 + 0.05) & (t <= st_end)
        burst = (t >= t1) & (t <= t1 + 0.15)
        lobe = _swing_lobe(t, r, k, t1)
        # the |acc| peak around contact: the ground stopping the limb comes after contact
        near = (t >= t1 - ACC_PEAK_WINDOW_S) & (t <= t1 + ACC_PEAK_WINDOW_S)
        j = int(np.argmax(np.where(near, an, -np.inf)))
        zr = _z_reversal(t, r6, an, an_raw, t0, t1)
        out.append(
            {
                **lobe,
                **zr,
                "acc_peak_t_s": float(t[j] - t1),
                "swing_s": t1 - t0,
                "peak_swing_dps": float(r[k]),
                "peak_before_contact_s": float(t1 - t[k]),
                "stance_median_dps": float(np.median(np.abs(r[st]))) if st.any() else math.nan,
                "burst_after_contact_dps": float(np.abs(r[burst]).max()),
                "axial_peak_dps": float(np.abs(axial[sw]).max()),
                "tilt_peak_dps": float(np.abs(tilt[sw]).max()),
                "rate_profile": np.interp(t1 + PROFILE_T, t, r),
                "acc_profile": np.interp(t1 + PROFILE_T, t, an),
                "along_profile": np.interp(t1 + PROFILE_T, t, acc @ long_ax),
            }
        )
    return out


def _z_reversal(
    t: np.ndarray, r6: np.ndarray, an: np.ndarray, an_raw: np.ndarray, t0: float, t1: float
) -> dict[str, float]:
    """Where the acceleration norm peaks between the swing lobe's end ``Z`` and the reversal
    after it, as ``gait.steps`` looks (its rule 4), relative to the contact ``t1``.

    ``r6``: the rate about the swing axis low-passed at 6 Hz (causal, as the detector's), swing
    positive. The lobe is the one that peaks between lift-off and contact + 0.1 s; ``Z`` is where
    it falls below 10 % of its peak; the reversal is the rate's least value after ``Z``,
    confirmed once the rate has risen back by 10 % of it (at least 5 deg/s) or 0.3 s after
    ``Z``. Times (s, from contact): ``z_t_s``, ``rev_z_t_s``, and the peak of the norm from
    50 ms before ``Z`` to the reversal, smooth (``acc_zr_peak_t_s``) and as the sensor gives it
    (``acc_raw_zr_peak_t_s``)."""
    nan = dict.fromkeys(("z_t_s", "rev_z_t_s", "acc_zr_peak_t_s", "acc_raw_zr_peak_t_s"), math.nan)
    sw = np.flatnonzero((t >= t0) & (t <= t1 + 0.1))
    if sw.size < 5:
        return nan
    k = int(sw[np.argmax(r6[sw])])
    j = k
    while j < r6.size - 1 and r6[j] > 0.1 * r6[k]:
        j += 1
    fs = 1.0 / float(t[1] - t[0])
    m, rmin = j, r6[j]
    i = j
    while i < r6.size - 1 and i - j < round(0.3 * fs):
        i += 1
        if r6[i] < rmin:
            m, rmin = i, r6[i]
        elif r6[i] >= rmin + max(5.0, 0.1 * abs(rmin)):
            break
    lo = max(j - round(0.05 * fs), 0)
    p = lo + int(np.argmax(an[lo : m + 1]))
    q = lo + int(np.argmax(an_raw[lo : m + 1]))
    return {
        "z_t_s": float(t[j] - t1),
        "rev_z_t_s": float(t[m] - t1),
        "acc_zr_peak_t_s": float(t[p] - t1),
        "acc_raw_zr_peak_t_s": float(t[q] - t1),
    }


def _swing_lobe(t: np.ndarray, r: np.ndarray, k: int, t1: float) -> dict[str, float]:
    """The swing lobe of the rate ``r`` (swing positive) that peaks at ``k``, and the rotation
    in the opposite sense that follows it before the contact at ``t1``.

    Lobe: from the zero crossing before the peak to where the rate falls to 10 % of the peak.
    Reversal: the rate's most negative value between the lobe's end and 0.1 s after contact,
    its time from contact (negative = before), and how long the rate stays below half of it.
    Stance rate: the median rate 0.15-0.45 s after contact (signed).
    """
    i = k
    while i > 0 and r[i] > 0:
        i -= 1
    j = k
    while j < r.size - 1 and r[j] > 0.1 * r[k]:
        j += 1
    win = np.flatnonzero((t >= t[j]) & (t <= t1 + 0.1))
    nan = dict.fromkeys(("reversal_dps", "reversal_t_s", "reversal_s", "reversal_ratio"), math.nan)
    out = {"lobe_s": float(t[j] - t[i]), "lobe_end_before_contact_s": float(t1 - t[j]), **nan}
    if win.size:
        m = int(win[np.argmin(r[win])])
        a, b = m, m
        while a > 0 and r[a] < r[m] / 2:
            a -= 1
        while b < r.size - 1 and r[b] < r[m] / 2:
            b += 1
        out.update(
            reversal_dps=float(r[m]),
            reversal_t_s=float(t[m] - t1),
            reversal_s=float(t[b] - t[a]),
            reversal_ratio=float(-r[m] / r[k]),
        )
    st = (t >= t1 + 0.15) & (t <= t1 + 0.45)
    out["stance_rate_dps"] = float(np.median(r[st])) if st.any() else math.nan
    return out


def _point_measures(
    tt: np.ndarray, ankle: np.ndarray, point_z: np.ndarray, t0: float, t1: float, speed: float
) -> tuple[float, float, float, float]:
    """(peak horizontal ankle speed / speed, peak |ankle acceleration|, vertical velocity of the
    contact point 20 ms before contact, its largest downward acceleration in the last 150 ms)."""
    dt = tt[1] - tt[0]
    v = np.gradient(ankle, dt, axis=0)
    a = np.gradient(v, dt, axis=0)
    vz = np.gradient(point_z, dt)
    az = np.gradient(vz, dt)
    sw = (tt >= t0) & (tt <= t1)
    late = (tt >= t1 - 0.15) & (tt <= t1)
    i20 = int(np.searchsorted(tt, t1 - 0.02))
    return (
        float(np.linalg.norm(v[sw, :2], axis=1).max() / max(speed, 0.1)),
        float(np.linalg.norm(a[sw], axis=1).max()),
        float(vz[i20]),
        float(az[late].min()),
    )


def arrival_measures(
    tt: np.ndarray, pos: np.ndarray, t0: float, t1: float, speed: float
) -> dict[str, float]:
    """The horizontal arrival at the contact ``t1`` of a point with positions ``pos`` (n, 3),
    z up, on the uniform grid ``tt``, after the swing from ``t0``: the direction of travel is
    the point's horizontal displacement from ``t0`` to ``t1``; along it, the speed at ``t1``
    over ``speed`` (negative: moving against the travel), the acceleration at ``t1`` (m/s²),
    the most negative acceleration (the largest deceleration) in the last ``LATE_SWING_S`` of
    the swing, how long before ``t1`` it falls, and the acceleration at ``t1`` over it (1: the
    deceleration peaks at the contact; 0: it is over). NaN where the point does not travel."""
    dt = float(tt[1] - tt[0])
    i0, i1 = (int(np.argmin(np.abs(tt - x))) for x in (t0, t1))
    d = pos[i1, :2] - pos[i0, :2]
    nd = float(np.linalg.norm(d))
    nan = dict.fromkeys(
        (
            "arrival_speed_ratio",
            "arrival_acc_ms2",
            "late_decel_ms2",
            "late_decel_before_s",
            "arrival_decel_frac",
        ),
        math.nan,
    )
    if nd < 0.05 or i1 - i0 < 5:
        return nan
    lo = max(i0 - 5, 0)
    hi = min(i1 + 6, tt.size)
    v = np.gradient(pos[lo:hi, :2] @ (d / nd), dt)
    a = np.gradient(v, dt)
    j1 = i1 - lo
    late = np.flatnonzero((tt[lo:hi] >= max(t0, t1 - LATE_SWING_S)) & (np.arange(hi - lo) <= j1))
    k = int(late[np.argmin(a[late])])
    return {
        "arrival_speed_ratio": float(v[j1] / max(speed, 0.1)),
        "arrival_acc_ms2": float(a[j1]),
        "late_decel_ms2": float(a[k]),
        "late_decel_before_s": float(tt[i1] - tt[lo + k]),
        "arrival_decel_frac": float(a[j1] / a[k]) if a[k] < 0 else math.nan,
    }


def ae_contact_bins(
    t: np.ndarray, acc: np.ndarray, gyr_dps: np.ndarray, t_contacts: list[float]
) -> np.ndarray:
    """``a_e`` (m/s²) as the classifier's step features read it
    (``gait.classify.features.contact_features``), in the bins at ``AE_BINS_S`` around each
    contact time: shape (len(t_contacts), len(AE_BINS_S)), NaN where a bin leaves the data."""
    from gait.classify import features as feat
    from gait.types import SampleBlock

    fs = 1.0 / float(np.median(np.diff(t)))
    block = SampleBlock(
        np.asarray(t, float), np.asarray(acc, float), np.asarray(gyr_dps, float), fs
    )
    idx = feat.contact_index(block.t_s, np.asarray(t_contacts, float))
    X = feat.contact_features(block, idx)
    names = feat.contact_feature_names()
    cols = [names.index(f"a_e@{o:+.2f}s") for o in AE_BINS_S]
    return X[:, cols]


def _set_ae(c: Contact, row: np.ndarray) -> None:
    c.ae_before, c.ae_contact, c.ae_after = (float(x) for x in row)


def _load_virtual_imu():
    path = REPO.parent / "shared" / "tools" / "virtual_imu.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("virtual_imu", path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def mocap_contacts(root: Path, *, kinematics: bool = True) -> list[Contact]:
    """Every contact of the mocap set with a swing before it (both legs of every clip)."""
    detail = list(csv.DictReader(open(root / "events_detail.csv")))
    vimu = _load_virtual_imu() if kinematics else None
    out = []
    for clip in sorted({d["trial"] for d in detail}):
        trial = None
        if vimu is not None:
            bvh = root / "bvh" / (clip.replace("snu_", "") + ".bvh")
            if bvh.exists():
                trial = vimu.Trial(str(bvh), vimu.build_parser().parse_args([str(bvh)]))
                trial.fs = 1.0 / trial.dt
        for side in ("R", "L"):
            ev = [d for d in detail if d["trial"] == clip and d["foot"] == side]
            data = np.loadtxt(root / f"{clip}_{side}.csv", delimiter=",", skiprows=1)
            t, acc, gyr = data[:, 0], data[:, 1:4], np.degrees(data[:, 4:7])
            swings = []
            for i, e in enumerate(ev):
                nxt = float(ev[i + 1]["t_lift"]) if i + 1 < len(ev) else None
                swings.append((float(e["t_lift"]), float(e["t_contact"]), nxt))
            keys = [round(s[1], 3) for s in swings]
            imu = dict(zip(keys, imu_measures(t, acc, gyr, swings), strict=True))
            ae = dict(zip(keys, ae_contact_bins(t, acc, gyr, [s[1] for s in swings]), strict=True))
            kin = None
            if trial is not None:
                heel, ball = trial.foot_markers(side)
                ank = trial.P[trial.legs[side]["foot"].name]
                knee = trial.P[trial.legs[side]["shank"].name]
                ax_s = (knee - ank) / np.linalg.norm(knee - ank, axis=1, keepdims=True)
                joint = ank
                ank = ank + 0.05 * ax_s  # the sensor point, 5 cm up the shank
                up = np.array([0.0, 1.0, 0.0])
                # world axes with z up, as the simulator's
                conv = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])
                tt = np.arange(trial.t_src[0], trial.t_src[-1], 0.002)

                kin = (
                    tt,
                    *(
                        CubicSpline(trial.t_src, _lowpass(x, trial.fs), axis=0)(tt)
                        for x in (ank @ conv.T, heel @ up, ball @ up, joint @ conv.T)
                    ),
                )
            for e, (t0, t1, _) in zip(ev, swings, strict=True):
                if e["direction"] not in ("forward", "backward"):
                    continue
                x = imu.get(round(t1, 3))
                if x is None or t1 - t0 > 1.5:
                    continue
                c = Contact("mocap", e["direction"], e["strike"], float(e["speed_mps"]), **x)  # type: ignore[arg-type]
                _set_ae(c, ae[round(t1, 3)])
                if kin is not None and t0 > kin[0][0] + 0.2 and t1 < kin[0][-1] - 0.2:
                    pz = kin[2] if e["first_point"] == "heel" else kin[3]
                    if e["first_point"] == "both":
                        pz = np.minimum(kin[2], kin[3])
                    (
                        c.ankle_peak_speed_ratio,
                        c.ankle_peak_acc_ms2,
                        c.point_vz_m_s,
                        c.point_az_ms2,
                    ) = _point_measures(kin[0], kin[1], pz, t0, t1, c.speed_m_s)
                    c.set_arrival(arrival_measures(kin[0], kin[1], t0, t1, c.speed_m_s))
                    c.joint_arrival_ratio = arrival_measures(kin[0], kin[4], t0, t1, c.speed_m_s)[
                        "arrival_speed_ratio"
                    ]
                out.append(c)
    return out


#: The mocap walker's size and stride (its BVH: hip joint 0.89 m above the floor, shank 0.42 m,
#: i.e. about 1.72 m tall in the simulator's proportions; strides of 0.96-1.0 m at 0.62-0.67
#: m/s in both directions, 1.2 x Alexander's relation), for simulated people like it.
WALKER = {"height_m": 1.72, "stride_factor": 1.2}


def _sim_spec(
    direction: str, strike: str | None, speed: float, i: int, walker: bool = False
) -> SessionSpec:
    return SessionSpec(
        bouts=(
            Bout("stand", 3.0),
            Bout("walk", 16.0, direction, strike, speed),
            Bout("stand", 3.0),
        ),
        subject=SubjectSpec(id=f"cmp-{i}", **(WALKER if walker else {})),
        sensor=SensorSpec(sampling_rate_hz=FS, placement="right_ankle" if i % 2 else "left_ankle"),
    )


#: Simulated conditions compared with the mocap walker: (direction, strike, speeds).
SIM_CONDITIONS = (
    ("forward", "heel", (0.6, 0.85, 1.25)),
    ("backward", "forefoot", (0.5, 0.6, 0.7)),
)


def sim_contacts(seed: int = 0, n_per_speed: int = 2, *, walker: bool = False) -> list[Contact]:
    """Contacts of simulated walking at the mocap walker's speeds (both directions); with
    ``walker``, backward only, by people of the walker's size and stride (``WALKER``)."""
    out = []
    i = 0
    for direction, strike, speeds in SIM_CONDITIONS:
        if walker and direction != "backward":
            continue
        for v in speeds:
            for _ in range(n_per_speed):
                res = simulate(_sim_spec(direction, strike, v, i, walker), seed + i)
                i += 1
                cs = contacts_of_simulation(res)
                for c in cs:
                    c.source = "sim-walker" if walker else "sim"
                out += cs
    return out


def _ankle_joint(res) -> np.ndarray:
    """The simulated ankle joint's positions with the ground's arrest of its arrival (the
    sensor point less its fixed offset from the ankle turned with the segment; the offset is
    the median over the session, the arrest being zero outside the first ~0.1 s of stances)."""
    tr = res.truth
    r_seg = tr.rot @ tr.mounting.T
    rel = np.einsum("nji,nj->ni", r_seg, tr.sensor_pos_m - tr.leg.ankle_m)
    return tr.sensor_pos_m - r_seg @ np.median(rel, axis=0)


def contacts_of_simulation(res) -> list[Contact]:
    """The same measures on a simulated session (truth events and kinematics)."""
    s = res.session.samples
    plan = res.truth.plan
    person = plan.person
    swings, info = [], []
    sts = plan.stances
    for j in range(1, len(sts)):
        a, b = sts[j - 1], sts[j]
        if not (a.real_to and b.real_ic) or b.stride is None:
            continue
        nxt = b.t_to if b.real_to else None
        swings.append((a.t_to, b.t_ic, nxt))
        info.append(b)
    keys = [round(sw[1], 4) for sw in swings]
    # the virtual IMU of the mocap set carries nothing above ~12 Hz: compare like with like
    acc = _lowpass(s.acc_ms2, s.sampling_rate_hz)
    gyr = _lowpass(s.gyr_dps, s.sampling_rate_hz)
    by_t = dict(zip(keys, imu_measures(s.t_s, acc, gyr, swings, s.acc_ms2), strict=True))
    ae = dict(zip(keys, ae_contact_bins(s.t_s, acc, gyr, [sw[1] for sw in swings]), strict=True))
    leg = res.truth.leg
    t_int = leg.t_s
    step = max(round(0.002 / (t_int[1] - t_int[0])), 1)
    tt = t_int[::step]
    fs_k = 1.0 / (tt[1] - tt[0])
    # the sensor point (on the shank, impact arrest included), as on the mocap side
    ank = _lowpass(res.truth.sensor_pos_m[::step], fs_k)
    joint = _lowpass(_ankle_joint(res)[::step], fs_k)
    a = np.radians(leg.alpha_deg[::step])
    z = leg.ankle_m[::step, 2]
    drop = person.ankle_height_m * np.cos(a)
    heel_z = _lowpass(z - person.heel_to_ankle_m * np.sin(a) - drop, fs_k)
    mtp_z = _lowpass(
        leg.ankle_m[::step, 2]
        + (person.heel_to_mtp_m - person.heel_to_ankle_m) * np.sin(a)
        - person.ankle_height_m * np.cos(a),
        fs_k,
    )
    out = []
    for (t0, t1, _), b in zip(swings, info, strict=True):
        x = by_t.get(round(t1, 4))
        if x is None:
            continue
        sr = b.stride
        c = Contact("sim", sr.direction, sr.strike, sr.speed_m_s, **x)  # type: ignore[arg-type]
        pz = heel_z if b.alpha_ic_deg > 0 else mtp_z
        (
            c.ankle_peak_speed_ratio,
            c.ankle_peak_acc_ms2,
            c.point_vz_m_s,
            c.point_az_ms2,
        ) = _point_measures(tt, ank, pz, t0, t1, sr.speed_m_s)
        c.set_arrival(arrival_measures(tt, ank, t0, t1, sr.speed_m_s))
        c.joint_arrival_ratio = arrival_measures(tt, joint, t0, t1, sr.speed_m_s)[
            "arrival_speed_ratio"
        ]
        _set_ae(c, ae[round(t1, 4)])
        out.append(c)
    return out


ROWS = (
    ("swing duration (s)", "swing_s"),
    ("peak swing rotation rate (deg/s)", "peak_swing_dps"),
    ("time of that peak before contact (s)", "peak_before_contact_s"),
    ("median stance rotation rate (deg/s)", "stance_median_dps"),
    ("peak rate 0-150 ms after contact (deg/s)", "burst_after_contact_dps"),
    ("peak rate about the shank long axis in swing (deg/s)", "axial_peak_dps"),
    ("peak side-tilt rate in swing (deg/s)", "tilt_peak_dps"),
    ("peak ankle speed in swing / walking speed", "ankle_peak_speed_ratio"),
    ("peak ankle acceleration in swing (g)", "ankle_peak_acc_ms2"),
    ("contact point vertical velocity 20 ms before contact (m/s)", "point_vz_m_s"),
    ("largest downward acceleration of the contact point, last 150 ms (m/s²)", "point_az_ms2"),
    ("ankle horizontal speed along the travel at contact / walking speed", "arrival_speed_ratio"),
    ("ankle horizontal acceleration along the travel at contact (m/s², 12 Hz)", "arrival_acc_ms2"),
    ("largest ankle horizontal deceleration, swing's last 0.3 s (m/s²)", "late_decel_ms2"),
    ("time of that deceleration before contact (s)", "late_decel_before_s"),
    ("ankle horizontal acceleration at contact / that deceleration", "arrival_decel_frac"),
    (
        "ankle joint (not the sensor point) speed along the travel at contact / walking speed",
        "joint_arrival_ratio",
    ),
    ("a_e (step features, m/s²) in the contact bin", "ae_contact"),
)


def groups(contacts: list[Contact]) -> dict[str, list[Contact]]:
    """Forward / backward at the same (slow) speeds, and forward at any speed."""
    lo, hi = SAME_SPEED
    same = [c for c in contacts if lo <= c.speed_m_s <= hi]
    return {
        "forward": [c for c in same if c.direction == "forward"],
        "backward": [c for c in same if c.direction == "backward"],
        "forward, all speeds": [c for c in contacts if c.direction == "forward"],
    }


def _med(cs: list[Contact], attr: str) -> float:
    x = np.array([getattr(c, attr) for c in cs], dtype=float)
    x = x[np.isfinite(x)]
    if attr == "ankle_peak_acc_ms2":
        x = x / GRAVITY_MS2
    return float(np.median(x)) if x.size else math.nan


def summary_table(real: list[Contact], sim: list[Contact]) -> list[str]:
    """Markdown table: medians per group, mocap and simulated, and the backward/forward ratios."""
    gr, gs = groups(real), groups(sim)
    names = ["forward", "backward"]
    lines = [
        "| quantity (median) | mocap fwd | mocap bwd | sim. fwd | sim. bwd | mocap bwd/fwd "
        "| sim. bwd/fwd |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, attr in ROWS:
        vals = [_med(g[n], attr) for g in (gr, gs) for n in names]
        rr = vals[1] / vals[0] if vals[0] else math.nan
        rs = vals[3] / vals[2] if vals[2] else math.nan
        lines.append(
            f"| {label} | " + " | ".join(f"{v:.3g}" for v in vals) + f" | {rr:.2f} | {rs:.2f} |"
        )
    lines.append(
        f"| contacts | {len(gr['forward'])} | {len(gr['backward'])} | {len(gs['forward'])} | "
        f"{len(gs['backward'])} | | |"
    )
    sp = [np.median([c.speed_m_s for c in g[n]]) for g in (gr, gs) for n in names]
    lines.append("| walking speed (m/s) | " + " | ".join(f"{v:.2f}" for v in sp) + " | | |")
    return lines


def _segment_angle_deg(d: np.ndarray, facing: np.ndarray, up: np.ndarray, fs: float) -> np.ndarray:
    """Sagittal angle (deg) from the downward vertical of the segment vector ``d`` (proximal to
    distal), positive with the distal end ahead in the ``facing`` direction; low-passed at 12 Hz."""
    return _lowpass(np.degrees(np.arctan2(np.sum(d * facing, axis=1), -(d @ up))), fs)


def walker_cycles(root: Path, direction: str, d_ref: float) -> np.ndarray:
    """The mocap walker's thigh and shank sagittal segment angles (deg; distal end ahead of
    proximal end in the facing direction, as ``gait.simulate._curves``), one row per stride at
    the same speeds (``SAME_SPEED``): shape (n, 2, 101), stance mapped onto [0, d_ref) of the
    cycle and swing (from the ``t_lift`` of the next contact) onto [d_ref, 1]."""
    detail = list(csv.DictReader(open(root / "events_detail.csv")))
    vimu = _load_virtual_imu()
    if vimu is None:
        raise SystemExit("../shared/tools/virtual_imu.py not found")
    key = "Backward" if direction == "backward" else "Forward"
    lo, hi = SAME_SPEED
    out = []
    for clip in sorted({d["trial"] for d in detail}):
        if f"Walk{key}" not in clip:
            continue
        bvh = root / "bvh" / (clip.replace("snu_", "") + ".bvh")
        trial = vimu.Trial(str(bvh), vimu.build_parser().parse_args([str(bvh)]))
        _, _, facing = trial.pelvis()
        fs = 1.0 / trial.dt
        for side in ("R", "L"):
            leg = trial.legs[side]
            hip, knee, ank = (trial.P[leg[k].name] for k in ("thigh", "shank", "foot"))

            th = _segment_angle_deg(knee - hip, facing, trial.up, fs)
            sh = _segment_angle_deg(ank - knee, facing, trial.up, fs)
            ev = [d for d in detail if d["trial"] == clip and d["foot"] == side]
            for a, b in itertools.pairwise(ev):
                if {a["direction"], b["direction"]} != {direction}:
                    continue
                if not lo <= float(a["speed_mps"]) <= hi:
                    continue
                t0, t1, tl = float(a["t_contact"]), float(b["t_contact"]), float(b["t_lift"])
                ph = np.linspace(0.0, 1.0, 101)
                tq = np.where(
                    ph < d_ref,
                    t0 + ph / d_ref * (tl - t0),
                    tl + (ph - d_ref) / (1.0 - d_ref) * (t1 - tl),
                )
                out.append([np.interp(tq, trial.t_src, th), np.interp(tq, trial.t_src, sh)])
    return np.array(out)


#: Extra gain on the backward excursion (``gait.simulate._curves._BACK_WALK``, where its reason
#: is written down).
BACK_GAIN = 0.8


def backward_key_points(root: Path) -> list[tuple[float, float, float]]:
    """The simulator's backward walking key points (phase, thigh, shank) from the walker: its
    median backward cycle relative to its median forward cycle, mapped onto the forward
    reference curves (mean + k * (backward - walker forward mean), k = reference range / walker
    forward range per segment, times ``BACK_GAIN``), every 0.04 of the cycle."""
    from gait.simulate import _curves

    d_back = _curves.REFERENCE_DUTY_BACK["walk"]
    bw = np.median(walker_cycles(root, "backward", d_back), axis=0)
    fw = np.median(walker_cycles(root, "forward", _curves.REFERENCE_DUTY["walk"]), axis=0)
    x = np.linspace(0.0, 1.0, 400, endpoint=False)
    pts = []
    new = []
    for i, seg in enumerate(("thigh", "shank")):
        ref = _curves.evaluate(_curves.fourier_coefficients("walk", seg, "forward"), x)
        k = BACK_GAIN * np.ptp(ref) / np.ptp(fw[i])
        new.append(ref.mean() + k * (bw[i] - fw[i][:100].mean()))
    for j in range(0, 100, 4):
        pts.append((j / 100, round(float(new[0][j]), 1), round(float(new[1][j]), 1)))
    return pts


LOBE_ROWS = (
    ("swing lobe, zero crossing to 10 % of its peak (s)", "lobe_s"),
    ("swing peak (deg/s)", "peak_swing_dps"),
    ("time from the swing peak to contact (s)", "peak_before_contact_s"),
    ("end of the lobe before contact (s)", "lobe_end_before_contact_s"),
    ("opposite-sense rotation before contact, extreme (deg/s)", "reversal_dps"),
    ("time of that extreme from contact (s)", "reversal_t_s"),
    ("its duration below half its depth (s)", "reversal_s"),
    ("its depth / the swing peak", "reversal_ratio"),
    ("stance rate 0.15-0.45 s after contact (deg/s)", "stance_rate_dps"),
    ("time of the acceleration norm's peak within ±0.15 s of contact (s)", "acc_peak_t_s"),
    ("lobe end Z (6 Hz rate, 10 % of peak) from contact (s)", "z_t_s"),
    ("reversal after Z from contact (s)", "rev_z_t_s"),
    ("|acc| (12 Hz) peak, Z - 50 ms to reversal, from contact (s)", "acc_zr_peak_t_s"),
    ("|acc| (as sampled) peak, Z - 50 ms to reversal, from contact (s)", "acc_raw_zr_peak_t_s"),
)


def _spread(cs: list[Contact], attr: str) -> str:
    x = np.array([getattr(c, attr) for c in cs], dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return "-"
    lo, med, hi = np.percentile(x, [10, 50, 90])
    return f"{med:.3g} ({lo:.3g} to {hi:.3g})"


def lobe_table(real: list[Contact], sim: list[Contact], sim_walker: list[Contact]) -> list[str]:
    """Markdown table of the swing lobe and the reversal before contact: median (10th to 90th
    percentile) per group, at the same speeds."""
    gr, gs = groups(real), groups(sim)
    gw = groups(sim_walker)
    cols = (
        ("mocap bwd", gr["backward"]),
        ("sim. bwd", gs["backward"]),
        ("sim. bwd, walker's size and stride", gw["backward"]),
        ("mocap fwd", gr["forward"]),
        ("sim. fwd", gs["forward"]),
    )
    lines = [
        "| quantity: median (10th to 90th percentile) | " + " | ".join(c for c, _ in cols) + " |",
        "|---" * (len(cols) + 1) + "|",
    ]
    for label, attr in LOBE_ROWS:
        lines.append(f"| {label} | " + " | ".join(_spread(g, attr) for _, g in cols) + " |")
    lines.append("| contacts | " + " | ".join(str(len(g)) for _, g in cols) + " |")
    return lines


#: Simulated conditions of the strike comparison (issue 20, simulator v9): (direction, strike,
#: speeds); the mocap walker's forward contacts are taken at 0.5-1.2 m/s, its backward at any.
STRIKE_CONDITIONS = (
    ("forward", "heel", (0.6, 0.85, 1.1)),
    ("forward", "midfoot", (0.6, 0.85, 1.1)),
    ("forward", "forefoot", (0.6, 0.85, 1.1)),
    ("backward", "forefoot", (0.5, 0.6, 0.7)),
    ("backward", "heel", (0.5, 0.6, 0.7)),
)
#: Columns of the strike table: (label, profile, time from contact in s).
STRIKE_COLUMNS = (
    ("rate -0.05", "rate_profile", -0.05),
    ("rate 0", "rate_profile", 0.0),
    ("rate +0.05", "rate_profile", 0.05),
    ("rate +0.1", "rate_profile", 0.1),
    ("rate +0.15", "rate_profile", 0.15),
    ("along 0", "along_profile", 0.0),
    ("along +0.05", "along_profile", 0.05),
    ("along +0.1", "along_profile", 0.1),
    ("along +0.15", "along_profile", 0.15),
    ("|acc| +0.1", "acc_profile", 0.1),
    ("|acc| +0.3", "acc_profile", 0.3),
)


def sim_strike_contacts(seed: int = 0, n_per_speed: int = 2) -> list[Contact]:
    """Simulated walking contacts per direction and strike (``STRIKE_CONDITIONS``)."""
    out = []
    i = 0
    for direction, strike, speeds in STRIKE_CONDITIONS:
        for v in speeds:
            for _ in range(n_per_speed):
                res = simulate(_sim_spec(direction, strike, v, i), seed + 1000 + i)
                i += 1
                out += contacts_of_simulation(res)
    return out


def strike_table(real: list[Contact], sim: list[Contact]) -> list[str]:
    """Markdown table: per direction and strike, the sagittal rate (swing sense positive, so the
    stance sense is negative both ways), the specific force along the shank and |acc| (all at
    12 Hz) at times from the contact; medians. What tells heel from forefoot on a shank."""

    def at(c: Contact, prof: str, t: float) -> float:
        x = getattr(c, prof)
        return float(x[int(np.argmin(np.abs(PROFILE_T - t)))]) if x is not None else math.nan

    lines = [
        "| group | n | " + " | ".join(c for c, _, _ in STRIKE_COLUMNS) + " |",
        "|---|---" + "|---" * len(STRIKE_COLUMNS) + "|",
    ]
    for label, g in strike_groups(real, sim):
        vals = [np.median([at(c, p, t) for c in g]) for _, p, t in STRIKE_COLUMNS]
        lines.append(f"| {label} | {len(g)} | " + " | ".join(f"{v:.1f}" for v in vals) + " |")
    return lines


def _strike_of(c: Contact) -> str:
    return "midfoot" if c.strike == "flat" else c.strike


def strike_groups(
    real: list[Contact], sim: list[Contact], speeds: tuple[float, float] | None = None
) -> list[tuple[str, list[Contact]]]:
    """``(label, contacts)`` per direction and strike of ``STRIKE_CONDITIONS``, mocap then
    simulated (the mocap walker's forward heel and midfoot contacts at 0.5-1.2 m/s, the rest
    at any speed; with ``speeds`` = (lo, hi), both sides within [lo, hi)); empty groups left
    out."""
    out = []
    for direction, strike, _ in STRIKE_CONDITIONS:
        for name, cs in (("mocap", real), ("sim.", sim)):
            g = [c for c in cs if c.direction == direction and _strike_of(c) == strike]
            if speeds is not None:
                g = [c for c in g if speeds[0] <= c.speed_m_s < speeds[1]]
            elif name == "mocap" and direction == "forward" and strike != "forefoot":
                g = [c for c in g if 0.5 <= c.speed_m_s <= 1.2]
            if g:
                out.append((f"{name} {direction} {strike}", g))
    return out


#: Columns of the arrival tables: (label, ``Contact`` attribute).
ARRIVAL_COLUMNS = (
    ("speed (m/s)", "speed_m_s"),
    ("v/speed at IC", "arrival_speed_ratio"),
    ("joint v/speed at IC", "joint_arrival_ratio"),
    ("acc at IC (m/s²)", "arrival_acc_ms2"),
    ("peak decel, last 0.3 s (m/s²)", "late_decel_ms2"),
    ("its time before IC (s)", "late_decel_before_s"),
    ("acc at IC / peak decel", "arrival_decel_frac"),
    ("a_e -0.05", "ae_before"),
    ("a_e 0", "ae_contact"),
    ("a_e +0.05", "ae_after"),
)


def _arrival_row(label: str, g: list[Contact]) -> str:
    vals = []
    for _, attr in ARRIVAL_COLUMNS:
        x = np.array([getattr(c, attr) for c in g], dtype=float)
        x = x[np.isfinite(x)]
        vals.append(f"{np.median(x):.2f}" if x.size else "-")
    n = sum(math.isfinite(c.arrival_speed_ratio) for c in g)
    return f"| {label} | {len(g)} / {n} | " + " | ".join(vals) + " |"


def _arrival_header(first: str) -> list[str]:
    return [
        f"| {first} | n (IMU / positions) | " + " | ".join(c for c, _ in ARRIVAL_COLUMNS) + " |",
        "|---|---" + "|---" * len(ARRIVAL_COLUMNS) + "|",
    ]


def arrival_table(real: list[Contact], sim: list[Contact]) -> list[str]:
    """Markdown table: the ankle's (the shank point's) horizontal arrival at the contact and
    ``a_e`` in the step features' bins around it, per direction and strike (groups of
    ``strike_groups``); medians. Positions and signals at 12 Hz on both sides."""
    return _arrival_header("group") + [_arrival_row(lab, g) for lab, g in strike_groups(real, sim)]


def ae_band_table(real: list[Contact], sim: list[Contact]) -> list[str]:
    """Markdown table: the arrival columns of ``arrival_table`` for forward heel and forefoot
    contacts per walking-speed band (``SPEED_BANDS``), mocap beside simulated."""
    lines = _arrival_header("group, speed band (m/s)")
    for lo, hi in SPEED_BANDS:
        band = f"{lo:g}-{hi:g}" if math.isfinite(hi) else f">= {lo:g}"
        for label, g in strike_groups(real, sim, (lo, hi)):
            if label.split()[1:] in (["forward", "heel"], ["forward", "forefoot"]):
                lines.append(_arrival_row(f"{label}, {band}", g))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mocap", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--backward-key-points",
        action="store_true",
        help="print the simulator's backward walking key points as derived from the walker",
    )
    ap.add_argument(
        "--strike",
        action="store_true",
        help="only the strike table: shank signals around contact per direction and strike",
    )
    ap.add_argument(
        "--arrival",
        action="store_true",
        help="only the arrival tables: the ankle's horizontal arrival and a_e at contact",
    )
    args = ap.parse_args()
    root = mocap_dir(args.mocap)
    if root is None:
        raise SystemExit("mocap_snu not found: give --mocap DIR or set GAIT_SHARED_DIR")
    if args.backward_key_points:
        for p in backward_key_points(root):
            print(p)
        return
    if args.strike:
        real = mocap_contacts(root, kinematics=False)
        print("\n".join(strike_table(real, sim_strike_contacts(args.seed))))
        return
    if args.arrival:
        real = mocap_contacts(root)
        strike = sim_strike_contacts(args.seed)
        print("\n".join(arrival_table(real, strike)))
        print()
        print("\n".join(ae_band_table(real, strike)))
        return
    real = mocap_contacts(root)
    sim = sim_contacts(args.seed)
    print(f"mocap: {len(real)} contacts; simulated: {len(sim)}; same speed = {SAME_SPEED} m/s")
    print("\n".join(summary_table(real, sim)))
    print()
    print("\n".join(lobe_table(real, sim, sim_contacts(args.seed, walker=True))))
    print()
    strike = sim_strike_contacts(args.seed)
    print("\n".join(strike_table(real, strike)))
    print()
    print("\n".join(arrival_table(real, strike)))
    print()
    print("\n".join(ae_band_table(real, strike)))
    fa = groups(real)["forward, all speeds"]
    print(
        "mocap forward, all speeds: peak ankle speed ratio "
        f"{_med(fa, 'ankle_peak_speed_ratio'):.2f}, peak ankle acc "
        f"{_med(fa, 'ankle_peak_acc_ms2'):.2f} g, axial {_med(fa, 'axial_peak_dps'):.0f} deg/s"
    )


if __name__ == "__main__":
    main()
