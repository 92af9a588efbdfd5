"""The last step of a walk: a foot settling after the swing has stopped is no reversal.

Synthetic rotation about one axis (100 Hz): strides of a +200 deg/s swing (half-sine, 0.35 s) and
a -100 deg/s stance (0.6 s); the walk ends on a swing after which the leg only settles, turning
back at 12 deg/s (6 % of the swing's peak) for 0.3 s, with a small acceleration wobble 0.15 s
after the swing, then stands. Placing a foot while the leg turns back (backward walking) turns
it back at a rate comparable with the swing's (0.4-1.0 of it in the real and simulated backward
walkers); a settle is a tenth of it or less (the real mocap walker's and IPOL's stops: 7-9 %).
The detector once took the settle's extreme for the reversal and placed the last contact there,
0.1-0.25 s late.
"""

from __future__ import annotations

import numpy as np
import pytest

from gait._kernels import _steps as k
from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

FS = 100.0


def _half_sine(duration_s: float, peak_dps: float) -> np.ndarray:
    n = round(duration_s * FS)
    return peak_dps * np.sin(np.pi * (np.arange(n) + 0.5) / n)


def _walk_that_stops(settle_dps: float) -> tuple[SampleBlock, list[int]]:
    """Returns the samples and the sample where each swing's rotation ends."""
    parts = [np.zeros(round(1.0 * FS))]
    ends = []
    n = len(parts[0])
    for i in range(6):
        if i:
            st = _half_sine(0.6, -100.0)
            parts.append(st)
            n += len(st)
        sw = _half_sine(0.35, 200.0)
        parts.append(sw)
        n += len(sw)
        ends.append(n)
    settle = _half_sine(0.3, -settle_dps)
    parts += [settle, np.zeros(round(1.5 * FS))]
    w = np.concatenate(parts)
    gyr = np.zeros((len(w), 3))
    gyr[:, 1] = w
    acc = np.zeros((len(w), 3))
    acc[:, 2] = 9.81
    wobble = ends[-1] + round(0.15 * FS)
    acc[wobble - 2 : wobble + 3, 2] += 2.0  # the settle's own small acceleration
    t = np.arange(len(w)) / FS
    return SampleBlock(t, acc, gyr, FS), ends


@pytest.mark.parametrize("settle_dps", [0.0, 12.0, 25.0])
def test_the_last_contact_is_where_the_swing_stopped(settle_dps):
    samples, ends = _walk_that_stops(settle_dps)
    steps = AnkleStepDetector(estimate_other_foot=False).detect(samples).steps_
    ic = steps.ic_idx[steps.instrumented]
    assert len(ic) == len(ends)
    # the low-passed rate ends its lobe a few samples after the raw half-sine
    assert abs(ic[-1] - ends[-1]) <= round(0.06 * FS)


def test_a_turn_back_at_a_swing_like_rate_is_a_reversal():
    stream = AnkleStepDetector().stream(FS, has_gyro=True)
    _, _, _, rec_i, rec_f, _, _ = stream.kernel_state()
    rec_i[0, k.R_Z], rec_i[0, k.R_RMIN_IDX] = 100, 112
    rec_f[0, k.RF_PEAK] = 200.0
    for turn_dps, rev in ((-15.0, 100), (-60.0, 112)):
        rec_f[0, k.RF_RMIN] = turn_dps
        k._set_rev(rec_i, rec_f, 0)
        assert rec_i[0, k.R_REV] == rev
