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


def _place(fs: float, z: int, rev: int, norm_of, start: int | None = None) -> int:
    """The contact the kernel's ``_landing`` places for one record whose lobe ends at ``z`` with
    the reversal at ``rev``, the ring's acceleration norm ``norm_of(ring_rows)`` (on z)."""
    stream = AnkleStepDetector().stream(fs, has_gyro=True)
    _, _, ring, rec_i, _, ip, fp = stream.kernel_state()
    mask = int(ip[k.P_RING_MASK])
    ring[:, 2:5] = 0.0
    ring[:, 4] = norm_of(mask + 1)
    if start is not None:
        rec_i[0, k.R_START] = start
    rec_i[0, k.R_Z] = z
    rec_i[0, k.R_REV] = rev
    rec_i[0, k.R_IMPACT] = k.NO_IDX
    return int(k._landing(rec_i, 0, ring, mask, ip, fp))


def _landing_after(gap_s: float, fs: float) -> tuple[int, int, int]:
    """A record whose lobe ends at sample ``z``, reversal 0.15 s later and the acceleration's
    peak ``gap_s`` after ``z``; returns (contact, z, reversal) as the kernel places it."""
    z = 64
    rev = z + round(0.15 * fs)

    def norm_of(n: int) -> np.ndarray:
        norm = np.full(n, 9.81)
        norm[(z + round(gap_s * fs)) % n] = 30.0  # the landing's acceleration peak
        return norm

    return _place(fs, z, rev, norm_of), z, rev


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


# A landing decides "foot placed while the leg turned back" only with a peak that stands out.
#
# Between the swing lobe's end ``Z`` and the reversal the detector takes the largest acceleration
# for the ground stopping the foot: later than ``heel_s`` (70 ms) after ``Z``, the contact goes to
# the reversal. A sensor that averages its accelerometer on board (100 ms) leaves no landing peak
# there, only the swing's own acceleration trailing off: a ripple of under 1 m/s² whose top can
# fall 80-90 ms after ``Z`` (the simulated forward forefoot walker, 12.3 s), and the contact went
# to the reversal 0.18 s late. Such a ripple is no landing: the contact stays at ``Z``. A landing
# that does stand out is still placed at the reversal.


def _late_landing(rise_ms2: float, fs: float) -> tuple[int, int, int]:
    """A swing lobe of 0.35 s whose acceleration norm ranges 5-17 m/s², ending at ``z``; the
    reversal 0.16 s later; over [z, rev] the acceleration rises by ``rise_ms2`` to a top 90 ms
    after ``z``. Returns (contact, z, reversal) as the kernel places it."""
    z = round(0.5 * fs)
    start = z - round(0.35 * fs)
    rev = z + round(0.16 * fs)
    top = z + round(0.09 * fs)

    def norm_of(n: int) -> np.ndarray:
        norm = np.full(n, 9.81)
        t = np.arange(start, z)
        norm[start:z] = 11.0 + 6.0 * np.cos(2 * np.pi * (t - start) / (z - start))  # 5-17 m/s²
        norm[z : top + 1] = np.linspace(14.7, 14.7 + rise_ms2, top + 1 - z)
        norm[top + 1 : rev + 1] = 14.7
        return norm

    return _place(fs, z, rev, norm_of, start), z, rev


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0, 1000.0])
def test_a_late_peak_is_a_landing_only_when_it_stands_out(fs):
    ripple, z, _ = _late_landing(0.7, fs)  # the swing's own acceleration trailing off
    landing, _, rev = _late_landing(8.0, fs)
    assert (ripple, landing) == (z, rev)
