"""Speed error per placement and direction: simulated held-out subjects and the real mocap set.

    .venv/bin/python -m benchmarks.eval_speed [--sim DIR ...] [--mocap DIR]
        [--contacts truth|detected]
    .venv/bin/python -m benchmarks.eval_speed --throughput

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
import re
from pathlib import Path

import numpy as np
import pandas as pd

from gait.energy import MetEnergyEstimator
from gait.io import read_session
from gait.pipeline import GaitPipeline
from gait.steps.base import StepTable
from gait.types import SampleBlock

MOCAP = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mocap_snu"
MATCH_S = 0.15
#: Set by ``--no-gyro``: the sessions are read as an accelerometer-only sensor would give them.
NO_GYRO = False


def _run(samples: SampleBlock, placement: str, height_m: float | None, contacts: StepTable | None):
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
        )
        pipe.feed(samples)
        pipe.finish()
        return pipe._energy.strides_frame()
    from gait.pipeline import _NoLabels

    stream = est.stream(
        samples.sampling_rate_hz, has_gyro=samples.has_gyro, mass_kg=70.0, placement=placement
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
        strides = _run(session.samples, placement, session.meta.subject.height_m, table)
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
    args = ap.parse_args()
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
