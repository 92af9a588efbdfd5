"""A landing decides "foot placed while the leg turned back" only with a peak that stands out.

Between the swing lobe's end ``Z`` and the reversal the detector takes the largest acceleration
for the ground stopping the foot: later than ``heel_s`` (70 ms) after ``Z``, the contact goes to
the reversal. A sensor that averages its accelerometer on board (100 ms) leaves no landing peak
there, only the swing's own acceleration trailing off: a ripple of under 1 m/s² whose top can
fall 80-90 ms after ``Z`` (the simulated forward forefoot walker, 12.3 s), and the contact went
to the reversal 0.18 s late. Such a ripple is no landing: the contact stays at ``Z``. A landing
that does stand out is still placed at the reversal.
"""

from __future__ import annotations

import numpy as np
import pytest

from gait._kernels import _steps as k
from gait.steps import AnkleStepDetector


def _landing(rise_ms2: float, fs: float) -> tuple[int, int, int]:
    """A swing lobe of 0.35 s whose acceleration norm ranges 5-17 m/s², ending at ``z``; the
    reversal 0.16 s later; over [z, rev] the acceleration rises by ``rise_ms2`` to a top 90 ms
    after ``z``. Returns (contact, z, reversal) as the kernel places it."""
    stream = AnkleStepDetector().stream(fs, has_gyro=True)
    _, _, ring, rec_i, _, ip, fp = stream.kernel_state()
    mask = int(ip[k.P_RING_MASK])
    z = round(0.5 * fs)
    start = z - round(0.35 * fs)
    rev = z + round(0.16 * fs)
    top = z + round(0.09 * fs)
    norm = np.full(mask + 1, 9.81)
    t = np.arange(start, z)
    norm[start:z] = 11.0 + 6.0 * np.cos(2 * np.pi * (t - start) / (z - start))  # 5-17 m/s²
    norm[z : top + 1] = np.linspace(14.7, 14.7 + rise_ms2, top + 1 - z)
    norm[top + 1 : rev + 1] = 14.7
    ring[:, 2:5] = 0.0
    ring[:, 4] = norm
    rec_i[0, k.R_START] = start
    rec_i[0, k.R_Z] = z
    rec_i[0, k.R_REV] = rev
    rec_i[0, k.R_IMPACT] = k.NO_IDX
    return int(k._landing(rec_i, 0, ring, mask, ip, fp)), z, rev


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_a_ripple_after_the_lobe_is_no_landing(fs):
    ic, z, _ = _landing(0.7, fs)
    assert ic == z


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_a_landing_that_stands_out_late_is_at_the_reversal(fs):
    ic, _, rev = _landing(8.0, fs)
    assert ic == rev
