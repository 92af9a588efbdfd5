"""Is the sensor's range too small for the motion? A check for saturated (clipped) samples.

A sensor clips every axis at its range: an MPU-6050 left at its default ±250 deg/s cuts a
running swing (600-900 deg/s at the shank) into a flat top. The swing then turns the segment
less than it did, and the detector can miss whole bouts. Measured with
``python -m benchmarks.detection_matrix --rates 100 --sensors recorded gyr500 gyr250 acc4g acc2g``
(BENCHMARKS.md, "Sensor range and gyroscope offset, session 20"): with the gyroscope clipped at
±250 deg/s, simulated running forefoot cells fall by up to 0.16 in F1; at ±500 deg/s no cell
changes. With the accelerometer clipped at ±2 g, simulated backward cells fall by up to 0.24
(the landing's acceleration is cut, and a backward landing is placed at the wrong event); at
±4 g one cell falls by 0.12. The real foot and mocap recordings hardly change at any of these
ranges; their swings are slower. At ±8 g and above only impact peaks clip, and an impact only
refines a contact's timing.

The range is the one the sidecar declares (``device.acc_range_g`` / ``device.gyr_range_dps``,
or the same keys under ``device.info`` as ``gait stream --record`` writes them). Without one,
each axis's largest value in each sign is its limit; a clipped recording sits at it for many
samples, an unclipped one reaches it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock

#: A sample is at a declared limit when an axis is within this fraction of it (a few LSB of a
#: 16-bit sensor at any range; the simulator clips at the range minus one LSB).
LIMIT_TOL = 1e-3
#: Without a declared range, a sample is at the limit only when an axis equals its largest value
#: in that sign (to float rounding): a clipped axis repeats one raw value, a smooth peak does not.
OBSERVED_TOL = 1e-6
#: An axis's extreme counts as a limit only with at least this many samples at it, and only
#: when it is this close to the largest extreme of any axis (a range clips all axes alike, up to
#: calibration offsets of a few percent; a quantised signal can repeat a small extreme of an
#: axis that hardly moves that way).
MIN_AT_LIMIT = 10
NEAR_TOP = 0.8
#: No sensor has a range below these (gyroscopes start at ±125 deg/s, accelerometers at ±2 g);
#: an extreme repeated below 90 % of them is a quantised signal at rest, not a clipped one.
SMALLEST_RANGE = {"gyroscope": 125.0, "accelerometer": 2.0 * GRAVITY_MS2}
#: Share of samples at the limit from which a recording counts as clipped. A clipped swing
#: stays at the limit for several samples in every stride (7 % of all samples in the running
#: sessions clipped at ±250 deg/s); an unclipped recording reaches its largest value once.
SATURATED_SHARE = 0.005
#: Accelerometer ranges from this up (in g) clip impact peaks only, which decide no contact.
ACC_HARMLESS_RANGE_G = 8.0


@dataclass(frozen=True)
class RangeUse:
    """How often one sensor sat at its range limit."""

    sensor: str  #: "accelerometer" or "gyroscope"
    unit: str  #: unit of ``limit``
    limit: float | None  #: the limit (declared, or a repeated extreme); None: none reached
    declared: bool  #: True when the limit is the range the sidecar declares
    n_at_limit: int
    n_samples: int

    @property
    def share(self) -> float:
        """Share of samples with an axis at the limit."""
        return self.n_at_limit / self.n_samples if self.n_samples else 0.0

    @property
    def harmful(self) -> bool:
        """Clipped often enough, at a range small enough, to cost steps."""
        if self.limit is None or self.n_at_limit < MIN_AT_LIMIT or self.share < SATURATED_SHARE:
            return False
        if self.sensor == "accelerometer":
            return self.limit < ACC_HARMLESS_RANGE_G * GRAVITY_MS2 * (1.0 - LIMIT_TOL)
        return True

    def message(self) -> str:
        """One line for a user: what was clipped, how often, and what to change."""
        assert self.limit is not None
        if self.sensor == "accelerometer":
            lim = f"±{self.limit / GRAVITY_MS2:.3g} g"
            advice = f"set the accelerometer's range to ±{ACC_HARMLESS_RANGE_G:.0f} g or more"
        else:
            lim = f"±{self.limit:.4g} deg/s"
            advice = "set the gyroscope's range to ±2000 deg/s"
        how = "its declared range" if self.declared else "the largest value in the recording"
        return (
            f"the {self.sensor} sat at its limit ({lim}, {how}) in {100 * self.share:.1f} % of "
            f"samples: the motion was clipped and steps may be missed or misplaced; {advice}"
        )


class RangeMeter:
    """Counts the samples at one sensor's range limit, block by block (streams and files).

    Each axis and sign keeps its own extreme and how many samples sat at it: a sensor that
    subtracts a calibration offset clips each axis at a slightly different value. With a
    declared range that the signal reaches, the samples within ``LIMIT_TOL`` of it are the count.
    """

    def __init__(self, sensor: str, unit: str, declared_limit: float | None = None) -> None:
        self.sensor = sensor
        self.unit = unit
        self.declared_limit = declared_limit
        self._ext = np.zeros(6)  # extreme magnitude of +x, +y, +z, -x, -y, -z
        self._n_ext = np.zeros(6, dtype=np.int64)  # samples at each
        self._n_declared = 0
        self._n = 0

    def update(self, values: np.ndarray) -> None:
        """Count the next block (rows of axes, in the sensor's unit)."""
        if values.shape[0] == 0:
            return
        self._n += values.shape[0]
        signed = np.concatenate((values, -values), axis=1)  # magnitudes of each axis-sign
        if self.declared_limit is not None:
            rows = signed.max(axis=1)  # the largest |value| of each sample
            self._n_declared += int(np.count_nonzero(rows >= self.declared_limit * (1 - LIMIT_TOL)))
        for j in range(6):
            col = signed[:, j]
            top = float(col.max())
            if top > self._ext[j] * (1.0 + OBSERVED_TOL):  # a new extreme: count anew
                self._ext[j] = top
                self._n_ext[j] = 0
            self._n_ext[j] += int(np.count_nonzero(col >= self._ext[j] * (1.0 - OBSERVED_TOL)))

    def result(self) -> RangeUse:
        """The count so far."""
        if self._n == 0:
            return RangeUse(self.sensor, self.unit, None, False, 0, 0)
        # extremes the signal sat at, near the largest: a range clips every axis alike
        held = (self._n_ext >= MIN_AT_LIMIT) & (self._ext >= NEAR_TOP * self._ext.max())
        held &= self._ext >= 0.9 * SMALLEST_RANGE.get(self.sensor, 0.0)
        n_obs = int(self._n_ext[held].sum())
        if self.declared_limit is not None and (
            self._n_declared >= MIN_AT_LIMIT or self._n_declared >= n_obs
        ):
            return RangeUse(
                self.sensor, self.unit, self.declared_limit, True, self._n_declared, self._n
            )
        limit = float(self._ext[held].max()) if held.any() else None
        return RangeUse(self.sensor, self.unit, limit, False, n_obs, self._n)


def declared_ranges(device: Mapping[str, Any] | None) -> tuple[float | None, float | None]:
    """The accelerometer (m/s²) and gyroscope (deg/s) ranges a sidecar's ``device`` declares."""
    if not device:
        return None, None
    found: dict[str, float] = {}
    for source in (device, device.get("info")):
        if not isinstance(source, Mapping):
            continue
        for key in ("acc_range_g", "gyr_range_dps"):
            value = source.get(key)
            if key not in found and isinstance(value, int | float) and value > 0:
                found[key] = float(value)
    acc = found.get("acc_range_g")
    return (None if acc is None else acc * GRAVITY_MS2), found.get("gyr_range_dps")


def meters(device: Mapping[str, Any] | None, has_gyro: bool) -> list[RangeMeter]:
    """One meter per sensor, with the ranges the device declares."""
    acc_lim, gyr_lim = declared_ranges(device)
    out = [RangeMeter("accelerometer", "m/s²", acc_lim)]
    if has_gyro:
        out.append(RangeMeter("gyroscope", "deg/s", gyr_lim))
    return out


def range_use(samples: SampleBlock, device: Mapping[str, Any] | None = None) -> list[RangeUse]:
    """How often each sensor of a recording sat at its range limit."""
    ms = meters(device, samples.gyr_dps is not None)
    ms[0].update(samples.acc_ms2)
    if samples.gyr_dps is not None:
        ms[1].update(samples.gyr_dps)
    return [m.result() for m in ms]
