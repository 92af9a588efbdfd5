"""Decode throughput of each wire protocol, and the CPU share needed to keep up with 1 kHz.

Run from the repository root: ``python -m benchmarks.bench_decoder`` (about 15 s).

A synthetic 6-axis stream (20 s at 1 kHz) is encoded once per protocol, then fed to a fresh
decoder in chunks of a fixed size: 32 bytes (a reader that polls about once per sample, the
worst case) and 256 bytes (a reader that takes what is waiting every few ms). Throughput is
samples decoded per second of process CPU time (best of three runs); the CPU share needed at
1 kHz is ``1000 / throughput``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from firmware_bridge.codecs import make_decoder, make_encoder
from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock

CASES = [
    # (label, protocol, encoder options, decoder options)
    ("gait, 1 sample/frame", "gait", {"samples_per_frame": 1}, {}),
    ("gait, 10 samples/frame", "gait", {"samples_per_frame": 10}, {}),
    ("csv, gait profile", "csv", {"profile": "gait"}, {"profile": "gait"}),
    ("csv, mpu6050_raw", "csv", {"profile": "mpu6050_raw"}, {"profile": "mpu6050_raw"}),
    ("witmotion", "witmotion", {}, {"sampling_rate_hz": 1000.0}),
]


def synthetic_block(n: int, rate_hz: float, seed: int = 0) -> SampleBlock:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate_hz
    acc = rng.normal(0.0, 0.4 * GRAVITY_MS2, (n, 3))
    acc[:, 2] += GRAVITY_MS2
    gyr = rng.normal(0.0, 120.0, (n, 3))
    return SampleBlock(t, np.clip(acc, -19, 19), np.clip(gyr, -240, 240), rate_hz)


def bench_case(protocol: str, enc_kw: dict, dec_kw: dict, block: SampleBlock, chunk: int) -> dict:
    enc = make_encoder(protocol, sampling_rate_hz=block.sampling_rate_hz, **enc_kw)
    wire = enc.start() + enc.encode(block)
    chunks = [wire[i : i + chunk] for i in range(0, len(wire), chunk)]
    best = float("inf")
    n_out = 0
    for _ in range(3):
        dec = make_decoder(protocol, **dec_kw)
        t0 = time.process_time()
        events = []
        for c in chunks:
            events += dec.feed(c)
        best = min(best, time.process_time() - t0)
        n_out = sum(getattr(e, "n_samples", 0) for e in events)
    rate = n_out / best
    return {
        "bytes_per_sample": len(wire) / block.n_samples,
        "samples": n_out,
        "samples_per_s": rate,
        "cpu_pct_at_1khz": 100.0 * 1000.0 / rate,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="stream length at 1 kHz")
    ap.add_argument("--chunk", type=int, nargs="+", default=[32, 256], help="bytes per feed() call")
    args = ap.parse_args(argv)
    n = int(args.seconds * 1000)
    block = synthetic_block(n, 1000.0)
    print(f"decode throughput, {n} samples at 1 kHz, best of 3 runs (process CPU time)")
    header = f"{'protocol':<24}{'read':>6}{'B/sample':>10}{'samples/s':>14}{'CPU @1kHz':>12}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for chunk in args.chunk:
        for label, protocol, enc_kw, dec_kw in CASES:
            r = bench_case(protocol, enc_kw, dec_kw, block, chunk)
            assert r["samples"] == n, f"{label}: decoded {r['samples']} of {n} samples"
            worst = max(worst, r["cpu_pct_at_1khz"])
            print(
                f"{label:<24}{chunk:>5}B{r['bytes_per_sample']:>10.1f}"
                f"{r['samples_per_s']:>14,.0f}{r['cpu_pct_at_1khz']:>11.2f}%"
            )
    verdict = "OK" if worst < 10.0 else "TOO SLOW"
    print(f"worst CPU share to sustain 1 kHz: {worst:.2f} % of one core (limit 10 %): {verdict}")


if __name__ == "__main__":
    main()
