"""Transfer benchmark (issue 20, item 2): do classifiers trained on simulated gait work on real
motion, and the other way round?

    python -m benchmarks.transfer [--recipe shipped|plain|both] [--no-yardstick] [--logistic]

Trains the product classifiers on one set and tests on another: simulated train -> simulated
held-out subjects (datasets/labelled/test), simulated train -> the real mocap walker
(../shared/datasets/mocap_snu), and mocap -> simulated held-out subjects. Per step: accuracy,
balanced accuracy (mean per-class recall) and the confusion table, for direction and for heel vs
forefoot (midfoot counted apart). A simulated-to-simulated score more than 5 points above
simulated-to-real means the simulator still gives labels away.

Two recipes (``--recipe``, default ``shipped``):

- ``shipped``: trained exactly as ``gait train`` trains the shipped models
  (gait.classify.train.load_training_set, source_weights, fit_task: rows at the truth and the
  detector's contacts, at moved contacts and through an on-board filter; every strike class),
  on the simulated training set alone or the mocap set alone; scored at the truth contacts and
  at the step detector's contacts (where the product reads them), heel vs forefoot from the
  larger of p(heel) and p(forefoot), as benchmarks.eval_classify. This is the product's own
  transfer.
- ``plain``: the earlier, plainer recipe (truth contacts only, heel and forefoot only, no extra
  rows), scored at the truth contacts; ``--logistic`` gives it the earlier logistic estimators.
  Kept to compare with the figures of earlier sessions (BENCHMARKS.md, docs/simulator.md).

The gap is printed with a 90 % interval from resampling the held-out simulated people and the
walker's clips (:func:`gap_interval`): with six held-out people and one walker's 41 forefoot
landings, the heel vs forefoot gap spans 20-45 points between resamples (BENCHMARKS.md, "Strike
transfer across simulator seeds"), so one figure says little on its own. Heel vs forefoot is also
given per direction. ``--more-test DIR`` (repeatable) adds the held-out people of other simulator
seeds (``gait simulate ... --seed S``, its ``test/``) to the simulated side. Then runs the generic
yardstick ../shared/tools/transfer_check.py on the same sets, so both are on record.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gait.classify.train import balanced_accuracy, heel_or_forefoot

REPO = Path(__file__).resolve().parents[1]
MOCAP = REPO.parent / "shared" / "datasets" / "mocap_snu"
YARDSTICK = REPO.parent / "shared" / "tools" / "transfer_check.py"


#: ``--logistic``: the earlier default estimators (logistic regressions), for comparison.
LOGISTIC = {"direction": {"kind": "logistic", "C": 0.3}, "strike": {"kind": "logistic", "C": 0.01}}
RECIPES = ("shipped", "plain")


def _fit(steps, task, logistic=False):
    """The plain recipe: truth contacts only (``steps`` holds those), heel and forefoot only."""
    from gait.classify.train import _estimator, _labelled, fit_params

    y = getattr(steps, task)
    if task == "strike":
        m = np.array([v in ("heel", "forefoot") for v in y])
    else:
        m = _labelled(y)
    est = _estimator(task, 0)
    if logistic:
        est.set_params(**LOGISTIC[task])
    return est.fit(steps.X[m], y[m].astype(str), **fit_params(task, steps, m))


def fit_shipped(paths: Sequence[Path], seed: int = 0) -> dict:
    """Both models trained on ``paths`` exactly as ``gait train paths...`` fits its final models
    (the same rows, weights and estimators; without the cross-validation and the card)."""
    from gait.classify.train import TASKS, fit_task, load_training_set, source_weights

    steps, src, _ = load_training_set(list(paths))
    w = source_weights(steps, src)
    return {task: fit_task(task, steps, w, seed) for task in TASKS}


def predict(model, task: str, X: np.ndarray) -> np.ndarray:
    """Direction: the model's label; strike: heel or forefoot, whichever has the larger p (the
    models of the shipped recipe also know midfoot; benchmarks.eval_classify scores alike)."""
    if task != "strike":
        return model.predict(X)
    return heel_or_forefoot(model.predict_proba(X), list(model.classes_))


def gap_interval(
    sim: tuple[np.ndarray, np.ndarray, np.ndarray],
    real: tuple[np.ndarray, np.ndarray, np.ndarray],
    classes: Sequence[str],
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.9,
) -> tuple[float, float]:
    """Interval (points) of the gap sim->sim minus sim->real balanced accuracy over resamples.

    ``sim`` and ``real`` are ``(truth, predicted, group)`` per step; each resample draws the
    groups (held-out people; mocap clips) with replacement, independently on both sides, so
    the interval shows how much the gap depends on which people and clips were tested."""
    rng = np.random.default_rng(seed)

    def draws(truth, pred, group):
        groups, inv = np.unique(np.asarray(group).astype(str), return_inverse=True)
        rows = [np.flatnonzero(inv == k) for k in range(len(groups))]
        out = np.empty(n_boot)
        for b in range(n_boot):
            ii = np.concatenate([rows[k] for k in rng.integers(0, len(groups), len(groups))])
            out[b] = balanced_accuracy(truth[ii], pred[ii], classes)
        return out

    gap = 100.0 * (draws(*sim) - draws(*real))
    gap = gap[np.isfinite(gap)]
    tail = 100.0 * (1.0 - level) / 2.0
    return float(np.percentile(gap, tail)), float(np.percentile(gap, 100.0 - tail))


def _report(name: str, model, steps, task: str, group: str = "subject") -> dict:
    """Scores of ``model`` on ``steps``; ``rows`` holds (truth, predicted, ``group``) per step."""
    from gait.classify.train import metrics

    y = getattr(steps, task)
    keep = (
        np.array([v in ("heel", "forefoot") for v in y])
        if task == "strike"
        else np.array([v in ("forward", "backward") for v in y])
    )
    yt = y[keep].astype(str)
    yp = predict(model, task, steps.X[keep])
    classes = ["heel", "forefoot"] if task == "strike" else ["forward", "backward"]
    r = metrics(yt, yp, classes)
    label = "heel vs forefoot" if task == "strike" else "direction"
    print(
        f"{name:<40s} {label:<16s} accuracy {r['accuracy']:.3f}  balanced "
        f"{r['balanced_accuracy']:.3f}  (n={r['n']})"
    )
    conf = r["confusion"]["rows_truth_columns_predicted"]
    print(" " * 42 + "truth \\ predicted " + " ".join(f"{c:>9s}" for c in classes))
    for c, row in zip(classes, conf, strict=True):
        print(" " * 42 + f"{c:>17s} " + " ".join(f"{v:9d}" for v in row))
    if task == "strike":
        d = steps.direction[keep].astype(str)
        cells = [
            f"{k} {c} {np.sum(yp[(d == k) & (yt == c)] == c)}/{np.sum((d == k) & (yt == c))}"
            for k in ("forward", "backward")
            for c in classes
            if np.any((d == k) & (yt == c))
        ]
        print(" " * 42 + "right by direction: " + ", ".join(cells))
    r["rows"] = (yt, yp, getattr(steps, group)[keep])
    return r


def _at_truth(steps):
    return steps.subset(~steps.at_detector)


def _at_detector(steps):
    return steps.subset(steps.at_detector)


def _gap(res: dict, key: str, task: str, what: str) -> float:
    """Print the gap sim->sim minus sim->real (``key`` names the contacts) with its interval."""
    classes = ["heel", "forefoot"] if task == "strike" else ["forward", "backward"]
    sim, real = res[("sim->sim", key, task)], res[("sim->real", key, task)]
    gap = sim["balanced_accuracy"] - real["balanced_accuracy"]
    flag = "  > 5 points: the simulator still gives labels away" if gap > 0.05 else ""
    lo, hi = gap_interval(sim["rows"], real["rows"], classes)
    print(
        f"gap sim->sim minus sim->real, {task} balanced, {what}: {100 * gap:+.1f} points "
        f"(90 % interval over held-out people and clips {lo:+.1f} .. {hi:+.1f}){flag}"
    )
    if ("sim->all", key, task) in res:
        rows = res[("sim->all", key, task)]
        g = rows["balanced_accuracy"] - real["balanced_accuracy"]
        lo, hi = gap_interval(rows["rows"], real["rows"], classes)
        print(
            f"  the same on all {len(np.unique(rows['rows'][2]))} held-out people: "
            f"{100 * g:+.1f} points ({lo:+.1f} .. {hi:+.1f})"
        )
    return gap


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-yardstick", action="store_true", help="skip transfer_check.py")
    ap.add_argument(
        "--recipe",
        choices=[*RECIPES, "both"],
        default="shipped",
        help="shipped: train as `gait train` does, score at truth and detector contacts "
        "(default); plain: the earlier truth-contact heel/forefoot recipe; both",
    )
    ap.add_argument(
        "--logistic",
        action="store_true",
        help="the plain recipe with the earlier logistic estimators, for comparison",
    )
    ap.add_argument("--data-root", type=Path, default=REPO, help="folder holding datasets/")
    ap.add_argument(
        "--more-test",
        type=Path,
        action="append",
        default=[],
        help="more held-out simulated people (a labelled test/ folder, e.g. of another simulator "
        "seed): sim->sim and its gap are also given on all held-out people together",
    )
    a = ap.parse_args(argv)
    from gait.classify.data import StepSet, load_steps

    sim_train = a.data_root / "datasets" / "labelled" / "train"
    sim_test = a.data_root / "datasets" / "labelled" / "test"
    have_mocap = MOCAP.is_dir()
    # test rows at the truth contacts and at the detector's (load_steps gives both)
    sim_te = load_steps([sim_test])
    sim_all = (
        StepSet.concatenate([sim_te, *(load_steps([p]) for p in a.more_test)])
        if a.more_test
        else None
    )
    mc = load_steps([MOCAP]) if have_mocap else None
    recipes = list(RECIPES) if a.recipe == "both" else [a.recipe]
    if a.logistic and "plain" not in recipes:
        recipes.append("plain")
    res: dict = {}
    for recipe in recipes:
        print(f"\n=== recipe: {recipe} ===")
        if recipe == "shipped":
            m_sim = fit_shipped([sim_train])
            m_real = fit_shipped([MOCAP]) if have_mocap else None
            parts = (("truth", "truth contacts"), ("detector", "detector's contacts"))
        else:
            sim_tr = load_steps([sim_train])
            sim_tr = sim_tr.subset(~sim_tr.at_detector)
            m_sim = {t: _fit(sim_tr, t, a.logistic) for t in ("direction", "strike")}
            m_real = None
            if have_mocap:
                mc_tr = mc.subset(~mc.at_detector)  # type: ignore[union-attr]
                m_real = {t: _fit(mc_tr, t, a.logistic) for t in ("direction", "strike")}
            parts = (("truth", "truth contacts"),)
        for task in ("direction", "strike"):
            for key, _ in parts:
                at = _at_truth if key == "truth" else _at_detector
                tag = "" if key == "truth" else " (detector)"
                r = res.setdefault(recipe, {})
                r[("sim->sim", key, task)] = _report(
                    "sim train -> sim test" + tag, m_sim[task], at(sim_te), task
                )
                if sim_all is not None:
                    n = len(np.unique(sim_all.subject))
                    r[("sim->all", key, task)] = _report(
                        f"sim train -> {n} sim people" + tag, m_sim[task], at(sim_all), task
                    )
                if mc is not None and m_real is not None:
                    # the walker's clips are the groups (one walk gives both legs' steps)
                    r[("sim->real", key, task)] = _report(
                        "sim train -> mocap (real)" + tag, m_sim[task], at(mc), task
                    )
                    r[("real->sim", key, task)] = _report(
                        "mocap (real) -> sim test" + tag, m_real[task], at(sim_te), task
                    )
        if mc is not None:
            for task in ("direction", "strike"):
                for key, what in parts:
                    _gap(res[recipe], key, task, f"{recipe} recipe, {what}")
        else:
            print(f"(mocap set not found at {MOCAP}: sim->real skipped)")
    if not a.no_yardstick and YARDSTICK.is_file() and have_mocap:
        print("\nyardstick: transfer_check.py --train datasets/labelled/train --test mocap_snu")
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, str(YARDSTICK), "--train", str(sim_train), "--test", str(MOCAP)],
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
