"""GaitPipeline: step records, the steps DataFrame, stage slots and chunk invariance.

These tests use small test doubles (_pipeline_doubles.py): an exactly chunk-invariant step
detector (threshold crossings of the acceleration norm, the other foot's contact estimated
midway), a classifier that holds steps back and a flat energy estimator, so they test the
pipeline's plumbing independently of the real detector.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from _pipeline_doubles import FS, SESSION, CrossingDetector, DelayClassifier, FlatEnergy
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from gait.pipeline import STEP_COLUMNS, STEP_FIELDS, GaitPipeline
from gait.types import SampleBlock, Session, SessionMeta, Subject


def run(session: Session = SESSION, **params) -> GaitPipeline:
    return GaitPipeline(detector=CrossingDetector(), **params).run(session)


def test_run_sets_results_and_returns_self() -> None:
    pipe = GaitPipeline(detector=CrossingDetector())
    assert pipe.run(SESSION) is pipe
    assert list(pipe.steps_.columns) == list(STEP_COLUMNS)
    assert len(pipe.steps_) == len(pipe.step_table_) == len(pipe.records_)
    # 24 instrumented contacts, one estimated contact between each consecutive pair
    assert pipe.step_table_.n_strides == 24
    assert len(pipe.step_table_) == 24 + 23
    assert np.all(np.diff(pipe.steps_["t_s"]) > 0)
    assert pipe.summary_.n_strides == 24
    assert pipe.summary_.n_bouts == 2


def test_records_have_exactly_the_public_fields() -> None:
    rec = run().records_[0]
    assert list(rec) == [*STEP_FIELDS, "instrumented"]
    assert rec["direction"] is None and rec["direction_p"] is None
    assert rec["speed_m_s"] is None and rec["kcal"] is None


@pytest.mark.parametrize(
    ("placement", "own", "other"),
    [("left_ankle", "left", "right"), ("right_foot", "right", "left"), (None, None, None)],
)
def test_foot_follows_placement(placement: str | None, own: str | None, other: str | None) -> None:
    session = replace(SESSION, meta=SessionMeta(sampling_rate_hz=FS, placement=placement))
    steps = run(session).steps_
    assert set(steps.loc[steps["instrumented"], "foot"]) == {own}
    assert set(steps.loc[~steps["instrumented"], "foot"]) == {other}
    assert run(session).summary_.placement == placement


def test_is_a_plain_estimator() -> None:
    pipe = GaitPipeline(detector=CrossingDetector(threshold_ms2=14.0), mass_kg=70.0)
    twin = clone(pipe)
    assert twin.get_params()["mass_kg"] == 70.0
    assert twin.get_params()["detector__threshold_ms2"] == 14.0
    assert not hasattr(twin, "steps_")


def test_feed_after_finish_is_an_error() -> None:
    stream = GaitPipeline(detector=CrossingDetector()).stream(sampling_rate_hz=FS, has_gyro=True)
    stream.feed(SESSION.samples)
    stream.finish()
    assert stream.finish() == []
    with pytest.raises(RuntimeError):
        stream.feed(SESSION.samples)


def test_empty_stream_summary() -> None:
    stream = GaitPipeline(detector=CrossingDetector()).stream(sampling_rate_hz=FS, has_gyro=False)
    assert stream.feed(SESSION.samples.slice(0, 0)) == []
    assert stream.finish() == []
    summary = stream.summary()
    assert (summary.n_samples, summary.n_steps, summary.duration_s) == (0, 0, 0.0)
    assert summary.cadence_spm is None
    assert list(stream.steps_frame().columns) == list(STEP_COLUMNS)


def test_gaps_are_counted() -> None:
    s = SESSION.samples
    keep = np.ones(s.n_samples, bool)
    keep[500:530] = False  # 30 samples lost
    keep[900:901] = False  # 1 sample lost
    gappy = SampleBlock(s.t_s[keep], s.acc_ms2[keep], s.gyr_dps[keep], FS)
    summary = run(replace(SESSION, samples=gappy)).summary_
    assert (summary.n_gaps, summary.samples_lost) == (2, 31)
    assert summary.n_samples == s.n_samples - 31
    assert run().summary_.n_gaps == 0


def full_pipeline(**params) -> GaitPipeline:
    return GaitPipeline(
        detector=CrossingDetector(), classifier=DelayClassifier(), energy=FlatEnergy(), **params
    )


def test_stages_fill_the_step_fields_and_summary() -> None:
    session = replace(
        SESSION,
        meta=SessionMeta(
            sampling_rate_hz=FS, placement="left_ankle", subject=Subject(mass_kg=80.0)
        ),
    )
    pipe = full_pipeline().run(session)
    steps = pipe.steps_
    assert len(steps) == 47  # the classifier's delay loses nothing
    assert set(steps["direction"]) == {"forward", "backward"}
    assert set(steps["strike"]) == {"heel"}
    assert np.allclose(steps["kcal"], 0.08)  # mass from the session's subject
    s = pipe.summary_
    assert s.backward_share == pytest.approx(np.mean(steps["direction"] == "backward"))
    assert s.kcal_gross == pytest.approx(0.08 * 47)
    assert s.kcal_net == pytest.approx(0.04 * 47)
    assert s.mean_speed_m_s == pytest.approx(1.2)
    assert s.met_basis == "test double"
    assert 0 < s.distance_m < 1.2 * session.samples.duration_s
    # the pipeline's mass_kg wins over the sidecar
    assert np.allclose(full_pipeline(mass_kg=50.0).run(session).steps_["kcal"], 0.05)


def test_without_stages_the_later_fields_are_null() -> None:
    s = run().summary_.to_dict()
    for key in ("backward_share", "distance_m", "mean_speed_m_s", "kcal_gross", "kcal_net"):
        assert key in s and s[key] is None


# --- chunk invariance --------------------------------------------------------------------------


def feed_in_blocks(pipe: GaitPipeline, session: Session, cuts: list[int]) -> tuple[list, object]:
    samples = session.samples
    stream = pipe.stream(
        sampling_rate_hz=FS,
        has_gyro=samples.has_gyro,
        placement=session.meta.placement,
        mass_kg=70.0,
    )
    records = []
    edges = [0, *sorted(set(cuts)), samples.n_samples]
    for a, b in itertools.pairwise(edges):
        records += stream.feed(samples.slice(a, b))
        # the summary so far never counts a step twice
        assert stream.summary().n_steps == len(records)
    records += stream.finish()
    return records, stream.summary()


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(1, SESSION.samples.n_samples - 1), max_size=30))
def test_chunk_invariance(cuts: list[int]) -> None:
    whole, whole_summary = feed_in_blocks(full_pipeline(), SESSION, [])
    split, split_summary = feed_in_blocks(full_pipeline(), SESSION, cuts)
    assert split == whole
    assert split_summary == whole_summary


@settings(max_examples=20, deadline=None)
@given(block=st.integers(1, 700))
def test_chunk_invariance_fixed_blocks_matches_run(block: int) -> None:
    pipe = run()
    cuts = list(range(block, SESSION.samples.n_samples, block))
    records, summary = feed_in_blocks(GaitPipeline(detector=CrossingDetector()), SESSION, cuts)
    assert records == pipe.records_
    assert summary == pipe.summary_


def test_filled_gaps_from_the_session_are_counted() -> None:
    filled = np.array([100, 101, 102, 400, 700, 701], dtype=np.int64)
    summary = run(replace(SESSION, gap_idx=filled)).summary_
    assert (summary.n_gaps, summary.samples_lost) == (3, 6)
