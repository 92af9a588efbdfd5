"""Step-detector throughput against a scipy baseline, and numba compile time (issue 2, item 7).

    python -m benchmarks.bench_detector [--repeat N]

The long session is every IPOL foot recording concatenated (≥ 1 h at 100 Hz); without ../shared it
falls back to the bundled sample session tiled to one hour. Throughput is samples per second on one
core after compilation (best of ``--repeat`` runs), for

- the detector's kernel alone (``detect_block`` on the whole session, as a stream fed one block),
- the whole ``AnkleStepDetector.detect`` call (kernel + Python around it),
- a baseline measured in the same run: scipy ``find_peaks`` on the band-passed (0.5–3 Hz,
  zero-phase) gyro norm, the plain approach that reaches F1 0.95–0.965 on the IPOL data.

The first-call compile time is measured in fresh subprocesses: once with an empty numba cache
directory and once more with the cache that the first run left behind.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.signal import butter, find_peaks, sosfiltfilt

from gait._kernels._steps import detect_block
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock


def long_session(min_hours: float = 1.0) -> tuple[SampleBlock, str]:
    from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot

    root = find_ipol_dir()
    blocks: list[SampleBlock] = []
    if root is not None:
        for code in list_ipol_trials(root):
            for foot in ("left", "right"):
                blocks.append(load_ipol_foot(root, code, foot).session.samples)
        source = "IPOL foot recordings concatenated"
    else:
        from gait.datasets import sample_dir
        from gait.io import read_session

        path = next(p for p in sorted(sample_dir().glob("*.csv")) if p.name.count(".") == 1)
        blocks.append(read_session(path).samples)
        source = f"{path.name} tiled"
    acc = np.concatenate([b.acc_ms2 for b in blocks])
    gyr = np.concatenate([b.gyr_dps for b in blocks])  # type: ignore[misc]
    fs = blocks[0].sampling_rate_hz
    reps = int(np.ceil(min_hours * 3600 * fs / len(acc)))
    acc, gyr = np.tile(acc, (reps, 1)), np.tile(gyr, (reps, 1))
    t = np.arange(len(acc)) / fs
    return SampleBlock(t, np.ascontiguousarray(acc), np.ascontiguousarray(gyr), fs), source


def scipy_baseline(samples: SampleBlock) -> np.ndarray:
    fs = samples.sampling_rate_hz
    sos = butter(2, [0.5, 3.0], btype="bandpass", fs=fs, output="sos")
    g = sosfiltfilt(sos, np.linalg.norm(samples.gyr_dps, axis=1))
    peaks, _ = find_peaks(g, height=50.0, distance=int(0.6 * fs))
    return peaks


def kernel_only(samples: SampleBlock) -> int:
    stream = AnkleStepDetector().stream(samples.sampling_rate_hz, has_gyro=True)
    out_ic = np.empty(samples.n_samples // 2 + 2, np.int64)
    out_fc = np.empty_like(out_ic)
    return detect_block(samples.acc_ms2, samples.gyr_dps, *stream.kernel_state(), out_ic, out_fc)


def best_rate(fn, samples: SampleBlock, repeat: int) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(samples)
        best = min(best, time.perf_counter() - t0)
    return samples.n_samples / best, result


_COLD = """
import time, numpy as np
t0 = time.perf_counter()
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock
rng = np.random.default_rng(0)
b = SampleBlock(np.arange(500) / 100.0, rng.normal(size=(500, 3)), rng.normal(size=(500, 3)), 100.0)
AnkleStepDetector().detect(b)
print(time.perf_counter() - t0)
"""


def first_call_s(cache_dir: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    samples, source = long_session()
    hours = samples.n_samples / samples.sampling_rate_hz / 3600
    print(f"session: {source}, {samples.n_samples:,} samples ({hours:.2f} h at 100 Hz)")
    small = samples.slice(0, 2000)
    AnkleStepDetector().detect(small)  # compile (or load from cache) before timing
    kernel_only(small)
    k_rate, n_k = best_rate(kernel_only, samples, args.repeat)
    d_rate, det = best_rate(lambda s: AnkleStepDetector().detect(s), samples, args.repeat)
    b_rate, peaks = best_rate(scipy_baseline, samples, args.repeat)
    n_det = det.steps_.n_strides  # type: ignore[union-attr]
    print(f"{'method':<44}{'samples/s':>16}{'x baseline':>12}{'contacts':>10}")
    print(
        f"{'scipy find_peaks on band-passed gyro norm':<44}{b_rate:>16,.0f}{1.0:>12.1f}"
        f"{len(peaks):>10}"
    )  # type: ignore[arg-type]
    print(
        f"{'AnkleStepDetector kernel (detect_block)':<44}{k_rate:>16,.0f}"
        f"{k_rate / b_rate:>12.1f}{n_k:>10}"
    )
    print(
        f"{'AnkleStepDetector.detect (kernel + Python)':<44}{d_rate:>16,.0f}"
        f"{d_rate / b_rate:>12.1f}{n_det:>10}"
    )
    with tempfile.TemporaryDirectory() as cache:
        cold = first_call_s(cache)
        warm = first_call_s(cache)
    print(
        f"first call in a fresh process (import + compile + 500 samples): "
        f"empty numba cache {cold:.2f} s, with cache {warm:.2f} s"
    )


if __name__ == "__main__":
    main()
