"""Speed error per placement and direction: simulated held-out subjects and the real mocap set.

    .venv/bin/python -m benchmarks.eval_speed [--sim DIR ...] [--mocap DIR]
        [--contacts truth|detected]
    .venv/bin/python -m benchmarks.eval_speed --throughput
    .venv/bin/python -m benchmarks.eval_speed --ipol [DIR]      # real foot sensors, 10 m legs
    .venv/bin/python -m benchmarks.eval_speed --stance-truth    # is the sensor still at stance?

For every stride of the instrumented foot (consecutive truth contacts of that foot, or the
detector's contacts matched to truth within 0.15 s), the speed from
:class:`gait.energy.MetEnergyEstimator` is compared with the reference: the simulator's
``speed_m_s`` (``<stem>.steps.csv``) or, on ``mocap_snu``, the pelvis speed ``speed_mps``
(``events_detail.csv``) averaged over the contacts of the stride. Relative error
``est / ref - 1``; the table gives per group the count, the median error (bias), the median
absolute error and the spread (1.4826 x MAD, and the 5-95 % range), by set, placement, gait
(the reference's walk/run) and direction. Mocap clips: the even-numbered
clips (``...00``, ``...02``, ...) were the tuning half, the odd ones are held out; the
simulated training subjects were used for tuning, ``datasets/labelled/test`` is held out.
The walk/run decision is scored on the simulated strides (truth column ``gait``).
"""

from __future__ import annotations

import argparse
import glob
import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from gait.energy import MetEnergyEstimator
from gait.io import read_session
from gait.pipeline import GaitPipeline
from gait.speed import acc_average_s_of
from gait.steps.base import StepTable
from gait.types import SampleBlock

MOCAP = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mocap_snu"
IPOL = MOCAP.parent / "ipol_healthy"
MATCH_S = 0.15
#: Set by ``--no-gyro``: the sessions are read as an accelerometer-only sensor would give them.
NO_GYRO = False


def _run(
    samples: SampleBlock,
    placement: str,
    height_m: float | None,
    contacts: StepTable | None,
    acc_average_s: float | None = None,
):
    """Strides of one recording through the energy stream (truth contacts given, or detected)."""
    if NO_GYRO:
        samples = samples.without_gyro()
    est = MetEnergyEstimator(height_m=height_m)
    if contacts is None:
        pipe = GaitPipeline(energy=est).stream(
            sampling_rate_hz=samples.sampling_rate_hz,
            has_gyro=samples.has_gyro,
            placement=placement,
            mass_kg=70.0,
            acc_average_s=acc_average_s,
        )
        pipe.feed(samples)
        pipe.finish()
        return pipe._energy.strides_frame()
    from gait.pipeline import _NoLabels

    stream = est.stream(
        samples.sampling_rate_hz,
        has_gyro=samples.has_gyro,
        mass_kg=70.0,
        placement=placement,
        acc_average_s=acc_average_s,
    )
    stream.feed(samples, _NoLabels(contacts))
    stream.finish()
    return stream.strides_frame()


def _score(strides: pd.DataFrame, truth: pd.DataFrame, own: str, ref_col: str) -> list[dict]:
    """Match each stride's end contact to a truth contact of the instrumented foot."""
    t_own = truth[truth.foot == own].t_s.to_numpy()
    rows = []
    for _, s in strides.iterrows():
        k = int(np.argmin(np.abs(t_own - s.end_t_s))) if t_own.size else -1
        if k < 1 or abs(t_own[k] - s.end_t_s) > MATCH_S:
            continue
        if abs(t_own[k - 1] - s.ic_t_s) > MATCH_S:
            continue
        sel = truth[(truth.t_s > t_own[k - 1] + 1e-6) & (truth.t_s <= t_own[k] + 1e-6)]
        if sel.direction.isna().any() or not len(sel):
            continue
        ref = float(sel[ref_col].mean())
        if not ref > 0.15:
            continue
        rows.append(
            {
                "direction": sel.direction.iloc[-1],
                "gait": sel["gait"].iloc[-1] if "gait" in sel else "walk",
                "gait_est": s.gait,
                "est": s.walking_speed_mps,
                "ref": ref,
            }
        )
    return rows


def sim_rows(folder: str, contacts: str) -> pd.DataFrame:
    rows = []
    files = sorted(glob.glob(f"{folder}/*.csv.gz") + glob.glob(f"{folder}/*.csv"))
    for f in files:
        if f.endswith((".labels.csv", ".steps.csv")):
            continue
        session = read_session(f)
        truth = pd.read_csv(re.sub(r"\.csv(\.gz)?$", ".steps.csv", f))
        placement = session.meta.placement
        own = placement.split("_")[0]
        table = None
        if contacts == "truth":
            t = truth.t_s.to_numpy()
            idx = np.searchsorted(session.samples.t_s, t)
            table = StepTable(idx.astype(np.int64), t, (truth.foot == own).to_numpy())
        strides = _run(
            session.samples,
            placement,
            session.meta.subject.height_m,
            table,
            acc_average_s_of(session.meta.device),
        )
        seg = "foot" if placement.endswith("foot") else "shank"
        for r in _score(strides, truth, own, "speed_m_s"):
            rows.append(r | {"set": Path(folder).name, "placement": seg, "file": Path(f).name})
    return pd.DataFrame(rows)


def mocap_rows(folder: Path, contacts: str) -> pd.DataFrame:
    detail = pd.read_csv(folder / "events_detail.csv")
    rows = []
    for f in sorted(folder.glob("snu_wd2_*_[RL].csv")):
        clip = f.name[:-6]
        side = f.name[-5]
        d = pd.read_csv(f)
        t = d.t.to_numpy()
        gyr = np.rad2deg(d[["gx", "gy", "gz"]].to_numpy())
        samples = SampleBlock(t, d[["ax", "ay", "az"]].to_numpy(), gyr, 100.0)
        ev = detail[detail.trial == clip].sort_values("t_contact")
        truth = pd.DataFrame(
            {
                "t_s": ev.t_contact.to_numpy(),
                "foot": ev.foot.map({"R": "right", "L": "left"}).to_numpy(),
                "direction": ev.direction.where(ev.direction.isin(["forward", "backward"])),
                "speed_mps": ev.speed_mps.to_numpy(),
            }
        )
        own = "right" if side == "R" else "left"
        table = None
        if contacts == "truth":
            idx = np.searchsorted(t, truth.t_s.to_numpy())
            table = StepTable(
                idx.astype(np.int64), truth.t_s.to_numpy(), (truth.foot == own).to_numpy()
            )
        strides = _run(samples, f"{own}_ankle", None, table)
        number = int(re.search(r"(\d+)$", clip).group(1))  # type: ignore[union-attr]
        half = "tuning" if number % 2 == 0 else "held-out"
        for r in _score(strides, truth, own, "speed_mps"):
            rows.append(r | {"set": f"mocap {half}", "placement": "shank", "file": f.name})
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(err=df.est / df.ref - 1.0)
    out = []
    for key, g in df.groupby(["set", "placement", "gait", "direction"]):
        e = g.err.to_numpy()
        med = float(np.median(e))
        out.append(
            {
                "set": key[0],
                "placement": key[1],
                "gait": key[2],
                "direction": key[3],
                "n": len(e),
                "bias_%": 100 * med,
                "median_abs_%": 100 * float(np.median(np.abs(e))),
                "spread_%": 100 * 1.4826 * float(np.median(np.abs(e - med))),
                "p5_%": 100 * float(np.percentile(e, 5)),
                "p95_%": 100 * float(np.percentile(e, 95)),
            }
        )
    return pd.DataFrame(out)


def _swing_length_m(acc, gyr, cost, to: int, ic: int, fs: float) -> float:
    """Distance a foot travels in one swing from standing: from the stillest sample in the
    0.6 s before its toe-off to the still instant after its contact (the stride kernel)."""
    from gait._kernels._swing import stride_displacement
    from gait.speed._stride import STILL_HALF_S, still_index

    a, b = max(to - round(0.6 * fs), 0), to - round(0.02 * fs)
    s1 = still_index(cost, ic, fs)
    if b <= a or s1 is None:
        return float("nan")
    s0 = a + int(np.argmin(cost[a : b + 1]))
    half = min(round(STILL_HALF_S * fs), s0, acc.shape[0] - 1 - s1)
    d, _ = stride_displacement(
        np.ascontiguousarray(acc[s0 - half : s1 + half + 1]),
        np.ascontiguousarray(gyr[s0 - half : s1 + half + 1]),
        1.0 / fs,
        max(3, 2 * half + 1),
        half,
        0.0,
    )
    return float(np.linalg.norm(d))


def ipol_legs(root: Path) -> pd.DataFrame:
    """Real foot-worn IMUs (IPOL healthy gait, Xsens on the dorsum; evaluation only, AGPL data
    not copied): the distance each foot travels on the two straight 10-m legs of the protocol
    (stand, walk 10 m, U-turn, walk back, stop; SOURCE.md), from the annotated contacts.
    "out": from standing to the last contact before the U-turn; "back": from the stance in
    which the U-turn ends to the stop. Each leg is its first swing (from the stillest sample
    before its toe-off) plus every contact-to-contact stride, measured as the product does.
    Where the walker is when the turn starts or ends is not annotated, so each leg's 10 m is
    nominal (about +-0.5 m)."""
    from gait.datasets.ipol import list_ipol_trials, load_ipol_foot
    from gait.speed import lever_m_for, measure_stride, stillness_cost

    rows = []
    for code in list_ipol_trials(root):
        for foot in ("left", "right"):
            f = load_ipol_foot(root, code, foot)  # type: ignore[arg-type]
            s = f.session.samples
            fs = s.sampling_rate_hz
            acc, gyr = s.acc_ms2, np.deg2rad(s.gyr_dps)
            cost = stillness_cost(acc, gyr, fs)
            lever = lever_m_for(f.session.meta.placement)
            height = f.session.meta.subject.height_m or 1.7
            sw = f.swings_idx
            (u0, u1), t1 = f.uturn_idx, f.trial_boundaries_idx[1]
            for leg, sel in (
                ("out", sw[:, 1] <= u0),
                ("back", (sw[:, 0] >= u1) & (sw[:, 1] <= t1)),
            ):
                legsw = sw[sel]
                stop = np.flatnonzero(np.diff(legsw[:, 1]) > 2.5 * fs)  # stood still: walk over
                if stop.size:
                    legsw = legsw[: stop[0] + 1]
                if len(legsw) < 3:
                    continue
                ics = legsw[:, 1]
                lengths = []
                for a, b in itertools.pairwise(ics):
                    m = measure_stride(
                        acc, gyr, cost, int(a), int(b), fs, height_m=height, lever_m=lever
                    )
                    lengths.append(np.nan if m is None else m.stride_length_m)
                first = _swing_length_m(acc, gyr, cost, int(legsw[0, 0]), int(ics[0]), fs)
                rows.append(
                    {
                        "foot": foot,
                        "leg": leg,
                        "distance_m": first + float(np.nansum(lengths)),
                        "unmeasured": int(np.isnan(lengths).sum()),
                    }
                )
    return pd.DataFrame(rows)


def print_ipol(root: Path) -> None:
    df = ipol_legs(root)
    df = df.assign(err=df.distance_m / 10.0 - 1.0)
    out = []
    for key, g in df.groupby(["leg", "foot"]):
        e = g.err.to_numpy()
        med = float(np.median(e))
        out.append(
            {
                "leg": key[0],
                "foot": key[1],
                "n legs": len(e),
                "median distance m": float(np.median(g.distance_m)),
                "bias %": 100 * med,
                "median abs %": 100 * float(np.median(np.abs(e))),
                "spread %": 100 * 1.4826 * float(np.median(np.abs(e - med))),
                "strides unmeasured": int(g.unmeasured.sum()),
            }
        )
    print("IPOL real foot sensors: distance per 10-m leg (est / 10 m - 1)")
    print(pd.DataFrame(out).round(2).to_string(index=False))


def stance_truth(seed: int = 3) -> None:
    """Ideal simulated sensors (no noise, bias or filters): how fast the sensor really moves at
    the still instants the method picks, and the method's length error against the true
    displacement between those same instants. Separates the method's own error from a broken
    zero-velocity assumption in the simulated motion."""
    from gait.simulate._simulate import simulate
    from gait.simulate._spec import Bout, SensorSpec, SessionSpec, SubjectSpec
    from gait.speed import lever_m_for, measure_stride, stillness_cost
    from gait.speed._stride import still_index

    cases = [
        ("right_foot", "walk", "forward", "heel", 1.3),
        ("right_foot", "walk", "forward", "midfoot", 1.3),
        ("right_foot", "walk", "forward", "forefoot", 1.3),
        ("right_foot", "walk", "backward", "forefoot", 0.8),
        ("right_foot", "run", "forward", "heel", 3.0),
        ("right_foot", "run", "backward", "forefoot", 2.0),
        ("right_ankle", "walk", "forward", "heel", 1.3),
        ("right_ankle", "walk", "backward", "forefoot", 0.8),
        ("right_ankle", "run", "backward", "forefoot", 2.0),
    ]
    out = []
    for placement, kind, direction, strike, v in cases:
        spec = SessionSpec(
            bouts=(
                Bout("stand", 2.0),
                Bout(kind, 14.0, direction, strike, speed_m_s=v),  # type: ignore[arg-type]
                Bout("stand", 2.0),
            ),
            subject=SubjectSpec(id="stance", height_m=1.75, mass_kg=70.0, age_years=30),
            sensor=SensorSpec(placement=placement, sampling_rate_hz=100.0, errors=False),
        )
        res = simulate(spec, seed)
        s = res.session.samples
        fs = s.sampling_rate_hz
        acc, gyr = s.acc_ms2, np.deg2rad(s.gyr_dps)
        cost = stillness_cost(acc, gyr, fs)
        tr = res.truth
        vel = np.gradient(tr.sensor_pos_m, tr.t_s, axis=0)
        ics = np.searchsorted(s.t_s, [c.t_s for c in res.steps if c.foot == "right"])
        v_still, err = [], []
        for a, b in itertools.pairwise(ics[2:-2]):  # steady strides only
            m = measure_stride(
                acc, gyr, cost, a, b, fs, height_m=1.75, lever_m=lever_m_for(placement)
            )
            s0, s1 = still_index(cost, a, fs), still_index(cost, b, fs)
            if m is None or s0 is None or s1 is None:
                continue
            j0, j1 = np.searchsorted(tr.t_s, [s.t_s[s0], s.t_s[s1]])
            true_m = float(np.linalg.norm(tr.sensor_pos_m[j1] - tr.sensor_pos_m[j0]))
            v_still.append(float(np.linalg.norm(vel[j0])))
            err.append(m.stride_length_m / true_m - 1.0)
        out.append(
            {
                "placement": placement.split("_")[1],
                "gait": kind,
                "direction": direction,
                "strike": strike,
                "n": len(err),
                "true sensor speed at still instant m/s": float(np.median(v_still)),
                "length error vs true displacement %": 100 * float(np.median(err)),
            }
        )
    print("Ideal simulated sensors (seed 3): is the sensor still where the method assumes?")
    print(pd.DataFrame(out).round(3).to_string(index=False))


def throughput(path: Path, repeats: int = 7) -> None:
    """Cost of the energy stage: the detector-only pipeline with and without it on ``path``
    (best of ``repeats``; no classifier, so the ratio is the stage's own)."""
    import time

    session = read_session(path)
    best = {}
    for label, energy in (("detector only", None), ("detector + energy", MetEnergyEstimator())):
        GaitPipeline(energy=energy).run(session)  # compile the kernels first
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            GaitPipeline(energy=energy).run(session)
            times.append(time.perf_counter() - t0)
        best[label] = min(times)
        print(f"{label:>18}: {best[label] * 1e3:7.1f} ms for {session.samples.duration_s:.0f} s")
    print(f"ratio: {best['detector + energy'] / best['detector only']:.2f}")


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", nargs="*", default=[str(root / "datasets/labelled/test")])
    ap.add_argument("--mocap", default=str(MOCAP))
    ap.add_argument("--contacts", choices=["truth", "detected"], default="detected")
    ap.add_argument(
        "--no-gyro", action="store_true", help="drop the gyroscope (accelerometer-only fallback)"
    )
    ap.add_argument(
        "--throughput",
        action="store_true",
        help="only time the energy stage on the demo session (ratio against no energy stage)",
    )
    ap.add_argument(
        "--ipol",
        nargs="?",
        const=str(IPOL),
        help="only the real foot-sensor check: distance per 10-m leg of the IPOL protocol",
    )
    ap.add_argument(
        "--stance-truth",
        action="store_true",
        help="only the ideal-sensor check of the still instants on simulated motion",
    )
    args = ap.parse_args()
    if args.ipol:
        if not Path(args.ipol).is_dir():
            raise SystemExit(f"IPOL data set not found at {args.ipol}")
        print_ipol(Path(args.ipol))
        return
    if args.stance_truth:
        stance_truth()
        return
    global NO_GYRO
    NO_GYRO = args.no_gyro
    if args.throughput:
        throughput(root / "datasets" / "sample" / "demo.csv")
        return
    parts = [sim_rows(s, args.contacts) for s in args.sim]
    if Path(args.mocap).is_dir():
        parts.append(mocap_rows(Path(args.mocap), args.contacts))
    else:
        print(f"(mocap set not found at {args.mocap}: skipped)")
    df = pd.concat([p for p in parts if len(p)], ignore_index=True)
    pd.set_option("display.width", 160)
    print(f"contacts: {args.contacts}")
    print(table(df).round(1).to_string(index=False))
    sim = df[~df.set.str.startswith("mocap")]
    if len(sim) and "gait" in sim:
        ok = sim.gait == sim.gait_est
        print(f"walk/run decision right on {100 * ok.mean():.1f} % of {len(sim)} simulated strides")
        print(
            (sim.assign(ok=ok).groupby(["placement", "gait", "direction"]).ok.mean() * 100)
            .round(1)
            .to_string()
        )
    moc = df[df.set.str.startswith("mocap")]
    if len(moc):
        print(
            f"mocap strides called running: {int((moc.gait_est == 'run').sum())} of {len(moc)}"
            " (all are walking)"
        )


if __name__ == "__main__":
    main()
