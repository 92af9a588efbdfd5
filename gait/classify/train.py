"""Train the two step classifiers, cross-validate them by subject and write a model card.

Used by ``gait train`` and by the command that writes the shipped ``models/``
(models/README.md). Deterministic: fixed seeds, no early stopping, sorted inputs.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gait.classify.data import (
    StepSet,
    find_training_files,
    split_direction,
    steps_of_labelled,
    steps_of_mocap,
)
from gait.consts import DIRECTIONS, STRIKES
from gait.errors import LabelFormatError

TASKS: dict[str, tuple[str, ...]] = {"direction": DIRECTIONS, "strike": STRIKES}


@dataclass(eq=False)
class TrainResult:
    """Fitted models, their out-of-fold predictions and the model card."""

    models: dict[str, Any]
    steps: StepSet
    oof: dict[str, np.ndarray]  # task -> predicted label per step (None where unlabelled)
    card: dict[str, Any]
    card_md: str


def source_weights(steps: StepSet, source_of: np.ndarray) -> np.ndarray:
    """Sample weights giving every DATA argument the same total weight (mean 1)."""
    w = np.ones(len(steps))
    srcs = np.unique(source_of)
    for s in srcs:
        m = source_of == s
        w[m] = len(steps) / (len(srcs) * m.sum())
    return w


def _estimator(task: str, seed: int):
    from gait.classify.estimators import DirectionClassifier, StrikeClassifier

    cls = DirectionClassifier if task == "direction" else StrikeClassifier
    return cls(random_state=seed)


def fit_params(task: str, steps: StepSet, mask: np.ndarray) -> dict[str, Any]:
    """Extra ``fit`` arguments of a task's estimator for the rows ``mask`` of ``steps``: the
    strike classifier gets each row's direction (its ``direction_split``; the strike-only moved
    rows that of their contact, gait.classify.data.split_direction)."""
    if task != "strike":
        return {}
    return {"direction": split_direction(steps)[mask]}


def fit_task(task: str, steps: StepSet, weights: np.ndarray, seed: int = 0) -> Any:
    """The ``task`` model fitted on every row of ``steps`` labelled for it, with the rows'
    ``weights`` (:func:`source_weights`): the final fit of :func:`train`, also used by
    benchmarks.transfer to train exactly as ``gait train`` does."""
    return _fit_rows(task, *_task_rows(task, steps, weights), seed)


def _task_rows(task: str, steps: StepSet, weights: np.ndarray) -> tuple:
    """The rows of ``steps`` labelled for ``task``: features, labels, weights and the extra
    ``fit`` arguments (:func:`fit_params`)."""
    y = getattr(steps, task)
    m = _labelled(y)
    return steps.X[m], y[m].astype(str), weights[m], fit_params(task, steps, m)


def _fit_rows(
    task: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, kw: dict[str, Any], seed: int
) -> Any:
    return _estimator(task, seed).fit(X, y, sample_weight=w, **kw)


def _labelled(y: np.ndarray) -> np.ndarray:
    return np.array([v is not None and v == v and v != "" for v in y], dtype=bool)


def metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Accuracy, balanced accuracy, per-class precision/recall and the confusion matrix."""
    present = [c for c in classes if np.any(y_true == c)]
    per = {}
    for c in classes:
        tp = int(np.sum((y_true == c) & (y_pred == c)))
        n_true = int(np.sum(y_true == c))
        n_pred = int(np.sum(y_pred == c))
        per[c] = {
            "support": n_true,
            "recall": tp / n_true if n_true else None,
            "precision": tp / n_pred if n_pred else None,
        }
    conf = [[int(np.sum((y_true == a) & (y_pred == b))) for b in classes] for a in classes]
    return {
        "n": len(y_true),
        "accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else None,
        "balanced_accuracy": balanced_accuracy(y_true, y_pred, classes) if present else None,
        "per_class": per,
        "confusion": {"labels": list(classes), "rows_truth_columns_predicted": conf},
    }


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> float:
    """Mean recall over the ``classes`` present in ``y_true`` (NaN when none is)."""
    rec = [np.mean(y_pred[y_true == c] == c) for c in classes if np.any(y_true == c)]
    return float(np.mean(rec)) if rec else float("nan")


def heel_or_forefoot(proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """``"heel"`` or ``"forefoot"`` per row of ``proba``, whichever has the larger p."""
    ci = {c: i for i, c in enumerate(classes)}
    return np.where(proba[:, ci["heel"]] >= proba[:, ci["forefoot"]], "heel", "forefoot")


def heel_vs_forefoot(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> dict:
    """Heel-or-forefoot choice on truly heel/forefoot steps (the larger of the two p)."""
    m = (y_true == "heel") | (y_true == "forefoot")
    if not m.any() or "heel" not in classes or "forefoot" not in classes:
        return {"n": 0, "accuracy": None, "balanced_accuracy": None}
    return metrics(y_true[m], heel_or_forefoot(proba[m], classes), ["heel", "forefoot"])


def _versions() -> dict[str, str]:
    import numba
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "numba": numba.__version__,
        "skops": skops.__version__,
    }


def load_training_set(
    paths: Sequence[str | Path],
    progress: Callable[[Path], None] | None = None,
    *,
    augment: bool = True,
) -> tuple[StepSet, np.ndarray, list[dict[str, Any]]]:
    """Steps of every file under ``paths``, the DATA argument of each step and the data list.
    ``augment``: each file is also read through an on-board filter (gait.classify.augment)."""
    sets, src, data = [], [], []
    for k, raw in enumerate(paths):
        files = find_training_files([raw])
        n0 = sum(len(s) for s in sets)
        for kind, f in files:
            read = steps_of_mocap if kind == "mocap" else steps_of_labelled
            sets.append(read(f, jitter=True, augment=augment))
            src.append(np.full(len(sets[-1]), k))
            if progress is not None:
                progress(f)
        n1 = sum(len(s) for s in sets)
        data.append(
            {
                "path": str(raw),
                "layouts": sorted({kind for kind, _ in files}),
                "recordings": len(files),
                "steps": n1 - n0,
            }
        )
    steps = StepSet.concatenate(sets)
    return steps, (np.concatenate(src) if src else np.zeros(0, int)), data


def train(
    paths: Sequence[str | Path],
    *,
    seed: int = 0,
    n_splits: int = 5,
    progress: Callable[[str], None] | None = None,
    command: str | None = None,
    augment: bool = True,
) -> TrainResult:
    """Train both classifiers on ``paths`` and cross-validate them grouped by subject;
    ``augment``: also on each file read through an on-board filter (gait.classify.augment)."""
    from sklearn.model_selection import GroupKFold

    from gait.classify.card import build_card, card_markdown
    from gait.classify.features import feature_names

    steps, src, data = load_training_set(
        paths,
        None if progress is None else (lambda f: progress(f"read {f.name}")),
        augment=augment,
    )
    weights = source_weights(steps, src)
    models: dict[str, Any] = {}
    oof: dict[str, np.ndarray] = {}
    oof_p: dict[str, np.ndarray] = {}
    for task, classes in TASKS.items():
        y = getattr(steps, task)
        m = _labelled(y)
        present = sorted({str(v) for v in y[m]})
        if len(present) < 2:
            raise LabelFormatError(
                ", ".join(str(p) for p in paths),
                f"the {task} classifier needs steps of at least two classes "
                f"({', '.join(classes)}); the data has {present or 'none'}",
                column=task,
            )
        Xm, ym, wm, kw = _task_rows(task, steps, weights)
        gm = steps.subject[m]
        pred = np.full(len(steps), None, dtype=object)
        proba = np.full((len(steps), len(present)), np.nan)
        n_groups = len(np.unique(gm))
        k = min(n_splits, n_groups)
        if k >= 2:
            for i, (tr, te) in enumerate(GroupKFold(n_splits=k).split(Xm, ym, groups=gm)):
                if progress is not None:
                    progress(f"{task}: cross-validation fold {i + 1}/{k}")
                if len(np.unique(ym[tr])) < 2:
                    continue
                est = _fit_rows(
                    task, Xm[tr], ym[tr], wm[tr], {k: v[tr] for k, v in kw.items()}, seed
                )
                p = est.predict_proba(Xm[te])
                cols = [present.index(c) for c in est.classes_]
                full = np.zeros((len(te), len(present)))
                full[:, cols] = p
                idx = np.flatnonzero(m)[te]
                proba[idx] = full
                pred[idx] = np.array(present, dtype=object)[np.argmax(full, axis=1)]
        if progress is not None:
            progress(f"{task}: final fit on all {int(m.sum())} steps")
        models[task] = _fit_rows(task, Xm, ym, wm, kw, seed)
        oof[task] = pred
        oof_p[task] = proba
    real = ~steps.jittered  # the card scores the real contacts only
    card = build_card(
        steps=steps.subset(real),
        oof={t: v[real] for t, v in oof.items()},
        oof_p={t: v[real] for t, v in oof_p.items()},
        models=models,
        data=data,
        n_splits=n_splits,
        seed=seed,
        command=command,
        features=feature_names(),
        versions=_versions(),
        augment=augment,
    )
    return TrainResult(models, steps, oof, card, card_markdown(card))
