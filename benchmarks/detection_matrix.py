"""Stress matrix of the contact detector: data x sampling rate x sensor, one set of parameters.

    python -m benchmarks.detection_matrix                  # every cell (about 2 minutes)
    python -m benchmarks.detection_matrix --data ipol --rates 100 --sensors recorded smoothed
    python -m benchmarks.detection_matrix --json matrix.json

Data (rows):
- ``IPOL``: the real IPOL healthy-gait foot recordings (``../shared/datasets/ipol_healthy``,
  AGPL-3.0, read in place), every annotated footstep; a detection matches a footstep lying in
  [toe-off - 0.1 s, heel strike + 0.1 s] (as ``benchmarks.eval_ipol``). ``IPOL held-out``: the
  subjects never looked at while developing (3, 8, 13, 18).
- ``mocap fwd`` / ``mocap bwd``: the real forward and backward walking of the SNU mocap set as a
  virtual shank IMU (``../shared/datasets/mocap_snu``); the instrumented foot's contacts more
  than 0.8 s from either end of a clip, matched within ±0.2 s.
- ``sim <gait> <direction> <strike>``: simulated shank sessions (``gait.simulate``), two people,
  two speeds each, starts and stops, random mounting; matched within ±0.1 s of the true contact.
  ``sim+body``: the same with the other foot's landing felt through the body and on-board
  low-pass filters (soft-tissue ringing after impacts is in both). On request
  (``--data sim-slow``): ``sim slow walk <direction> <strike>``, slow walkers (forward 0.4 and
  0.55 m/s, backward 0.3 and 0.45 m/s), as after a stroke or in old age.

Rates: IPOL and mocap are recorded at 100 Hz and resampled (polyphase, anti-aliased) to the
others; simulated sessions are simulated at each rate. Sensors: ``recorded``; ``smoothed``
(accelerometer through a 100 ms causal moving average, the gyroscope untouched, as some sensors
do on board); ``acc-only``; ``lost1pct`` (1 % of samples replaced by a repeat of the sample
before, as a device does when a packet is lost); ``rotated`` (a random fixed rotation);
``other-leg`` (the mirror image: the same sensor on the other leg). On request only: ``gyr500``
and ``gyr250`` (the gyroscope clipped at ±500 / ±250 deg/s), ``acc4g`` and ``acc2g`` (the
accelerometer clipped at ±4 / ±2 g), ``gyr-bias20`` (a fixed gyroscope offset of 20 deg/s
spread over the three axes, as an uncalibrated MEMS gyroscope may have).

Every cell runs what ``gait analyse`` runs before the detector: the gyroscope's offset,
learnt while the sensor lies still, is removed (``gait.offset``).

Each cell prints F1, precision, recall, the median and 90th percentile of |timing error| (ms)
and the number of true contacts; ``vs rec`` says how far F1 lies below the same data's
``recorded`` 100 Hz cell; ``TO F1`` and ``TO med`` score the toe-offs (final contacts) where
the truth has them (IPOL's annotated toe-offs, the simulator's), matched within ±0.1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.evaluation import ContactScore, score_contacts
from gait.offset import remove_gyro_offset
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

RATES = (50.0, 100.0, 200.0, 1000.0)
SENSORS = ("recorded", "smoothed", "acc-only", "lost1pct", "rotated", "other-leg")
#: Sensors set up badly, on request only (``--sensors``): ranges too small for the motion
#: (gait.quality warns about them) and an uncalibrated gyroscope's offset.
#: The clipping variants: which sensor is clipped, and its range (deg/s or g).
CLIPPED = {
    "gyr500": ("gyr", 500.0),
    "gyr250": ("gyr", 250.0),
    "acc4g": ("acc", 4.0),
    "acc2g": ("acc", 2.0),
}
RANGE_SENSORS = (*CLIPPED, "gyr-bias20")
HELD_OUT = frozenset({3, 8, 13, 18})
SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@dataclass
class Recording:
    """One recording at its native rate, with its truth as sample indices."""

    samples: SampleBlock
    #: IPOL: (k, 2) [toe-off, heel strike]; else (k,) contact indices to score
    truth_idx: np.ndarray
    #: contacts that may be detected but are not scored (mocap: near the clip's ends)
    ignore_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    group: str = ""
    #: true toe-offs (final contacts) of the instrumented foot as sample indices, if known
    fc_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


# --- sensor variants ---------------------------------------------------------------------------


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    c = np.cumsum(np.vstack([np.zeros((1, x.shape[1])), x]), axis=0)
    idx = np.arange(x.shape[0])
    lo = np.maximum(0, idx - n + 1)
    return (c[idx + 1] - c[lo]) / (idx + 1 - lo)[:, None]


def _mirror(samples: SampleBlock) -> SampleBlock:
    """The mirror image of the motion (the same sensor on the other leg): a reflection turns
    accelerations with it and angular rates (pseudo-vectors) against it."""
    m = np.diag([1.0, 1.0, -1.0])
    gyr = None if samples.gyr_dps is None else -(samples.gyr_dps @ m.T)
    return SampleBlock(samples.t_s, samples.acc_ms2 @ m.T, gyr, samples.sampling_rate_hz)


def sensor_variant(samples: SampleBlock, sensor: str, rng: np.random.Generator) -> SampleBlock:
    """The recording as the named sensor would have given it."""
    fs = samples.sampling_rate_hz
    if sensor == "recorded":
        return samples
    if sensor == "smoothed":
        acc = _moving_average(samples.acc_ms2, max(1, round(0.1 * fs)))
        return SampleBlock(samples.t_s, acc, samples.gyr_dps, fs)
    if sensor == "acc-only":
        return samples.without_gyro()
    if sensor == "lost1pct":
        n = samples.n_samples
        lost = np.sort(rng.choice(np.arange(1, n), size=max(1, n // 100), replace=False))
        src = np.arange(n)
        src[lost] = lost - 1
        for _ in range(3):  # a lost run repeats the last good sample
            src = src[src]
        gyr = None if samples.gyr_dps is None else samples.gyr_dps[src]
        return SampleBlock(samples.t_s, samples.acc_ms2[src], gyr, fs)
    if sensor == "rotated":
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        w, x, y, z = q
        r = np.array(
            [
                [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
            ]
        )
        return samples.rotated(r)
    if sensor == "other-leg":
        return _mirror(samples)
    if sensor in CLIPPED:
        which, lim = CLIPPED[sensor]
        if which == "acc":
            lim *= GRAVITY_MS2
            return SampleBlock(
                samples.t_s, np.clip(samples.acc_ms2, -lim, lim), samples.gyr_dps, fs
            )
        if samples.gyr_dps is not None:
            return SampleBlock(
                samples.t_s, samples.acc_ms2, np.clip(samples.gyr_dps, -lim, lim), fs
            )
    if sensor == "gyr-bias20" and samples.gyr_dps is not None:
        bias = 20.0 * np.array([0.6, -0.64, 0.48])  # |bias| = 20 deg/s
        return SampleBlock(samples.t_s, samples.acc_ms2, samples.gyr_dps + bias, fs)
    raise ValueError(f"unknown sensor variant {sensor!r}")


def resample(rec: Recording, fs_new: float) -> Recording:
    """A 100 Hz recording at another rate (polyphase, anti-aliased); truth indices follow."""
    from scipy.signal import resample_poly

    s = rec.samples
    fs = s.sampling_rate_hz
    if fs_new == fs:
        return rec
    up, down = round(fs_new), round(fs)
    g = np.gcd(up, down)
    up, down = up // g, down // g
    acc = resample_poly(s.acc_ms2, up, down, axis=0, padtype="line")
    gyr = None if s.gyr_dps is None else resample_poly(s.gyr_dps, up, down, axis=0, padtype="line")
    t = s.t_s[0] + np.arange(acc.shape[0]) / fs_new
    k = fs_new / fs
    return Recording(
        SampleBlock(t, acc, gyr, fs_new),
        np.round(rec.truth_idx * k).astype(np.int64),
        np.round(rec.ignore_idx * k).astype(np.int64),
        rec.group,
        np.round(rec.fc_idx * k).astype(np.int64),
    )


# --- data -------------------------------------------------------------------------------------


def ipol_recordings() -> list[Recording]:
    from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot

    root = find_ipol_dir()
    if root is None:
        return []
    out = []
    for code in list_ipol_trials(root):
        for foot in ("left", "right"):
            rec = load_ipol_foot(root, code, foot)
            group = "IPOL held-out" if rec.subject_id in HELD_OUT else "IPOL development"
            out.append(
                Recording(
                    rec.session.samples, rec.swings_idx, group=group, fc_idx=rec.swings_idx[:, 0]
                )
            )
    return out


def mocap_recordings(edge_s: float = 0.8) -> list[Recording]:
    from gait.datasets.mocap import find_mocap_signals, read_mocap_recording

    root = SHARED / "mocap_snu"
    if not root.is_dir():
        return []
    out = []
    for path in find_mocap_signals(root):
        rec = read_mocap_recording(path)
        s = rec.session.samples
        own = rec.session.meta.placement.split("_")[0]
        t = np.array([x.t_s for x in rec.steps if x.foot == own])
        idx = np.round((t - s.t_s[0]) * s.sampling_rate_hz).astype(np.int64)
        inner = (t > s.t_s[0] + edge_s) & (t < s.t_s[-1] - edge_s)
        group = "mocap bwd" if "Backward" in rec.clip else "mocap fwd"
        out.append(Recording(s, idx[inner], idx[~inner], group))
    return out


#: What a real shank sensor also feels (docs/simulator.md): the other foot's landing through the
#: body at 0.2 of its peak, and the on-board low-pass filters of a consumer IMU (25 Hz
#: accelerometer, 40 Hz gyroscope); soft-tissue ringing is in every simulated session.
BODY = {"contralateral_gain": 0.2, "acc_lowpass_hz": 25.0, "gyr_lowpass_hz": 40.0}
NO_BODY = {"contralateral_gain": 0.0}


#: Speeds (m/s) of the simulated cells' two bouts, per gait and direction.
SIM_SPEEDS = {
    ("walk", "forward"): (0.8, 1.4),
    ("walk", "backward"): (0.5, 0.9),
    ("run", "forward"): (2.5, 3.5),
    ("run", "backward"): (1.8, 2.4),
}
#: ``sim-slow`` (on request): slow walkers, at the low end of the simulator's speed range.
#: After a stroke, 0.4-0.8 m/s is "limited community" walking and below 0.4 m/s "household"
#: walking [Perry et al. 1995, Stroke 26:982]; older adults walk backward slower and with
#: shorter strides than forward [Laufer 2005, J Gerontol A 60:627]; the simulator draws
#: backward speeds down to 0.3 m/s.
SIM_SLOW_SPEEDS = {("walk", "forward"): (0.4, 0.55), ("walk", "backward"): (0.3, 0.45)}


def sim_recordings(fs: float, *, body: bool = False, slow: bool = False) -> list[Recording]:
    """Simulated shank sessions per gait x direction x strike at rate ``fs``."""
    from gait.simulate import Bout, SensorSpec, SessionSpec, SubjectSpec, simulate

    speeds = SIM_SLOW_SPEEDS if slow else SIM_SPEEDS
    out = []
    n = 0
    for gait in dict.fromkeys(g for g, _ in speeds):  # the gaits of the table, in its order
        for direction in ("forward", "backward"):
            for strike in ("heel", "midfoot", "forefoot"):
                for person in range(2):
                    n += 1
                    v1, v2 = speeds[(gait, direction)]
                    bouts = (
                        Bout("stand", 3.0),
                        Bout(gait, 15.0, direction, strike, v1),  # type: ignore[arg-type]
                        Bout("stand", 2.0),
                        Bout(gait, 15.0, direction, strike, v2),  # type: ignore[arg-type]
                        Bout("stand", 3.0),
                    )
                    sensor = SensorSpec(
                        sampling_rate_hz=fs,
                        placement="right_ankle" if person == 0 else "left_ankle",
                        **(BODY if body else NO_BODY),
                    )
                    spec = SessionSpec(
                        bouts=bouts, subject=SubjectSpec(id=f"m{person}"), sensor=sensor
                    )
                    res = simulate(spec, (9700 if slow else 9100) + 10 * n + person)
                    s = res.session.samples
                    own = spec.sensor.placement.split("_")[0]
                    mine = [x for x in res.steps if x.foot == own]
                    t = np.array([x.t_s for x in mine])
                    idx = np.round((t - s.t_s[0]) * s.sampling_rate_hz).astype(np.int64)
                    t_fc = np.array([float(dict(x.extra).get("fc_t_s") or "nan") for x in mine])
                    t_fc = t_fc[np.isfinite(t_fc)]
                    fc = np.round((t_fc - s.t_s[0]) * s.sampling_rate_hz).astype(np.int64)
                    prefix = "sim slow" if slow else "sim+body" if body else "sim"
                    group = f"{prefix} {gait} {direction} {strike}"
                    out.append(Recording(s, idx, group=group, fc_idx=fc))
    return out


# --- scoring ----------------------------------------------------------------------------------


def _match_symmetric(det: np.ndarray, truth: np.ndarray, tol: int) -> tuple[np.ndarray, ...]:
    """Greedy one-to-one matching within ±tol samples, closest first."""
    if det.size == 0 or truth.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    d = np.abs(det[:, None] - truth[None, :])
    i, j = np.nonzero(d <= tol)
    order = np.argsort(d[i, j], kind="stable")
    used_d, used_t, a, b = set(), set(), [], []
    for k in order:
        if i[k] in used_d or j[k] in used_t:
            continue
        used_d.add(i[k])
        used_t.add(j[k])
        a.append(i[k])
        b.append(j[k])
    return np.asarray(a, np.int64), np.asarray(b, np.int64)


def score(rec: Recording, det_idx: np.ndarray) -> ContactScore:
    fs = rec.samples.sampling_rate_hz
    if rec.truth_idx.ndim == 2:
        return score_contacts(det_idx, rec.truth_idx, sampling_rate_hz=fs)
    tol = round((0.2 if rec.group.startswith("mocap") else 0.1) * fs)
    # detections of the unscored contacts near a clip's ends are neither right nor wrong
    if rec.ignore_idx.size:
        keep = np.ones(det_idx.size, bool)
        a, _ = _match_symmetric(det_idx, rec.ignore_idx, tol)
        keep[a] = False
        det_idx = det_idx[keep]
    a, b = _match_symmetric(det_idx, rec.truth_idx, tol)
    err = (det_idx[a] - rec.truth_idx[b]) * 1000.0 / fs
    return ContactScore(len(a), det_idx.size - len(a), rec.truth_idx.size - len(a), err)


# --- the matrix -------------------------------------------------------------------------------


def score_toe_offs(rec: Recording, steps, samples: SampleBlock) -> ContactScore:
    """The detected toe-offs against the true ones, matched within ±0.1 s."""
    fs = samples.sampling_rate_hz
    t = steps.fc_t_s[steps.instrumented]
    t = t[np.isfinite(t)]
    det = np.round((t - samples.t_s[0]) * fs).astype(np.int64)
    a, b = _match_symmetric(det, rec.fc_idx, round(0.1 * fs))
    err = (det[a] - rec.fc_idx[b]) * 1000.0 / fs
    return ContactScore(len(a), det.size - len(a), rec.fc_idx.size - len(a), err)


def run_cell(
    recs: list[Recording], sensor: str, seed: int
) -> tuple[dict[str, ContactScore], dict[str, ContactScore]]:
    """Contact and toe-off scores per data group for one sensor variant."""
    det = AnkleStepDetector()
    rng = np.random.default_rng(seed)
    out: dict[str, ContactScore] = {}
    toe: dict[str, ContactScore] = {}
    for rec in recs:
        s = sensor_variant(rec.samples, sensor, rng)
        s = remove_gyro_offset(s)  # the product's front end (gait.pipeline), then the detector
        steps = det.detect(s).steps_
        own = steps.ic_idx[steps.instrumented]
        sc = score(rec, own)
        groups = [rec.group, *(["IPOL all"] if rec.group.startswith("IPOL") else [])]
        for group in groups:
            out[group] = out.get(group, ContactScore.zero()) + sc
            if rec.fc_idx.size:
                tc = score_toe_offs(rec, steps, s)
                toe[group] = toe.get(group, ContactScore.zero()) + tc
    return out, toe


def _fmt(s: ContactScore) -> dict:
    return {
        "f1": round(s.f1, 4),
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "median_ms": round(s.abs_timing_percentile_ms(50), 1),
        "p90_ms": round(s.abs_timing_percentile_ms(90), 1),
        "n": s.n_true_positive + s.n_false_negative,
        "fp": s.n_false_positive,
        "fn": s.n_false_negative,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data",
        nargs="+",
        default=["ipol", "mocap", "sim", "sim+body"],
        choices=["ipol", "mocap", "sim", "sim+body", "sim-slow"],
    )
    ap.add_argument("--rates", nargs="+", type=float, default=list(RATES))
    ap.add_argument("--sensors", nargs="+", default=list(SENSORS), choices=SENSORS + RANGE_SENSORS)
    ap.add_argument("--json", help="also write the cells to this JSON file")
    args = ap.parse_args(argv)

    base: list[Recording] = []
    if "ipol" in args.data:
        got = ipol_recordings()
        if not got:
            print("note: IPOL data not found (../shared/datasets/ipol_healthy)", file=sys.stderr)
        base += got
    if "mocap" in args.data:
        got = mocap_recordings()
        if not got:
            print("note: mocap data not found (../shared/datasets/mocap_snu)", file=sys.stderr)
        base += got

    cells: list[dict] = []
    print(
        f"{'data':<30} {'Hz':>5} {'sensor':<10} {'F1':>7} {'P':>7} {'R':>7} "
        f"{'med ms':>7} {'p90 ms':>7} {'n':>6} {'vs rec':>7} {'TO F1':>6} {'TO med':>6}"
    )
    t0 = time.perf_counter()
    # the 100 Hz "recorded" cells first: every other cell is compared with them
    for fs in sorted(args.rates, key=lambda r: (r != 100.0, r)):
        recs = [resample(r, fs) for r in base]
        if "sim" in args.data:
            recs += sim_recordings(fs)
        if "sim+body" in args.data:
            recs += sim_recordings(fs, body=True)
        if "sim-slow" in args.data:
            recs += sim_recordings(fs, slow=True)
        for sensor in args.sensors:
            scores, toe = run_cell(recs, sensor, seed=int(fs))
            for group, s in sorted(scores.items()):
                cell = {"data": group, "rate_hz": fs, "sensor": sensor, **_fmt(s)}
                if group in toe:
                    cell["toe_off"] = _fmt(toe[group])
                cells.append(cell)
                print(_row(cells, cells[-1]), flush=True)
    print(f"\n{len(cells)} cells in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(cells, indent=1) + "\n")
    return 0


def _row(cells: list[dict], c: dict) -> str:
    ref = next(
        (
            x
            for x in cells
            if x["data"] == c["data"] and x["rate_hz"] == 100.0 and x["sensor"] == "recorded"
        ),
        None,
    )
    delta = f"{c['f1'] - ref['f1']:+7.3f}" if ref else f"{'':>7}"
    to = c.get("toe_off")
    toe = f"{to['f1']:>6.3f} {to['median_ms']:>6.1f}" if to else ""
    return (
        f"{c['data']:<30} {c['rate_hz']:>5.0f} {c['sensor']:<10} {c['f1']:>7.4f} "
        f"{c['precision']:>7.4f} {c['recall']:>7.4f} {c['median_ms']:>7.1f} {c['p90_ms']:>7.1f} "
        f"{c['n']:>6} {delta} {toe}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
