"""The data types that flow through the core: samples in, steps out.

Arrays are sample-major: ``acc_ms2`` has shape ``(n_samples, 3)``, in the sensor's own axes
(``frame="sensor"``) unless a block says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Frame = Literal["sensor", "body"]


@dataclass(frozen=True, eq=False)
class SampleBlock:
    """A block of IMU samples in canonical units.

    ``t_s`` is seconds on the device clock (strictly increasing), ``acc_ms2`` is specific force in
    m/s² (gravity included), ``gyr_dps`` is angular rate in deg/s or ``None`` for an
    accelerometer-only sensor. ``sampling_rate_hz`` is the nominal rate.
    """

    t_s: np.ndarray
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray | None
    sampling_rate_hz: float
    frame: Frame = "sensor"

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        if self.t_s.ndim != 1:
            raise ValueError("t_s must be one-dimensional")
        if self.acc_ms2.shape != (n, 3):
            raise ValueError(f"acc_ms2 must have shape ({n}, 3), got {self.acc_ms2.shape}")
        if self.gyr_dps is not None and self.gyr_dps.shape != (n, 3):
            raise ValueError(f"gyr_dps must have shape ({n}, 3), got {self.gyr_dps.shape}")
        if not self.sampling_rate_hz > 0:
            raise ValueError("sampling_rate_hz must be positive")

    @property
    def n_samples(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def has_gyro(self) -> bool:
        return self.gyr_dps is not None

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.n_samples else 0.0

    def slice(self, start: int, stop: int) -> SampleBlock:
        """Samples ``start:stop`` as a new block (views, no copy)."""
        return SampleBlock(
            t_s=self.t_s[start:stop],
            acc_ms2=self.acc_ms2[start:stop],
            gyr_dps=None if self.gyr_dps is None else self.gyr_dps[start:stop],
            sampling_rate_hz=self.sampling_rate_hz,
            frame=self.frame,
        )

    def rotated(self, rotation: np.ndarray) -> SampleBlock:
        """The same motion seen by a sensor turned by the 3×3 rotation matrix ``rotation``."""
        r = np.asarray(rotation, dtype=np.float64)
        return SampleBlock(
            t_s=self.t_s,
            acc_ms2=self.acc_ms2 @ r.T,
            gyr_dps=None if self.gyr_dps is None else self.gyr_dps @ r.T,
            sampling_rate_hz=self.sampling_rate_hz,
            frame=self.frame,
        )

    def without_gyro(self) -> SampleBlock:
        """The same samples as an accelerometer-only sensor would give them (views, no copy)."""
        return SampleBlock(self.t_s, self.acc_ms2, None, self.sampling_rate_hz, self.frame)

    @staticmethod
    def concatenate(blocks: list[SampleBlock]) -> SampleBlock:
        """Join consecutive blocks of one stream."""
        if not blocks:
            raise ValueError("no blocks to concatenate")
        gyro = all(b.gyr_dps is not None for b in blocks)
        return SampleBlock(
            t_s=np.concatenate([b.t_s for b in blocks]),
            acc_ms2=np.concatenate([b.acc_ms2 for b in blocks]),
            gyr_dps=np.concatenate([b.gyr_dps for b in blocks]) if gyro else None,  # type: ignore[misc]
            sampling_rate_hz=blocks[0].sampling_rate_hz,
            frame=blocks[0].frame,
        )


@dataclass(frozen=True)
class Subject:
    """Who wore the sensor (all fields optional)."""

    id: str | None = None
    mass_kg: float | None = None
    height_m: float | None = None
    age_years: float | None = None


@dataclass(frozen=True)
class SessionMeta:
    """What the JSON sidecar says about a session (DESIGN.md, "Session files")."""

    sampling_rate_hz: float | None = None
    start_time_utc: str | None = None
    placement: str | None = None
    subject: Subject = field(default_factory=Subject)
    device: dict[str, Any] = field(default_factory=dict)
    #: What the reader assumed to get canonical units (e.g. "acceleration in g, converted").
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Session:
    """One recorded sensor: its samples, its sidecar and where it came from."""

    samples: SampleBlock
    meta: SessionMeta
    path: str | None = None
    #: Sample indices where the recording had gaps that were filled or flagged.
    gap_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def name(self) -> str:
        if self.path is None:
            return "session"
        from pathlib import Path

        return Path(self.path).stem
