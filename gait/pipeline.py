"""The analysis pipeline: samples -> steps -> classified steps -> energy -> summary.

One streaming core serves live and offline use: :meth:`GaitPipeline.run` is
:meth:`GaitPipeline.stream` fed the whole session as one block, so feeding any split of a session
gives the same steps and summary (chunk invariance, a tested property).

The classifier and energy stages are optional slots. A stage is any object with a ``stream(...)``
method returning a per-stream state with ``feed``/``finish`` (see :class:`StepClassifierLike` and
:class:`EnergyEstimatorLike`); a stage may hold steps back until it has seen enough samples, and
returns them later, in time order. At the end of a stream a stage first gets ``feed`` with an
empty block and the steps the previous stage released last, then ``finish()``; it must return
every step it was given exactly once. Without a stage its step fields stay ``None``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, Self

import numpy as np

from gait._estimator import BaseEstimator
from gait.consts import FEET, foot_of
from gait.consts import STEP_FIELDS as STEP_FIELDS  # re-exported: the public step record
from gait.speed import acc_average_s_of
from gait.steps.base import BaseStepDetector, StepStream, StepTable
from gait.summary import SessionSummary, count_gaps, summarise
from gait.types import SampleBlock, Session

if TYPE_CHECKING:
    import pandas as pd

#: Step times in records are rounded to this many decimals (1 µs, as session files store t_s),
#: so that 6.905 does not print as 6.904999999999999.
T_DECIMALS: int = 6
#: Columns of :attr:`GaitPipeline.steps_`, in order.
STEP_COLUMNS: tuple[str, ...] = (*STEP_FIELDS[:2], "instrumented", *STEP_FIELDS[2:])


# --- stage interfaces (duck-typed; later stages implement them) -------------------------------


class StepLabels(Protocol):
    """Labels for some steps, aligned with ``steps`` (a classifier stream's output)."""

    steps: StepTable
    direction: Sequence[str | None]
    direction_p: np.ndarray
    strike: Sequence[str | None]
    strike_p: np.ndarray


@dataclass(frozen=True, eq=False)
class Labels:
    """Labels of some steps, aligned with ``steps``: the plain record of :class:`StepLabels`
    that the classifier and energy stages pass on."""

    steps: StepTable
    direction: list[str | None]
    direction_p: np.ndarray
    strike: list[str | None]
    strike_p: np.ndarray

    @classmethod
    def empty(cls, steps: StepTable | None = None) -> Labels:
        """No labels, for the (empty) table ``steps``."""
        return cls(StepTable.empty() if steps is None else steps, [], np.zeros(0), [], np.zeros(0))


class ClassifierStream(Protocol):
    def feed(self, block: SampleBlock, steps: StepTable) -> StepLabels:
        """Take the next block and the contacts that became final with it; return the steps
        that could be labelled so far (possibly some fed earlier)."""
        ...

    def finish(self) -> StepLabels: ...


class StepClassifierLike(Protocol):
    """A direction/strike classifier that can label a stream of steps."""

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> ClassifierStream: ...


class StepEnergy(Protocol):
    """Speed and energy for some labelled steps (an energy stream's output)."""

    labels: StepLabels
    speed_m_s: np.ndarray
    kcal: np.ndarray
    kcal_net: np.ndarray


class EnergyStream(Protocol):
    def feed(self, block: SampleBlock, labels: StepLabels) -> StepEnergy: ...

    def finish(self) -> StepEnergy: ...


class EnergyEstimatorLike(Protocol):
    """A speed/energy estimator; ``met_basis`` names the MET source, for the summary."""

    met_basis: str

    def stream(
        self,
        sampling_rate_hz: float,
        *,
        has_gyro: bool,
        mass_kg: float | None,
        placement: str | None = None,
        acc_average_s: float | None = None,
    ) -> EnergyStream: ...


@dataclass(frozen=True, eq=False)
class _NoLabels:
    """Pass-through labels when no classifier is configured."""

    steps: StepTable
    direction: Sequence[str | None] = ()
    direction_p: np.ndarray = field(default_factory=lambda: np.zeros(0))
    strike: Sequence[str | None] = ()
    strike_p: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        n = len(self.steps)
        object.__setattr__(self, "direction", [None] * n)
        object.__setattr__(self, "direction_p", np.full(n, np.nan))
        object.__setattr__(self, "strike", [None] * n)
        object.__setattr__(self, "strike_p", np.full(n, np.nan))


@dataclass(frozen=True, eq=False)
class _NoEnergy:
    labels: StepLabels
    speed_m_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kcal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kcal_net: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        n = len(self.labels.steps)
        for name in ("speed_m_s", "kcal", "kcal_net"):
            object.__setattr__(self, name, np.full(n, np.nan))


# --- the streaming core -----------------------------------------------------------------------


class PipelineStream:
    """Running state of the pipeline for one stream of samples.

    ``feed`` returns JSON-ready step records (dicts with :data:`STEP_FIELDS` plus
    ``instrumented``) as soon as each step is final; ``summary`` gives the summary so far.
    """

    def __init__(
        self,
        detector: StepStream,
        *,
        sampling_rate_hz: float,
        placement: str | None = None,
        classifier: ClassifierStream | None = None,
        energy: EnergyStream | None = None,
        met_basis: str | None = None,
        gyro_offset: bool = True,
    ) -> None:
        self.sampling_rate_hz = float(sampling_rate_hz)
        # samples -> samples: the gyroscope's offset removed before any stage sees them
        self._offset = None
        if gyro_offset:
            from gait.offset import GyroOffset  # imported late: numba, as the stages

            self._offset = GyroOffset(sampling_rate_hz)
        self.placement = placement
        self._detector = detector
        self._classifier = classifier
        self._energy = energy
        self._met_basis = met_basis
        self._finished = False
        # sample bookkeeping
        self._n_samples = 0
        self._t_first: float | None = None
        self._t_last: float | None = None
        self._n_gaps = 0
        self._samples_lost = 0
        # emitted steps
        self._records: list[dict[str, Any]] = []
        self._ic_idx: list[np.ndarray] = []
        self._kcal_net: list[float] = []
        own = foot_of(placement)
        self._own_foot = own
        self._other_foot = None if own is None else next(f for f in FEET if f != own)

    # -- public ---------------------------------------------------------------------------------

    def feed(self, block: SampleBlock) -> list[dict[str, Any]]:
        """Process the next block; return the records of steps that became final with it."""
        if self._finished:
            raise RuntimeError("feed() after finish(): start a new stream")
        if block.n_samples == 0:
            return []
        self._account(block)
        if self._offset is not None:
            block = self._offset.feed(block)
        steps = self._detector.feed(block)
        labels = self._label(block, steps)
        return self._emit(self._estimate(block, labels))

    def finish(self) -> list[dict[str, Any]]:
        """End of stream: return the records of the steps still held back."""
        if self._finished:
            return []
        self._finished = True
        steps = self._detector.finish()
        # Flush each stage: what the previous stage releases at the end, then the stage's rest.
        if self._classifier is None:
            labels = [_NoLabels(steps)]
        else:
            labels = [self._classifier.feed(_empty_like(self.sampling_rate_hz), steps)]
            labels.append(self._classifier.finish())
        out: list[dict[str, Any]] = []
        for lab in labels:
            if self._energy is None:
                out += self._emit(_NoEnergy(lab))
            else:
                out += self._emit(self._energy.feed(_empty_like(self.sampling_rate_hz), lab))
        if self._energy is not None:
            out += self._emit(self._energy.finish())
        return out

    @property
    def records(self) -> list[dict[str, Any]]:
        """All step records emitted so far."""
        return list(self._records)

    @property
    def step_table(self) -> StepTable:
        """The emitted steps as a :class:`StepTable`."""
        if not self._records:
            return StepTable.empty()
        return StepTable(
            np.concatenate(self._ic_idx).astype(np.int64),
            np.array([r["t_s"] for r in self._records], dtype=np.float64),
            np.array([r["instrumented"] for r in self._records], dtype=bool),
            np.array(
                [np.nan if r["fc_t_s"] is None else r["fc_t_s"] for r in self._records],
                dtype=np.float64,
            ),
        )

    def steps_frame(self) -> pd.DataFrame:
        """The emitted steps as a DataFrame with :data:`STEP_COLUMNS`."""
        return steps_to_frame(self._records)

    def strides_frame(self) -> pd.DataFrame | None:
        """The energy stage's stride table so far (None when the stage keeps none)."""
        frame = getattr(self._energy, "strides_frame", None)
        return frame() if frame is not None else None

    def summary(self) -> SessionSummary:
        """The session summary over the samples and steps seen so far."""
        duration = 0.0
        if self._t_first is not None and self._t_last is not None:
            duration = self._t_last - self._t_first + 1.0 / self.sampling_rate_hz
        recs = self._records
        have_labels = self._classifier is not None
        have_energy = self._energy is not None
        summary = summarise(
            self.step_table,
            n_samples=self._n_samples,
            sampling_rate_hz=self.sampling_rate_hz,
            duration_s=duration,
            placement=self.placement,
            n_gaps=self._n_gaps,
            samples_lost=self._samples_lost,
            direction=[r["direction"] for r in recs] if have_labels else None,
            speed_m_s=_floats([r["speed_m_s"] for r in recs]) if have_energy else None,
            kcal=_floats([r["kcal"] for r in recs]) if have_energy else None,
            kcal_net=np.array(self._kcal_net, dtype=np.float64) if have_energy else None,
            met_basis=self._met_basis if have_energy else None,
        )
        # per-direction time, distance, energy and bouts, when the energy stage provides them
        fields_of = getattr(self._energy, "summary_fields", None)
        if fields_of is not None:
            summary = dataclasses.replace(summary, **fields_of())
        return summary

    # -- internals ------------------------------------------------------------------------------

    def _account(self, block: SampleBlock) -> None:
        t = np.asarray(block.t_s, dtype=np.float64)
        if self._t_last is not None:
            t_join = np.concatenate(([self._t_last], t))
        else:
            t_join = t
            self._t_first = float(t[0])
        n_gaps, lost = count_gaps(t_join, self.sampling_rate_hz)
        self._n_gaps += n_gaps
        self._samples_lost += lost
        self._t_last = float(t[-1])
        self._n_samples += block.n_samples

    def _label(self, block: SampleBlock, steps: StepTable) -> StepLabels:
        if self._classifier is None:
            return _NoLabels(steps)
        return self._classifier.feed(block, steps)

    def _estimate(self, block: SampleBlock, labels: StepLabels) -> StepEnergy:
        if self._energy is None:
            return _NoEnergy(labels)
        return self._energy.feed(block, labels)

    def _emit(self, energy: StepEnergy) -> list[dict[str, Any]]:
        lab = energy.labels
        steps = lab.steps
        n = len(steps)
        out = []
        # columns as Python floats and bools first (the same values as indexing each step's
        # numpy scalars, without the cost of 10 numpy scalars per step)
        fc_t_s = getattr(steps, "fc_t_s", None)
        cols = [
            _column(steps.instrumented, bool),
            _column(steps.t_s),
            list(lab.direction[:n]),
            _column(lab.direction_p[:n]),
            list(lab.strike[:n]),
            _column(lab.strike_p[:n]),
            _column(energy.speed_m_s[:n]),
            _column(energy.kcal[:n]),
            [math.nan] * n if fc_t_s is None else _column(fc_t_s),
        ]
        kcal_net = _column(energy.kcal_net[:n])
        if len(kcal_net) != n or any(len(c) != n for c in cols):
            raise IndexError(f"a stage gave fewer values than its {n} steps")
        columns = zip(*cols, strict=True)
        own, other = self._own_foot, self._other_foot
        # the numbers are Python floats already (_column): NaN -> None as _num does, inline
        for instrumented, t, d, dp, st, sp, v, kcal, fc in columns:
            out.append(
                {
                    "t_s": round(t, T_DECIMALS),
                    "foot": own if instrumented else other,
                    "direction": d,
                    "direction_p": dp if dp == dp else None,
                    "strike": st,
                    "strike_p": sp if sp == sp else None,
                    "speed_m_s": v if v == v else None,
                    "kcal": kcal if kcal == kcal else None,
                    "fc_t_s": (round(fc, T_DECIMALS) if fc == fc else None)
                    if instrumented
                    else None,
                    "instrumented": instrumented,
                }
            )
        self._kcal_net += kcal_net
        if len(steps):
            self._ic_idx.append(np.asarray(steps.ic_idx, dtype=np.int64))
        self._records += out
        return out


def _column(values: Any, dtype: type = float) -> list[Any]:
    """A column as a list of Python floats (or bools)."""
    return np.asarray(values, dtype=np.float64 if dtype is float else dtype).tolist()


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _empty_like(sampling_rate_hz: float) -> SampleBlock:
    return SampleBlock(np.zeros(0), np.zeros((0, 3)), None, sampling_rate_hz)


def steps_to_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Step records as a DataFrame with :data:`STEP_COLUMNS` (NaN for unknown numbers)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(records, columns=list(STEP_COLUMNS))
    for col in ("t_s", "direction_p", "strike_p", "speed_m_s", "kcal", "fc_t_s"):
        frame[col] = frame[col].astype(np.float64)
    frame["instrumented"] = frame["instrumented"].astype(bool)
    for col in ("foot", "direction", "strike"):
        frame[col] = frame[col].astype(object)
    return frame


# --- the estimator ----------------------------------------------------------------------------


class GaitPipeline(BaseEstimator):
    """Steps, labels, energy and summary of a session.

    Parameters
    ----------
    detector
        A :class:`~gait.steps.BaseStepDetector`; default ``AnkleStepDetector()``.
    classifier
        Optional direction/strike classifier (:class:`StepClassifierLike`); without it the
        ``direction``/``strike`` fields are ``None``.
    energy
        Optional speed/energy estimator (:class:`EnergyEstimatorLike`); without it
        ``speed_m_s``/``kcal`` are ``None``.
    mass_kg
        Body mass for the energy stage; default: the session's ``subject.mass_kg``.
    gyro_offset
        Remove the gyroscope's offset, learnt while the sensor lies still, before every stage
        (:mod:`gait.offset`); default True.

    Results of :meth:`run`: ``step_table_`` (:class:`StepTable`), ``steps_`` (DataFrame with
    :data:`STEP_COLUMNS`, one row per step), ``records_`` (JSON-ready step dicts),
    ``strides_`` (the energy stage's stride table, a DataFrame, or None) and ``summary_``
    (:class:`SessionSummary`).
    """

    _action_methods = ("run",)

    def __init__(
        self,
        detector: BaseStepDetector | None = None,
        classifier: StepClassifierLike | None = None,
        energy: EnergyEstimatorLike | None = None,
        mass_kg: float | None = None,
        gyro_offset: bool = True,
    ) -> None:
        self.detector = detector
        self.classifier = classifier
        self.energy = energy
        self.mass_kg = mass_kg
        self.gyro_offset = gyro_offset

    def _detector(self) -> BaseStepDetector:
        if self.detector is not None:
            return self.detector
        from gait.steps import AnkleStepDetector  # imported late: keeps `import gait` light

        return AnkleStepDetector()

    def stream(
        self,
        *,
        sampling_rate_hz: float,
        has_gyro: bool,
        placement: str | None = None,
        mass_kg: float | None = None,
        acc_average_s: float | None = None,
    ) -> PipelineStream:
        """A fresh streaming state; ``mass_kg`` overrides the pipeline's ``mass_kg``;
        ``acc_average_s`` is the sensor's on-board accelerometer averaging, if the sidecar says
        (:data:`gait.speed.ACC_AVERAGE_KEY`)."""
        mass = mass_kg if mass_kg is not None else self.mass_kg
        classifier = None
        if self.classifier is not None:
            classifier = self.classifier.stream(sampling_rate_hz, has_gyro=has_gyro)
        energy = None
        if self.energy is not None:
            energy = self.energy.stream(
                sampling_rate_hz,
                has_gyro=has_gyro,
                mass_kg=mass,
                placement=placement,
                acc_average_s=acc_average_s,
            )
        return PipelineStream(
            self._detector().stream(sampling_rate_hz, has_gyro=has_gyro),
            sampling_rate_hz=sampling_rate_hz,
            placement=placement,
            classifier=classifier,
            energy=energy,
            met_basis=getattr(self.energy, "met_basis", None),
            gyro_offset=self.gyro_offset,
        )

    def run(self, session: Session) -> Self:
        """Analyse a whole session: the stream fed one block.

        Gaps are found from jumps in ``t_s``; when there are none but ``session.gap_idx`` flags
        samples (gaps filled by the reader), the summary counts those instead.
        """
        samples = session.samples
        mass = self.mass_kg if self.mass_kg is not None else session.meta.subject.mass_kg
        stream = self.stream(
            sampling_rate_hz=samples.sampling_rate_hz,
            has_gyro=samples.has_gyro,
            placement=session.meta.placement,
            mass_kg=mass,
            acc_average_s=acc_average_s_of(session.meta.device),
        )
        stream.feed(samples)
        stream.finish()
        self.step_table_ = stream.step_table
        self.records_ = stream.records
        self.steps_ = stream.steps_frame()
        self.strides_ = stream.strides_frame()
        summary = stream.summary()
        gap_idx = np.asarray(session.gap_idx)
        if summary.n_gaps == 0 and gap_idx.size:
            # No jumps in time, yet the reader flagged samples: the gaps were filled (e.g. lost
            # packets interpolated); count each run of consecutive flagged samples as one gap.
            runs = 1 + int(np.count_nonzero(np.diff(np.sort(gap_idx)) > 1))
            summary = dataclasses.replace(summary, n_gaps=runs, samples_lost=int(gap_idx.size))
        self.summary_ = summary
        return self
