"""Live latency: from a foot contact leaving the (virtual) sensor to its step line on stdout.

Run from the repository root: ``python -m benchmarks.bench_latency`` (about 80 s: real time).

The bundled sample session (100 Hz) is played in real time by an in-process
:class:`~firmware_bridge.emulator.Emulator` into a pseudo-terminal, one sample per frame; it
records when each sample was written. ``gait stream --format jsonl`` runs as a separate process
on the port, as a user would run it; this script reads its stdout and time-stamps each step line
as it arrives (``time.monotonic_ns``, the same clock in both processes on Linux).

For each step: ``latency = line received - moment the first sample at or after the step's
t_s was sent`` (contact times are interpolated between samples).
It splits into the decision delay (device time from the contact to the last sample sent before
the line arrived: the samples the pipeline waited for, the detector's decision and the later
stages' holds) and the remaining overhead (transport, decoding, pipeline, JSON, pipe), which is
what the live path itself adds. The detector's own decision delay on the same samples, fed one
at a time, is printed beside it.
"""

from __future__ import annotations

import argparse
import bisect
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from firmware_bridge.emulator import Emulator
from gait.evaluation import decision_delays_s
from gait.io import read_session
from gait.steps import AnkleStepDetector

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "datasets" / "sample" / "demo.csv"
CLI = [sys.executable, "-c", "from gait.cli import main; main()"]


def _pct(x: np.ndarray) -> str:
    return (
        f"p50 {np.percentile(x, 50) * 1e3:7.1f} ms   p95 {np.percentile(x, 95) * 1e3:7.1f} ms"
        f"   max {x.max() * 1e3:7.1f} ms"
    )


def run(seconds: float, session_path: Path) -> dict[str, float]:
    sess = read_session(session_path)
    block = sess.samples
    n = min(block.n_samples, round(seconds * block.sampling_rate_hz))
    block = block.slice(0, n)
    sent_t: list[float] = []
    sent_ns: list[int] = []
    lock = threading.Lock()

    def on_sent(t_s: float, ns: int) -> None:
        with lock:
            sent_t.append(t_s)
            sent_ns.append(ns)

    emu = Emulator(block, protocol="gait", speed=1.0, on_sent=on_sent)
    path = emu.open()
    emu.start()
    proc = subprocess.Popen(
        [*CLI, "stream", "--port", path, "--format", "jsonl", "--reconnect-timeout", "1",
         "--placement", sess.meta.placement or "right_ankle"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )  # fmt: skip
    steps: list[tuple[float, int, bool]] = []
    assert proc.stdout is not None
    import json

    for line in proc.stdout:
        received = time.monotonic_ns()
        rec = json.loads(line)
        if "t_s" in rec:
            steps.append((float(rec["t_s"]), received, bool(rec.get("instrumented"))))
    proc.wait(timeout=30)
    emu.wait_done(10)
    emu.close()
    if proc.returncode != 0:
        raise SystemExit(f"gait stream failed:\n{proc.stderr.read() if proc.stderr else ''}")

    t_arr = np.array(sent_t)
    ns_arr = np.array(sent_ns, dtype=np.int64)
    total, decision, overhead, own = [], [], [], []
    for t_step, recv, instrumented in steps:
        # contact times fall between samples (interpolated): the contact has left the sensor
        # with the first sample at or after it
        i = int(np.searchsorted(t_arr, t_step - 1e-7))
        if i >= len(t_arr) or recv < ns_arr[i]:
            continue  # a step held back to the end of the stream (not a live event)
        total.append((recv - ns_arr[i]) / 1e9)
        j = bisect.bisect_right(sent_ns, recv) - 1  # last sample sent before the line arrived
        decision.append(t_arr[j] - t_step)
        overhead.append((recv - ns_arr[j]) / 1e9)
        own.append(instrumented)
    total_a, dec_a, over_a = np.array(total), np.array(decision), np.array(overhead)
    own_a = np.array(own, dtype=bool)
    print(f"session: {session_path.name}, first {n / block.sampling_rate_hz:.0f} s at "
          f"{block.sampling_rate_hz:g} Hz, real time, protocol gait, 1 sample/frame")  # fmt: skip
    print(f"steps timed: {len(total_a)} (of {len(steps)} printed)")
    print(f"contact -> step line : {_pct(total_a)}")
    print(f"  decision (pipeline): {_pct(dec_a)}   (device time waited for)")
    print(f"  live-path overhead : {_pct(over_a)}   (transport + decode + pipeline + JSON)")
    # the detector alone on the same samples fed one at a time (device time): the decision
    # delay of issue 19's target, without the later stages that hold a step (the classifier's
    # window after the contact, the energy stage's stride)
    det = decision_delays_s(block, AnkleStepDetector(estimate_other_foot=False))
    print(f"detector alone       : {_pct(det)}   ({det.size} contacts, device time)")
    if own_a.any() and (~own_a).any():
        print(f"instrumented foot    : {_pct(total_a[own_a])}   ({own_a.sum()} steps)")
        print(f"other foot           : {_pct(total_a[~own_a])}   ({(~own_a).sum()} steps)")
    return {
        "n_steps": float(len(total_a)),
        "p50_ms": float(np.percentile(total_a, 50) * 1e3),
        "p95_ms": float(np.percentile(total_a, 95) * 1e3),
        "max_ms": float(total_a.max() * 1e3),
        "decision_p50_ms": float(np.percentile(dec_a, 50) * 1e3),
        "detector_p95_ms": float(np.percentile(det, 95) * 1e3),
        "overhead_p95_ms": float(np.percentile(over_a, 95) * 1e3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=75.0, help="session seconds to play")
    parser.add_argument("--session", type=Path, default=SAMPLE, help="session file (100 Hz)")
    args = parser.parse_args()
    run(args.seconds, args.session)


if __name__ == "__main__":
    main()
