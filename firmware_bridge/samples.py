"""Decoder output records (``Gap``, ``DecoderStats``) and a helper that assembles ``SampleBlock``s.

Every byte decoder returns, in stream order, a list of :class:`~gait.types.SampleBlock` (canonical
units, ``t_s`` on the device clock) and :class:`Gap` events (samples known to be missing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.types import SampleBlock

__all__ = ["BlockAssembler", "DecoderStats", "Gap"]


@dataclass(frozen=True)
class Gap:
    """Samples known to be missing between two received samples.

    ``n_missing == 0`` marks a discontinuity of unknown length (the device restarted and its clock
    was re-based so that ``t_s`` keeps increasing).
    """

    #: Device time of the last sample before the gap.
    t_s_start: float
    #: Device time of the first sample after it.
    t_s_end: float
    #: Best estimate of the number of missing samples (from sequence numbers or timestamps).
    n_missing: int


@dataclass
class DecoderStats:
    """Running counters of one decoder. Nothing is dropped without being counted here."""

    bytes_in: int = 0
    #: Good frames (gait), good 11-byte packets (WitMotion) or data lines (CSV).
    frames_ok: int = 0
    crc_errors: int = 0
    framing_errors: int = 0
    #: Number of Gap events emitted.
    seq_gaps: int = 0
    #: Sum of ``Gap.n_missing`` plus samples dropped by the decoder itself (incomplete groups...).
    samples_lost: int = 0
    bytes_skipped: int = 0
    lines_skipped: int = 0
    #: Device restarts detected (sequence number or clock went backwards); each emits a Gap.
    device_restarts: int = 0
    #: Valid frames of another protocol version or an unknown message type (gait protocol).
    frames_ignored: int = 0


class BlockAssembler:
    """Collects decoded sample chunks and gaps, merging consecutive chunks into one block.

    Chunks are merged while the nominal rate and the presence of gyro data stay the same; a gap or
    a change closes the current block so that the output keeps stream order.
    """

    def __init__(self) -> None:
        self._events: list[SampleBlock | Gap] = []
        self._t: list[np.ndarray] = []
        self._acc: list[np.ndarray] = []
        self._gyr: list[np.ndarray | None] = []
        self._key: tuple[float, bool] | None = None

    def add(
        self,
        t_s: np.ndarray,
        acc_ms2: np.ndarray,
        gyr_dps: np.ndarray | None,
        sampling_rate_hz: float,
    ) -> None:
        """Append samples (arrays are taken over, not copied)."""
        if t_s.shape[0] == 0:
            return
        key = (float(sampling_rate_hz), gyr_dps is not None)
        if self._key is not None and key != self._key:
            self._close()
        self._key = key
        self._t.append(t_s)
        self._acc.append(acc_ms2)
        self._gyr.append(gyr_dps)

    def gap(self, gap: Gap) -> None:
        self._close()
        self._events.append(gap)

    def _close(self) -> None:
        if not self._t:
            return
        assert self._key is not None
        rate, has_gyro = self._key
        one = len(self._t) == 1
        t = self._t[0] if one else np.concatenate(self._t)
        acc = self._acc[0] if one else np.concatenate(self._acc)
        gyr = None
        if has_gyro:
            gyr = self._gyr[0] if one else np.concatenate(self._gyr)  # type: ignore[arg-type]
        self._events.append(
            SampleBlock(
                t_s=np.ascontiguousarray(t, dtype=np.float64),
                acc_ms2=np.ascontiguousarray(acc, dtype=np.float64),
                gyr_dps=None if gyr is None else np.ascontiguousarray(gyr, dtype=np.float64),
                sampling_rate_hz=rate,
            )
        )
        self._t, self._acc, self._gyr = [], [], []

    def take(self) -> list[SampleBlock | Gap]:
        """All events so far, in order; the assembler is then empty."""
        self._close()
        events, self._events = self._events, []
        return events
