"""SessionSummary maths against hand-built step tables."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _design import SUMMARY_KEYS

from gait.steps.base import StepTable
from gait.summary import (
    MAX_STRIDE_TIME_S,
    MIN_STRIDE_TIME_S,
    SessionSummary,
    bouts,
    count_gaps,
    summarise,
)


def table(t_own: list[float], t_other: list[float] = ()) -> StepTable:
    t = np.array([*t_own, *t_other], float)
    own = np.array([True] * len(t_own) + [False] * len(t_other))
    order = np.argsort(t, kind="stable")
    return StepTable(np.rint(t[order] * 100).astype(np.int64), t[order], own[order])


def summary_of(steps: StepTable, **kw) -> SessionSummary:
    kw.setdefault("n_samples", 6000)
    kw.setdefault("sampling_rate_hz", 100.0)
    kw.setdefault("duration_s", 60.0)
    return summarise(steps, **kw)


def test_bout_rule() -> None:
    # strides: 1.0, 1.0 | 5.0 (pause) | 1.1 | 3.0 (pause) | 0.9, 0.9, 0.9
    t = np.cumsum([0, 1.0, 1.0, 5.0, 1.1, 3.0, 0.9, 0.9, 0.9])
    assert bouts(t) == [(0, 2), (5, 8)]  # the single stride between pauses is no bout
    assert bouts(t[:2]) == []
    assert bouts(np.array([0.0, MIN_STRIDE_TIME_S, MIN_STRIDE_TIME_S + MAX_STRIDE_TIME_S])) == [
        (0, 2)
    ]


def test_steady_walking() -> None:
    own = [1.0 + 1.2 * k for k in range(11)]  # 10 strides of 1.2 s
    other = [t + 0.6 for t in own[:-1]]
    s = summary_of(table(own, other), placement="right_ankle")
    assert (s.n_strides, s.n_steps, s.n_bouts) == (11, 21, 1)
    assert s.walking_time_s == pytest.approx(12.0)
    assert s.mean_stride_time_s == pytest.approx(1.2)
    assert s.stride_time_cv == pytest.approx(0.0, abs=1e-12)
    assert s.cadence_spm == pytest.approx(100.0)  # 2 steps per 1.2 s stride
    assert s.placement == "right_ankle"


def test_two_bouts_and_variability() -> None:
    first = [0.0, 1.0, 2.2, 3.2]  # strides 1.0, 1.2, 1.0
    second = [20.0, 21.1, 22.2]  # strides 1.1, 1.1
    lone = [40.0]  # isolated contact: counted as a stride contact, not walking
    s = summary_of(table(first + second + lone))
    strides = np.array([1.0, 1.2, 1.0, 1.1, 1.1])
    assert s.n_bouts == 2
    assert s.n_strides == s.n_steps == 8
    assert s.walking_time_s == pytest.approx(strides.sum())
    assert s.mean_stride_time_s == pytest.approx(strides.mean())
    assert s.stride_time_cv == pytest.approx(strides.std(ddof=1) / strides.mean())
    assert s.cadence_spm == pytest.approx(120 * 5 / strides.sum())


def test_no_walking() -> None:
    s = summary_of(table([1.0, 10.0, 30.0], [5.0]))
    assert (s.n_strides, s.n_steps, s.n_bouts) == (3, 4, 0)
    assert s.walking_time_s == 0.0
    assert s.cadence_spm is None and s.mean_stride_time_s is None and s.stride_time_cv is None
    assert summary_of(StepTable.empty()).n_steps == 0


def test_later_fields_from_per_step_values() -> None:
    steps = table([0.0, 1.0, 2.0], [0.5, 1.5])
    direction = ["forward", "backward", None, "backward", "forward"]
    speed = np.array([1.0, 1.0, np.nan, 2.0, 2.0])
    s = summary_of(
        steps,
        direction=direction,
        speed_m_s=speed,
        kcal=np.array([0.1, 0.1, np.nan, 0.2, 0.2]),
        kcal_net=np.full(5, 0.05),
        met_basis="compendium",
    )
    assert s.backward_share == pytest.approx(0.5)
    # each 0.5 s step at its own speed; the last step has no following contact
    assert s.distance_m == pytest.approx(0.5 * (1.0 + 1.0 + 2.0))
    assert s.mean_speed_m_s == pytest.approx(1.5)
    assert s.kcal_gross == pytest.approx(0.6)
    assert s.kcal_net == pytest.approx(0.25)
    assert s.met_basis == "compendium"
    unknown = summary_of(steps, direction=[None] * 5, kcal=np.full(5, np.nan))
    assert unknown.backward_share is None and unknown.kcal_gross is None


def test_count_gaps() -> None:
    t = np.arange(100) / 100.0
    assert count_gaps(t, 100.0) == (0, 0)
    t_gap = np.delete(t, [10, 11, 12, 50])
    assert count_gaps(t_gap, 100.0) == (2, 4)
    assert count_gaps(t[:1], 100.0) == (0, 0)


def test_to_dict_is_json_ready() -> None:
    s = summary_of(table([0.0, 1.0, 2.0]), n_gaps=1, samples_lost=3)
    d = s.to_dict()
    assert json.loads(json.dumps(d)) == d
    for key in SUMMARY_KEYS:
        assert key in d
    assert isinstance(d["n_steps"], int) and isinstance(d["walking_time_s"], float)
