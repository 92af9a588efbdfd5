"""Base class and result type of the step detectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Self

import numpy as np

from gait._estimator import BaseEstimator
from gait.types import SampleBlock


@dataclass(frozen=True, eq=False)
class StepTable:
    """Initial contacts found in a stream, in time order.

    ``ic_idx`` is the sample index from the start of the stream, ``t_s`` the contact time on the
    stream's clock, ``instrumented`` is True for a contact of the foot that wears the sensor (a
    stride boundary) and False for an estimated contact of the other foot. ``fc_t_s`` is the
    final contact (toe-off) of the instrumented foot that began the swing ending at that contact
    (NaN where unknown, and for the other foot's estimated contacts).
    """

    ic_idx: np.ndarray
    t_s: np.ndarray
    instrumented: np.ndarray
    fc_t_s: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.fc_t_s is None:
            object.__setattr__(self, "fc_t_s", np.full(len(self.ic_idx), np.nan))

    @classmethod
    def empty(cls) -> StepTable:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), np.zeros(0))

    @classmethod
    def concatenate(cls, tables: list[StepTable]) -> StepTable:
        if not tables:
            return cls.empty()
        return cls(
            np.concatenate([t.ic_idx for t in tables]).astype(np.int64),
            np.concatenate([t.t_s for t in tables]).astype(np.float64),
            np.concatenate([t.instrumented for t in tables]).astype(bool),
            np.concatenate([t.fc_t_s for t in tables]).astype(np.float64),
        )

    def __len__(self) -> int:
        return int(self.ic_idx.shape[0])

    @property
    def n_strides(self) -> int:
        return int(self.instrumented.sum())


class StepStream(Protocol):
    """A detector's running state for one stream: feed blocks, get contacts as they are known."""

    def feed(self, block: SampleBlock) -> StepTable:
        """Process the next block; return the contacts that became final with it."""
        ...

    def finish(self) -> StepTable:
        """End of stream: return the contacts still held back."""
        ...


class BaseStepDetector(BaseEstimator):
    """A step detector: parameters in ``__init__``; ``detect`` sets ``steps_`` and returns self."""

    _action_methods = ("detect",)

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> StepStream:
        """A fresh streaming state for a stream at ``sampling_rate_hz``."""
        raise NotImplementedError

    def detect(self, samples: SampleBlock) -> Self:
        """Find the contacts of a whole recording (the streaming core fed one block)."""
        stream = self.stream(samples.sampling_rate_hz, has_gyro=samples.has_gyro)
        self.steps_ = StepTable.concatenate([stream.feed(samples), stream.finish()])
        return self
