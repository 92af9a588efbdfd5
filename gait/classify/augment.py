"""Training rows as a sensor with an on-board filter would have given them.

Many IMUs low-pass or average their accelerometer before it leaves the chip: the digital
low-pass of the InvenSense MPU-6000/6050 family offers 260 down to 5 Hz (its DLPF_CFG table,
applied to accelerometer and gyroscope alike), and some commercial sensors stream a moving
average of the acceleration (tens of ms to 0.1 s). A strike classifier that learnt the sharpness
of the landing from one sensor reads a smoothed landing as a softer one. Measured on the held-out
simulated subjects with models trained without these rows, heel vs forefoot fell from 97 % to
85 % when the test sensor averaged its accelerometer over 0.1 s, and to 88 % behind an 8 Hz
low-pass (BENCHMARKS.md, issue 20, "on-board filters").

For training, each file is therefore also read once through one such filter, chosen from
:data:`ONBOARD_FILTERS` by a hash of the file's name (the same file always gets the same filter,
so training is reproducible), and its truth contacts give extra rows with both labels
(``steps_of_labelled(..., augment=True)``, ``steps_of_mocap``). Like the rows at moved contacts
they are marked :attr:`gait.classify.data.StepSet.jittered`: trained on, never scored.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from gait.types import SampleBlock


@dataclass(frozen=True)
class OnboardFilter:
    """A causal 2nd-order Butterworth low-pass of accelerometer and gyroscope (``lowpass_hz``),
    or a causal moving average of the accelerometer over ``average_s``."""

    lowpass_hz: float | None = None
    average_s: float | None = None

    def __call__(self, samples: SampleBlock) -> SampleBlock:
        from gait.simulate._sensor import causal_lowpass, causal_moving_average

        fs = samples.sampling_rate_hz
        acc, gyr = samples.acc_ms2, samples.gyr_dps
        if self.lowpass_hz is not None:
            acc = causal_lowpass(acc, fs, self.lowpass_hz)
            gyr = None if gyr is None else causal_lowpass(gyr, fs, self.lowpass_hz)
        if self.average_s is not None:
            acc = causal_moving_average(acc, max(1, round(self.average_s * fs)))
        return SampleBlock(samples.t_s, acc, gyr, fs)

    @property
    def name(self) -> str:
        if self.lowpass_hz is not None:
            return f"low-pass {self.lowpass_hz:g} Hz"
        return f"moving average {1000 * (self.average_s or 0):g} ms"


#: The on-board filters training rows are read through: the MPU-6050's 5, 10 and 21 Hz settings
#: (the lower half of its range; above 21 Hz a walking landing is barely changed) and moving
#: averages of 50 and 100 ms.
ONBOARD_FILTERS: tuple[OnboardFilter, ...] = (
    OnboardFilter(lowpass_hz=5.0),
    OnboardFilter(lowpass_hz=10.0),
    OnboardFilter(lowpass_hz=21.0),
    OnboardFilter(average_s=0.05),
    OnboardFilter(average_s=0.1),
)


def filter_for(path: str | Path) -> OnboardFilter:
    """The on-board filter a file's extra rows are read through (fixed by its name)."""
    return ONBOARD_FILTERS[zlib.crc32(Path(path).name.encode()) % len(ONBOARD_FILTERS)]
