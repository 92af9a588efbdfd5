"""Gyroscope offset: learnt while the sensor lies still, removed from every later sample.

A MEMS gyroscope reads a few deg/s when it does not turn (its zero-rate output). The MPU-6050
that the reference firmware drives is specified at ±20 deg/s per axis at 25 °C, and as much
again over temperature (MPU-6000/MPU-6050 Product Specification PS-MPU-6000A-00 rev. 3.4, §6.1);
the firmware does not calibrate it. An offset of 20 deg/s moves the zero crossings and rest
periods that the step detector reads: on the stress matrix it costs up to 0.15 in F1 on
simulated forward forefoot walking and 0.06 on the real backward mocap walking (BENCHMARKS.md,
"Sensor range and gyroscope offset, session 20").

Rule: the samples are cut into windows of ``window_s`` from the stream's first sample. A window
in which every axis of the rate varies by less than ``gyr_still_dps`` (standard deviation), the
acceleration norm by less than ``acc_still_ms2``, and the mean acceleration of its second half
differs from its first half's by less than ``tilt_ms2`` is still: the leg did not turn, so its
mean rate is the offset (if it is at most ``max_offset_dps``). The last test tells an offset
from a slow, steady turn (a leg settling after a bout, a weight shift), which varies as little:
turning at 2 deg/s moves gravity, as the sensor sees it, by 0.09 m/s² between the halves'
centres; turning about the vertical moves nothing and cannot be told apart. Each sample is
corrected with the offset of the last still window before it (none before the first: the samples
pass unchanged). The correction is causal and the same for any block sizes, so a stream and a
file agree.

Why these values: 0.5 s is long enough for the noise of the mean to be far below 1 deg/s (the
MPU-6050's total noise is 0.05 deg/s rms) and short enough that the standing at the start of a
recording (and every pause) gives a window. 1 deg/s is 20 times that noise. In the IPOL foot
recordings (real sensors), the half-second windows whose rate varies by less than 3 deg/s vary
by a median of 0.32 deg/s (90th percentile 1.6) and their acceleration norm by 0.017 m/s² (90th
percentile 0.028); every one of the 220 recordings has a still window, and the offsets learnt
there are 1.0 deg/s (median; at most 2.6). A leg that moves changes its acceleration norm by far
more than 0.1 m/s². 0.05 m/s² lies ten times above the noise of a half window's mean
acceleration (a MEMS accelerometer's 0.02 m/s² rms over 25 samples at 100 Hz). 70 deg/s bounds
the MPU-6050's two ±20 deg/s tolerances on three axes; a steady rate beyond it is motion.
"""

from __future__ import annotations

import numpy as np

from gait._kernels import _offset as k
from gait.types import SampleBlock

STILL_WINDOW_S = 0.5
GYR_STILL_DPS = 1.0
ACC_STILL_MS2 = 0.1
MAX_OFFSET_DPS = 70.0
TILT_MS2 = 0.05


class GyroOffset:
    """Streaming corrector: ``feed`` each block, get it back with the offset removed."""

    def __init__(
        self,
        sampling_rate_hz: float,
        *,
        window_s: float = STILL_WINDOW_S,
        gyr_still_dps: float = GYR_STILL_DPS,
        acc_still_ms2: float = ACC_STILL_MS2,
        max_offset_dps: float = MAX_OFFSET_DPS,
        tilt_ms2: float = TILT_MS2,
    ) -> None:
        self.sampling_rate_hz = float(sampling_rate_hz)
        self._p = np.zeros(k.N_PARAM)
        self._p[k.Q_WINDOW] = max(2, round(window_s * self.sampling_rate_hz))
        self._p[k.Q_GYR_STD] = gyr_still_dps
        self._p[k.Q_ACC_STD] = acc_still_ms2
        self._p[k.Q_MAX_OFFSET] = max_offset_dps
        self._p[k.Q_TILT] = tilt_ms2
        self._istate, self._fstate = k.new_state()

    @property
    def offset_dps(self) -> np.ndarray:
        """The offset in use now (deg/s per axis; zeros until the first still window)."""
        return self._fstate[k.F_OFFSET : k.F_OFFSET + 3].copy()

    @property
    def n_still_windows(self) -> int:
        """Still windows seen so far."""
        return int(self._istate[k.I_N_STILL])

    def feed(self, block: SampleBlock) -> SampleBlock:
        """The block with the offset removed from its angular rate (unchanged without one)."""
        if block.gyr_dps is None or block.n_samples == 0:
            return block
        acc = np.ascontiguousarray(block.acc_ms2, dtype=np.float64)
        gyr = np.ascontiguousarray(block.gyr_dps, dtype=np.float64)
        out = np.empty_like(gyr)
        k.correct_block(acc, gyr, self._istate, self._fstate, self._p, out)
        return SampleBlock(block.t_s, block.acc_ms2, out, block.sampling_rate_hz)


def remove_gyro_offset(samples: SampleBlock, **params: float) -> SampleBlock:
    """A whole recording with its gyroscope offset removed (as a stream would)."""
    return GyroOffset(samples.sampling_rate_hz, **params).feed(samples)
