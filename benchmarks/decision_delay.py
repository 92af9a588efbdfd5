"""Detector decision delay on real recordings: how long after a contact the stream reports it.

    python -m benchmarks.decision_delay [--trials N]

Each IPOL foot recording (the first N trials, both feet) is fed to an ``AnkleStepDetector`` stream
one sample at a time, as a live sensor would deliver it; a contact's delay is the time of the
sample with which the stream returned it minus the contact's own time. This is the device-time
part of the live latency (``benchmarks/bench_latency.py`` adds transport and printing, < 10 ms),
measured on real foot-dorsum data instead of the simulated demo. Instrumented contacts only.
"""

from __future__ import annotations

import argparse

import numpy as np

from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot
from gait.evaluation import decision_delays_s
from gait.steps import AnkleStepDetector


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20, help="how many trials (both feet each)")
    args = ap.parse_args()
    root = find_ipol_dir()
    if root is None:
        raise SystemExit("IPOL data not found: set GAIT_IPOL_DIR or put ../shared beside the repo")
    rows = {"default (impact decides heel at once)": AnkleStepDetector(estimate_other_foot=False)}
    rows["kinematics only (impact_ratio=0)"] = AnkleStepDetector(
        estimate_other_foot=False, impact_ratio=0.0
    )
    trials = list_ipol_trials(root)[: args.trials]
    feet = [load_ipol_foot(root, c, f).session.samples for c in trials for f in ("left", "right")]
    print(f"IPOL, {len(trials)} trials x 2 feet, fed one sample at a time")
    for name, det in rows.items():
        d = np.concatenate([decision_delays_s(s, det) for s in feet]) * 1e3
        p50, p95, mx = np.percentile(d, [50, 95, 100])
        print(f"{name:36s} n {d.size:5d}  p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  max {mx:5.0f} ms")


if __name__ == "__main__":
    main()
