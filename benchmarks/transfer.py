"""Transfer benchmark (issue 20, item 2): do classifiers trained on simulated gait work on real
motion, and the other way round?

    python -m benchmarks.transfer [--no-yardstick] [--logistic]

Trains the product classifiers (gait.classify, default settings) on one set and tests on another:
simulated train -> simulated held-out subjects (datasets/labelled/test), simulated train -> the
real mocap walker (../shared/datasets/mocap_snu), and mocap -> simulated held-out subjects. Per
step: accuracy, balanced accuracy (mean per-class recall) and the confusion table, for direction
and for heel vs forefoot (midfoot counted apart), at the truth contacts of the sensor foot.
A simulated-to-simulated score more than 5 points above simulated-to-real means the simulator
still gives labels away. Then runs the generic yardstick ../shared/tools/transfer_check.py on the
same sets, so both are on record.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MOCAP = REPO.parent / "shared" / "datasets" / "mocap_snu"
YARDSTICK = REPO.parent / "shared" / "tools" / "transfer_check.py"


#: ``--logistic``: the earlier default estimators (logistic regressions), for comparison.
LOGISTIC = {"direction": {"kind": "logistic", "C": 0.3}, "strike": {"kind": "logistic", "C": 0.01}}


def _fit(steps, task, logistic=False):
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


def _report(name: str, model, steps, task: str) -> dict:
    from gait.classify.train import metrics

    y = getattr(steps, task)
    keep = (
        np.array([v in ("heel", "forefoot") for v in y])
        if task == "strike"
        else np.array([v in ("forward", "backward") for v in y])
    )
    yt = y[keep].astype(str)
    yp = model.predict(steps.X[keep])
    classes = ["heel", "forefoot"] if task == "strike" else ["forward", "backward"]
    r = metrics(yt, yp, classes)
    label = "heel vs forefoot" if task == "strike" else "direction"
    print(
        f"{name:<28s} {label:<16s} accuracy {r['accuracy']:.3f}  balanced "
        f"{r['balanced_accuracy']:.3f}  (n={r['n']})"
    )
    conf = r["confusion"]["rows_truth_columns_predicted"]
    print(" " * 30 + "truth \\ predicted " + " ".join(f"{c:>9s}" for c in classes))
    for c, row in zip(classes, conf, strict=True):
        print(" " * 30 + f"{c:>17s} " + " ".join(f"{v:9d}" for v in row))
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-yardstick", action="store_true", help="skip transfer_check.py")
    ap.add_argument(
        "--logistic", action="store_true", help="the earlier logistic estimators, for comparison"
    )
    ap.add_argument("--data-root", type=Path, default=REPO, help="folder holding datasets/")
    a = ap.parse_args(argv)
    from gait.classify.data import load_steps

    sim_train = a.data_root / "datasets" / "labelled" / "train"
    sim_test = a.data_root / "datasets" / "labelled" / "test"

    def truth(p):
        s = load_steps([p])
        return s.subset(~s.at_detector)

    sim_tr, sim_te = truth(sim_train), truth(sim_test)
    have_mocap = MOCAP.is_dir()
    mc = truth(MOCAP) if have_mocap else None
    res = {}
    for task in ("direction", "strike"):
        m_sim = _fit(sim_tr, task, a.logistic)
        res[("sim->sim", task)] = _report("sim train -> sim test", m_sim, sim_te, task)
        if mc is not None:
            res[("sim->real", task)] = _report("sim train -> mocap (real)", m_sim, mc, task)
            res[("real->sim", task)] = _report(
                "mocap (real) -> sim test", _fit(mc, task, a.logistic), sim_te, task
            )
    if mc is not None:
        for task in ("direction", "strike"):
            gap = (
                res[("sim->sim", task)]["balanced_accuracy"]
                - res[("sim->real", task)]["balanced_accuracy"]
            )
            flag = "  > 5 points: the simulator still gives labels away" if gap > 0.05 else ""
            print(f"gap sim->sim minus sim->real, {task} balanced: {100 * gap:+.1f} points{flag}")
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
