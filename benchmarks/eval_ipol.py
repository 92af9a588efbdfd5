"""Step detection accuracy on the IPOL healthy-gait recordings (issue 2, item 6).

    python -m benchmarks.eval_ipol [--acc-only] [--json]

Every annotated footstep [toe-off, heel strike] is matched to at most one detected contact of that
foot lying in [toe-off - 0.1 s, heel strike + 0.1 s] (greedy one-to-one, closest first). Reports
precision, recall, F1, |detected - annotated heel strike| (median, 90th percentile) and per-trial
step-count error, for the development subjects, the held-out subjects and all, plus the
other-foot estimates scored against the other foot's annotations.

The detector's parameters were chosen on the development subjects only; subjects in HELD_OUT were
not looked at until the parameters were fixed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot
from gait.evaluation import ContactScore, score_contacts
from gait.steps import AnkleStepDetector

#: Subjects kept out of development (every fifth subject, starting at 3).
HELD_OUT = frozenset({3, 8, 13, 18})


def evaluate(acc_only: bool = False, detector: AnkleStepDetector | None = None) -> dict:
    root = find_ipol_dir()
    if root is None:
        raise SystemExit("IPOL data not found: set GAIT_IPOL_DIR or put ../shared beside the repo")
    detector = detector or AnkleStepDetector()
    groups = {"development": ContactScore.zero(), "held-out": ContactScore.zero()}
    other = ContactScore.zero()
    count_err: dict[str, list[int]] = {"development": [], "held-out": []}
    n_annotated = 0
    n_samples = 0
    seconds = 0.0
    trials = list_ipol_trials(root)
    for i, code in enumerate(trials):
        feet = {f: load_ipol_foot(root, code, f) for f in ("left", "right")}
        for foot, rec in feet.items():
            samples = rec.session.samples
            if acc_only:
                samples = samples.without_gyro()
            t0 = time.perf_counter()
            steps = detector.detect(samples).steps_
            seconds += time.perf_counter() - t0
            n_samples += samples.n_samples
            own = steps.ic_idx[steps.instrumented]
            group = "held-out" if rec.subject_id in HELD_OUT else "development"
            fs = samples.sampling_rate_hz
            groups[group] += score_contacts(own, rec.swings_idx, sampling_rate_hz=fs)
            count_err[group].append(len(own) - len(rec.swings_idx))
            n_annotated += len(rec.swings_idx)
            opposite = feet["right" if foot == "left" else "left"]
            est = steps.ic_idx[~steps.instrumented]
            # Only the walking span of this foot's own detections can carry estimates.
            other += score_contacts(est, opposite.swings_idx, sampling_rate_hz=fs)
        print(f"\r{i + 1}/{len(trials)} trials", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    groups["all"] = groups["development"] + groups["held-out"]
    count_err["all"] = count_err["development"] + count_err["held-out"]

    def row(s: ContactScore, errs: list[int]) -> dict:
        e = np.asarray(errs)
        return {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "tp": s.n_true_positive,
            "fp": s.n_false_positive,
            "fn": s.n_false_negative,
            "timing_median_ms": round(s.abs_timing_percentile_ms(50), 1),
            "timing_p90_ms": round(s.abs_timing_percentile_ms(90), 1),
            "timing_signed_median_ms": round(float(np.median(s.timing_error_ms)), 1),
            "step_count_error_mean_abs": round(float(np.mean(np.abs(e))), 3) if e.size else None,
            "step_count_exact_share": round(float(np.mean(e == 0)), 3) if e.size else None,
        }

    return {
        "mode": "accelerometer only" if acc_only else "accelerometer + gyroscope",
        "n_annotated_footsteps": n_annotated,
        "held_out_subjects": sorted(HELD_OUT),
        "groups": {k: row(v, count_err[k]) for k, v in groups.items()},
        "other_foot_estimates": row(other, []),
        "detector_samples_per_s_incl_python": round(n_samples / seconds),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--acc-only", action="store_true", help="ignore the gyroscope")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    res = evaluate(acc_only=args.acc_only)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"IPOL healthy gait, {res['n_annotated_footsteps']} annotated footsteps, {res['mode']}")
    print(f"held-out subjects: {res['held_out_subjects']}")
    hdr = (
        f"{'group':<14}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>5}{'FN':>5}"
        f"{'med|e|ms':>10}{'p90|e|ms':>10}{'cnt|err|':>9}{'exact':>7}"
    )
    print(hdr)
    rows = [*res["groups"].items(), ("other foot", res["other_foot_estimates"])]
    for name, r in rows:
        cnt = r["step_count_error_mean_abs"]
        ex = r["step_count_exact_share"]
        print(
            f"{name:<14}{r['precision']:>8.4f}{r['recall']:>8.4f}{r['f1']:>8.4f}{r['tp']:>6}"
            f"{r['fp']:>5}{r['fn']:>5}{r['timing_median_ms']:>10.1f}{r['timing_p90_ms']:>10.1f}"
            f"{'' if cnt is None else f'{cnt:.3f}':>9}{'' if ex is None else f'{ex:.3f}':>7}"
        )


if __name__ == "__main__":
    main()
