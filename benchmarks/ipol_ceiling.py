"""How closely can the IPOL annotations be matched from one foot's signals at all? (issue 2)

    python -m benchmarks.ipol_ceiling [--json] [--plot PATH]

``eval_ipol`` scores the detector against the 3,866 annotated footsteps. This benchmark asks
what limits that score, with three measurements on the same data and the same matching rule:

1. Single-parameter trades: the detector with one threshold loosened or tightened at a time.
   When misses and false contacts trade about one for one, the remaining errors are not a
   threshold set wrongly.
2. A ceiling: permissive settings produce candidate contacts that cover more annotated
   footsteps. The F1 that a perfect filter of those candidates would reach (every false
   candidate dropped, every true one kept) bounds any detector built on these candidates.
3. A learned filter: a gradient-boosted classifier (scikit-learn) trained on the annotators'
   own labels, with the rotation-invariant signal around each candidate as features
   (angular-rate norm and rate about the walk's main rotation axis from 0.6 s before to 0.3 s
   after the candidate, jerk in 50 ms bins, the candidate swing's planarity and timing).
   It is scored leaving one subject out at a time, so each subject is scored by a model that
   never saw them. It tests whether the annotators' choice between similar foot movements
   (turn steps, pivots, shuffles and steps after the stated end of a trial) can be learnt from
   these signals; if it could, the detector's rules would have a model to follow.

The figures are recorded in BENCHMARKS.md (issue 2).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass

import numpy as np

from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot
from gait.evaluation import ContactScore, match_contacts, score_contacts
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

#: Permissive settings: smaller and shorter lobes are swing candidates, isolated steps from
#: 20 deg/s about the axis and 0.08 s of motion.
PERMISSIVE = {
    "rel_on": 0.15,
    "min_swing_s": 0.12,
    "isolated_axis_dps": 20.0,
    "isolated_min_s": 0.08,
}

#: One parameter changed at a time (the default first).
KNOBS: list[tuple[str, dict]] = [
    ("default", {}),
    ("isolated_axis_dps 60", {"isolated_axis_dps": 60.0}),
    ("isolated_axis_dps 120", {"isolated_axis_dps": 120.0}),
    ("rel_on 0.2", {"rel_on": 0.2}),
    ("rel_on 0.4", {"rel_on": 0.4}),
    ("min_swing_s 0.15", {"min_swing_s": 0.15}),
    ("min_swing_s 0.25", {"min_swing_s": 0.25}),
    ("end_frac 0.2", {"end_frac": 0.2}),
    ("no isolated steps (quiet_s 0)", {"quiet_s": 0.0}),
]

#: Offsets (s) of the sampled rate profiles, and edges (s) of the jerk bins, around a candidate.
PROFILE_S = np.round(np.arange(-0.6, 0.301, 0.05), 3)
JERK_BINS_S = np.round(np.arange(-0.2, 0.201, 0.05), 3)
#: Span (s) of motion before a candidate whose main rotation axis stands for the walk's.
HISTORY_S = 10.0
#: Span (s) of the candidate's own swing.
SWING_S = 0.8


@dataclass
class Recording:
    subject_id: int
    samples: SampleBlock
    swings_idx: np.ndarray


def _load() -> list[Recording]:
    root = find_ipol_dir()
    if root is None:
        raise SystemExit("IPOL data not found: set GAIT_IPOL_DIR or put ../shared beside the repo")
    out = []
    trials = list_ipol_trials(root)
    for i, code in enumerate(trials):
        for foot in ("left", "right"):
            rec = load_ipol_foot(root, code, foot)
            out.append(Recording(rec.subject_id, rec.session.samples, rec.swings_idx))
        print(f"\rloading {i + 1}/{len(trials)} trials", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def _contacts(rec: Recording, params: dict) -> np.ndarray:
    steps = AnkleStepDetector(**params).detect(rec.samples).steps_
    return np.sort(steps.ic_idx[steps.instrumented])


def _matched(rec: Recording, det: np.ndarray) -> np.ndarray:
    """Per detection: does it match an annotated footstep (eval_ipol's rule)?"""
    tol = round(0.1 * rec.samples.sampling_rate_hz)
    di, _ = match_contacts(det, rec.swings_idx, tolerance_samples=tol)
    ok = np.zeros(det.size, bool)
    ok[di] = True
    return ok


def _row(tp: int, fp: int, fn: int) -> dict:
    f1 = ContactScore(tp, fp, fn, np.zeros(0)).f1
    return {"f1": round(f1, 4), "tp": int(tp), "fp": int(fp), "fn": int(fn)}


def _n_annotated(recs: list[Recording]) -> int:
    return sum(len(r.swings_idx) for r in recs)


def _principal_axis(rate: np.ndarray) -> tuple[np.ndarray, float]:
    """Main rotation axis of ``rate`` (n, 3) and the share of its second moment about it."""
    w, v = np.linalg.eigh(rate.T @ rate)
    return v[:, -1], float(w[-1] / w.sum()) if w.sum() > 0 else 0.0


def candidate_features(samples: SampleBlock, det: np.ndarray) -> np.ndarray:
    """Rotation-invariant features of each candidate contact ``det`` (sorted sample indices)."""
    fs = samples.sampling_rate_hz
    gyr = samples.gyr_dps
    n = samples.n_samples
    rate = np.linalg.norm(gyr, axis=1)
    jerk = np.r_[0.0, np.linalg.norm(np.diff(samples.acc_ms2, axis=0), axis=1)]
    prof = np.round(PROFILE_S * fs).astype(int)
    bins = np.round(JERK_BINS_S * fs).astype(int)
    rows = []
    for k, c in enumerate(det):
        walk_axis, _ = _principal_axis(gyr[max(0, c - int(HISTORY_S * fs)) : c + 1])
        swing_axis, planarity = _principal_axis(gyr[max(0, c - int(SWING_S * fs)) : c + 1])
        at = np.clip(c + prof, 0, n - 1)
        jb = [
            jerk[min(max(c + a, 0), n - 1) : min(max(c + b, 1), n)].max(initial=0.0)
            for a, b in itertools.pairwise(bins)
        ]
        prev_s = (c - det[k - 1]) / fs if k else 5.0
        next_s = (det[k + 1] - c) / fs if k + 1 < det.size else 5.0
        rows.append(
            [
                *rate[at],
                *np.abs(gyr[at] @ walk_axis),
                *jb,
                planarity,
                abs(float(swing_axis @ walk_axis)),
                min(prev_s, 5.0),
                min(next_s, 5.0),
            ]
        )
    return np.asarray(rows, np.float64).reshape(len(det), -1)


def learned_filter(recs: list[Recording], seed: int = 0) -> dict:
    """Permissive candidates, the perfect filter's ceiling, and a learned filter scored leaving
    one subject out."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    feats, labels = [], []
    for rec in recs:
        det = _contacts(rec, PERMISSIVE)
        feats.append(candidate_features(rec.samples, det))
        labels.append(_matched(rec, det))
    subjects_arr = np.asarray([rec.subject_id for rec in recs])
    n_total = _n_annotated(recs)
    tp_all = int(sum(y.sum() for y in labels))
    fp_all = int(sum((~y).sum() for y in labels))
    thresholds = (0.3, 0.4, 0.5, 0.6, 0.7)
    counts = {t: [0, 0] for t in thresholds}  # kept true, kept false
    for s in np.unique(subjects_arr):
        train = np.flatnonzero(subjects_arr != s)
        test = np.flatnonzero(subjects_arr == s)
        model = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=seed
        )
        model.fit(np.vstack([feats[i] for i in train]), np.concatenate([labels[i] for i in train]))
        y = np.concatenate([labels[i] for i in test])
        p = model.predict_proba(np.vstack([feats[i] for i in test]))[:, 1]
        for t in thresholds:
            counts[t][0] += int((y & (p > t)).sum())
            counts[t][1] += int((~y & (p > t)).sum())
        print(f"\rlearned filter: subject {s} done", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {
        "permissive_settings": PERMISSIVE,
        "candidates": _row(tp_all, fp_all, n_total - tp_all),
        "perfect_filter_ceiling": _row(tp_all, 0, n_total - tp_all),
        "learned_filter_leave_one_subject_out": {
            str(t): _row(kt, kf, n_total - kt) for t, (kt, kf) in counts.items()
        },
        "n_features": int(feats[0].shape[1]),
    }


def knob_trades(recs: list[Recording]) -> dict:
    out = {}
    for name, params in KNOBS:
        total = ContactScore.zero()
        for rec in recs:
            fs = rec.samples.sampling_rate_hz
            total += score_contacts(_contacts(rec, params), rec.swings_idx, sampling_rate_hz=fs)
        out[name] = _row(total.n_true_positive, total.n_false_positive, total.n_false_negative)
    return out


def plot(res: dict, n_annotated: int, path: str) -> None:
    """False against missed contacts of every variant, with the lines of equal F1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    fn = np.linspace(0, 140, 200)
    for f1 in (0.97, 0.98, 0.99):
        # F1 = 2 TP / (2 TP + FP + FN) with TP = n - FN, solved for FP.
        ax.plot(fn, 2 * (n_annotated - fn) * (1 / f1 - 1) - fn, color="0.75", lw=1)
        ax.annotate(f"F1 {f1}", (2, 2 * (n_annotated - 2) * (1 / f1 - 1) - 2 + 3), fontsize=8)

    def fn_fp(*rows: dict) -> tuple[list[int], list[int]]:
        return [r["fn"] for r in rows], [r["fp"] for r in rows]

    knobs = res["knob_trades"]
    ax.plot(*fn_fp(*knobs.values()), "o", label="detector, one parameter changed")
    ax.plot(*fn_fp(knobs["default"]), "o", color="k", label="detector, default")
    learned = res["learned_filter_leave_one_subject_out"].values()
    ax.plot(*fn_fp(*learned), "s-", label="learned filter, leave one subject out")
    ceiling = res["perfect_filter_ceiling"]
    ax.plot(*fn_fp(ceiling), "*", ms=12, label="ceiling of the permissive candidates")
    ax.set_xlim(0, 150)
    ax.set_ylim(-5, 240)
    ax.set_xlabel("missed annotated footsteps (FN)")
    ax.set_ylabel("false contacts (FP)")
    ax.set_title(f"IPOL healthy gait, {n_annotated} annotated footsteps")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--plot", metavar="PATH", help="also draw FP against FN into this PNG")
    args = ap.parse_args(argv)
    recs = _load()
    n = _n_annotated(recs)
    res = {"knob_trades": knob_trades(recs), **learned_filter(recs)}
    if args.plot:
        plot(res, n, args.plot)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"IPOL healthy gait, {n} annotated footsteps, accelerometer + gyroscope")
    print(f"{'':<52}{'F1':>8}{'FP':>6}{'FN':>6}")

    def line(name: str, r: dict) -> None:
        print(f"{name:<52}{r['f1']:>8.4f}{r['fp']:>6}{r['fn']:>6}")

    print("one parameter at a time:")
    for name, r in res["knob_trades"].items():
        line(f"  {name}", r)
    line("permissive candidates", res["candidates"])
    line("  ceiling: every false candidate dropped", res["perfect_filter_ceiling"])
    print(f"  learned filter ({res['n_features']} features), leave one subject out:")
    for t, r in res["learned_filter_leave_one_subject_out"].items():
        line(f"    probability > {t}", r)


if __name__ == "__main__":
    main()
