"""Test doubles for the pipeline tests: a chunk-invariant step detector, a delaying classifier,
a flat energy estimator and a synthetic walking session.

Kept apart from the tests so test_pipeline*.py and test_api*.py share them (imported as
``_pipeline_doubles``; pytest puts this folder on sys.path).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.steps.base import BaseStepDetector, StepTable
from gait.types import SampleBlock, Session, SessionMeta

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
        self,
        sampling_rate_hz: float,
        *,
        has_gyro: bool,
        mass_kg: float | None,
        placement: str | None = None,
        acc_average_s: float | None = None,
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
