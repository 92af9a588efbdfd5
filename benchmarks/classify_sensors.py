"""The step classifiers behind other sensors: held-out simulated subjects read as a sensor that
filters on board, samples at another rate or loses samples would give them.

    python -m benchmarks.classify_sensors [--models models] [--sensors recorded smoothed ...]
    python -m benchmarks.classify_sensors --walker [--sensors ...]     # real motion, ~5 min

For each sensor, the models (default: the shipped ones) label the sensor-foot steps of
datasets/labelled/test at the truth contacts and at the step detector's contacts (found on the
changed samples); printed: direction accuracy, heel vs forefoot accuracy and balanced accuracy,
midfoot recall. Sensors: ``recorded``; ``smoothed`` (the accelerometer averaged over 100 ms);
``acc-lp15`` / ``acc-lp8`` (a causal 2nd-order low-pass of the accelerometer at 15 / 8 Hz);
``50Hz`` / ``200Hz`` (resampled: anti-aliased, interpolated on the recorded time stamps);
``lost1pct``, ``gyr-bias20`` (as in benchmarks.detection_matrix).

``--walker``: real motion instead. The shipped recipe is trained on the simulated training
subjects alone, with and without the on-board filter rows (gait.classify.augment), and tested on
the real mocap walker (../shared/datasets/mocap_snu, never trained on) read as each sensor would
give it, and on the held-out simulated subjects: direction and heel vs forefoot, balanced, at the
truth contacts (the shipped recipe's own simulated-to-real gap, as benchmarks.transfer now
reports it with its interval, at the truth and the detector's contacts).
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
SIM_TRAIN = REPO / "datasets" / "labelled" / "train"
MOCAP = REPO.parent / "shared" / "datasets" / "mocap_snu"


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


def _walker_steps(transform):
    """The walker's sensor-foot steps at its truth contacts, samples through ``transform``."""
    from gait.classify.data import StepSet, steps_of_mocap
    from gait.datasets.mocap import find_mocap_signals

    st = StepSet.concatenate([steps_of_mocap(p, transform) for p in find_mocap_signals(MOCAP)])
    return st.subset(~st.at_detector)


def walker(names: list[str]) -> int:
    """Sim-only recipe with / without the filter rows, tested on the real walker per sensor."""
    from gait.classify.train import (
        _estimator,
        _labelled,
        fit_params,
        heel_vs_forefoot,
        load_training_set,
        metrics,
    )

    if not MOCAP.is_dir():
        print(f"the mocap set is not at {MOCAP}", file=sys.stderr)
        return 1
    table = sensors()
    tests = {f"walker, {n}": _walker_steps(table[n]) for n in names}
    from gait.classify.data import StepSet, steps_of_labelled
    from gait.labels import find_labelled_sessions

    sim = StepSet.concatenate([steps_of_labelled(p) for p in find_labelled_sessions(SIM_TEST)])
    tests["held-out sim, recorded"] = sim.subset(~sim.at_detector)
    keep = {"direction": ["forward", "backward"], "strike": ["heel", "forefoot"]}
    print(f"trained on {SIM_TRAIN} alone; tested on the walker ({MOCAP}), truth contacts")
    print(f"{'training rows':<22s} {'test':<24s} {'direction':>9s} {'heel/ff':>8s}  (balanced)")
    for augment in (False, True):
        steps, _, _ = load_training_set([SIM_TRAIN], augment=augment)
        models = {}
        for task in keep:
            y = getattr(steps, task)
            m = _labelled(y)
            models[task] = _estimator(task, 0).fit(
                steps.X[m], y[m].astype(str), **fit_params(task, steps, m)
            )
        for n, t in tests.items():
            y = t.direction
            k = np.array([v in keep["direction"] for v in y])
            r = metrics(y[k].astype(str), models["direction"].predict(t.X[k]), keep["direction"])
            s_model = models["strike"]  # heel vs forefoot from p, as benchmarks.eval_classify
            hf = heel_vs_forefoot(
                t.strike.astype(str), s_model.predict_proba(t.X), list(s_model.classes_)
            )
            row = [f"{r['balanced_accuracy']:9.3f}", f"{hf['balanced_accuracy']:.3f}"]
            label = "with filter rows" if augment else "without filter rows"
            print(f"{label:<22s} {n:<24s} {row[0]} {row[1]:>8s}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=REPO / "models")
    ap.add_argument("--sensors", nargs="+", default=None, choices=list(sensors()))
    ap.add_argument("--walker", action="store_true", help="real motion (the mocap walker)")
    a = ap.parse_args(argv)
    if a.walker:
        return walker(a.sensors or ["recorded", "smoothed", "acc-lp8"])
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
