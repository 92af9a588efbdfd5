"""Training rows read through an on-board filter (gait.classify.augment)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gait.classify.augment import ONBOARD_FILTERS, OnboardFilter, filter_for
from gait.types import SampleBlock

REPO = Path(__file__).resolve().parents[2]
SESSION = sorted((REPO / "datasets" / "labelled" / "test").glob("*.csv.gz"))[0]


def _block(acc: np.ndarray, gyr: np.ndarray, fs: float = 100.0) -> SampleBlock:
    return SampleBlock(np.arange(len(acc)) / fs, acc, gyr, fs)


def test_filter_is_fixed_by_the_file_name_and_every_filter_is_used():
    names = [f"s{i:03d}.csv.gz" for i in range(200)]
    assert filter_for(Path("a") / names[7]) == filter_for(Path("b") / names[7])
    assert {filter_for(n) for n in names} == set(ONBOARD_FILTERS)


@pytest.mark.parametrize("f", [f for f in ONBOARD_FILTERS if f.lowpass_hz is not None])
def test_lowpass_damps_fast_motion_of_both_sensors_and_keeps_slow(f):
    fs = 200.0
    t = np.arange(2000) / fs
    fast = np.sin(2 * np.pi * 4 * f.lowpass_hz * t)
    slow = np.full_like(t, 9.81)
    acc = np.column_stack([fast, slow, fast + slow])
    gyr = np.column_stack([100 * fast, np.zeros_like(t), np.zeros_like(t)])
    out = f(_block(acc, gyr, fs))
    tail = slice(1000, None)  # past the filter's start
    assert np.abs(out.acc_ms2[tail, 0]).max() < 0.1  # 2nd order, 4x the corner: < 1/16
    assert np.abs(out.gyr_dps[tail, 0]).max() < 10.0
    np.testing.assert_allclose(out.acc_ms2[:, 1], 9.81, rtol=1e-9)  # started in steady state
    np.testing.assert_array_equal(out.t_s, t)


def test_moving_average_spreads_an_impact_over_its_span_and_leaves_the_gyroscope():
    fs = 100.0
    acc = np.zeros((300, 3))
    acc[150, 2] = 50.0
    gyr = np.random.default_rng(1).normal(size=(300, 3))
    f = OnboardFilter(average_s=0.1)
    out = f(_block(acc, gyr, fs))
    assert out.acc_ms2[:, 2].max() == pytest.approx(5.0)  # 10 samples of 0.1 s
    assert np.count_nonzero(out.acc_ms2[:, 2]) == 10
    assert np.flatnonzero(out.acc_ms2[:, 2])[0] == 150  # causal: nothing before the impact
    np.testing.assert_array_equal(out.gyr_dps, gyr)


def test_training_set_gets_filtered_rows_with_the_truth_labels():
    from gait.classify.train import load_training_set

    plain, _, _ = load_training_set([SESSION], augment=False)
    aug, src, data = load_training_set([SESSION])
    assert not plain.jittered[~plain.at_detector].all()
    extra = len(aug) - len(plain)
    truth = plain.subset(~plain.at_detector & ~plain.jittered)
    assert extra == len(truth) > 0
    new = aug.subset(np.arange(len(aug)) >= len(plain))
    assert new.jittered.all() and not new.at_detector.any()  # trained on, never scored
    np.testing.assert_array_equal(new.t_s, truth.t_s)
    assert list(new.direction) == list(truth.direction)
    assert list(new.strike) == list(truth.strike)
    assert not np.allclose(new.X, truth.X)  # read through the filter, not copied
    assert len(src) == len(aug) and data[0]["steps"] == len(aug)


def test_gait_train_augments_by_default_and_says_so(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    import gait.classify.train as training
    from gait.cli import app

    real_estimator = training._estimator  # the product's estimators, few boosting rounds (fast)
    monkeypatch.setattr(
        training, "_estimator", lambda task, seed: real_estimator(task, seed).set_params(max_iter=3)
    )

    cards = {}
    for flag in ([], ["--no-augment"]):
        out = tmp_path / ("plain" if flag else "augmented")
        r = CliRunner().invoke(app, ["train", str(SESSION), "--out", str(out), *flag])
        assert r.exit_code == 0, r.output
        cards[bool(flag)] = json.loads((out / "model_card.json").read_text())
    aug, plain = cards[False], cards[True]
    assert "on-board filter" in aug["contacts"] and "on-board filter" not in plain["contacts"]
    assert aug["command"].endswith("--out " + str(tmp_path / "augmented"))
    assert plain["command"].endswith("--no-augment")
    assert aug["n_steps"] == plain["n_steps"]  # the extra rows are trained on, never scored
