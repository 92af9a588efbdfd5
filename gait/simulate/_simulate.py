"""simulate(): plan → leg kinematics → ideal IMU → real IMU → labelled session."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gait.labels import LabelInterval, StepLabel
from gait.simulate._body import LegTrajectory, leg_trajectory
from gait.simulate._physics import (
    contact_arrest,
    contact_transient,
    rotational_transient,
    second_derivative,
    shock_transient,
    soft_tissue,
    specific_force,
    zyx_body_rates,
    zyx_matrices,
)
from gait.simulate._plan import Plan, build_plan, draw_person
from gait.simulate._sensor import sample_sensor
from gait.simulate._spec import SessionSpec, rotation_matrix
from gait.types import SampleBlock, Session, SessionMeta, Subject

SIMULATOR_VERSION = "18"

#: The tibial shock of a landing on a shank sensor (simulator v7): a transient along the mean
#: of the arrival direction and the downward vertical (the shock runs mostly along the tibia;
#: Lafortune 1991, Lafortune et al. 1996), of this share of the impact peak, with the foot's
#: time constant times ``SHANK_TRANSIENT_TAU_FACTOR`` (the shoe and heel pad pass less of the
#: high frequencies up the leg). A heel strike's transient on the tibia rises within about
#: 10-20 ms of contact (Whittle 1999; Light et al. 1980), so the shank's |acc| peaks at contact
#: as the mocap walker's does, not 90 ms later at foot-flat as in v6.
SHANK_TRANSIENT_GAIN = 0.6
SHANK_TRANSIENT_TAU_FACTOR = 2.0


@dataclass
class SimulationTruth:
    """What really happened, on the simulator's fine internal grid (for tests and reports)."""

    t_s: np.ndarray
    sensor_pos_m: np.ndarray
    rot: np.ndarray  # (n, 3, 3) sensor-to-world
    acc_lin_ms2: np.ndarray  # linear acceleration of the sensor, world axes (with wobble)
    acc_ms2: np.ndarray  # ideal specific force, sensor axes
    gyr_dps: np.ndarray  # ideal angular rate, sensor axes
    leg: LegTrajectory
    plan: Plan
    mounting: np.ndarray
    segment: str


@dataclass
class SimulationResult:
    """A simulated session, its labels, its per-contact truth and the full kinematic truth."""

    session: Session
    intervals: list[LabelInterval]
    steps: list[StepLabel]
    truth: SimulationTruth

    def swings_idx(self, *, straight_only: bool = False) -> np.ndarray:
        """``(k, 2)`` ``[toe_off_idx, contact_idx]`` of the sensor foot's swings (sample indices).

        The same layout as the IPOL annotations, so ``gait.evaluation.score_contacts`` applies.
        ``straight_only`` leaves out swings that change heading by more than 5°.
        """
        t = self.session.samples.t_s
        out = []
        for a, b in itertools.pairwise(self.truth.plan.stances):
            if not (a.real_to and b.real_ic):
                continue
            if straight_only and abs(b.yaw_rad - a.yaw_rad) > math.radians(5.0):
                continue
            out.append([np.searchsorted(t, a.t_to), np.searchsorted(t, b.t_ic)])
        return np.array(out, dtype=np.int64).reshape(-1, 2)


def simulate(spec: SessionSpec, seed: int = 0, *, internal_rate_hz: float | None = None):
    """Simulate one labelled session; everything random comes from ``seed``."""
    rng = np.random.default_rng(seed)
    sensor = spec.sensor
    person = draw_person(spec.subject, rng)
    plan = build_plan(spec, person, rng)
    fs = float(sensor.sampling_rate_hz)
    fs_int = internal_rate_hz or max(1000.0, 2.0 * fs)
    dt = 1.0 / fs_int
    duration = plan.duration_s
    t = np.arange(0.0, duration + 0.05, dt)
    leg = leg_trajectory(plan, t, rng)

    left = sensor.placement.startswith("left")
    side = 1.0 if left else -1.0
    segment = "foot" if sensor.placement.endswith("foot") else "ankle"
    roll = np.radians(side * leg.roll_deg)
    if segment == "ankle":
        pitch = -np.radians(leg.theta_deg)
        lat = (1.0 if sensor.side == "lateral" else -1.0) * side
        offset = np.array([0.01, lat * 0.035 * person.height_m / 1.75, sensor.height_above_ankle_m])
    else:
        pitch = -np.radians(leg.alpha_deg)
        offset = np.array(
            [0.45 * person.foot_m - person.heel_to_ankle_m, 0.0, -0.1 * person.ankle_height_m]
        )
    # Contact vibration of the segment: foot slap / tibial vibration (pitch, some roll).
    scale_rot = 1.0 if segment == "foot" else 0.45
    for st in plan.stances:
        if not st.real_ic or st.stride is None:
            continue
        sign = -1.0 if st.alpha_ic_deg > 2.0 else 1.0  # heel: toe-down slap; forefoot: heel drop
        peak = scale_rot * 6.0 * st.impact_peak_ms2 * float(rng.uniform(0.7, 1.3))
        f_w = float(rng.uniform(18.0, 32.0))
        tau_w = float(rng.uniform(0.012, 0.025))
        sl, d_deg = rotational_transient(t, st.t_ic, peak, f_w, tau_w)
        # the segment pitch is -(theta or alpha): a toe-down slap is a positive pitch increment
        pitch[sl] += np.radians(-sign * d_deg)
        roll[sl] += np.radians(float(rng.normal(0.0, 0.3)) * d_deg)
    # rotation about the segment's own long axis, last in the chain: R = Rz Ry Rx Rz(axial)
    axial = np.radians(side * leg.axial_deg) if leg.axial_deg is not None else np.zeros_like(t)
    r_seg = zyx_matrices(leg.yaw_rad, pitch, roll) @ zyx_matrices(
        axial, np.zeros_like(t), np.zeros_like(t)
    )
    pos = leg.ankle_m + np.einsum("nij,j->ni", r_seg, offset)
    # The ground stops the velocity the limb arrives with, from the contact on (impact).
    arrivals = {round(tc, 9): (dv, da) for tc, dv, da in leg.arrivals}
    for st in plan.stances:
        if not st.real_ic or st.stride is None or round(st.t_ic, 9) not in arrivals:
            continue
        dv, da = arrivals[round(st.t_ic, 9)]
        # the arrest is over within the roll-down of the foot (loading response): the foot is
        # at rest on its footprint once flat
        sl, x_imp, _ = contact_arrest(t, st.t_ic, dv, da, st.impact_peak_ms2, st.load_s)
        pos[sl] += x_imp
    acc = second_derivative(pos, dt)

    # The sole of the shoe is stopped harder than the ankle (foot sensors), and the other
    # foot's contacts reach the sensor weakly, through the body.
    for st in plan.stances:
        if not st.real_ic or st.stride is None:
            continue
        if segment == "foot" and round(st.t_ic, 9) in arrivals:
            dv = arrivals[round(st.t_ic, 9)][0]
            d = dv / max(float(np.linalg.norm(dv)), 1e-9)
            sl, a_imp = contact_transient(t, st.t_ic, 0.8 * st.impact_peak_ms2, st.impact_tau_s, d)
            acc[sl] += a_imp
        elif segment == "ankle" and round(st.t_ic, 9) in arrivals:
            # the shock of the landing travels up the tibia, mostly along its long axis
            # (``SHANK_TRANSIENT_GAIN``)
            dv = arrivals[round(st.t_ic, 9)][0]
            d = dv / max(float(np.linalg.norm(dv)), 1e-9) + np.array([0.0, 0.0, -1.0])
            d /= max(float(np.linalg.norm(d)), 1e-9)
            sl, a_imp = contact_transient(
                t,
                st.t_ic,
                SHANK_TRANSIENT_GAIN * st.impact_peak_ms2,
                SHANK_TRANSIENT_TAU_FACTOR * st.impact_tau_s,
                d,
            )
            acc[sl] += a_imp
        for tc in st.contralateral_t_s:
            sl, a_imp = shock_transient(
                t,
                tc,
                sensor.contralateral_gain * st.impact_peak_ms2,
                0.012,
                np.array([0.0, 0.0, -1.0]),
            )
            acc[sl] += a_imp
    if segment == "ankle":
        f_n = sensor.soft_tissue_hz or float(rng.uniform(14.0, 26.0))
    else:
        f_n = sensor.soft_tissue_hz or float(rng.uniform(30.0, 50.0))
    zeta = float(rng.uniform(0.2, 0.4))
    if sensor.soft_tissue_damping is not None:
        zeta = float(sensor.soft_tissue_damping)
    acc = soft_tissue(acc, fs_int, f_n, zeta)

    mount = rotation_matrix(sensor.mounting, rng)
    rot = r_seg @ mount
    f_sensor = specific_force(acc, rot)
    w_body = _with_axial(zyx_body_rates(leg.yaw_rad, pitch, roll, dt), axial, dt)
    w_sensor_dps = np.degrees(w_body @ mount)

    sampled = sample_sensor(t, f_sensor, w_sensor_dps, duration, sensor, rng)
    block = SampleBlock(sampled.t_s, sampled.acc_ms2, sampled.gyr_dps, fs)
    device = {
        "model": "gait simulator",
        "simulator_version": SIMULATOR_VERSION,
        "seed": int(seed),
        "acc_range_g": sensor.acc_range_g,
        "gyr_range_dps": sensor.gyr_range_dps if sensor.has_gyro else None,
        "segment": "shank" if segment == "ankle" else "foot dorsum",
        "side": sensor.side if segment == "ankle" else None,
        "height_above_ankle_m": sensor.height_above_ankle_m if segment == "ankle" else None,
        "mounting_matrix": mount.round(6).tolist(),
        "soft_tissue_hz": round(f_n, 2),
        "soft_tissue_damping": round(zeta, 3),
        "contralateral_gain": round(sensor.contralateral_gain, 3),
        "acc_lowpass_hz": sensor.acc_lowpass_hz,
        "gyr_lowpass_hz": sensor.gyr_lowpass_hz,
        "acc_average_s": sensor.acc_average_s,
        "samples_lost": sampled.n_lost,
        "calibration": sampled.calibration,
    }
    meta = SessionMeta(
        sampling_rate_hz=fs,
        start_time_utc=spec.start_time_utc,
        placement=sensor.placement,
        subject=Subject(
            id=person.id,
            mass_kg=round(person.mass_kg, 1),
            height_m=round(person.height_m, 3),
            age_years=person.age_years,
        ),
        device=device,
    )
    session = Session(block, meta, None, sampled.gap_idx)
    intervals = [LabelInterval(a, b, d, s) for a, b, d, s in plan.intervals]
    foot_ipsi = "left" if left else "right"
    foot_contra = "right" if left else "left"
    steps = [
        StepLabel(
            round(tc, 4),
            foot_ipsi if who == "ipsi" else foot_contra,
            d,
            s,
            (
                ("speed_m_s", f"{v:.3f}"),
                ("gait", mode),
                ("fc_t_s", f"{t_fc:.4f}" if math.isfinite(t_fc) else ""),
            ),
        )
        for tc, who, d, s, v, mode, t_fc in sorted(plan.contacts)
        if 0.0 <= tc < duration
    ]
    truth = SimulationTruth(t, pos, rot, acc, f_sensor, w_sensor_dps, leg, plan, mount, segment)
    return SimulationResult(session, intervals, steps, truth)


def _with_axial(w_zyx: np.ndarray, axial: np.ndarray, dt: float) -> np.ndarray:
    """Body rates of R · Rz(axial) from those of R: Rz(axial)ᵀ w + (0, 0, d axial/dt)."""
    c, s = np.cos(axial), np.sin(axial)
    out = np.empty_like(w_zyx)
    out[:, 0] = c * w_zyx[:, 0] + s * w_zyx[:, 1]
    out[:, 1] = -s * w_zyx[:, 0] + c * w_zyx[:, 1]
    out[:, 2] = w_zyx[:, 2] + np.gradient(axial, dt)
    return out


def simulate_session(spec: SessionSpec, seed: int = 0):
    """``(Session, intervals, steps)`` of one simulated session (see :func:`simulate`)."""
    res = simulate(spec, seed)
    return res.session, res.intervals, res.steps


def write_labelled_session(
    result: SimulationResult, out_dir: str | Path, stem: str, *, gzip_csv: bool = False
) -> Path:
    """Write ``<stem>.csv`` (or ``.csv.gz``) + ``.json`` + ``.labels.csv`` + ``.steps.csv``.

    The gzip stream carries no file name or time stamp, so the bytes depend only on the data.
    """
    import gzip
    import shutil

    from gait.io import write_session
    from gait.labels import write_labels, write_steps

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}.csv"
    write_session(path, result.session.samples, result.session.meta)
    if gzip_csv:
        gz = out / f"{stem}.csv.gz"
        with open(path, "rb") as src, open(gz, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as dst:
                shutil.copyfileobj(src, dst)
        path.unlink()
        path = gz
    write_labels(out / f"{stem}.labels.csv", result.intervals)
    write_steps(out / f"{stem}.steps.csv", result.steps)
    return path
