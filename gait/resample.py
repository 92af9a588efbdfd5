"""Bring a session to a rate the step detector is built for (50-1000 Hz), with a stated note.

Common wearables record at 25-30 Hz, lab systems at 1-2 kHz. Rather than refusing them, the
samples are resampled at the entry of the analysis (``gait analyse`` and ``gait stream``):

- below :data:`~gait.consts.MIN_SAMPLING_RATE_HZ` (down to :data:`MIN_RESAMPLE_RATE_HZ`):
  linear interpolation onto a :data:`UPSAMPLED_RATE_HZ` grid. It adds no information: step times
  are only as precise as the original samples (40 ms apart at 25 Hz).
- above :data:`~gait.consts.MAX_SAMPLING_RATE_HZ`: the mean of every ``q`` consecutive samples
  (a boxcar low-pass, then decimation by ``q``), the smallest ``q`` that gives at most 1000 Hz.
- below :data:`MIN_RESAMPLE_RATE_HZ`: refused; a foot contact (an impact of about 50 ms) falls
  between samples.

Gaps (intervals over :data:`GAP_FACTOR` nominal periods) are kept: each continuous stretch is
resampled on its own grid, starting at its first sample. :class:`Resampler` works block by block
(live streams) and gives the same samples whatever the blocks, so a file analysed afterwards
matches the live analysis; :func:`to_detector_rate` applies it to a whole :class:`Session`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from gait.consts import MAX_SAMPLING_RATE_HZ, MIN_SAMPLING_RATE_HZ
from gait.errors import GaitError
from gait.types import SampleBlock, Session

__all__ = [
    "MIN_RESAMPLE_RATE_HZ",
    "UPSAMPLED_RATE_HZ",
    "RateError",
    "Resampler",
    "needs_resampling",
    "resample_note",
    "to_detector_rate",
]

#: Below this rate a session is refused (steps cannot be found reliably).
MIN_RESAMPLE_RATE_HZ: float = 15.0
#: Sessions recorded below the detector's range are interpolated to this rate.
UPSAMPLED_RATE_HZ: float = 100.0
#: An interval longer than this many nominal periods is a gap (as in the reader).
GAP_FACTOR: float = 1.5


class RateError(GaitError, ValueError):
    """A sampling rate the analysis cannot work at, even after resampling."""


def needs_resampling(rate_hz: float) -> bool:
    """True when ``rate_hz`` is outside the detector's built-for range."""
    return not MIN_SAMPLING_RATE_HZ <= rate_hz <= MAX_SAMPLING_RATE_HZ


def check_rate(rate_hz: float, where: str = "") -> None:
    """Raise :class:`RateError` (one line) for a rate too low (or not finite) to analyse."""
    prefix = f"{where}: " if where else ""
    if not math.isfinite(rate_hz) or rate_hz < MIN_RESAMPLE_RATE_HZ:
        raise RateError(
            f"{prefix}sampling rate {rate_hz:g} Hz is too low to find steps (a foot contact "
            f"lasts about 50 ms); expected at least {MIN_RESAMPLE_RATE_HZ:g} Hz "
            f"({MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g} Hz is analysed as recorded, "
            "other rates are resampled)"
        )


def _decimation(rate_hz: float) -> int:
    return max(1, math.ceil(rate_hz / MAX_SAMPLING_RATE_HZ - 1e-9))


def target_rate(rate_hz: float) -> float:
    """The rate a session at ``rate_hz`` is analysed at."""
    check_rate(rate_hz)
    if rate_hz < MIN_SAMPLING_RATE_HZ:
        return UPSAMPLED_RATE_HZ
    if rate_hz > MAX_SAMPLING_RATE_HZ:
        return rate_hz / _decimation(rate_hz)
    return rate_hz


def resample_note(rate_hz: float) -> str:
    """What was done to a session at ``rate_hz``, for a ``note:`` line."""
    new = target_rate(rate_hz)
    built = (
        f"the {MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g} Hz the step detector is built for"
    )
    if rate_hz < MIN_SAMPLING_RATE_HZ:
        return (
            f"sampling rate {rate_hz:g} Hz is below {built}; resampled to {new:g} Hz by linear "
            f"interpolation (step times are less precise than in a recording at {new:g} Hz: one "
            f"recorded sample every {1000 / rate_hz:.0f} ms)"
        )
    q = _decimation(rate_hz)
    return (
        f"sampling rate {rate_hz:g} Hz is above {built}; resampled to {new:g} Hz "
        f"(mean of every {q} samples)"
    )


class Resampler:
    """Resample a stream of :class:`SampleBlock` from ``rate_hz`` to :func:`target_rate`.

    ``feed`` returns the output samples that are known so far (possibly none); ``finish``
    returns nothing more for interpolation and drops an incomplete group for decimation. The
    output does not depend on how the input is split into blocks.
    """

    def __init__(self, rate_hz: float) -> None:
        self.rate_in_hz = float(rate_hz)
        self.rate_hz = target_rate(self.rate_in_hz)
        self._up = self.rate_in_hz < MIN_SAMPLING_RATE_HZ
        self._q = 1 if self._up else _decimation(self.rate_in_hz)
        self._gap_s = GAP_FACTOR / self.rate_in_hz
        # interpolation: the last input sample, the current segment's start and output count
        self._last: np.ndarray | None = None  # row: t, acc(3)[, gyr(3)]
        self._seg_t0 = 0.0
        self._k = 0
        # decimation: input rows not yet in a complete group
        self._held = np.zeros((0, 0))
        self._has_gyro = False

    def feed(self, block: SampleBlock) -> SampleBlock:
        """The resampled samples that became known with ``block``."""
        parts = [block.t_s.reshape(-1, 1), block.acc_ms2]
        if block.gyr_dps is not None:
            parts.append(block.gyr_dps)
        rows = np.hstack(parts).astype(np.float64)
        self._has_gyro = block.gyr_dps is not None
        out = self._interpolate(rows) if self._up else self._decimate(rows)
        n_cols = rows.shape[1]
        if out.shape[0] == 0:
            out = np.zeros((0, n_cols))
        return SampleBlock(
            t_s=np.ascontiguousarray(out[:, 0]),
            acc_ms2=np.ascontiguousarray(out[:, 1:4]),
            gyr_dps=np.ascontiguousarray(out[:, 4:7]) if n_cols == 7 else None,
            sampling_rate_hz=self.rate_hz,
        )

    def _interpolate(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return rows
        if self._last is not None:
            rows = np.vstack([self._last, rows])
        else:
            self._seg_t0, self._k = float(rows[0, 0]), 0
        t = rows[:, 0]
        # segment starts: the first row (if new) and the first row after each gap
        breaks = np.flatnonzero(np.diff(t) > self._gap_s) + 1
        out: list[np.ndarray] = []
        starts = [0, *breaks.tolist()]
        ends = [*breaks.tolist(), rows.shape[0]]
        period = 1.0 / self.rate_hz
        for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
            if i > 0:
                self._seg_t0, self._k = float(t[a]), 0
            seg = rows[a:b]
            t_end = float(seg[-1, 0])
            n_last = math.floor((t_end - self._seg_t0) * self.rate_hz + 1e-9)
            if n_last < self._k:
                continue
            k = np.arange(self._k, n_last + 1)
            t_new = self._seg_t0 + k * period
            cols = [t_new] + [
                np.interp(t_new, seg[:, 0], seg[:, c]) for c in range(1, seg.shape[1])
            ]
            out.append(np.column_stack(cols))
            self._k = n_last + 1
        self._last = rows[-1].copy()
        return np.vstack(out) if out else np.zeros((0, rows.shape[1]))

    def _decimate(self, rows: np.ndarray) -> np.ndarray:
        if self._held.shape[0]:
            rows = np.vstack([self._held, rows])
        if rows.shape[0] == 0:
            return rows
        q = self._q
        t = rows[:, 0]
        breaks = np.flatnonzero(np.diff(t) > self._gap_s) + 1
        starts = [0, *breaks.tolist()]
        ends = [*breaks.tolist(), rows.shape[0]]
        out: list[np.ndarray] = []
        for a, b in zip(starts, ends, strict=True):
            n = (b - a) // q
            if n:
                out.append(rows[a : a + n * q].reshape(n, q, -1).mean(axis=1))
            # an incomplete group before a gap is dropped; after the last row it is held
        a = starts[-1]
        self._held = rows[a + ((ends[-1] - a) // q) * q :].copy()
        return np.vstack(out) if out else np.zeros((0, rows.shape[1]))

    def finish(self) -> SampleBlock:
        """End of stream: nothing is held back that could still be used."""
        self._held = np.zeros((0, 0))
        gyr = np.zeros((0, 3)) if self._has_gyro else None
        return SampleBlock(np.zeros(0), np.zeros((0, 3)), gyr, self.rate_hz)


def to_detector_rate(session: Session) -> tuple[Session, str | None]:
    """``session`` at a rate the detector is built for, and the note saying what was done
    (``None`` when nothing was). Raises :class:`RateError` below :data:`MIN_RESAMPLE_RATE_HZ`."""
    rate = session.samples.sampling_rate_hz
    where = session.path or ""
    check_rate(rate, where)
    if not needs_resampling(rate):
        return session, None
    resampler = Resampler(rate)
    samples = resampler.feed(session.samples)
    if samples.n_samples < 2:
        raise RateError(f"{where}: too few samples to resample from {rate:g} Hz")
    note = resample_note(rate)
    gap_idx = np.flatnonzero(np.diff(samples.t_s) > GAP_FACTOR / samples.sampling_rate_hz) + 1
    meta = dataclasses.replace(
        session.meta,
        sampling_rate_hz=samples.sampling_rate_hz,
        assumptions=(*session.meta.assumptions, note),
    )
    return (
        dataclasses.replace(session, samples=samples, meta=meta, gap_idx=gap_idx.astype(np.int64)),
        note,
    )
