"""The step classifiers behind other sensors: held-out simulated subjects read as a sensor that
filters on board, samples at another rate or loses samples would give them.

    python -m benchmarks.classify_sensors [--models models] [--sensors recorded smoothed ...]

For each sensor, the models (default: the shipped ones) label the sensor-foot steps of
datasets/labelled/test at the truth contacts and at the step detector's contacts (found on the
changed samples); printed: direction accuracy, heel vs forefoot accuracy and balanced accuracy,
midfoot recall. Sensors: ``recorded``; ``smoothed`` (the accelerometer averaged over 100 ms);
``acc-lp15`` / ``acc-lp8`` (a causal 2nd-order low-pass of the accelerometer at 15 / 8 Hz);
``50Hz`` / ``200Hz`` (resampled: anti-aliased, interpolated on the recorded time stamps);
``lost1pct``, ``gyr-bias20`` (as in benchmarks.detection_matrix).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gait.types import SampleBlock

REPO = Path(__file__).resolve().parents[1]
SIM_TEST = REPO / "datasets" / "labelled" / "test"


def _acc_lowpass(fc_hz: float) -> Callable[[SampleBlock], SampleBlock]:
    def f(b: SampleBlock) -> SampleBlock:
        from gait.simulate._sensor import causal_lowpass

        acc = causal_lowpass(b.acc_ms2, b.sampling_rate_hz, fc_hz)
        return SampleBlock(b.t_s, acc, b.gyr_dps, b.sampling_rate_hz)

    return f


def _rate(fs_new: float) -> Callable[[SampleBlock], SampleBlock]:
    def f(b: SampleBlock) -> SampleBlock:
        from scipy.signal import butter, sosfiltfilt

        acc, gyr = b.acc_ms2, b.gyr_dps
        if fs_new < b.sampling_rate_hz:  # anti-alias first
            sos = butter(4, 0.4 * fs_new, fs=b.sampling_rate_hz, output="sos")
            acc, gyr = sosfiltfilt(sos, acc, axis=0), sosfiltfilt(sos, gyr, axis=0)
        t = np.arange(b.t_s[0], b.t_s[-1], 1.0 / fs_new)

        def at(x: np.ndarray) -> np.ndarray:
            return np.column_stack([np.interp(t, b.t_s, x[:, k]) for k in range(3)])

        return SampleBlock(t, at(acc), at(gyr), float(fs_new))

    return f


def sensors() -> dict[str, Callable[[SampleBlock], SampleBlock] | None]:
    """Name -> transform of the samples (None: as recorded)."""
    from benchmarks.detection_matrix import sensor_variant

    rng = np.random.default_rng(22)

    def variant(name: str) -> Callable[[SampleBlock], SampleBlock]:
        return lambda b: sensor_variant(b, name, rng)

    return {
        "recorded": None,
        "smoothed": variant("smoothed"),
        "acc-lp15": _acc_lowpass(15.0),
        "acc-lp8": _acc_lowpass(8.0),
        "50Hz": _rate(50.0),
        "200Hz": _rate(200.0),
        "lost1pct": variant("lost1pct"),
        "gyr-bias20": variant("gyr-bias20"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=REPO / "models")
    ap.add_argument("--sensors", nargs="+", default=None, choices=list(sensors()))
    a = ap.parse_args(argv)
    from benchmarks.eval_classify import _classify, score
    from gait.classify.data import StepSet, steps_of_labelled
    from gait.classify.model_io import load_models
    from gait.labels import find_labelled_sessions

    d, s, _ = load_models(a.models)
    paths = find_labelled_sessions(SIM_TEST)
    if not paths:
        print(f"no labelled sessions in {SIM_TEST}", file=sys.stderr)
        return 1
    table = sensors()
    print(f"models {a.models}; {len(paths)} held-out simulated sessions ({SIM_TEST})")
    print(
        f"{'sensor':<11s} {'contacts':<9s} {'n':>5s} {'direction':>9s} {'heel/ff':>8s} "
        f"{'balanced':>8s} {'midfoot':>8s}"
    )
    for name in a.sensors or list(table):
        st = StepSet.concatenate([steps_of_labelled(p, table[name]) for p in paths])
        for part, mask in (("truth", ~st.at_detector), ("detector", st.at_detector)):
            t = st.subset(mask)
            p_d, p_s, proba = _classify((d, s), t.X)
            r = score(t.direction, p_d, t.strike, p_s, proba, s.classes_)
            mid = r["midfoot_recall"]
            print(
                f"{name:<11s} {part:<9s} {len(t):5d} {100 * r['direction_accuracy']:8.1f}% "
                f"{100 * r['heel_vs_forefoot']:7.1f}% "
                f"{100 * r['heel_vs_forefoot_balanced']:7.1f}% "
                + ("     n/a" if mid is None else f"{100 * mid:7.1f}%"),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
