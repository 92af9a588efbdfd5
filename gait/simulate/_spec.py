"""What a simulated session is made of: a person, a sensor and a plan of bouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Kind = Literal["stand", "walk", "run"]


@dataclass(frozen=True)
class Bout:
    """One stretch of activity.

    ``kind`` is "stand", "walk" or "run"; ``direction`` "forward"/"backward"; ``strike``
    "heel"/"midfoot"/"forefoot" or ``None`` for the usual strike of that gait (heel for forward
    walking, forefoot for backward). ``turn_deg`` is the heading change spread over the bout
    (positive = to the left); a 180° turn on a short bout is a U-turn.
    """

    kind: Kind
    duration_s: float
    direction: str = "forward"
    strike: str | None = None
    speed_m_s: float = 1.3
    turn_deg: float = 0.0


@dataclass(frozen=True)
class SubjectSpec:
    """The person. ``None`` fields are drawn at random from the ranges in docs/simulator.md."""

    id: str = "sim-000"
    height_m: float | None = None
    mass_kg: float | None = None
    age_years: float | None = None
    #: Multiplier of Alexander's (1984) stride-length relation (person-to-person differences).
    stride_factor: float | None = None
    #: Right/left step-time asymmetry: the contralateral contact falls at (0.5 + asymmetry) stride.
    asymmetry: float | None = None
    #: Coefficient of variation of stride time (step-to-step variability).
    stride_cv: float | None = None
    #: Seed of the person's curve shape and out-of-plane traits, so that several sessions of
    #: one subject show the same person; ``None`` draws them from the session's seed.
    traits_seed: int | None = None


@dataclass(frozen=True)
class SensorSpec:
    """The sensor and how it is worn.

    ``placement`` is one of gait.consts.PLACEMENTS (ankle = on the shank above the malleolus,
    foot = on the dorsum). ``mounting`` is "random" (any rotation), "aligned" (sensor axes = segment
    axes: x forward, y to the person's left, z up the shank / out of the foot dorsum), or a 3×3
    rotation matrix whose columns are the sensor axes in segment axes. Noise densities follow a
    typical consumer MEMS IMU.
    """

    sampling_rate_hz: float = 100.0
    placement: str = "right_ankle"
    side: Literal["lateral", "medial"] = "lateral"
    height_above_ankle_m: float = 0.07
    mounting: str | tuple[tuple[float, ...], ...] = "random"
    acc_range_g: float = 16.0
    gyr_range_dps: float = 2000.0
    acc_noise_ug_per_rthz: float = 180.0
    gyr_noise_dps_per_rthz: float = 0.007
    acc_bias_ms2: float = 0.1
    gyr_bias_dps: float = 1.0
    scale_error: float = 0.01
    jitter_s: float = 0.0002
    drop_probability: float = 0.0
    #: Natural frequency (Hz) and damping ratio of the skin and strap between bone and sensor
    #: (a mass on a damped spring); ``None`` draws them (docs/simulator.md §1.9). A low
    #: frequency (8-20 Hz) with little damping rings after an impact: a second peak one period
    #: (50-125 ms) after the first.
    soft_tissue_hz: float | None = None
    soft_tissue_damping: float | None = None
    #: Share of the other foot's impact peak that reaches this sensor through the body.
    contralateral_gain: float = 0.1
    #: On-board low-pass filters (Hz; ``None`` = off): a causal 2nd-order Butterworth on the
    #: accelerometer / the gyroscope, as the digital low-pass of consumer IMUs (e.g. InvenSense
    #: MPU-6050 DLPF, 5-260 Hz), and a causal moving average of the accelerometer over
    #: ``acc_average_s`` seconds, as some commercial sensors apply on board.
    acc_lowpass_hz: float | None = None
    gyr_lowpass_hz: float | None = None
    acc_average_s: float | None = None
    has_gyro: bool = True
    #: False gives an ideal sensor: no noise, bias, scale error, jitter, loss or quantisation.
    errors: bool = True


@dataclass(frozen=True)
class SessionSpec:
    """A whole session: plan of bouts, person and sensor."""

    bouts: tuple[Bout, ...]
    subject: SubjectSpec = field(default_factory=SubjectSpec)
    sensor: SensorSpec = field(default_factory=SensorSpec)
    start_time_utc: str = "2026-01-01T09:00:00Z"

    @property
    def duration_s(self) -> float:
        return float(sum(b.duration_s for b in self.bouts))


def rotation_matrix(mounting: str | tuple[tuple[float, ...], ...], rng: np.random.Generator):
    """Sensor-to-segment rotation for a mounting description."""
    if isinstance(mounting, str):
        if mounting == "aligned":
            return np.eye(3)
        if mounting == "random":
            q = rng.normal(size=4)
            q /= np.linalg.norm(q)
            w, x, y, z = q
            return np.array(
                [
                    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
                ]
            )
        raise ValueError(f"unknown mounting {mounting!r}; expected 'random', 'aligned' or a matrix")
    m = np.asarray(mounting, dtype=np.float64)
    if m.shape != (3, 3) or not np.allclose(m @ m.T, np.eye(3), atol=1e-6):
        raise ValueError("mounting matrix must be a 3x3 rotation matrix")
    return m
