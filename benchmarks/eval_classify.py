"""Accuracy of the step classifiers (issue 20, item 8): one command prints every figure.

    python -m benchmarks.eval_classify [--write-card models] [--json]

1. Held-out simulated subjects (datasets/labelled/test, never trained on): the shipped models
   (models/) on the truth contacts of the sensor foot, and on the step detector's contacts
   matched to them (within gait.classify.data.MATCH_S = 0.3 s; the path `gait analyse` takes).
2. The real mocap set (../shared/datasets/mocap_snu, one walker as a virtual shank IMU), part not
   trained on: the shipped recipe (datasets/labelled/train + mocap, each the same total weight)
   retrained in 5 folds of whole clips (GroupKFold by clip) and scored on the held-out clips:
   direction recall per class, forward steps landing on the forefoot, heel vs forefoot, midfoot;
   at the truth contacts and at the detector's.
3. Invariance: the same models and held-out subjects with the input turned by a random fixed
   rotation, and mirrored (the other leg): change in accuracy.
4. Smoothing over the steps of a bout (3 steps, causal), reported apart from per-step figures.
5. Live delay: p95 of (time a sensor-foot step is labelled - its contact), fed in 0.1 s blocks,
   and the share labelled before the sensor foot's next contact.
6. With ``--ipol``: real foot-worn IMUs of healthy people walking forward (IPOL, evaluation
   only): share of sensor-foot steps labelled forward outside the U-turns (±1 s), default models.

``--write-card DIR`` adds the figures to DIR/model_card.json and model_card.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SIM_TRAIN = REPO / "datasets" / "labelled" / "train"
SIM_TEST = REPO / "datasets" / "labelled" / "test"
MOCAP = REPO.parent / "shared" / "datasets" / "mocap_snu"


def _pct(x) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f} %"


def _recall(y, p, c):
    m = y == c
    return (float(np.mean(p[m] == c)) if m.any() else float("nan")), int(m.sum())


def score(direction, d_pred, strike, s_pred, s_proba, s_classes) -> dict:
    """Direction per class, forward-forefoot, heel vs forefoot, 3-class strike, midfoot."""
    from gait.classify.train import heel_vs_forefoot

    out = {}
    md = np.array([v in ("forward", "backward") for v in direction])
    for c in ("forward", "backward"):
        out[f"direction_{c}_recall"], out[f"n_{c}"] = _recall(direction[md], d_pred[md], c)
    out["direction_accuracy"] = float(np.mean(direction[md] == d_pred[md]))
    rec = [out["direction_forward_recall"], out["direction_backward_recall"]]
    out["direction_balanced"] = float(np.nanmean(rec))
    ff = (direction == "forward") & (strike == "forefoot")
    out["forward_forefoot_recall"] = float(np.mean(d_pred[ff] == "forward")) if ff.any() else None
    out["n_forward_forefoot"] = int(ff.sum())
    ms = np.array([v in ("heel", "midfoot", "forefoot") for v in strike])
    hf = heel_vs_forefoot(strike[ms].astype(str), s_proba[ms], list(s_classes))
    out["heel_vs_forefoot"] = hf["accuracy"]
    out["heel_vs_forefoot_balanced"] = hf["balanced_accuracy"]
    out["n_heel_forefoot"] = hf["n"]
    out["strike_3class_accuracy"] = float(np.mean(strike[ms] == s_pred[ms])) if ms.any() else None
    mid = strike == "midfoot"
    out["midfoot_recall"] = float(np.mean(s_pred[mid] == "midfoot")) if mid.any() else None
    out["n_midfoot"] = int(mid.sum())
    return out


def _classify(models, X, t_s=None, smooth=0):
    from gait.classify.stage import smooth_probabilities

    d, s = models
    pd_, ps = d.predict_proba(X), s.predict_proba(X)
    if smooth > 1 and t_s is not None:
        pd_, ps = smooth_probabilities(pd_, t_s, smooth), smooth_probabilities(ps, t_s, smooth)
    return d.classes_[pd_.argmax(1)], s.classes_[ps.argmax(1)], ps


def _smooth_by_recording(models, steps, k):
    """Smoothed predictions, bouts taken within each recording in time order."""
    d_pred = np.empty(len(steps), dtype=object)
    s_pred = np.empty(len(steps), dtype=object)
    s_proba = np.zeros((len(steps), len(models[1].classes_)))
    for rec in np.unique(steps.recording):
        m = np.flatnonzero(steps.recording == rec)
        m = m[np.argsort(steps.t_s[m])]
        a, b, c = _classify(models, steps.X[m], steps.t_s[m], smooth=k)
        d_pred[m], s_pred[m], s_proba[m] = a, b, c
    return d_pred, s_pred, s_proba


def _turned(steps_paths, m):
    """Steps of the sessions with the samples turned by ``m`` (det -1: mirrored)."""
    from gait.classify.data import StepSet, steps_of_labelled
    from gait.types import SampleBlock

    det = np.sign(np.linalg.det(m))

    def turn(b):
        return SampleBlock(b.t_s, b.acc_ms2 @ m.T, det * b.gyr_dps @ m.T, b.sampling_rate_hz)

    return StepSet.concatenate([steps_of_labelled(p, turn) for p in steps_paths])


def mocap_leave_clips_out(seed: int = 0, n_splits: int = 5):
    """Shipped recipe retrained without the held-out clips; predictions for every mocap step."""
    from sklearn.model_selection import GroupKFold

    from gait.classify.train import (
        _estimator,
        _labelled,
        fit_params,
        load_training_set,
        source_weights,
    )

    steps, src, _ = load_training_set([SIM_TRAIN, MOCAP])
    w_all = source_weights(steps, src)
    is_mc = src == 1
    mc_idx = np.flatnonzero(is_mc)
    groups = steps.subject[mc_idx]
    d_pred = np.full(len(mc_idx), None, dtype=object)
    s_pred = np.full(len(mc_idx), None, dtype=object)
    s_proba = np.zeros((len(mc_idx), 3))
    classes = None
    for _, te in GroupKFold(n_splits=n_splits).split(mc_idx, groups=groups):
        train_mask = np.ones(len(steps), bool)
        train_mask[mc_idx[te]] = False
        models = []
        for task in ("direction", "strike"):
            y = getattr(steps, task)
            m = train_mask & _labelled(y)
            models.append(
                _estimator(task, seed).fit(
                    steps.X[m],
                    y[m].astype(str),
                    sample_weight=w_all[m],
                    **fit_params(task, steps, m),
                )
            )
        a, b, c = _classify(models, steps.X[mc_idx[te]])
        d_pred[te], s_pred[te], s_proba[te] = a, b, c
        classes = models[1].classes_
    real = ~steps.jittered[mc_idx]  # score the real contacts, not the moved training rows
    mc = steps.subset(is_mc & ~steps.jittered)
    return mc, d_pred[real], s_pred[real], s_proba[real], classes


def live_delay(models_dir: Path) -> tuple[float, float, float]:
    """p95 of (time a sensor-foot step is labelled - its contact), streamed in 0.1 s blocks; the
    share of steps labelled before the sensor foot's next contact (within one stride); the
    median stride (s)."""
    from gait.classify.stage import StepLabeller
    from gait.io import read_session
    from gait.pipeline import GaitPipeline

    lab = StepLabeller.from_folder(models_dir)
    lat, within, strides = [], [], []
    for path in sorted(SIM_TEST.glob("*.csv.gz"))[:2]:
        s = read_session(path)
        st = GaitPipeline(classifier=lab).stream(
            sampling_rate_hz=s.samples.sampling_rate_hz, has_gyro=True, placement=s.meta.placement
        )
        n = s.samples.n_samples
        seen = []  # (contact t, time labelled)
        for i in range(0, n, 10):
            j = min(n, i + 10)
            for r in st.feed(s.samples.slice(i, j)):
                if r["instrumented"]:
                    seen.append((r["t_s"], s.samples.t_s[j - 1]))
        st.finish()
        for (t0, done), (t1, _) in pairwise(seen):
            lat.append(done - t0)
            within.append(done < t1)
            strides.append(t1 - t0)
    return float(np.percentile(lat, 95)), float(np.mean(within)), float(np.median(strides))


def ipol_forward_share(margin_s: float = 1.0) -> dict:
    """IPOL healthy gait (real foot-worn IMUs, evaluation only, AGPL data never copied): share of
    sensor-foot steps labelled forward outside the U-turns (all walking there is forward)."""
    import gait
    from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot

    d = find_ipol_dir()
    fw = n = 0
    strikes: dict[str, int] = {}
    for trial in list_ipol_trials(d):
        for foot in ("left", "right"):
            f = load_ipol_foot(d, trial, foot)
            a = gait.analyse(f.session)
            st = a.steps[a.steps["instrumented"]]
            fs = f.session.samples.sampling_rate_hz
            i = st["t_s"].to_numpy() * fs
            keep = np.ones(len(st), bool)
            if len(f.uturn_idx) == 2:
                u0, u1 = f.uturn_idx
                keep = (i < u0 - margin_s * fs) | (i > u1 + margin_s * fs)
            fw += int((st["direction"][keep] == "forward").sum())
            n += int(keep.sum())
            for k, v in st["strike"][keep].value_counts().items():
                strikes[str(k)] = strikes.get(str(k), 0) + int(v)
    return {"forward_share": fw / max(1, n), "n_steps": n, "strikes": strikes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=REPO / "models")
    ap.add_argument("--write-card", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--data-root", type=Path, default=REPO, help="folder holding datasets/")
    ap.add_argument("--ipol", action="store_true", help="also the IPOL forward share (~1 min)")
    a = ap.parse_args(argv)
    global SIM_TRAIN, SIM_TEST
    SIM_TRAIN = a.data_root / "datasets" / "labelled" / "train"
    SIM_TEST = a.data_root / "datasets" / "labelled" / "test"
    from gait.classify.data import steps_of_labelled
    from gait.classify.model_io import load_models
    from gait.labels import find_labelled_sessions

    d, s, _ = load_models(a.models)
    models = (d, s)
    res: dict = {}
    test_paths = find_labelled_sessions(SIM_TEST)
    from gait.classify.data import StepSet

    sim = StepSet.concatenate([steps_of_labelled(p) for p in test_paths])
    truth, det = sim.subset(~sim.at_detector), sim.subset(sim.at_detector)

    def run(st, key, smooth=0):
        if smooth:
            a_, b_, c_ = _smooth_by_recording(models, st, smooth)
        else:
            a_, b_, c_ = _classify(models, st.X)
        res[key] = score(st.direction, a_, st.strike, b_, c_, s.classes_)
        return res[key]

    run(truth, "sim_test_truth_contacts")
    run(det, "sim_test_detector_contacts")["matched_fraction"] = len(det) / max(1, len(truth))
    run(det, "sim_test_detector_contacts_smoothed_3_steps", smooth=3)
    rng = np.random.default_rng(20)
    q = rng.normal(size=4)
    from scipy.spatial.transform import Rotation

    rot = Rotation.from_quat(q / np.linalg.norm(q)).as_matrix()
    for name, m in (("rotated", rot), ("mirrored", rot @ np.diag([1.0, 1.0, -1.0]))):
        t = _turned(test_paths, m)
        for part, mask in (("truth", ~t.at_detector), ("detector", t.at_detector)):
            tt = t.subset(mask)
            a_, b_, c_ = _classify(models, tt.X)
            r = score(tt.direction, a_, tt.strike, b_, c_, s.classes_)
            base = res[f"sim_test_{part}_contacts"]
            res[f"sim_test_{name}_{part}_contacts"] = {
                "direction_accuracy_change": r["direction_accuracy"] - base["direction_accuracy"],
                "heel_vs_forefoot_change": r["heel_vs_forefoot"] - base["heel_vs_forefoot"],
            }
    if MOCAP.is_dir():
        mc, mdp, msp, mpp, cls = mocap_leave_clips_out()
        for part, mask in (("truth", ~mc.at_detector), ("detector", mc.at_detector)):
            res[f"mocap_leave_clips_out_{part}_contacts"] = score(
                mc.direction[mask], mdp[mask], mc.strike[mask], msp[mask], mpp[mask], cls
            )
        res["mocap_leave_clips_out_detector_contacts"]["matched_fraction"] = float(
            mc.at_detector.sum() / max(1, (~mc.at_detector).sum())
        )
    else:
        print(f"(mocap set not found at {MOCAP}: skipped)", file=sys.stderr)
    p95, within, stride = live_delay(a.models)
    res["live_delay_p95_s"] = p95
    res["live_labelled_within_own_stride"] = f"{100 * within:.1f} % (median stride {stride:.2f} s)"
    if a.ipol:
        res["ipol_forward_share_outside_uturns"] = ipol_forward_share()
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        _print(res)
    if a.write_card is not None:
        _write_card(a.write_card, res)
    return 0


def _summary_lines(res: dict) -> dict[str, str]:
    lines = {}
    for key, r in res.items():
        if not isinstance(r, dict):
            lines[key] = f"{r:.3f} s" if isinstance(r, float) else str(r)
            continue
        if "forward_share" in r:
            lines[key] = (
                f"{_pct(r['forward_share'])} of {r['n_steps']} sensor-foot steps labelled forward "
                f"(strike {r['strikes']}; default models)"
            )
            continue
        if "direction_accuracy_change" in r:
            lines[key] = (
                f"direction accuracy change {100 * r['direction_accuracy_change']:+.2f} points, "
                f"heel vs forefoot {100 * r['heel_vs_forefoot_change']:+.2f} points"
            )
            continue
        txt = (
            f"direction: forward {_pct(r['direction_forward_recall'])} (n={r['n_forward']}), "
            f"backward {_pct(r['direction_backward_recall'])} (n={r['n_backward']}), "
            f"balanced {_pct(r['direction_balanced'])}; forward-forefoot "
            f"{_pct(r['forward_forefoot_recall'])} (n={r['n_forward_forefoot']}); heel vs "
            f"forefoot {_pct(r['heel_vs_forefoot'])} (balanced "
            f"{_pct(r['heel_vs_forefoot_balanced'])}, n={r['n_heel_forefoot']}); strike 3-class "
            f"{_pct(r['strike_3class_accuracy'])}; midfoot recall {_pct(r['midfoot_recall'])} "
            f"(n={r['n_midfoot']})"
        )
        if "matched_fraction" in r:
            txt += f"; truth contacts matched by the detector {_pct(r['matched_fraction'])}"
        lines[key] = txt
    return lines


def _print(res: dict) -> None:
    for k, v in _summary_lines(res).items():
        print(f"{k}: {v}")


def _write_card(folder: Path, res: dict) -> None:
    from gait.classify.card import card_markdown

    path = folder / "model_card.json"
    card = json.loads(path.read_text())
    card["evaluation"] = _summary_lines(res)
    path.write_text(json.dumps(card, indent=2) + "\n")
    (folder / "model_card.md").write_text(card_markdown(card))


if __name__ == "__main__":
    sys.exit(main())
