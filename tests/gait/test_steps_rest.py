"""The gyroscope detector after rest: a bout's first swing is a swing whatever came before it.

Synthetic rotation about one axis (a shank turning in its sagittal plane, 100 Hz): swings are
half-sines of +200 deg/s over 0.35 s, stances -60 deg/s over 0.6 s; between the bouts the leg
stands for 2 s with a gyroscope bias of a few deg/s (consumer MEMS gyros: a few deg/s before
calibration). Two cases the detector once missed:

- the rest's bias has the swing's sign, so the rate last crossed zero when the rest began: the
  first swing's lobe must not count the standing as part of its duration;
- the bout before the rest ended with a swing (its last landing), so the next bout's first swing
  turns the same way as the last lobe before the rest.
"""

from __future__ import annotations

import numpy as np
import pytest
from _rate_block import rate_only_block

from gait.steps import AnkleStepDetector
from gait.types import SampleBlock

FS = 100.0
SWING_S, SWING_DPS = 0.35, 200.0
STANCE_S, STANCE_DPS = 0.6, -60.0


def _half_sine(duration_s: float, peak_dps: float) -> np.ndarray:
    n = round(duration_s * FS)
    return peak_dps * np.sin(np.pi * (np.arange(n) + 0.5) / n)


def _session(bias_dps: float, n_bouts: int = 3, strides: int = 4) -> tuple[SampleBlock, list]:
    """Bouts of ``strides`` (swing, stance) pairs and one final swing, 2 s of rest around each;
    returns the samples and the sample index where each swing's rotation ends."""
    parts = [np.full(round(2.0 * FS), bias_dps)]
    swing_ends = []
    n = len(parts[0])
    for _ in range(n_bouts):
        for k in range(strides + 1):
            sw = _half_sine(SWING_S, SWING_DPS)
            parts.append(sw)
            n += len(sw)
            swing_ends.append(n)
            if k < strides:
                st = _half_sine(STANCE_S, STANCE_DPS)
                parts.append(st)
                n += len(st)
        rest = np.full(round(2.0 * FS), bias_dps)
        parts.append(rest)
        n += len(rest)
    return rate_only_block(np.concatenate(parts), FS), swing_ends


@pytest.mark.parametrize("bias_dps", [2.0, -2.0, 0.0])
def test_every_swing_after_rest_gives_one_contact(bias_dps: float) -> None:
    samples, swing_ends = _session(bias_dps)
    steps = AnkleStepDetector().detect(samples).steps_
    ic = steps.ic_idx[steps.instrumented]
    # one contact per swing, each within 0.1 s before to 0.2 s after the swing's rotation ends
    assert len(ic) == len(swing_ends)
    for end in swing_ends:
        near = ic[(ic >= end - round(0.1 * FS)) & (ic <= end + round(0.2 * FS))]
        assert len(near) == 1, f"swing ending at sample {end}: contacts {near.tolist()}"


def test_first_swing_of_each_bout_is_found_in_a_stream() -> None:
    samples, swing_ends = _session(2.0)
    whole = AnkleStepDetector().detect(samples).steps_
    stream = AnkleStepDetector().stream(FS, has_gyro=True)
    got = []
    for a in range(0, samples.n_samples, 13):
        part = stream.feed(samples.slice(a, min(a + 13, samples.n_samples)))
        got += part.ic_idx[part.instrumented].tolist()
    part = stream.finish()
    got += part.ic_idx[part.instrumented].tolist()
    assert got == whole.ic_idx[whole.instrumented].tolist()
    first_of_bout = swing_ends[:: len(swing_ends) // 3]
    for end in first_of_bout:
        assert any(end - 10 <= i <= end + 20 for i in got), f"first swing at {end} missed"
