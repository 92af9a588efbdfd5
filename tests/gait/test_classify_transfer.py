"""The transfer benchmark: its gap interval (benchmarks.transfer.gap_interval: resampling the
held-out people and the mocap clips) and its shipped recipe (trained as `gait train` trains)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.transfer import balanced_accuracy, fit_shipped, gap_interval, predict

CLASSES = ("heel", "forefoot")
TRAIN = Path(__file__).resolve().parents[2] / "datasets" / "labelled" / "train"


def _rows(n_groups: int, per: int, wrong: set[int], seed: int = 0):
    """Per-step truth, prediction and group: every group has both classes; the groups in
    ``wrong`` have all their forefoot steps read as heel."""
    rng = np.random.default_rng(seed)
    truth, pred, group = [], [], []
    for g in range(n_groups):
        t = rng.permutation(np.array(["heel", "forefoot"] * per))
        p = t.copy()
        if g in wrong:
            p[t == "forefoot"] = "heel"
        truth.append(t)
        pred.append(p)
        group.append(np.full(len(t), f"g{g}"))
    return np.concatenate(truth), np.concatenate(pred), np.concatenate(group)


def test_balanced_accuracy_is_the_mean_recall_of_the_classes_present():
    t = np.array(["heel", "heel", "heel", "forefoot"])
    p = np.array(["heel", "heel", "forefoot", "heel"])
    assert balanced_accuracy(t, p, CLASSES) == (2 / 3 + 0) / 2
    assert balanced_accuracy(t[:3], p[:3], CLASSES) == 2 / 3
    assert np.isnan(balanced_accuracy(t[:0], p[:0], CLASSES))


def test_no_spread_when_every_group_scores_alike():
    sim = _rows(6, 10, wrong=set())
    real = _rows(20, 3, wrong=set(range(20)))  # every clip: forefoot all wrong -> 0.5
    lo, hi = gap_interval(sim, real, CLASSES, n_boot=200)
    assert lo == hi == 50.0


def test_a_few_people_who_differ_widen_the_interval_around_the_figure():
    sim = _rows(6, 10, wrong={0})  # one held-out person of six read badly
    real = _rows(40, 3, wrong=set())
    gap = 100 * (balanced_accuracy(*sim[:2], CLASSES) - balanced_accuracy(*real[:2], CLASSES))
    lo, hi = gap_interval(sim, real, CLASSES, n_boot=500)
    assert lo < gap <= hi <= 0.0
    assert hi - lo > 5.0
    # the same resamples for the same seed
    assert gap_interval(sim, real, CLASSES, n_boot=500) == (lo, hi)


@settings(max_examples=25, deadline=None)
@given(
    n_sim=st.integers(2, 8),
    n_real=st.integers(2, 8),
    bad_sim=st.sets(st.integers(0, 7)),
    bad_real=st.sets(st.integers(0, 7)),
    level=st.sampled_from([0.5, 0.9]),
)
def test_the_interval_stays_within_the_possible_gaps(n_sim, n_real, bad_sim, bad_real, level):
    sim = _rows(n_sim, 2, bad_sim, seed=1)
    real = _rows(n_real, 2, bad_real, seed=2)
    lo, hi = gap_interval(sim, real, CLASSES, n_boot=100, level=level)
    # balanced accuracies here lie in [0.5, 1]: the gap within [-50, 50] points
    assert -50.0 <= lo <= hi <= 50.0


def test_the_shipped_recipe_is_what_gait_train_fits():
    """benchmarks.transfer's shipped recipe gives the final models of gait.classify.train.train
    on the same data (every row kind: truth, detector, moved, on-board filter)."""
    from gait.classify.train import train

    files = sorted(TRAIN.glob("*.csv.gz"))[:1]
    trained = train(files, n_splits=1)  # one fold: no cross-validation, the final fit only
    mine = fit_shipped(files)
    X = trained.steps.X[~trained.steps.jittered]
    for task in ("direction", "strike"):
        np.testing.assert_array_equal(
            mine[task].predict_proba(X), trained.models[task].predict_proba(X)
        )


class _Stub:
    """A fitted strike model's interface: its classes and fixed probabilities."""

    classes_ = np.array(["forefoot", "heel", "midfoot"])

    def predict_proba(self, X):
        return np.array([[0.2, 0.3, 0.5], [0.4, 0.1, 0.5], [0.3, 0.3, 0.4]])[: len(X)]

    def predict(self, X):
        return np.array(["midfoot"] * len(X))


def test_heel_vs_forefoot_is_the_larger_of_their_probabilities():
    """Scored as benchmarks.eval_classify scores: midfoot's p does not decide (ties: heel)."""
    got = predict(_Stub(), "strike", np.zeros((3, 1)))
    np.testing.assert_array_equal(got, ["heel", "forefoot", "heel"])
    np.testing.assert_array_equal(predict(_Stub(), "direction", np.zeros((2, 1))), ["midfoot"] * 2)
