"""GaitPipeline: step records, the steps DataFrame, stage slots and chunk invariance.

These tests use a small, exactly chunk-invariant test double for the step detector (threshold
crossings of the acceleration norm, with the other foot's contact estimated midway), so they
test the pipeline's plumbing independently of the real detector.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from gait.consts import GRAVITY_MS2
from gait.pipeline import STEP_COLUMNS, STEP_FIELDS, GaitPipeline
from gait.steps.base import BaseStepDetector, StepTable
from gait.types import SampleBlock, Session, SessionMeta, Subject

FS = 100.0


class CrossingDetector(BaseStepDetector):
    """Test double: a contact where |acc| rises through ``threshold_ms2``; the other foot's
    contact is estimated halfway between two consecutive contacts."""

    def __init__(self, threshold_ms2: float = 15.0) -> None:
        self.threshold_ms2 = threshold_ms2

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> _CrossingStream:
        return _CrossingStream(self.threshold_ms2)


class _CrossingStream:
    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.prev = np.inf
        self.n_seen = 0
        self.last: tuple[int, float] | None = None

    def feed(self, block: SampleBlock) -> StepTable:
        a = np.linalg.norm(block.acc_ms2, axis=1)
        before = np.concatenate(([self.prev], a[:-1]))
        hits = np.flatnonzero((before < self.threshold) & (a >= self.threshold))
        idx, t, own = [], [], []
        for i in hits:
            ic, tc = self.n_seen + int(i), float(block.t_s[i])
            if self.last is not None:
                idx.append((self.last[0] + ic) // 2)
                t.append((self.last[1] + tc) / 2)
                own.append(False)
            idx.append(ic)
            t.append(tc)
            own.append(True)
            self.last = (ic, tc)
        if a.size:
            self.prev = float(a[-1])
        self.n_seen += block.n_samples
        return StepTable(np.array(idx, np.int64), np.array(t, float), np.array(own, bool))

    def finish(self) -> StepTable:
        return StepTable.empty()


def make_session(
    stride_s: float = 1.1,
    n_strides: int = 12,
    pause_s: float = 4.0,
    placement: str | None = "left_ankle",
    seed: int = 0,
) -> Session:
    """Walking (a pulse per stride), a pause, then walking again."""
    rng = np.random.default_rng(seed)
    contacts = 1.0 + np.cumsum(stride_s + rng.normal(0, 0.03, n_strides))
    second = contacts[-1] + pause_s + np.cumsum(stride_s + rng.normal(0, 0.03, n_strides))
    all_contacts = np.concatenate((contacts, second))
    duration = all_contacts[-1] + 2.0
    t = np.arange(int(duration * FS)) / FS
    acc = np.zeros((t.size, 3))
    acc[:, 2] = GRAVITY_MS2
    for c in all_contacts:
        acc[:, 2] += 12.0 * np.exp(-0.5 * ((t - c) / 0.03) ** 2)
    acc += rng.normal(0, 0.05, acc.shape)
    gyr = rng.normal(0, 1.0, acc.shape)
    samples = SampleBlock(t, acc, gyr, FS)
    return Session(samples, SessionMeta(sampling_rate_hz=FS, placement=placement))


SESSION = make_session()


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


# --- stage slots -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Labels:
    steps: StepTable
    direction: list
    direction_p: np.ndarray
    strike: list
    strike_p: np.ndarray


class DelayClassifier:
    """Test double: labels a step once 50 samples after it have been seen (backward when its
    time is odd, else forward)."""

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> _DelayClassifierStream:
        return _DelayClassifierStream()


class _DelayClassifierStream:
    def __init__(self) -> None:
        self.pending: list[StepTable] = []
        self.n_seen = 0

    def _release(self, upto: int | None) -> Labels:
        held = StepTable.concatenate(self.pending)
        ready = np.ones(len(held), bool) if upto is None else held.ic_idx + 50 <= upto
        out = StepTable(held.ic_idx[ready], held.t_s[ready], held.instrumented[ready])
        rest = StepTable(held.ic_idx[~ready], held.t_s[~ready], held.instrumented[~ready])
        self.pending = [rest]
        back = (np.floor(out.t_s) % 2).astype(bool)
        return Labels(
            out,
            ["backward" if b else "forward" for b in back],
            np.full(len(out), 0.9),
            ["heel"] * len(out),
            np.full(len(out), 0.8),
        )

    def feed(self, block: SampleBlock, steps: StepTable) -> Labels:
        self.n_seen += block.n_samples
        self.pending.append(steps)
        return self._release(self.n_seen)

    def finish(self) -> Labels:
        return self._release(None)


@dataclass(frozen=True, eq=False)
class Energy:
    labels: Labels
    speed_m_s: np.ndarray
    kcal: np.ndarray
    kcal_net: np.ndarray


class FlatEnergy:
    """Test double: 1.2 m/s and mass_kg/1000 kcal for every step."""

    met_basis = "test double"

    def stream(
        self, sampling_rate_hz: float, *, has_gyro: bool, mass_kg: float | None
    ) -> _FlatEnergyStream:
        return _FlatEnergyStream(mass_kg)


class _FlatEnergyStream:
    def __init__(self, mass_kg: float | None) -> None:
        self.mass_kg = mass_kg

    def feed(self, block: SampleBlock, labels: Labels) -> Energy:
        n = len(labels.steps)
        kcal = np.full(n, np.nan if self.mass_kg is None else self.mass_kg / 1000)
        return Energy(labels, np.full(n, 1.2), kcal, kcal / 2)

    def finish(self) -> Energy:
        return self.feed(SESSION.samples.slice(0, 0), Labels(StepTable.empty(), [], *[[]] * 3))


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
