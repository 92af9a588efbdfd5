"""Where the detector places a contact after a swing lobe: the same time at every rate.

The landing is heel-first when the acceleration peaks within ``heel_s`` (70 ms) of the lobe's
end, else the foot was placed while the leg already turned back and the contact is at the
reversal. The threshold is a time: at 50 Hz it once rounded to 4 samples (80 ms), so a landing
80 ms after the lobe's end, a forefoot placement, was taken for heel-first (simulated slow
backward walking lost up to 9 % of its contacts at 50 Hz only).
"""

from __future__ import annotations

import numpy as np
import pytest

from gait._kernels import _steps as k
from gait.steps import AnkleStepDetector


def _landing_after(gap_s: float, fs: float) -> tuple[int, int, int]:
    """A record whose lobe ends at sample ``z``, reversal 0.15 s later and the acceleration's
    peak ``gap_s`` after ``z``; returns (contact, z, reversal) as the kernel places it."""
    stream = AnkleStepDetector().stream(fs, has_gyro=True)
    _, _, ring, rec_i, _, ip, fp = stream.kernel_state()
    mask = int(ip[k.P_RING_MASK])
    z = 64
    rev = z + round(0.15 * fs)
    ring[:, 2:5] = 0.0
    ring[:, 4] = 9.81
    ring[(z + round(gap_s * fs)) & mask, 4] = 30.0  # the landing's acceleration peak
    rec_i[0, k.R_Z] = z
    rec_i[0, k.R_REV] = rev
    rec_i[0, k.R_IMPACT] = k.NO_IDX
    return int(k._landing(rec_i, 0, ring, mask, ip, fp)), z, rev


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_a_landing_80_ms_after_the_lobe_is_at_the_reversal_at_every_rate(fs):
    ic, _, rev = _landing_after(0.08, fs)
    assert ic == rev


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_a_landing_60_ms_after_the_lobe_is_heel_first_at_every_rate(fs):
    ic, z, _ = _landing_after(0.06, fs)
    assert ic == z


def test_the_threshold_is_not_rounded_to_samples():
    stream = AnkleStepDetector(heel_s=0.07).stream(50.0, has_gyro=True)
    fp = stream.kernel_state()[-1]
    assert fp[k.Q_HEEL] == pytest.approx(0.07 * 50.0)
    assert not np.isclose(fp[k.Q_HEEL], round(0.07 * 50.0))
